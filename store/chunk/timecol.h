/*
 * timecol.h - the two row-key blocks of a chunk: timestamps and seq.
 *
 * Timestamps: one zigzag varint per row, the delta of delta: with t[-1] =
 * first_ms (from the chunk header) and d[-1] = 0, row i writes
 * (t[i] - t[i-1]) - d[i-1] where d[i-1] = t[i-1] - t[i-2]. Regular samples
 * (every 5000 ms, a few ms of jitter) cost one byte before compression and
 * almost nothing after. Arithmetic wraps in 64 bits, so any int64 sequence
 * round-trips.
 *
 * Seq (the <n> of a stream entry id <ms>-<n>, almost always 0): uv count of
 * rows whose seq is not 0, then per such row uv (row - previous such row -
 * 1) (the first: row) and uv seq. All zero: one byte.
 *
 * The reader checks what the header promises: the first and last timestamps,
 * and rows in strictly increasing (ts, seq) order.
 */
#ifndef NODELINK_CHUNK_TIMECOL_H
#define NODELINK_CHUNK_TIMECOL_H

#include <stddef.h>
#include <stdint.h>

#include "varbuf.h"

void timecol_encode(const int64_t *ts, size_t n, varbuf_t *out);
void seqcol_encode(const uint64_t *seq, size_t n, varbuf_t *out);

/* Decode n timestamps / seqs into ts / seq (room for n). 0 or -1 (why). */
int timecol_decode(const uint8_t *raw, size_t len, size_t n, int64_t first, int64_t last, int64_t *ts,
                   const char **why);
int seqcol_decode(const uint8_t *raw, size_t len, size_t n, uint64_t *seq, const char **why);

/* Checks that rows are in strictly increasing (ts, seq) order. */
int timecol_check_order(const int64_t *ts, const uint64_t *seq, size_t n, const char **why);

#endif
