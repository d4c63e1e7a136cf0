/*
 * writer.c - the Redis write path: connection, backoff, batches. See
 * writer.h. What is written for each agent is agentwriter.c's; the commands
 * are formatted and sent by cmdbuf.c (writer -> agentwriter -> cmdbuf).
 */
#include "writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentwriter.h"
#include "clock.h"
#include "cmdbuf.h"
#include "compactor.h"
#include "keys.h"
#include "log.h"
#include "redisconn.h"

struct writer_t {
    const store_config_t *cfg;
    ledger_t *agents;
    redisconn_url_t url;
    redisContext *redis; /* NULL while disconnected */
    cmdbuf_t cb;         /* commands on redis */
    agentwriter_t aw;    /* what each agent's records become */
    compactor_t *compactor;
    bool ever_connected, ever_failed;
    int64_t backoff_ms;
    int64_t next_attempt_mono;
    int64_t last_trim_mono;
    char last_error[256];
    log_limit_t error_limit;
    writer_stats_t stats;
    /* the batch sent but not yet answered: its records are the first
     * inflight_n of the queue, its replies the first inflight_replies */
    size_t inflight_n, inflight_replies;
    uint64_t inflight_stored, inflight_system;
    /* batch grouping */
    ledger_agent_t **groups;
    size_t *group_of;
    size_t n_groups, group_cap;
};

static void s_fail(writer_t *self, const char *what);
static int s_complete(writer_t *self, record_queue_t *q);

static void s_agent_unsync(void *ctx, ledger_agent_t *a)
{
    (void)ctx;
    ledger_unsync(a);
}

writer_t *writer_new(const store_config_t *cfg, ledger_t *agents, char *err, size_t errlen)
{
    writer_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (redisconn_parse(cfg->redis_url, &self->url, err, errlen)) {
        free(self);
        return NULL;
    }
    self->cfg = cfg;
    self->agents = agents;
    self->aw.cfg = cfg;
    self->aw.cb = &self->cb;
    if (!(self->compactor = compactor_new(cfg, &self->cb))) {
        snprintf(err, errlen, "out of memory");
        free(self);
        return NULL;
    }
    self->backoff_ms = 0;
    self->last_trim_mono = clock_mono_ms();
    return self;
}

void writer_destroy(writer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    writer_t *self = *self_p;
    if (self->redis)
        redisFree(self->redis);
    cmdbuf_release(&self->cb);
    compactor_destroy(&self->compactor);
    free(self->groups);
    free(self->group_of);
    free(self);
    *self_p = NULL;
}

bool writer_connected(const writer_t *self)
{
    return self->redis != NULL;
}

size_t writer_inflight(const writer_t *self)
{
    return self->inflight_n;
}

const char *writer_last_error(const writer_t *self)
{
    return self->last_error;
}

const writer_stats_t *writer_stats(writer_t *self)
{
    self->stats.rollups = self->aw.rollups;
    self->stats.late = self->aw.late;
    const compactor_stats_t *c = compactor_stats(self->compactor);
    self->stats.compacted_spans = c->spans;
    self->stats.compacted_rows = c->rows;
    self->stats.chunk_bytes = c->chunk_bytes;
    self->stats.expired_chunks = c->expired;
    self->stats.compact_refused = c->refused;
    self->stats.compact_cpu_ms = c->cpu_us / 1000;
    return &self->stats;
}

/* Drops the connection after a failure (what: the reason, or NULL / "" for
 * the connection's own error): every agent is re-synced before its next
 * write, and the next connection waits for the backoff. */
static void s_fail(writer_t *self, const char *what)
{
    self->stats.redis_errors++;
    if (what && *what)
        snprintf(self->last_error, sizeof self->last_error, "%s", what);
    else if (self->redis && self->redis->errstr[0])
        snprintf(self->last_error, sizeof self->last_error, "%s", self->redis->errstr);
    if (self->redis) {
        log_warn("redis: %s; buffering in memory and reconnecting", self->last_error);
        redisFree(self->redis);
        self->redis = NULL;
    }
    cmdbuf_attach(&self->cb, NULL);
    ledger_each(self->agents, s_agent_unsync, NULL);
    self->inflight_n = self->inflight_replies = 0;
    self->aw.built_stored = self->aw.built_system = 0;
    int64_t max = self->cfg->backoff_max_ms;
    self->backoff_ms = self->backoff_ms ? self->backoff_ms * 2 : 100;
    if (self->backoff_ms > max)
        self->backoff_ms = max;
    self->next_attempt_mono = clock_mono_ms() + self->backoff_ms;
}

