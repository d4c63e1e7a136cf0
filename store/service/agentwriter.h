/*
 * agentwriter.h - one agent's write side: records turned into commands
 * (entry ids, rollup buckets, system information), the re-sync of the
 * agent's state from Redis, and upkeep (idle buckets, exact trims).
 *
 * The writer (writer.c) owns the connection and the batches; it calls these
 * for each agent of a batch, inside the agent's MULTI ... EXEC, with the
 * command buffer it sends. Calls append commands to cb (agentwriter_sync
 * runs synchronous ones) and return 0, or -1 when cb failed: out of memory,
 * or the connection (cb->error says which; "" for the connection, see
 * redisContext.errstr). The writer then drops the connection.
 *
 * Entry ids: "<sample ms>-0"; a sample whose timestamp is not after the
 * last stored id gets "<last ms>-<last seq + 1>" (ids must increase).
 */
#ifndef NODELINK_AGENTWRITER_H
#define NODELINK_AGENTWRITER_H

#include <stdint.h>

#include "cmdbuf.h"
#include "ledger.h"
#include "record.h"
#include "store_config.h"

typedef struct {
    const store_config_t *cfg; /* borrowed */
    cmdbuf_t *cb;              /* borrowed */
    /* counters, added to by the calls; the writer reads and resets them */
    uint64_t rollups;      /* rollup entries appended */
    uint64_t late;         /* samples too late for a closed bucket */
    uint64_t built_stored; /* raw entries appended */
    uint64_t built_system; /* system documents appended */
} agentwriter_t;

/* Appends r's commands: its XADD (or SET for system information), and the
 * XADDs of the rollup buckets it closes. Updates a's last entry id. */
int agentwriter_record(agentwriter_t *self, ledger_agent_t *a, const record_t *r);

/* Re-reads a's write side from Redis (cursor, last entry ids, the open
 * buckets rebuilt from the raw entries of the newest hour) and marks it
 * synced. Synchronous: no reply may be pending on cb. */
int agentwriter_sync(agentwriter_t *self, ledger_agent_t *a);

/* Appends the rollup entries of a quiet agent's buckets that have ended by
 * the wall clock (in their own MULTI ... EXEC). */
int agentwriter_close_idle(agentwriter_t *self, ledger_agent_t *a, int64_t now_mono, int64_t now_wall);

/* Appends the exact retention trims (XTRIM MINID) of a's streams. */
int agentwriter_trim(agentwriter_t *self, ledger_agent_t *a);

#endif
