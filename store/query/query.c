/*
 * query.c - query context, connection handling, system info, agent index
 * and raw sample replay. The bucketed history lives in query_history.c.
 */
#include "query.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "numfmt.h"
#include "query_internal.h"
#include "redisconn.h"
#include "topic.h"

struct query_ctx_t {
    redisconn_url_t url;
    int64_t timeout_ms;
    redisContext *redis; /* NULL until connected / after a failure */
};

const char *query_status_name(query_status_t status)
{
    static const char *const names[] = {"ok", "not_found", "bad_request", "unavailable", "error"};
    return (size_t)status < sizeof names / sizeof *names ? names[status] : "error";
}

query_status_t query_fail(query_error_t *err, query_status_t status, const char *fmt, ...)
{
    if (err) {
        err->status = status;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

static void s_ok(query_error_t *err)
{
    if (err) {
        err->status = QUERY_OK;
        err->message[0] = '\0';
    }
}

query_ctx_t *query_ctx_new(const char *redis_url, int64_t timeout_ms, query_error_t *err)
{
    query_ctx_t *self = calloc(1, sizeof *self);
    if (!self) {
        query_fail(err, QUERY_ERROR, "out of memory");
        return NULL;
    }
    char why[QUERY_MESSAGE_MAX];
    if (redisconn_parse(redis_url, &self->url, why, sizeof why)) {
        query_fail(err, QUERY_BAD_REQUEST, "%s", why);
        free(self);
        return NULL;
    }
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : 2000;
    s_ok(err);
    return self;
}

void query_ctx_destroy(query_ctx_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    query_ctx_t *self = *self_p;
    if (self->redis)
        redisFree(self->redis);
    free(self);
    *self_p = NULL;
}

bool query_ctx_connected(const query_ctx_t *self)
{
    return self && self->redis;
}

static void s_drop(query_ctx_t *self)
{
    if (self->redis) {
        redisFree(self->redis);
        self->redis = NULL;
    }
}

query_status_t query_command(query_ctx_t *self, int argc, const char **argv, redisReply **reply,
                             query_error_t *err)
{
    *reply = NULL;
    char why[QUERY_MESSAGE_MAX];
    if (!self->redis) {
        self->redis = redisconn_open(&self->url, self->timeout_ms, why, sizeof why);
        if (!self->redis)
            return query_fail(err, QUERY_UNAVAILABLE, "%s", why);
    }
    redisReply *r = redisCommandArgv(self->redis, argc, argv, NULL);
    if (!r) {
        char where[300];
        redisconn_describe(&self->url, where, sizeof where);
        query_fail(err, QUERY_UNAVAILABLE, "redis %s: %s", where,
                   self->redis->errstr[0] ? self->redis->errstr : "connection lost");
        s_drop(self);
        return QUERY_UNAVAILABLE;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        query_status_t st = redisconn_error_transient(r->str) ? QUERY_UNAVAILABLE : QUERY_ERROR;
        query_fail(err, st, "redis %s: %.200s", argv[0], r->str);
        freeReplyObject(r);
        return st;
    }
    *reply = r;
    return QUERY_OK;
}

query_status_t query_check_agent(const char *agent_id, query_error_t *err)
{
    if (!agent_id || !topic_id_valid(agent_id))
        return query_fail(err, QUERY_BAD_REQUEST, "invalid agent id (1-64 characters of A-Z a-z 0-9 _ . -)");
    return QUERY_OK;
}

/* ------------------------------------------------------------------ system info */

query_status_t query_system_info(query_ctx_t *self, const char *agent_id, char **json_out, query_error_t *err)
{
    *json_out = NULL;
    if (query_check_agent(agent_id, err))
        return QUERY_BAD_REQUEST;
    char key[KEYS_MAX];
    keys_build(key, sizeof key, agent_id, KEYS_SYSTEM);
    const char *argv[] = {"GET", key};
    redisReply *r;
    query_status_t st = query_command(self, 2, argv, &r, err);
    if (st)
        return st;
    if (r->type == REDIS_REPLY_NIL) {
        freeReplyObject(r);
        return query_fail(err, QUERY_NOT_FOUND, "no system information stored for agent '%s'", agent_id);
    }
    if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject(r);
        return query_fail(err, QUERY_ERROR, "%s is not a string", key);
    }
    *json_out = strndup(r->str, r->len);
    freeReplyObject(r);
    if (!*json_out)
        return query_fail(err, QUERY_ERROR, "out of memory");
    s_ok(err);
    return QUERY_OK;
}

/* ------------------------------------------------------------------ agent index */

static int s_agent_cmp(const void *a, const void *b)
{
    return strcmp(((const query_agent_t *)a)->id, ((const query_agent_t *)b)->id);
}

query_status_t query_agents(query_ctx_t *self, query_agents_t **out, query_error_t *err)
{
    *out = NULL;
    const char *argv[] = {"ZRANGE", KEYS_AGENTS, "0", "-1", "WITHSCORES"};
    redisReply *r;
    query_status_t st = query_command(self, 5, argv, &r, err);
    if (st)
        return st;
    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2) {
        freeReplyObject(r);
        return query_fail(err, QUERY_ERROR, "%s: unexpected reply", KEYS_AGENTS);
    }
    query_agents_t *list = calloc(1, sizeof *list);
    if (list && r->elements)
        list->agents = calloc(r->elements / 2, sizeof *list->agents);
    if (!list || (r->elements && !list->agents)) {
        free(list);
        freeReplyObject(r);
        return query_fail(err, QUERY_ERROR, "out of memory");
    }
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        redisReply *id = r->element[i], *score = r->element[i + 1];
        double ms;
        if (id->type != REDIS_REPLY_STRING || score->type != REDIS_REPLY_STRING ||
            !topic_id_valid_n(id->str, id->len) || numfmt_parse(score->str, score->len, &ms))
            continue; /* not written by nodelink: skip */
        query_agent_t *a = &list->agents[list->n_agents++];
        memcpy(a->id, id->str, id->len);
        a->id[id->len] = '\0';
        a->last_seen_ms = (int64_t)ms;
    }
    freeReplyObject(r);
    qsort(list->agents, list->n_agents, sizeof *list->agents, s_agent_cmp);
    *out = list;
    s_ok(err);
    return QUERY_OK;
}

