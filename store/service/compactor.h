/*
 * compactor.h - moves spans older than the hot window from an agent's
 * streams into compressed chunks, and expires chunks past retention.
 *
 * The layout and its invariant are keys.h's: for every span of a tier, its
 * rows are either in the chunk (HASH field = span start) or in the stream,
 * never both, and every chunked span is older than every stream entry. One
 * span is compacted by
 *
 *     XRANGE stream <span start> <span end - 1>   (pages; the rows as stored)
 *     build the chunk (store/chunk: the same strings, byte for byte)
 *     MULTI
 *       HSET  chunks <span start> <chunk>
 *       XTRIM stream MINID <span end>
 *     EXEC
 *
 * spans in time order, so a store killed at any moment leaves the span in
 * the stream (EXEC not run: Redis drops a transaction whose connection
 * closes) or in the chunk (EXEC ran), and doing it again is harmless: the
 * stream has nothing left of a compacted span, and a span whose chunk
 * already exists (it cannot, but a store of another version might have
 * left one) is merged into it, its rows replacing equal (ts, seq) rows.
 *
 * A tier's due spans: those ending at or before both the agent's newest raw
 * sample minus the tier's hot window (store.hot_window, _1m, _1h) and the
 * span of the tier's newest stream entry, which is never compacted: a
 * stream keeps its last entry, so the writer's re-sync still finds the last
 * id it must write after.
 *
 * Rows that the codec refuses (entries not written by nodelink: names or
 * values outside its alphabet) stop the tier's compaction; they stay in the
 * stream, nothing is lost, and the tier is tried again after
 * store.trim_interval.
 *
 * Synchronous on the writer's connection (no reply may be pending), bounded
 * by a deadline per call. Never logs: the caller logs what the return and
 * error say.
 */
#ifndef NODELINK_COMPACTOR_H
#define NODELINK_COMPACTOR_H

#include <stdint.h>

#include "cmdbuf.h"
#include "ledger.h"
#include "store_config.h"

typedef struct {
    uint64_t spans;       /* spans compacted */
    uint64_t rows;        /* stream entries moved into chunks */
    uint64_t chunk_bytes; /* bytes of the chunks written */
    uint64_t expired;     /* chunks deleted past retention */
    uint64_t refused;     /* tiers left alone for entries the codec refused */
    uint64_t cpu_us;      /* CPU time spent encoding */
} compactor_stats_t;

typedef struct compactor_t compactor_t;

/* cfg and cb are borrowed and must outlive the compactor. NULL when out of
 * memory. */
compactor_t *compactor_new(const store_config_t *cfg, cmdbuf_t *cb);
void compactor_destroy(compactor_t **self);

/* Compacts up to max_spans of each tier's due spans of a (synced agents
 * only), oldest first, stopping when none is due or deadline_mono
 * (clock_mono_ms) passes. Returns the number of spans compacted, or -1 when
 * the connection failed (compactor_error says why; the caller drops the
 * connection). */
int compactor_run(compactor_t *self, ledger_agent_t *a, int max_spans, int64_t deadline_mono);

/* Deletes a's chunks whose whole span is older than the tier's retention
 * (measured from the agent's newest sample). 0, or -1 as above. */
int compactor_expire(compactor_t *self, ledger_agent_t *a);

/* Why the last call failed or left a tier alone ("" when it did not). */
const char *compactor_error(const compactor_t *self);

const compactor_stats_t *compactor_stats(const compactor_t *self);

#endif