static int s_connect(writer_t *self)
{
    if (self->redis)
        return 0;
    if (clock_mono_ms() < self->next_attempt_mono)
        return -1;
    char err[256];
    self->redis = redisconn_open(&self->url, self->cfg->redis_timeout_ms, err, sizeof err);
    if (!self->redis) {
        if (!self->ever_failed || log_enabled(LOG_LEVEL_DEBUG))
            log_warn("%s (retrying with backoff)", err);
        self->ever_failed = true;
        s_fail(self, err);
        return -1;
    }
    if (self->ever_connected) {
        self->stats.reconnects++;
        log_info("redis: reconnected");
    } else {
        char where[300];
        redisconn_describe(&self->url, where, sizeof where);
        log_info("redis: connected to %s", where);
    }
    if (self->cfg->stream_node_max_bytes > 0) {
        /* bigger listpack nodes share one copy of the field names among up to
         * stream-node-max-entries samples (see docs/storage.md) */
        char v[24];
        snprintf(v, sizeof v, "%" PRId64, self->cfg->stream_node_max_bytes);
        redisReply *r = redisCommand(self->redis, "CONFIG SET stream-node-max-bytes %s", v);
        if (!r || r->type == REDIS_REPLY_ERROR)
            log_warn("redis: CONFIG SET stream-node-max-bytes %s refused: %s", v,
                     r ? r->str : self->redis->errstr);
        if (r)
            freeReplyObject(r);
        else {
            s_fail(self, NULL);
            return -1;
        }
    }
    cmdbuf_attach(&self->cb, self->redis);
    self->ever_connected = true;
    self->ever_failed = false;
    self->backoff_ms = 0;
    self->last_error[0] = '\0';
    return 0;
}

/* Reads count replies. 0, or -1 after s_fail. */
static int s_exchange_n(writer_t *self, size_t count)
{
    uint64_t errors = 0;
    if (cmdbuf_read(&self->cb, count, &errors)) {
        s_fail(self, NULL);
        return -1;
    }
    if (errors) {
        /* Redis refused something (e.g. OOM, a key of another type): the
         * agents' state may now differ from Redis; re-sync them. */
        self->stats.redis_errors += errors;
        snprintf(self->last_error, sizeof self->last_error, "%s", self->cb.error);
        log_ratelimited(&self->error_limit, LOG_LEVEL_WARN, "redis: %" PRIu64 " error replies: %s", errors,
                        self->last_error);
        ledger_each(self->agents, s_agent_unsync, NULL);
    }
    return 0;
}

/* Reads the replies of every appended command (none may be in flight). */
static int s_exchange(writer_t *self)
{
    if (self->inflight_n)
        return -1; /* programming error: complete the batch in flight first */
    return s_exchange_n(self, self->cb.pending);
}

/* Reads the replies of the batch in flight and pops its records. Returns
 * the number popped, or -1 after s_fail. */
static int s_complete(writer_t *self, record_queue_t *q)
{
    size_t n = self->inflight_n;
    if (!n)
        return 0;
    if (s_exchange_n(self, self->inflight_replies))
        return -1;
    self->stats.stored += self->inflight_stored;
    self->stats.system_stored += self->inflight_system;
    self->stats.batches++;
    self->stats.write_lag_ms = (uint64_t)(clock_mono_ms() - q->head->received_mono);
    self->inflight_n = self->inflight_replies = 0;
    record_queue_pop(q, n);
    return (int)n;
}

/* Pushes the appended commands to the socket. 0, or -1 after s_fail. */
static int s_send(writer_t *self)
{
    if (cmdbuf_send(&self->cb) == 0)
        return 0;
    s_fail(self, NULL);
    return -1;
}

