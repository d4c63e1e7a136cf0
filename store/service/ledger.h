/*
 * ledger.h - what the store remembers per agent.
 *
 * Receive side (updated as frames arrive, before buffering): the agent's
 * current epoch and highest sequence number, so duplicates are dropped
 * before they take buffer space and sequence gaps are counted. Frames of a
 * previous epoch (the agent restarted) are recognised for the last
 * AGENTS_OLD_EPOCHS epochs.
 *
 * Write side (valid only while `synced`): the state of the agent's keys in
 * Redis: the cursor (epoch, seq of the last stored frame), the last raw
 * entry id, and the open rollup buckets. It is (re)loaded from Redis after
 * every (re)connection (writer.c), so Redis stays the truth: a batch whose
 * reply was lost is recognised by the cursor and not written twice.
 */
#ifndef NODELINK_LEDGER_H
#define NODELINK_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollup.h"
#include "topic.h"

#define AGENTS_OLD_EPOCHS 4
#define AGENTS_TIERS 2 /* 1m, 1h */

/* Open rollup bucket of one tier. */
typedef struct {
    int64_t width_ms;
    int64_t open_start;   /* bucket start (ms) of the open bucket; -1 when none */
    int64_t closed_until; /* buckets starting before this are written: later samples are late */
    size_t n, cap;
    char **names;
    rollup_agg_t *aggs;
} rollbuf_t;

typedef struct {
    char id[TOPIC_ID_MAX + 1];
    /* receive side */
    bool r_known;
    uint64_t r_epoch, r_seq;
    uint64_t old_epoch[AGENTS_OLD_EPOCHS], old_seq[AGENTS_OLD_EPOCHS];
    uint64_t gaps, duplicates;
    /* write side */
    bool synced;
    bool w_has_cursor;
    uint64_t w_epoch, w_seq;
    bool w_has_last;
    int64_t w_last_ms;
    uint64_t w_last_idseq;
    rollbuf_t tiers[AGENTS_TIERS];
    int64_t last_write_mono;
    int64_t trimmed_mono;
    /* compaction (compactor.h), per stream tier (raw, 1m, 1h): the start of
     * the next span to compact (0: not known yet, found from the stream),
     * and a tier that cannot be compacted is left alone until retry_mono */
    int64_t compact_next[3];
    int64_t compact_retry_mono[3];
} ledger_agent_t;

typedef struct ledger_t ledger_t;

ledger_t *ledger_new(void);
void ledger_destroy(ledger_t **self);

/* The agent's state, created on first use. NULL on allocation failure. */
ledger_agent_t *ledger_get(ledger_t *self, const char *id);

size_t ledger_count(const ledger_t *self);

/* Visits every agent. */
void ledger_each(ledger_t *self, void (*fn)(void *ctx, ledger_agent_t *a), void *ctx);

/* Receive-side check of a frame's (epoch, seq). Returns false for a
 * duplicate (already received); counts gaps. Frames without a sequence are
 * always accepted. */
bool ledger_receive(ledger_agent_t *a, bool has_seq, uint64_t epoch, uint64_t seq);

/* True when the write side already holds (epoch, seq): skip it. */
bool ledger_written(const ledger_agent_t *a, bool has_seq, uint64_t epoch, uint64_t seq);

/* Clears the write side (before re-syncing from Redis). */
void ledger_unsync(ledger_agent_t *a);

/* rollbuf: adds value of name to the open bucket (hint: the field's index
 * in the sample, usually its index in the bucket). -1 on allocation failure. */
int rollbuf_add(rollbuf_t *b, size_t hint, const char *name, double value);

/* Empties the bucket (names kept for reuse when identical next time). */
void rollbuf_reset(rollbuf_t *b);

#endif
