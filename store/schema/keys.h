/*
 * keys.h - the Redis key schema of nodelink history (see docs/storage.md).
 *
 *     nodelink:agents                  ZSET  member agent id, score last-seen Unix ms
 *     nodelink:{<id>}:metrics          STREAM raw samples; entry id <ms>-<n>, fields = metric names
 *     nodelink:{<id>}:metrics:1m       STREAM 1-minute rollups; entry id <bucket start ms>-0,
 *                                      field = metric name, value = "avg min max count"
 *     nodelink:{<id>}:metrics:1h       STREAM 1-hour rollups, same layout
 *     nodelink:{<id>}:system           STRING latest system information (specification JSON)
 *     nodelink:{<id>}:cursor           HASH  epoch, seq: the last sample written (dedup on restart)
 *     nodelink:{<id>}:metrics:chunks   HASH  compacted raw samples: field = span start ms,
 *                                      value = a chunk (store/chunk/chunk.h) of that span
 *     nodelink:{<id>}:metrics:1m:chunks, ...:1h:chunks   the same for the rollup tiers
 *
 * Hot window and chunks: the newest samples of each tier are stream entries;
 * whole spans (KEYS_SPAN_*_MS, aligned to multiples of the span since the
 * Unix epoch) older than the tier's hot window are compacted into one chunk
 * each. For every span, its data is either in the chunk or in the stream,
 * never both: the chunk is written and the stream trimmed up to the span's
 * end in one MULTI/EXEC, spans in order. So every chunked span is older than
 * every stream entry of the tier.
 *
 * The {<id>} hash tag keeps one agent's keys in one Redis Cluster slot, so
 * the store's per-agent MULTI/EXEC batches are legal in a cluster. Agent ids
 * are [A-Za-z0-9_.-]{1,64}, so keys need no escaping.
 *
 * Shared by the writer (nodelink-store) and the query library; depends on
 * neither.
 */
#ifndef NODELINK_KEYS_H
#define NODELINK_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_AGENTS "nodelink:agents"
#define KEYS_MAX 128

/* Span of one chunk per tier (a fixed part of the layout: readers compute
 * which fields to read from it). */
#define KEYS_SPAN_RAW_MS 3600000LL        /* an hour of raw samples */
#define KEYS_SPAN_1M_MS 86400000LL        /* a day of 1-minute rollups */
#define KEYS_SPAN_1H_MS (30 * 86400000LL) /* 30 days of 1-hour rollups */

typedef enum {
    KEYS_RAW = 0, /* the three stream tiers first, in order of width */
    KEYS_ROLLUP_1M,
    KEYS_ROLLUP_1H,
    KEYS_SYSTEM,
    KEYS_CURSOR,
    KEYS_CHUNKS_RAW, /* the chunk hashes, in the stream tiers' order */
    KEYS_CHUNKS_1M,
    KEYS_CHUNKS_1H,
} keys_kind_t;

/* The chunk hash of a stream tier kind (KEYS_RAW..KEYS_ROLLUP_1H), and the
 * span of its chunks in ms. */
keys_kind_t keys_chunks_of(keys_kind_t stream);
int64_t keys_span_ms(keys_kind_t stream);

/* The start of the span holding ms (floor to a multiple of span_ms). */
int64_t keys_span_start(int64_t ms, int64_t span_ms);

/* Writes the key of kind for agent_id into buf (KEYS_MAX bytes suffice).
 * Returns its length, or -1 when agent_id is invalid. */
int keys_build(char *buf, size_t size, const char *agent_id, keys_kind_t kind);

/* Parses a stream entry id "<ms>-<seq>" (both parts required, ms within
 * int64). 0, or -1. */
int keys_parse_id(const char *s, size_t len, int64_t *ms, uint64_t *seq);

#endif
