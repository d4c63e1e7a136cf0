/*
 * tierscan.h - one tier of an agent's history read as one sequence of rows,
 * whether the rows are hot stream entries or compacted into chunks.
 *
 * Layout (keys.h). A tier (raw, 1m, 1h) is a stream plus a chunk hash: the
 * hash's field <span start ms> holds a chunk (store/chunk/chunk.h) with the
 * rows of that span, exactly as the stream entries held them (row id =
 * entry id <ms>-<seq>). The writer moves a span from the stream into its
 * chunk with one MULTI { HSET chunk; XTRIM stream MINID <span end> }, oldest
 * span first, so each span is in the chunk or in the stream, never both.
 *
 * Reading while the writer compacts. A walk over [from, to] keeps a
 * position `start` (a row id, first from-0) and repeats rounds:
 *
 *   1. one transaction, so the two replies are one snapshot:
 *          MULTI; HKEYS <chunks>; XRANGE <stream> <start> <to> COUNT <page>; EXEC
 *      HKEYS names every chunked span K at that moment (a few hundred short
 *      fields at most: retention / span); the page P holds the stream's
 *      first entries at or after start.
 *   2. bound B = the id of P's last entry when P is full (more entries may
 *      follow), else the end of the range. In the snapshot, every row with
 *      an id in [start, B] is either in P or in the chunk of a span of K
 *      that intersects [start, B].
 *   3. those chunks are fetched (HMGET, a few at a time, oldest first) and
 *      their rows in [start, B] merged with P by id, oldest first; an id
 *      met twice is passed on once (the chunk's copy).
 *   4. start = the id after B; stop when P was not full.
 *
 * Why each row is seen exactly once. Rounds cover disjoint, consecutive id
 * ranges, so no row is seen in two rounds. Within a round, a row of [start,
 * B] that existed at the snapshot is in P or in a chunk named by K. The
 * chunks are fetched after the snapshot, but a chunk is never taken back
 * into the stream: a later compaction only writes chunks of spans that were
 * in the stream at the snapshot (so not in K: not fetched; their rows are in
 * P), or merges rows into a chunk of K (then the merge by id passes rows
 * found in both P and the chunk once). A chunk deleted by retention after
 * the snapshot (HMGET gives nil) takes its rows away as retention means to.
 * New entries appended meanwhile have ids after every existing one: they
 * are seen when they fall within a later round's range, as with XRANGE
 * paging alone. The merge by id also keeps a broken layout honest: a chunk
 * and stream entries for the same span (which the writer never leaves)
 * give each id once, in order.
 *
 * Cases:
 *   - the old layout (no chunks at all): each round is the XRANGE page it
 *     always was plus an HKEYS of a missing key in the same round trip;
 *     no chunk is ever fetched.
 *   - empty spans between chunks, an agent silent for days: HKEYS lists
 *     only spans that have a chunk, so nothing probes the gaps.
 *   - an empty stream (everything compacted, or nothing hot yet): P is
 *     empty, B is the end of the range, every chunk in range is read in the
 *     one round.
 *   - the first span partly before `from`, `to` in the middle of a span:
 *     rows outside [start, B] are skipped (a binary search finds the first).
 *   - the consumer stops (max_points reached mid-chunk, a replay that has
 *     enough samples): the walk ends at once; nothing more is read.
 *   - with the writer's layout every chunk precedes P, so a chunk is read
 *     in exactly one round; only a broken layout reads one twice (rows
 *     before start are skipped the second time).
 *   - a chunk that fails to open or decode, whose rows lie outside its span
 *     or are not in order: QUERY_ERROR naming the agent, tier and span -
 *     never skipped, since its rows are in no stream.
 *
 * Columns. A walk may ask for some metrics only ("projection"): then a
 * chunk decodes just the row keys and those metrics' columns, and a stream
 * entry passes only those fields. Otherwise every cell is passed, in stored
 * order (a stream entry's field order; a chunk's columns are in name
 * order), or sorted by name when asked.
 *
 * Never logs; one walk at a time per query context (it is not thread-safe).
 */
#ifndef NODELINK_TIERSCAN_H
#define NODELINK_TIERSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "query.h"

/* One row as stored. Strings are NUL-terminated and borrowed for the call. */
typedef struct {
    int64_t ts_ms;
    uint64_t seq;
    size_t n;                  /* cells */
    const char *const *names;  /* n names; NULL for a projection */
    const char *const *values; /* n values, the stored text */
    const size_t *lens;        /* n lengths of values */
    const size_t *cols;        /* projection: the index in wanted[] of each cell; else NULL */
} tierscan_row_t;

/* Called for each row, oldest first. Returns QUERY_OK and sets *stop to end
 * the walk early (the walk then returns QUERY_OK), or a failure status with
 * err filled, which the walk returns. */
typedef query_status_t (*tierscan_fn)(void *arg, const tierscan_row_t *row, bool *stop, query_error_t *err);

typedef struct {
    const char *agent_id;      /* valid (query_check_agent) */
    keys_kind_t stream;        /* KEYS_RAW, KEYS_ROLLUP_1M or KEYS_ROLLUP_1H */
    int64_t from_ms, to_ms;    /* rows with from_ms <= ts_ms <= to_ms; to_ms INT64_MAX: no end */
    const char *const *wanted; /* projection: these metrics only (distinct); NULL: every cell */
    size_t n_wanted;           /* rows without any wanted cell are not passed on */
    bool sorted;               /* without projection: cells sorted by name (bytewise) */
    size_t page;               /* stream entries per round; 0: 1000 */
    tierscan_fn fn;
    void *arg;
} tierscan_req_t;

/* Walks the rows of req's tier in [from_ms, to_ms], calling req->fn for each
 * once, oldest first. QUERY_OK (also when fn stopped the walk), or the
 * status of the failure with err filled. */
query_status_t tierscan_run(query_ctx_t *ctx, const tierscan_req_t *req, query_error_t *err);

/* The timestamp of the newest row of the tier, in *last_ms, chunks and
 * stream alike; *found false when the tier holds no row. One transaction
 * (XREVRANGE COUNT 1 and HKEYS), plus one HGET when the newest chunk may
 * hold newer rows than the stream (an empty stream: everything compacted).
 * A corrupt newest chunk is QUERY_ERROR as for a walk. */
query_status_t tierscan_last(query_ctx_t *ctx, const char *agent_id, keys_kind_t stream, int64_t *last_ms,
                             bool *found, query_error_t *err);

/* "raw", "1m", "1h" for a stream kind (messages). */
const char *tierscan_tier_name(keys_kind_t stream);

#endif
