/*
 * writer.h - writes buffered records into Redis: raw stream entries, rollup
 * entries, system information, the per-agent cursor and the agent index.
 *
 * One blocking hiredis connection (every call bounded by redis.timeout),
 * driven from the store's single thread. writer_flush() takes up to
 * store.batch_size records from the head of the queue and writes them as
 * one pipeline: per agent one MULTI ... EXEC holding its XADDs, closed
 * rollup buckets and cursor (all keys of one agent share a hash slot), then
 * a ZADD of the agent index. Records leave the queue only once their EXEC
 * succeeded, so an outage never loses or reorders them. One batch is in
 * flight while the next is built and sent (Redis executes batch N while the
 * store formats batch N+1); its replies are read before the next batch is
 * sent after it, and before any synchronous command.
 *
 * On any connection failure the connection is dropped, every agent's write
 * side is marked unsynced, and reconnection waits with exponential backoff
 * (100 ms doubling up to store.reconnect_backoff_max). After reconnecting,
 * each agent is re-synced from Redis before its next write (cursor, last
 * entry id, open rollup buckets rebuilt from the raw entries of the open
 * hour): a batch whose EXEC ran but whose reply was lost is skipped by
 * the cursor, and entry ids stay increasing.
 *
 * What each record becomes (entry ids, rollups) is agentwriter.h's. Upkeep
 * (writer_maintain, every second) also compacts spans older than the hot
 * windows into chunks for at most store.compact_budget (compactor.h).
 */
#ifndef NODELINK_WRITER_H
#define NODELINK_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger.h"
#include "record.h"
#include "store_config.h"

typedef struct {
    uint64_t stored;         /* raw entries written */
    uint64_t system_stored;  /* system information documents written */
    uint64_t rollups;        /* rollup entries written */
    uint64_t already_stored; /* records skipped at write: the cursor had them */
    uint64_t late;           /* samples too late for a closed rollup bucket (raw only) */
    uint64_t batches;
    uint64_t redis_errors; /* failed connects, I/O errors, error replies */
    uint64_t reconnects;   /* successful connections after the first */
    uint64_t write_lag_ms; /* receipt-to-commit time of the last batch's oldest record */
    /* compaction (compactor.h) */
    uint64_t compacted_spans, compacted_rows, chunk_bytes, expired_chunks, compact_refused;
    uint64_t compact_cpu_ms;
} writer_stats_t;

typedef struct writer_t writer_t;

/* cfg and agents are borrowed and must outlive the writer. Does not
 * connect. NULL with err on a malformed redis.url. */
writer_t *writer_new(const store_config_t *cfg, ledger_t *agents, char *err, size_t errlen);

void writer_destroy(writer_t **self);

/* Sends the next batch from q (connecting first when needed and the backoff
 * allows) and completes the batch sent by the previous call. Returns the
 * number of records taken off the queue (written or already stored; 0 when
 * a batch was only sent), or -1 while Redis is unavailable. */
int writer_flush(writer_t *self, record_queue_t *q);

/* Periodic upkeep: exact retention trimming every store.trim_interval and
 * closing idle agents' rollup buckets (completes the batch in flight first). */
void writer_maintain(writer_t *self, record_queue_t *q);

bool writer_connected(const writer_t *self);

/* Records at the head of the queue sent but not yet acknowledged (the
 * queue must not drop them: see record_queue_t.pinned). */
size_t writer_inflight(const writer_t *self);

/* The last connection error ("" when none). */
const char *writer_last_error(const writer_t *self);

const writer_stats_t *writer_stats(writer_t *self);

#endif
