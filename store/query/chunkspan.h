/*
 * chunkspan.h - which chunks of a tier a read needs, and where in a chunk it
 * starts (pure functions: no Redis, no codec).
 *
 * A tier's chunk hash names each chunk by the start of its span in ms, as
 * decimal text (keys.h); spans are span_ms wide and aligned to multiples of
 * span_ms. A field that is not the canonical decimal of such a start (sign,
 * leading zero, other text, beyond year 9999, not aligned) was not written
 * by nodelink and names no span: readers skip it, as they skip stream
 * fields that are not theirs.
 */
#ifndef NODELINK_CHUNKSPAN_H
#define NODELINK_CHUNKSPAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rowid.h"

#define CHUNKSPAN_MS_MAX 253402300799999LL /* 9999-12-31T23:59:59.999Z */

/* Parses a chunk hash field: 0 with *span set, or -1 when it names no span
 * of span_ms (see above). */
int chunkspan_parse(const char *s, size_t len, int64_t span_ms, int64_t *span);

/* The spans among fields[0..n) (lens[i] bytes each) that hold times in
 * [from_ms, to_ms]: span + span_ms > from_ms and span <= to_ms. Written to
 * out (room for n) in increasing order, each once; returns how many. */
size_t chunkspan_select(const char *const *fields, const size_t *lens, size_t n, int64_t span_ms,
                        int64_t from_ms, int64_t to_ms, int64_t *out);

/* The index of the first of n rows (keys ts[i], seq[i], increasing) whose
 * id is at or after from; n when none is. */
size_t chunkspan_first_row(const int64_t *ts, const uint64_t *seq, size_t n, rowid_t from);

/* True when a chunk whose rows run from first_ms to last_ms lies within the
 * span [span, span + span_ms) that names it. */
bool chunkspan_holds(int64_t span, int64_t span_ms, int64_t first_ms, int64_t last_ms);

#endif
