/*
 * numcol.h - the values of a metric column kept as numbers.
 *
 * A cell is one or more canonical lean decimals (decnum.h) separated by
 * single spaces: "23.46", or a rollup's "23.4067 20.1 27 12" and
 * "34359738368 12". Cells are grouped by their number of parts (a rollup
 * column has a 2-part and a 4-part group) and each part of each group is a
 * sub-column of integers at one scale: the most decimals that part has in
 * the group, so "5" and "23.46" become 500 and 2346 at scale 2. Each
 * sub-column is written plain, as deltas or as deltas of deltas (zigzag
 * varints), divided by their greatest common divisor when it is 2 or more
 * (memory counted in pages, disk space in blocks), whichever is shortest
 * before compression:
 *
 *   u8 ngroups (1..16), then ngroups distinct u8 part counts (1..16);
 *   when ngroups > 1: one u8 group index per cell;
 *   per group, per part: u8 scale | transform << 4 | 0x40 when divided,
 *   then when divided a uv divisor d >= 2, then one zigzag varint per cell
 *   of the group: t / d where t is, plain: v; delta: v - previous; dod:
 *   delta - previous delta (the first previous values are 0; wrapping int64
 *   arithmetic, so any int64 sequence round-trips).
 *
 * Decoding rebuilds each cell's text with decnum_format: exactly the cell
 * that was encoded, because only canonical texts are encoded.
 */
#ifndef NODELINK_CHUNK_NUMCOL_H
#define NODELINK_CHUNK_NUMCOL_H

#include <stddef.h>
#include <stdint.h>

#include "varbuf.h"

/* Encodes the ncells cells of cells (each a u8 length and its bytes) when
 * every one is a canonical number list of at most CHUNKFMT_PARTS_MAX parts
 * that fits its scale: returns 1 and appends to out. Returns 0 (out
 * untouched) when some cell is not, -1 when out of memory. */
int numcol_encode(const uint8_t *cells, size_t ncells, varbuf_t *out);

/* Decodes ncells cells: the text of cell c is appended to arena (with a NUL
 * after it) and its offset and length go to off[rows[c]] and len[rows[c]].
 * 0 or -1 (why). */
int numcol_decode(varread_t *r, size_t ncells, const uint32_t *rows, uint32_t *off, uint8_t *len,
                  varbuf_t *arena, const char **why);

#endif
