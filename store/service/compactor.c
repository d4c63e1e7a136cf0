/*
 * compactor.c - stream spans into chunks. See compactor.h.
 */
#include "compactor.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chunk.h"
#include "clock.h"
#include "keys.h"

#define S_PAGE 1000
#define S_PAGE_TEXT "1000"
#define S_TIERS 3

static const keys_kind_t s_streams[S_TIERS] = {KEYS_RAW, KEYS_ROLLUP_1M, KEYS_ROLLUP_1H};

struct compactor_t {
    const store_config_t *cfg;
    cmdbuf_t *cb;
    chunk_builder_t *builder;
    const char **names, **values; /* one entry's cells */
    size_t cells_cap;
    char error[256];
    compactor_stats_t stats;
};

compactor_t *compactor_new(const store_config_t *cfg, cmdbuf_t *cb)
{
    compactor_t *self = calloc(1, sizeof *self);
    if (!self || !(self->builder = chunk_builder_new())) {
        free(self);
        return NULL;
    }
    self->cfg = cfg;
    self->cb = cb;
    return self;
}

void compactor_destroy(compactor_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    compactor_t *self = *self_p;
    chunk_builder_destroy(&self->builder);
    free(self->names);
    free(self->values);
    free(self);
    *self_p = NULL;
}

const char *compactor_error(const compactor_t *self)
{
    return self->error;
}

const compactor_stats_t *compactor_stats(const compactor_t *self)
{
    return &self->stats;
}

static int64_t s_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t s_hot_window(const compactor_t *self, int t)
{
    const store_config_t *c = self->cfg;
    return t == 0 ? c->hot_window_ms : t == 1 ? c->hot_window_1m_ms : c->hot_window_1h_ms;
}

static int64_t s_retention(const compactor_t *self, int t)
{
    const store_config_t *c = self->cfg;
    return t == 0 ? c->retention_raw_ms : t == 1 ? c->retention_1m_ms : c->retention_1h_ms;
}

/* Fails with the connection's or Redis's reason (cmdbuf_call set it). */
static int s_failed(compactor_t *self)
{
    snprintf(self->error, sizeof self->error, "%s", self->cb->error);
    return -1;
}

/* The end (exclusive) before which tier t's spans may be compacted: the
 * hot window's start, and never the span of the tier's newest entry. -1
 * when nothing is known yet. */
static int64_t s_cutoff(const compactor_t *self, const ledger_agent_t *a, int t)
{
    int64_t newest = a->w_last_ms; /* raw: the newest entry */
    if (t > 0) {                   /* a rollup tier: its newest written bucket */
        const rollbuf_t *b = &a->tiers[t - 1];
        if (b->closed_until == INT64_MIN)
            return -1;
        newest = b->closed_until - b->width_ms;
    }
    int64_t hot = a->w_last_ms - s_hot_window(self, t);
    int64_t keep = keys_span_start(newest, keys_span_ms(s_streams[t]));
    return hot < keep ? hot : keep;
}

/* The id of the first entry of key at or after from (inclusive text, e.g.
 * "-" or "3600000"). *found false when there is none. */
static int s_first(compactor_t *self, const char *key, const char *from, bool *found, int64_t *ms)
{
    const char *argv[] = {"XRANGE", key, from, "+", "COUNT", "1"};
    redisReply *r = cmdbuf_call(self->cb, 6, argv);
    if (!r)
        return s_failed(self);
    uint64_t seq;
    *found = r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
             r->element[0]->elements == 2 && r->element[0]->element[0]->type == REDIS_REPLY_STRING &&
             keys_parse_id(r->element[0]->element[0]->str, r->element[0]->element[0]->len, ms, &seq) == 0;
    freeReplyObject(r);
    return 0;
}

/* Adds one entry [id, [f, v, ...]] to the builder. 0, 1 when the codec
 * refused it (error says why), -1 out of memory. */
static int s_add_entry(compactor_t *self, const redisReply *e, int64_t *ms, uint64_t *seq)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
        keys_parse_id(e->element[0]->str, e->element[0]->len, ms, seq) ||
        e->element[1]->type != REDIS_REPLY_ARRAY) {
        snprintf(self->error, sizeof self->error, "unexpected XRANGE reply");
        return 1;
    }
    const redisReply *fv = e->element[1];
    size_t n = fv->elements / 2;
    if (n > self->cells_cap) {
        const char **a = realloc(self->names, n * sizeof *a), **b = NULL;
        if (a)
            self->names = a;
        if (a && (b = realloc(self->values, n * sizeof *b)))
            self->values = b;
        if (!a || !b)
            return -1;
        self->cells_cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        const redisReply *f = fv->element[2 * i], *v = fv->element[2 * i + 1];
        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) {
            snprintf(self->error, sizeof self->error,
                     "entry %" PRId64 "-%" PRIu64 ": a field is not a string", *ms, *seq);
            return 1;
        }
        self->names[i] = f->str;
        self->values[i] = v->str;
    }
    chunk_err_t err;
    if (chunk_builder_add(self->builder, *ms, *seq, self->names, self->values, n, &err)) {
        snprintf(self->error, sizeof self->error, "entry %" PRId64 "-%" PRIu64 ": %s", *ms, *seq, err.text);
        return 1;
    }
    return 0;
}

