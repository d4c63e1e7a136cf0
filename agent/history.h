/*
 * history.h - the agent's bounded in-memory history of samples.
 *
 * A ring of encoded MetricsDataResponse samples, bounded twice: by age
 * (metrics.retention_period) and by bytes (metrics.history_max_size). The
 * oldest samples are dropped first. Samples are stored encoded (protobuf,
 * ~300-600 bytes each) because that is the most compact form at hand; a query
 * decodes only the samples of its time range.
 *
 * Layout: one data buffer written circularly, each sample contiguous (a
 * sample that does not fit before the end of the buffer starts again at 0),
 * and an index ring of (timestamp, offset, length) from oldest to newest.
 * Appending evicts from the oldest end every sample whose bytes the new one
 * overwrites, so the index never refers to overwritten bytes. Appending in
 * steady state allocates nothing (the index grows, doubling, until the ring
 * holds as many samples as its bytes allow).
 */
#ifndef NODELINK_HISTORY_H
#define NODELINK_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "nodelink.pb-c.h"

typedef struct history_t history_t;

/* A ring of at most max_bytes of samples no older than retention_ms.
 * max_bytes 0 makes a ring that keeps nothing. NULL on allocation failure. */
history_t *history_new(size_t max_bytes, int64_t retention_ms);

void history_destroy(history_t **self);

/* Encodes sample (its timestamp is Unix ms) and appends it. Samples older
 * than the newest one's timestamp - retention are dropped. 0, or -1 when the
 * sample is larger than the whole ring (it is not kept). */
int history_append(history_t *self, const Nodelink__MetricsDataResponse *sample);

/* Number of samples held and bytes used by them. */
size_t history_count(const history_t *self);
size_t history_bytes(const history_t *self);

/* Called for each sample with from_ms <= timestamp <= to_ms, oldest first,
 * with the encoded bytes (valid during the call only). Returning non-zero
 * stops the walk. Returns the number of samples visited. */
typedef int (*history_visit_fn)(void *ctx, int64_t timestamp_ms, const uint8_t *data, size_t len);
size_t history_walk(const history_t *self, int64_t from_ms, int64_t to_ms, history_visit_fn fn, void *ctx);

#endif
