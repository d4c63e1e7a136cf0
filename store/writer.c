/*
 * writer.c - the Redis write path. See writer.h; the re-sync of an agent's
 * write side lives in writer_sync.c.
 */
#include "writer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "keys.h"
#include "log.h"
#include "numfmt.h"
#include "redisconn.h"
#include "writer_internal.h"

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
    free(self->argv);
    free(self->argvlen);
    free(self->text);
    free(self->resp);
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

const writer_stats_t *writer_stats(const writer_t *self)
{
    return &self->stats;
}

void writer_fail(writer_t *self, const char *what)
{
    self->stats.redis_errors++;
    if (what)
        snprintf(self->last_error, sizeof self->last_error, "%s", what);
    else if (self->redis && self->redis->errstr[0])
        snprintf(self->last_error, sizeof self->last_error, "%s", self->redis->errstr);
    if (self->redis) {
        log_warn("redis: %s; buffering in memory and reconnecting", self->last_error);
        redisFree(self->redis);
        self->redis = NULL;
    }
    ledger_each(self->agents, s_agent_unsync, NULL);
    self->pending = self->inflight_n = self->inflight_replies = 0;
    self->build_stored = self->build_system = 0;
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
        writer_fail(self, err);
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
            writer_fail(self, NULL);
            return -1;
        }
    }
    self->ever_connected = true;
    self->ever_failed = false;
    self->backoff_ms = 0;
    self->last_error[0] = '\0';
    return 0;
}

/* Makes room for n argv slots and text bytes. -1 on allocation failure. */
int writer_reserve(writer_t *self, size_t n, size_t text)
{
    if (n > self->argv_cap) {
        size_t cap = n * 2;
        const char **a = realloc(self->argv, cap * sizeof *a);
        if (a)
            self->argv = a;
        size_t *l = realloc(self->argvlen, cap * sizeof *l);
        if (l)
            self->argvlen = l;
        if (!a || !l)
            return -1;
        self->argv_cap = cap;
    }
    if (text > self->text_cap) {
        char *t = realloc(self->text, text * 2);
        if (!t)
            return -1;
        self->text = t;
        self->text_cap = text * 2;
    }
    return 0;
}

/* "<prefix><n>\r\n" */
static size_t s_resp_len(char *out, char prefix, size_t n)
{
    out[0] = prefix;
    size_t k = 1 + (size_t)numfmt_u64(n, out + 1);
    out[k++] = '\r';
    out[k++] = '\n';
    return k;
}

/* Formats the RESP command here (hiredis' generic formatter is a large
 * share of the store's CPU) and hands it to hiredis' output buffer. */
int writer_append(writer_t *self, int argc)
{
    size_t need = 16;
    for (int i = 0; i < argc; i++) {
        if (self->argvlen[i] == (size_t)-1)
            self->argvlen[i] = strlen(self->argv[i]);
        need += self->argvlen[i] + 32;
    }
    if (need > self->resp_cap) {
        char *p = realloc(self->resp, need * 2);
        if (!p)
            return -1;
        self->resp = p;
        self->resp_cap = need * 2;
    }
    size_t off = s_resp_len(self->resp, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        off += s_resp_len(self->resp + off, '$', self->argvlen[i]);
        memcpy(self->resp + off, self->argv[i], self->argvlen[i]);
        off += self->argvlen[i];
        self->resp[off++] = '\r';
        self->resp[off++] = '\n';
    }
    if (redisAppendFormattedCommand(self->redis, self->resp, off) != REDIS_OK)
        return -1;
    self->pending++;
    return 0;
}

/* Appends a command of plain strings. */
int writer_command(writer_t *self, int argc, ...)
{
    if (writer_reserve(self, (size_t)argc, 0))
        return -1;
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        self->argv[i] = va_arg(ap, const char *);
        self->argvlen[i] = (size_t)-1;
    }
    va_end(ap);
    return writer_append(self, argc);
}

/* Fills argv[0..6) with "XADD key MINID ~ cutoff id" (cutoff left out when
 * the retention reaches before 1970). Returns the argc used. The strings
 * live in bufs (3 * 48 bytes). */
