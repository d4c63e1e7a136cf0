/*
 * query.c - query context, connection handling, system info and the agent
 * index. The bucketed history lives in query_history.c, raw sample replay
 * and the row iterator in query_rows.c, the reader both use (chunks and
 * stream as one history) in tierscan.c.
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

void query_ok(query_error_t *err)
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
    query_ok(err);
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

/* Connects when not connected. */
static query_status_t s_connect(query_ctx_t *self, query_error_t *err)
{
    char why[QUERY_MESSAGE_MAX];
    if (!self->redis) {
        self->redis = redisconn_open(&self->url, self->timeout_ms, why, sizeof why);
        if (!self->redis)
            return query_fail(err, QUERY_UNAVAILABLE, "%s", why);
    }
    return QUERY_OK;
}

/* A lost connection: fills err and drops it. */
static query_status_t s_lost(query_ctx_t *self, query_error_t *err)
{
    char where[300];
    redisconn_describe(&self->url, where, sizeof where);
    query_fail(err, QUERY_UNAVAILABLE, "redis %s: %s", where,
               self->redis->errstr[0] ? self->redis->errstr : "connection lost");
    s_drop(self);
    return QUERY_UNAVAILABLE;
}

/* An error reply of command name: transient ones are QUERY_UNAVAILABLE. */
static query_status_t s_error_reply(const redisReply *r, const char *name, query_error_t *err)
{
    query_status_t st = redisconn_error_transient(r->str) ? QUERY_UNAVAILABLE : QUERY_ERROR;
    return query_fail(err, st, "redis %s: %.200s", name, r->str);
}

query_status_t query_command(query_ctx_t *self, int argc, const char **argv, redisReply **reply,
                             query_error_t *err)
{
    *reply = NULL;
    query_status_t st = s_connect(self, err);
    if (st)
        return st;
    redisReply *r = redisCommandArgv(self->redis, argc, argv, NULL);
    if (!r)
        return s_lost(self, err);
    if (r->type == REDIS_REPLY_ERROR) {
        st = s_error_reply(r, argv[0], err);
        freeReplyObject(r);
        return st;
    }
    *reply = r;
    return QUERY_OK;
}

query_status_t query_transaction(query_ctx_t *self, size_t n, const int *argc, const char *const *const *argv,
                                 redisReply **reply, query_error_t *err)
{
    *reply = NULL;
    query_status_t st = s_connect(self, err);
    if (st)
        return st;
    bool sent = redisAppendCommand(self->redis, "MULTI") == REDIS_OK;
    for (size_t i = 0; sent && i < n; i++)
        sent = redisAppendCommandArgv(self->redis, argc[i], (const char **)argv[i], NULL) == REDIS_OK;
    if (!sent || redisAppendCommand(self->redis, "EXEC") != REDIS_OK)
        return s_lost(self, err);
    /* every reply is read, whatever they say, so that the connection stays
     * in step; the first error found is the one reported */
    st = QUERY_OK;
    redisReply *exec = NULL;
    for (size_t i = 0; i < n + 2; i++) {
        redisReply *r = NULL;
        if (redisGetReply(self->redis, (void **)&r) != REDIS_OK || !r) {
            freeReplyObject(exec);
            return s_lost(self, err);
        }
        const char *name = i == 0 ? "MULTI" : i <= n ? argv[i - 1][0] : "EXEC";
        if (r->type == REDIS_REPLY_ERROR && st == QUERY_OK)
            st = s_error_reply(r, name, err);
        if (i == n + 1)
            exec = r;
        else
            freeReplyObject(r);
    }
    if (st == QUERY_OK && (exec->type != REDIS_REPLY_ARRAY || exec->elements != n))
        st = query_fail(err, QUERY_ERROR, "redis EXEC: unexpected reply");
    for (size_t i = 0; st == QUERY_OK && i < n; i++)
        if (exec->element[i]->type == REDIS_REPLY_ERROR)
            st = s_error_reply(exec->element[i], argv[i][0], err);
    if (st) {
        freeReplyObject(exec);
        return st;
    }
    *reply = exec;
    return QUERY_OK;
}

query_status_t query_agent_known(query_ctx_t *self, const char *agent_id, query_error_t *err)
{
    const char *argv[] = {"ZSCORE", KEYS_AGENTS, agent_id};
    redisReply *r;
    query_status_t st = query_command(self, 3, argv, &r, err);
    if (st)
        return st;
    bool known = r->type == REDIS_REPLY_STRING;
    freeReplyObject(r);
    return known ? QUERY_OK : query_fail(err, QUERY_NOT_FOUND, "unknown agent '%s'", agent_id);
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
    query_ok(err);
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
    query_ok(err);
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