/* Groups the first n records of q by agent, keeping each agent's order.
 * Fills self->groups (distinct agents) and self->group_of (per record). */
static const record_t *s_nth(const record_queue_t *q, size_t skip)
{
    const record_t *r = q->head;
    while (r && skip--)
        r = r->next;
    return r;
}

static int s_group(writer_t *self, const record_queue_t *q, size_t skip, size_t n)
{
    if (n > self->group_cap) {
        ledger_agent_t **g = realloc(self->groups, n * sizeof *g);
        if (g)
            self->groups = g;
        size_t *o = realloc(self->group_of, n * sizeof *o);
        if (o)
            self->group_of = o;
        if (!g || !o)
            return -1;
        self->group_cap = n;
    }
    self->n_groups = 0;
    size_t i = 0;
    for (const record_t *r = s_nth(q, skip); r && i < n; r = r->next, i++) {
        ledger_agent_t *a = ledger_get(self->agents, r->agent_id);
        if (!a)
            return -1;
        size_t g = 0;
        while (g < self->n_groups && self->groups[g] != a)
            g++;
        if (g == self->n_groups)
            self->groups[self->n_groups++] = a;
        self->group_of[i] = g;
    }
    return 0;
}

/* Appends one agent's transaction for the records of group g. */
static int s_append_group(writer_t *self, const record_queue_t *q, size_t skip, size_t n, size_t g)
{
    ledger_agent_t *a = self->groups[g];
    if (cmdbuf_command(&self->cb, 1, "MULTI"))
        return -1;
    int64_t last_seen = 0;
    bool wrote = false;
    size_t i = 0;
    for (const record_t *r = s_nth(q, skip); r && i < n; r = r->next, i++) {
        if (self->group_of[i] != g)
            continue;
        if (ledger_written(a, r->has_seq, r->epoch, r->seq)) {
            self->stats.already_stored++;
            continue;
        }
        if (agentwriter_record(&self->aw, a, r))
            return -1;
        if (r->has_seq) {
            a->w_has_cursor = true;
            a->w_epoch = r->epoch;
            a->w_seq = r->seq;
        }
        if (r->ts_ms > last_seen)
            last_seen = r->ts_ms;
        wrote = true;
    }
    char key[KEYS_MAX], epoch[24], seq[24], score[24];
    keys_build(key, sizeof key, a->id, KEYS_CURSOR);
    snprintf(epoch, sizeof epoch, "%" PRIu64, a->w_epoch);
    snprintf(seq, sizeof seq, "%" PRIu64, a->w_seq);
    if (wrote && a->w_has_cursor && cmdbuf_command(&self->cb, 6, "HSET", key, "epoch", epoch, "seq", seq))
        return -1;
    if (cmdbuf_command(&self->cb, 1, "EXEC"))
        return -1;
    snprintf(score, sizeof score, "%" PRId64, last_seen);
    if (wrote && cmdbuf_command(&self->cb, 5, "ZADD", KEYS_AGENTS, "GT", score, a->id))
        return -1;
    a->last_write_mono = clock_mono_ms();
    return 0;
}

/* Groups the next batch (after the one in flight) and syncs its agents;
 * syncing needs the connection to itself, so it completes the batch in
 * flight first. Returns records popped meanwhile, or -1. */
static int s_prepare(writer_t *self, record_queue_t *q, size_t *n)
{
    int popped = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t avail = q->count - self->inflight_n;
        *n = avail < (size_t)self->cfg->batch_size ? avail : (size_t)self->cfg->batch_size;
        if (*n == 0)
            return popped;
        if (s_group(self, q, self->inflight_n, *n)) {
            log_error("out of memory grouping a batch");
            return -1;
        }
        bool unsynced = false;
        for (size_t g = 0; g < self->n_groups; g++)
            unsynced |= !self->groups[g]->synced;
        if (!unsynced)
            return popped;
        if (self->inflight_n) {
            int k = s_complete(self, q);
            if (k < 0)
                return -1;
            popped += k;
            continue; /* regroup: the batch moved to the head */
        }
        for (size_t g = 0; g < self->n_groups; g++)
            if (!self->groups[g]->synced && agentwriter_sync(&self->aw, self->groups[g])) {
                s_fail(self, self->cb.error);
                return -1;
            }
        return popped;
    }
    return popped;
}

