/*
 * writer_internal.h - the writer's state, shared by writer.c (connection,
 * batches) and writer_sync.c (records, rollups, re-sync, upkeep).
 */
#ifndef NODELINK_WRITER_INTERNAL_H
#define NODELINK_WRITER_INTERNAL_H

#include <hiredis/hiredis.h>
#include <stdarg.h>

#include "log.h"
#include "redisconn.h"
#include "writer.h"

struct writer_t {
    const store_config_t *cfg;
    ledger_t *agents;
    redisconn_url_t url;
    redisContext *redis; /* NULL while disconnected */
    bool ever_connected, ever_failed;
    int64_t backoff_ms;
    int64_t next_attempt_mono;
    int64_t last_trim_mono;
    char last_error[256];
    log_limit_t error_limit;
    writer_stats_t stats;
    size_t pending; /* replies owed by Redis for appended commands */
    /* the batch sent but not yet answered: its records are the first
     * inflight_n of the queue, its replies the first inflight_replies */
    size_t inflight_n, inflight_replies;
    uint64_t inflight_stored, inflight_system;
    uint64_t build_stored, build_system; /* of the batch being built */
    /* argument scratch for redisAppendCommandArgv (copied on append) */
    const char **argv;
    size_t *argvlen; /* (size_t)-1 = strlen at append time */
    size_t argv_cap;
    char *text;
    size_t text_cap;
    char *resp; /* one formatted command */
    size_t resp_cap;
    /* batch grouping */
    ledger_agent_t **groups;
    size_t *group_of;
    size_t n_groups, group_cap;
};

/* writer.c */
void writer_fail(writer_t *self, const char *what);
int writer_reserve(writer_t *self, size_t n, size_t text);
int writer_append(writer_t *self, int argc);
int writer_command(writer_t *self, int argc, ...);
int writer_xadd_head(writer_t *self, const char *key, int64_t id_ms, uint64_t id_seq, int64_t retention_ms,
                     char *bufs);
int writer_exchange(writer_t *self);
/* Reads the replies of the batch in flight and pops its records. Returns
 * the number popped, or -1 after writer_fail. */
int writer_complete(writer_t *self, record_queue_t *q);

/* writer_sync.c */
int writer_sync(writer_t *self, ledger_agent_t *a);
int writer_append_record(writer_t *self, ledger_agent_t *a, const record_t *r);

#endif