/* Reads the entries of [start, end) into the builder. 0, 1 refused, -1. */
static int s_read_span(compactor_t *self, const char *key, int64_t start, int64_t end)
{
    char from[48], to[32];
    snprintf(from, sizeof from, "%" PRId64, start);
    snprintf(to, sizeof to, "%" PRId64, end - 1); /* "<ms>" ends at <ms>-<max seq> */
    for (;;) {
        const char *argv[] = {"XRANGE", key, from, to, "COUNT", S_PAGE_TEXT};
        redisReply *r = cmdbuf_call(self->cb, 6, argv);
        if (!r)
            return s_failed(self);
        size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
        int64_t ms = 0;
        uint64_t seq = 0;
        int rc = 0;
        for (size_t i = 0; i < n && !rc; i++)
            rc = s_add_entry(self, r->element[i], &ms, &seq);
        freeReplyObject(r);
        if (rc || n < S_PAGE)
            return rc;
        snprintf(from, sizeof from, "(%" PRId64 "-%" PRIu64, ms, seq);
    }
}

/* The chunk of the builder's rows, merged into an existing chunk of the
 * same span if there is one. 0, 1 refused, -1. */
static int s_encode(compactor_t *self, const char *chunks, const char *field, uint8_t **out, size_t *len)
{
    const char *argv[] = {"HGET", chunks, field};
    redisReply *old = cmdbuf_call(self->cb, 3, argv);
    if (!old)
        return s_failed(self);
    chunk_err_t err;
    int rc = chunk_builder_finish(self->builder, out, len, &err);
    if (rc == 0 && old->type == REDIS_REPLY_STRING) {
        chunk_t *base = chunk_open((const uint8_t *)old->str, old->len, &err);
        chunk_t *mine = base ? chunk_open(*out, *len, &err) : NULL;
        size_t n = mine ? chunk_rows(mine) : 0;
        chunk_row_t *rows = mine ? calloc(n ? n : 1, sizeof *rows) : NULL;
        const int64_t *ts = NULL;
        const uint64_t *seq = NULL;
        rc = rows && chunk_timestamps(mine, &ts, &seq, &err) == 0 ? 0 : -1;
        size_t cols = mine ? chunk_columns(mine) : 0;
        const char **cells = rows ? calloc(2 * n * (cols ? cols : 1), sizeof *cells) : NULL;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            rows[i] = (chunk_row_t){ts[i], seq[i], cells + 2 * i * cols, cells + (2 * i + 1) * cols, 0};
            rc = cells ? chunk_row(mine, i, (const char **)rows[i].names, (const char **)rows[i].values,
                                   &rows[i].n, &err)
                       : -1;
        }
        free(*out);
        *out = NULL;
        if (rc == 0)
            rc = chunk_merge(base, rows, n, CHUNK_LEVEL_DEFAULT, out, len, &err);
        free(cells);
        free(rows);
        chunk_destroy(&mine);
        chunk_destroy(&base);
    }
    freeReplyObject(old);
    if (rc) {
        snprintf(self->error, sizeof self->error, "%s: span %s: %s", chunks, field, err.text);
        return 1;
    }
    return 0;
}

/* Writes the chunk and trims the stream up to the span's end, atomically. */
static int s_commit(compactor_t *self, const char *chunks, const char *field, const uint8_t *data, size_t len,
                    const char *stream, int64_t end)
{
    char minid[32];
    snprintf(minid, sizeof minid, "%" PRId64, end);
    const char *multi[] = {"MULTI"}, *exec[] = {"EXEC"};
    const char *hset[] = {"HSET", chunks, field, (const char *)data};
    size_t hset_len[] = {4, strlen(chunks), strlen(field), len};
    const char *xtrim[] = {"XTRIM", stream, "MINID", minid};
    redisReply *r = cmdbuf_call(self->cb, 1, multi);
    if (!r)
        return s_failed(self);
    freeReplyObject(r);
    /* a failure from here on drops the connection: Redis discards the
     * transaction */
    if (!(r = cmdbuf_call_len(self->cb, 4, hset, hset_len)))
        return s_failed(self);
    freeReplyObject(r);
    if (!(r = cmdbuf_call(self->cb, 4, xtrim)))
        return s_failed(self);
    freeReplyObject(r);
    if (!(r = cmdbuf_call(self->cb, 1, exec)))
        return s_failed(self);
    bool ok = r->type == REDIS_REPLY_ARRAY && r->elements == 2;
    freeReplyObject(r);
    if (!ok) {
        snprintf(self->cb->error, sizeof self->cb->error, "EXEC of %s span %s did not run", chunks, field);
        return s_failed(self);
    }
    return 0;
}