int writer_flush(writer_t *self, record_queue_t *q)
{
    if (!q->count)
        return 0;
    if (s_connect(self))
        return -1;
    size_t n;
    int popped = s_prepare(self, q, &n);
    if (popped < 0)
        return -1;
    size_t before = self->cb.pending;
    if (n) {
        self->aw.built_stored = self->aw.built_system = 0;
        for (size_t g = 0; g < self->n_groups; g++)
            if (s_append_group(self, q, self->inflight_n, n, g)) {
                s_fail(self, "out of memory building a batch");
                return -1;
            }
        if (s_send(self))
            return -1;
    }
    size_t sent = self->cb.pending - before;
    int k = s_complete(self, q);
    if (k < 0)
        return -1;
    if (n) {
        self->inflight_n = n;
        self->inflight_replies = sent;
        self->inflight_stored = self->aw.built_stored;
        self->inflight_system = self->aw.built_system;
    }
    return popped + k;
}

/* ------------------------------------------------------------------ upkeep */

typedef struct {
    writer_t *self;
    int64_t now_mono, now_wall;
    bool failed;
    bool trim;        /* the exact trims (and chunk expiry) are due */
    int64_t deadline; /* of this pass's compaction turn */
    const char *why;  /* of a synchronous failure */
    int compacted;    /* spans compacted in this round */
} s_upkeep_t;

static void s_close_idle(void *ctx, ledger_agent_t *a)
{
    s_upkeep_t *u = ctx;
    if (!u->failed && agentwriter_close_idle(&u->self->aw, a, u->now_mono, u->now_wall))
        u->failed = true;
}

static void s_trim(void *ctx, ledger_agent_t *a)
{
    s_upkeep_t *u = ctx;
    if (!u->failed && agentwriter_trim(&u->self->aw, a))
        u->failed = true;
}

/* One span per tier and agent per pass, so every agent advances; chunk
 * expiry with the exact trims. Synchronous. */
static void s_compact(void *ctx, ledger_agent_t *a)
{
    s_upkeep_t *u = ctx;
    compactor_t *c = u->self->compactor;
    if (u->why)
        return;
    if (u->trim && compactor_expire(c, a)) {
        u->why = compactor_error(c);
        return;
    }
    uint64_t refused = compactor_stats(c)->refused;
    int n = clock_mono_ms() < u->deadline ? compactor_run(c, a, 1, u->deadline) : 0;
    if (n < 0) {
        u->why = compactor_error(c);
        return;
    }
    u->compacted += n;
    if (compactor_stats(c)->refused > refused)
        log_ratelimited(&u->self->error_limit, LOG_LEVEL_WARN, "agent %s: not compacted: %s", a->id,
                        compactor_error(c));
}

void writer_maintain(writer_t *self, record_queue_t *q)
{
    if (!self->redis || s_complete(self, q) < 0)
        return;
    s_upkeep_t u = {self, clock_mono_ms(), clock_now_ms(), false, false, 0, NULL, 0};
    ledger_each(self->agents, s_close_idle, &u);
    if (u.now_mono - self->last_trim_mono >= self->cfg->trim_interval_ms) {
        self->last_trim_mono = u.now_mono;
        u.trim = true;
        ledger_each(self->agents, s_trim, &u);
    }
    if (u.failed) {
        s_fail(self, "out of memory building upkeep commands");
        return;
    }
    if (self->cb.pending && s_exchange(self))
        return;
    if (!self->cfg->compaction)
        return;
    /* rounds of one span per agent, while there is work and time */
    u.deadline = clock_mono_ms() + self->cfg->compact_budget_ms;
    do {
        u.compacted = 0;
        ledger_each(self->agents, s_compact, &u);
        u.trim = false;
    } while (!u.why && u.compacted && clock_mono_ms() < u.deadline);
    if (u.why)
        s_fail(self, u.why);
}