int writer_xadd_head(writer_t *self, const char *key, int64_t id_ms, uint64_t id_seq, int64_t retention_ms,
                     char *bufs)
{
    int argc = 0;
    self->argv[argc] = "XADD";
    self->argvlen[argc++] = (size_t)-1;
    self->argv[argc] = key;
    self->argvlen[argc++] = (size_t)-1;
    if (id_ms - retention_ms > 0) {
        numfmt_u64((uint64_t)(id_ms - retention_ms), bufs);
        self->argv[argc] = "MINID";
        self->argvlen[argc++] = (size_t)-1;
        self->argv[argc] = "~";
        self->argvlen[argc++] = (size_t)-1;
        self->argv[argc] = bufs;
        self->argvlen[argc++] = (size_t)-1;
    }
    char *id = bufs + 48;
    int n = numfmt_u64((uint64_t)(id_ms > 0 ? id_ms : 0), id);
    id[n++] = '-';
    numfmt_u64(id_seq, id + n);
    self->argv[argc] = bufs + 48;
    self->argvlen[argc++] = (size_t)-1;
    return argc;
}

/* Reads every pending reply; counts error replies inside EXEC arrays and
 * outside. Returns 0, or -1 on a connection failure. */
static int s_read_replies(writer_t *self, size_t count, uint64_t *errors)
{
    for (; count; count--) {
        redisReply *r = NULL;
        if (redisGetReply(self->redis, (void **)&r) != REDIS_OK || !r)
            return -1;
        if (self->pending)
            self->pending--;
        if (r->type == REDIS_REPLY_ERROR) {
            (*errors)++;
            snprintf(self->last_error, sizeof self->last_error, "%s", r->str);
        } else if (r->type == REDIS_REPLY_ARRAY) {
            for (size_t i = 0; i < r->elements; i++)
                if (r->element[i]->type == REDIS_REPLY_ERROR) {
                    (*errors)++;
                    snprintf(self->last_error, sizeof self->last_error, "%s", r->element[i]->str);
                }
        }
        freeReplyObject(r);
    }
    return 0;
}

/* Reads count replies. 0, or -1 after writer_fail. */
static int s_exchange_n(writer_t *self, size_t count)
{
    uint64_t errors = 0;
    if (s_read_replies(self, count, &errors)) {
        writer_fail(self, NULL);
        return -1;
    }
    if (errors) {
        /* Redis refused something (e.g. OOM, a key of another type): the
         * agents' state may now differ from Redis; re-sync them. */
        self->stats.redis_errors += errors;
        log_ratelimited(&self->error_limit, LOG_LEVEL_WARN, "redis: %" PRIu64 " error replies: %s", errors,
                        self->last_error);
        ledger_each(self->agents, s_agent_unsync, NULL);
    }
    return 0;
}

int writer_exchange(writer_t *self)
{
    if (self->inflight_n)
        return -1; /* programming error: complete the batch in flight first */
    return s_exchange_n(self, self->pending);
}

int writer_complete(writer_t *self, record_queue_t *q)
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

/* Pushes hiredis' output buffer to the socket (blocking, bounded by the
 * timeout). 0 or -1 after writer_fail. */
static int s_send(writer_t *self)
{
    int done = 0;
    while (!done)
        if (redisBufferWrite(self->redis, &done) != REDIS_OK) {
            writer_fail(self, NULL);
            return -1;
        }
    return 0;
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
    if (writer_command(self, 1, "MULTI"))
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
        if (writer_append_record(self, a, r))
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
    if (wrote && a->w_has_cursor && writer_command(self, 6, "HSET", key, "epoch", epoch, "seq", seq))
        return -1;
    if (writer_command(self, 1, "EXEC"))
        return -1;
    snprintf(score, sizeof score, "%" PRId64, last_seen);
    if (wrote && writer_command(self, 5, "ZADD", KEYS_AGENTS, "GT", score, a->id))
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
            int k = writer_complete(self, q);
            if (k < 0)
                return -1;
            popped += k;
            continue; /* regroup: the batch moved to the head */
        }
        for (size_t g = 0; g < self->n_groups; g++)
            if (!self->groups[g]->synced && writer_sync(self, self->groups[g]))
                return -1;
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
    size_t before = self->pending;
    if (n) {
        self->build_stored = self->build_system = 0;
        for (size_t g = 0; g < self->n_groups; g++)
            if (s_append_group(self, q, self->inflight_n, n, g)) {
                writer_fail(self, "out of memory building a batch");
                return -1;
            }
        if (s_send(self))
            return -1;
    }
    size_t sent = self->pending - before;
    int k = writer_complete(self, q);
    if (k < 0)
        return -1;
    if (n) {
        self->inflight_n = n;
        self->inflight_replies = sent;
        self->inflight_stored = self->build_stored;
        self->inflight_system = self->build_system;
    }
    return popped + k;
}
