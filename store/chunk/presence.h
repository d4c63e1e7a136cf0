/*
 * presence.h - which rows of a chunk have a value for a metric.
 *
 * Three encodings, the writer picks the shortest (ties: the earlier one):
 *   ALL     every row has a value: no more bytes (the usual case);
 *   RUNS    uv count of runs, then that many uv run lengths alternating
 *           absent, present, absent, ... starting with an absent run (which
 *           may be 0; every later run is >= 1), adding up to the row count:
 *           cheap for metrics that appear or vanish (disks, restarts);
 *   BITMAP  ceil(rows / 8) bytes, row r present when bit (r % 8) of byte
 *           r / 8 is set, unused high bits of the last byte 0: bounded for
 *           any pattern.
 * A column has at least one present row. The reader rejects everything
 * else (runs not adding up, zero-length runs, stray bits).
 */
#ifndef NODELINK_CHUNK_PRESENCE_H
#define NODELINK_CHUNK_PRESENCE_H

#include <stddef.h>
#include <stdint.h>

#include "varbuf.h"

/* Writes the kind byte and the encoding of cells present at rows[0..ncells)
 * (strictly increasing, < nrows). */
void presence_encode(const uint32_t *rows, size_t ncells, size_t nrows, varbuf_t *out);

/* Reads a presence written by presence_encode for nrows rows: the present
 * rows go to rows[0..*ncells) (rows has room for nrows). 0 or -1 (why). */
int presence_decode(varread_t *r, size_t nrows, uint32_t *rows, size_t *ncells, const char **why);

#endif