/* Compacts the span of tier t starting at start. 0, 1 refused, -1. */
static int s_compact_span(compactor_t *self, ledger_agent_t *a, int t, int64_t start, int64_t end)
{
    char stream[KEYS_MAX], chunks[KEYS_MAX], field[32];
    keys_build(stream, sizeof stream, a->id, s_streams[t]);
    keys_build(chunks, sizeof chunks, a->id, keys_chunks_of(s_streams[t]));
    snprintf(field, sizeof field, "%" PRId64, start);
    chunk_builder_reset(self->builder);
    int rc = s_read_span(self, stream, start, end);
    if (rc || chunk_builder_rows(self->builder) == 0)
        return rc;
    int64_t cpu = s_cpu_us();
    uint8_t *data = NULL;
    size_t len = 0;
    rc = s_encode(self, chunks, field, &data, &len);
    self->stats.cpu_us += (uint64_t)(s_cpu_us() - cpu);
    if (rc == 0)
        rc = s_commit(self, chunks, field, data, len, stream, end);
    if (rc == 0) {
        self->stats.spans++;
        self->stats.rows += chunk_builder_rows(self->builder);
        self->stats.chunk_bytes += len;
    }
    free(data);
    return rc;
}

/* Compacts up to max of tier t's due spans. Returns spans done, or -1. */
static int s_tier(compactor_t *self, ledger_agent_t *a, int t, int max, int64_t deadline_mono)
{
    int64_t span = keys_span_ms(s_streams[t]), cutoff = s_cutoff(self, a, t);
    char stream[KEYS_MAX], from[32];
    keys_build(stream, sizeof stream, a->id, s_streams[t]);
    int done = 0;
    while (cutoff >= 0 && done < max && clock_mono_ms() < deadline_mono) {
        int64_t next = a->compact_next[t];
        if (next && next + span > cutoff)
            break; /* the next span is still hot */
        /* the span of the first entry at or after next: skips empty spans
         * (an agent that was off) and finds where the data starts */
        bool found;
        int64_t ms;
        snprintf(from, sizeof from, "%" PRId64, next);
        if (s_first(self, stream, next ? from : "-", &found, &ms))
            return -1;
        if (!found)
            break;
        next = a->compact_next[t] = keys_span_start(ms, span);
        if (next + span > cutoff)
            break;
        int rc = s_compact_span(self, a, t, next, next + span);
        if (rc < 0)
            return -1;
        if (rc > 0) { /* refused: leave the tier alone for a while */
            self->stats.refused++;
            a->compact_retry_mono[t] = clock_mono_ms() + self->cfg->trim_interval_ms;
            return done;
        }
        a->compact_next[t] = next + span;
        done++;
    }
    return done;
}

int compactor_run(compactor_t *self, ledger_agent_t *a, int max_spans, int64_t deadline_mono)
{
    self->error[0] = '\0';
    if (!a->synced || !a->w_has_last)
        return 0;
    int done = 0;
    for (int t = 0; t < S_TIERS; t++) {
        if (clock_mono_ms() < a->compact_retry_mono[t])
            continue;
        int n = s_tier(self, a, t, max_spans, deadline_mono);
        if (n < 0)
            return -1;
        done += n;
    }
    return done;
}

int compactor_expire(compactor_t *self, ledger_agent_t *a)
{
    self->error[0] = '\0';
    if (!a->synced || !a->w_has_last)
        return 0;
    for (int t = 0; t < S_TIERS; t++) {
        int64_t span = keys_span_ms(s_streams[t]), limit = a->w_last_ms - s_retention(self, t);
        char chunks[KEYS_MAX];
        keys_build(chunks, sizeof chunks, a->id, keys_chunks_of(s_streams[t]));
        const char *argv[] = {"HKEYS", chunks};
        redisReply *r = cmdbuf_call(self->cb, 2, argv);
        if (!r)
            return s_failed(self);
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
            const redisReply *f = r->element[i];
            char *end;
            long long start = f->type == REDIS_REPLY_STRING ? strtoll(f->str, &end, 10) : 0;
            if (f->type != REDIS_REPLY_STRING || *end || start + span > limit)
                continue;
            const char *del[] = {"HDEL", chunks, f->str};
            redisReply *d = cmdbuf_call(self->cb, 3, del);
            if (!d) {
                freeReplyObject(r);
                return s_failed(self);
            }
            freeReplyObject(d);
            self->stats.expired++;
        }
        freeReplyObject(r);
    }
    return 0;
}
