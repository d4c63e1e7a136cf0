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

typedef enum {
    KEYS_RAW = 0, /* the three stream tiers first, in order of width */
    KEYS_ROLLUP_1M,
    KEYS_ROLLUP_1H,
    KEYS_SYSTEM,
    KEYS_CURSOR,
} keys_kind_t;

/* Writes the key of kind for agent_id into buf (KEYS_MAX bytes suffice).
 * Returns its length, or -1 when agent_id is invalid. */
int keys_build(char *buf, size_t size, const char *agent_id, keys_kind_t kind);

/* Parses a stream entry id "<ms>-<seq>" (both parts required, ms within
 * int64). 0, or -1. */
int keys_parse_id(const char *s, size_t len, int64_t *ms, uint64_t *seq);

#endif