void query_agents_free(query_agents_t **self)
{
    if (!self || !*self)
        return;
    free((*self)->agents);
    free(*self);
    *self = NULL;
}

/* ------------------------------------------------------------------ raw samples */

/* Converts one XRANGE entry [id, [f, v, f, v...]] into s. 0, or -1 when the
 * entry is malformed or memory ran out (s is then cleared by the caller). */
static int s_sample_from(const redisReply *e, query_sample_t *s)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING)
        return -1;
    const redisReply *fv = e->element[1];
    if (keys_parse_id(e->element[0]->str, e->element[0]->len, &s->timestamp_ms, &s->id_seq) ||
        fv->type != REDIS_REPLY_ARRAY || fv->elements % 2)
        return -1;
    if (fv->elements && !(s->values = calloc(fv->elements / 2, sizeof *s->values)))
        return -1;
    for (size_t i = 0; i + 1 < fv->elements; i += 2) {
        const redisReply *f = fv->element[i], *v = fv->element[i + 1];
        double d;
        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
            numfmt_parse(v->str, v->len, &d))
            continue;
        query_pair_t *p = &s->values[s->n_values];
        if (!(p->name = strndup(f->str, f->len)))
            return -1;
        p->value = d;
        s->n_values++;
    }
    return 0;
}

static void s_sample_clear(query_sample_t *s)
{
    for (size_t i = 0; i < s->n_values; i++)
        free(s->values[i].name);
    free(s->values);
    memset(s, 0, sizeof *s);
}

query_status_t query_samples_after(query_ctx_t *self, const char *agent_id, int64_t after_ms,
                                   size_t max_count, query_samples_t **out, query_error_t *err)
{
    *out = NULL;
    if (query_check_agent(agent_id, err))
        return QUERY_BAD_REQUEST;
    if (max_count < 1 || max_count > QUERY_MAX_SAMPLES)
        return query_fail(err, QUERY_BAD_REQUEST, "count must be 1..%u", QUERY_MAX_SAMPLES);
    if (after_ms < -1 || after_ms >= INT64_MAX - 1)
        return query_fail(err, QUERY_BAD_REQUEST, "invalid timestamp %" PRId64, after_ms);
    char key[KEYS_MAX], from[32], count[24];
    keys_build(key, sizeof key, agent_id, KEYS_RAW);
    snprintf(from, sizeof from, "%" PRId64 "-0", after_ms + 1);
    snprintf(count, sizeof count, "%zu", max_count + 1);
    const char *argv[] = {"XRANGE", key, from, "+", "COUNT", count};
    redisReply *r;
    query_status_t st = query_command(self, 6, argv, &r, err);
    if (st)
        return st;
    query_samples_t *res = calloc(1, sizeof *res);
    if (!res || r->type != REDIS_REPLY_ARRAY) {
        st = query_fail(err, QUERY_ERROR, res ? "%s: unexpected reply" : "out of memory", key);
        goto done;
    }
    size_t n = r->elements > max_count ? max_count : r->elements;
    res->more = r->elements > max_count;
    if (n && !(res->samples = calloc(n, sizeof *res->samples))) {
        st = query_fail(err, QUERY_ERROR, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        query_sample_t *s = &res->samples[res->n_samples];
        if (s_sample_from(r->element[i], s)) {
            s_sample_clear(s);
            continue;
        }
        res->n_samples++;
    }
    *out = res;
    res = NULL;
    s_ok(err);
done:
    query_samples_free(&res);
    freeReplyObject(r);
    return st;
}

void query_samples_free(query_samples_t **self)
{
    if (!self || !*self)
        return;
    for (size_t i = 0; i < (*self)->n_samples; i++)
        s_sample_clear(&(*self)->samples[i]);
    free((*self)->samples);
    free(*self);
    *self = NULL;
}
