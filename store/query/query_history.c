/*
 * query_history.c - bucketed history queries (query_history()).
 *
 * A query covers every interval-wide bucket that intersects [start, end]
 * (buckets aligned to multiples of interval). It reads the coarsest tier
 * whose width divides the interval (1h, then 1m, else raw), so each tier
 * entry falls into exactly one query bucket and merging rollups
 * (sum/count/min/max) gives the same averages as the raw samples would.
 *
 * Rollup entries are written when their bucket closes, so the newest part
 * of a range is not in a rollup tier yet: after the last entry of a tier
 * the query continues in the next finer tier (1h -> 1m -> raw). Entries
 * arrive oldest first, so rows are appended in order and reading stops as
 * soon as max_points rows exist and one more bucket has data (truncated).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "metricname.h"
#include "numfmt.h"
#include "query.h"
#include "query_internal.h"
#include "rollup.h"

#define PAGE 1000
#define PAGE_TEXT "1000"

typedef struct {
    const char *name;
    size_t len;
    size_t col;
} s_column_t;

typedef struct {
    query_ctx_t *ctx;
    const query_history_req_t *req;
    query_history_t *res;
    s_column_t *columns; /* sorted by name for bsearch */
    size_t cap;          /* rows allocated */
    rollup_agg_t *aggs;  /* cap * n_metrics */
    bool full;           /* stop reading: max_points reached and more data seen */
} s_run_t;

static query_status_t s_validate(const query_history_req_t *q, query_error_t *err)
{
    if (query_check_agent(q->agent_id, err))
        return QUERY_BAD_REQUEST;
    if (!q->metrics || q->n_metrics == 0)
        return query_fail(err, QUERY_BAD_REQUEST, "no metrics requested");
    if (q->n_metrics > QUERY_MAX_METRICS)
        return query_fail(err, QUERY_BAD_REQUEST, "too many metrics (%zu, at most %d)", q->n_metrics,
                          QUERY_MAX_METRICS);
    for (size_t i = 0; i < q->n_metrics; i++) {
        const char *m = q->metrics[i];
        if (!m || strlen(m) > METRIC_NAME_MAX || !metric_lookup(m, NULL))
            return query_fail(err, QUERY_BAD_REQUEST, "unknown metric '%.*s'", 100, m ? m : "");
        for (size_t j = 0; j < i; j++)
            if (strcmp(m, q->metrics[j]) == 0)
                return query_fail(err, QUERY_BAD_REQUEST, "metric '%.100s' requested twice", m);
    }
    if (q->start < 0 || q->end < 0)
        return query_fail(err, QUERY_BAD_REQUEST, "timestamps must not be negative");
    if (q->start > QUERY_MAX_TIMESTAMP || q->end > QUERY_MAX_TIMESTAMP)
        return query_fail(err, QUERY_BAD_REQUEST,
                          "timestamp beyond year 9999: start and end are Unix seconds, not ms");
    if (q->start > q->end)
        return query_fail(err, QUERY_BAD_REQUEST, "start (%" PRId64 ") is after end (%" PRId64 ")", q->start,
                          q->end);
    if (q->end - q->start > QUERY_MAX_RANGE_SECONDS)
        return query_fail(err, QUERY_BAD_REQUEST, "range longer than a century");
    if (q->interval < 1)
        return query_fail(err, QUERY_BAD_REQUEST, "interval must be at least 1 second");
    if (q->interval > QUERY_MAX_INTERVAL_SECONDS)
        return query_fail(err, QUERY_BAD_REQUEST, "interval longer than a year");
    if (q->max_points > QUERY_MAX_POINTS_LIMIT)
        return query_fail(err, QUERY_BAD_REQUEST, "max_points above %u", QUERY_MAX_POINTS_LIMIT);
    return QUERY_OK;
}

static int s_column_cmp(const void *a, const void *b)
{
    const s_column_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Column of a field name, or -1 when not requested. */
static long s_column(const s_run_t *run, const char *name, size_t len)
{
    s_column_t key = {name, len, 0};
    const s_column_t *c = bsearch(&key, run->columns, run->res->n_metrics, sizeof key, s_column_cmp);
    return c ? (long)c->col : -1;
}

/* The aggregates of the row of bucket (seconds), appending one if needed;
 * NULL when max_points rows exist already (sets full) or memory ran out. */
static rollup_agg_t *s_row(s_run_t *run, int64_t bucket)
{
    query_history_t *res = run->res;
    size_t nm = res->n_metrics;
    if (res->n_points && res->timestamps[res->n_points - 1] == bucket)
        return &run->aggs[(res->n_points - 1) * nm];
    if (res->n_points == run->req->max_points) {
        res->truncated = true;
        run->full = true;
        return NULL;
    }
    if (res->n_points == run->cap) {
        size_t cap = run->cap ? run->cap * 2 : 64;
        if (cap > run->req->max_points)
            cap = run->req->max_points;
        int64_t *ts = realloc(res->timestamps, cap * sizeof *ts);
        if (ts)
            res->timestamps = ts;
        rollup_agg_t *ag = realloc(run->aggs, cap * nm * sizeof *ag);
        if (!ts || !ag)
            return NULL;
        run->aggs = ag;
        run->cap = cap;
    }
    size_t i = res->n_points++;
    res->timestamps[i] = bucket;
    memset(&run->aggs[i * nm], 0, nm * sizeof *run->aggs);
    return &run->aggs[i * nm];
}

/* Adds one stream entry [id, [f, v, ...]]; rollup says whether values are
 * "avg min max count". -1 on memory failure. */
static int s_add_entry(s_run_t *run, const redisReply *e, bool rollup, int64_t *last_ms, uint64_t *last_seq)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
        keys_parse_id(e->element[0]->str, e->element[0]->len, last_ms, last_seq))
        return 0; /* not ours: skip */
    const redisReply *fv = e->element[1];
    if (fv->type != REDIS_REPLY_ARRAY)
        return 0;
    int64_t bucket = rollup_bucket_start(*last_ms / 1000, run->req->interval);
    rollup_agg_t *row = NULL;
    for (size_t i = 0; i + 1 < fv->elements; i += 2) {
        const redisReply *f = fv->element[i], *v = fv->element[i + 1];
        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        long col = s_column(run, f->str, f->len);
        if (col < 0)
            continue;
        rollup_agg_t agg = {0};
        double d;
        if (rollup ? rollup_agg_parse(v->str, v->len, &agg) : numfmt_parse(v->str, v->len, &d))
            continue;
        if (!row && !(row = s_row(run, bucket)))
            return run->full ? 0 : -1;
        if (rollup)
            rollup_agg_merge(&row[col], &agg);
        else
            rollup_agg_add(&row[col], d);
    }
    return 0;
}

/* Reads tier entries with ids in [lo_ms, hi_ms] page by page. */
/* The stream key of a tier (keys.h lists the stream tiers in query_tier_t's
 * order). */
static keys_kind_t s_tier_key(query_tier_t tier)
{
    static const keys_kind_t kinds[] = {KEYS_RAW, KEYS_ROLLUP_1M, KEYS_ROLLUP_1H};
    return kinds[tier];
}

static query_status_t s_read_tier(s_run_t *run, query_tier_t tier, int64_t lo_ms, int64_t hi_ms,
                                  query_error_t *err)
{
    char key[KEYS_MAX], from[48], to[32];
    keys_build(key, sizeof key, run->req->agent_id, s_tier_key(tier));
    snprintf(from, sizeof from, "%" PRId64, lo_ms);
    snprintf(to, sizeof to, "%" PRId64, hi_ms);
    for (;;) {
        const char *argv[] = {"XRANGE", key, from, to, "COUNT", PAGE_TEXT};
        redisReply *r;
        query_status_t st = query_command(run->ctx, 6, argv, &r, err);
        if (st)
            return st;
        if (r->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(r);
            return query_fail(err, QUERY_ERROR, "%s: unexpected reply", key);
        }
        int64_t ms = 0;
        uint64_t seq = 0;
        for (size_t i = 0; i < r->elements && !run->full; i++)
            if (s_add_entry(run, r->element[i], tier != QUERY_TIER_RAW, &ms, &seq)) {
                freeReplyObject(r);
                return query_fail(err, QUERY_ERROR, "out of memory");
            }
        size_t n = r->elements;
        freeReplyObject(r);
        if (n < PAGE || run->full)
            return QUERY_OK;
        snprintf(from, sizeof from, "(%" PRId64 "-%" PRIu64, ms, seq);
    }
}

/* Exclusive end (ms) of what a rollup tier holds: its last bucket's end,
 * or 0 when the tier is empty. */
static query_status_t s_tier_end(s_run_t *run, query_tier_t tier, int64_t *end_ms, query_error_t *err)
{
    char key[KEYS_MAX];
    keys_build(key, sizeof key, run->req->agent_id, s_tier_key(tier));
    const char *argv[] = {"XREVRANGE", key, "+", "-", "COUNT", "1"};
    redisReply *r;
    query_status_t st = query_command(run->ctx, 6, argv, &r, err);
    if (st)
        return st;
    int64_t ms = 0;
    uint64_t seq;
    *end_ms = 0;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
        r->element[0]->elements == 2 && r->element[0]->element[0]->type == REDIS_REPLY_STRING &&
        keys_parse_id(r->element[0]->element[0]->str, r->element[0]->element[0]->len, &ms, &seq) == 0)
        *end_ms = ms + query_tier_seconds(tier) * 1000;
    freeReplyObject(r);
    return QUERY_OK;
}

/* The coarsest tier whose width divides the interval. */
static query_tier_t s_pick_tier(int64_t interval)
{
    for (int t = QUERY_TIER_COUNT - 1; t > QUERY_TIER_RAW; t--)
        if (interval % query_tier_seconds((query_tier_t)t) == 0)
            return (query_tier_t)t;
    return QUERY_TIER_RAW;
}

static query_status_t s_agent_known(query_ctx_t *ctx, const char *agent_id, query_error_t *err)
{
    const char *argv[] = {"ZSCORE", KEYS_AGENTS, agent_id};
    redisReply *r;
    query_status_t st = query_command(ctx, 3, argv, &r, err);
    if (st)
        return st;
    bool known = r->type == REDIS_REPLY_STRING;
    freeReplyObject(r);
    return known ? QUERY_OK : query_fail(err, QUERY_NOT_FOUND, "unknown agent '%s'", agent_id);
}

static query_history_t *s_result_new(const query_history_req_t *q, s_column_t **columns)
{
    query_history_t *res = calloc(1, sizeof *res);
    *columns = calloc(q->n_metrics, sizeof **columns);
    if (!res || !*columns || !(res->metrics = calloc(q->n_metrics, sizeof *res->metrics))) {
        free(*columns);
        *columns = NULL;
        query_history_free(&res);
        return NULL;
    }
    res->n_metrics = q->n_metrics;
    for (size_t i = 0; i < q->n_metrics; i++) {
        if (!(res->metrics[i] = strdup(q->metrics[i]))) {
            free(*columns);
            *columns = NULL;
            query_history_free(&res);
            return NULL;
        }
        (*columns)[i] = (s_column_t){res->metrics[i], strlen(res->metrics[i]), i};
    }
    qsort(*columns, q->n_metrics, sizeof **columns, s_column_cmp);
    res->interval = q->interval;
    res->start = q->start;
    res->end = q->end;
    return res;
}

/* Turns the aggregates into values/present. -1 on memory failure. */
static int s_finish(s_run_t *run)
{
    query_history_t *res = run->res;
    size_t cells = res->n_points * res->n_metrics;
    if (cells == 0)
        return 0;
    res->values = calloc(cells, sizeof *res->values);
    res->present = calloc(cells, sizeof *res->present);
    if (!res->values || !res->present)
        return -1;
    for (size_t i = 0; i < cells; i++) {
        res->present[i] = run->aggs[i].count > 0;
        res->values[i] = rollup_agg_avg(&run->aggs[i]);
    }
    return 0;
}

/* Reads [lo_ms, hi_ms] from tier, continuing in finer tiers after the
 * tier's last rolled-up bucket. */
static query_status_t s_read(s_run_t *run, query_tier_t tier, int64_t lo_ms, int64_t hi_ms,
                             query_error_t *err)
{
    for (int t = tier; t >= QUERY_TIER_RAW && lo_ms <= hi_ms && !run->full; t--) {
        int64_t end_ms = INT64_MAX;
        if (t != QUERY_TIER_RAW) {
            query_status_t st = s_tier_end(run, (query_tier_t)t, &end_ms, err);
            if (st)
                return st;
        }
        if (end_ms > lo_ms) {
            query_status_t st =
                s_read_tier(run, (query_tier_t)t, lo_ms, end_ms - 1 < hi_ms ? end_ms - 1 : hi_ms, err);
            if (st)
                return st;
            lo_ms = end_ms;
        }
    }
    return QUERY_OK;
}

query_status_t query_history(query_ctx_t *self, const query_history_req_t *req, query_history_t **out,
                             query_error_t *err)
{
    *out = NULL;
    query_status_t st = s_validate(req, err);
    if (st)
        return st;
    if ((st = s_agent_known(self, req->agent_id, err)))
        return st;
    query_history_req_t q = *req;
    if (q.max_points == 0)
        q.max_points = 10000;
    s_run_t run = {.ctx = self, .req = &q};
    if (!(run.res = s_result_new(&q, &run.columns)))
        return query_fail(err, QUERY_ERROR, "out of memory");
    run.res->tier = s_pick_tier(q.interval);
    /* whole buckets: from the start of start's bucket to the end of end's */
    int64_t lo = rollup_bucket_start(q.start, q.interval);
    int64_t hi = rollup_bucket_start(q.end, q.interval) + q.interval;
    st = s_read(&run, run.res->tier, lo * 1000, hi * 1000 - 1, err);
    if (st == QUERY_OK && s_finish(&run))
        st = query_fail(err, QUERY_ERROR, "out of memory");
    free(run.columns);
    free(run.aggs);
    if (st) {
        query_history_free(&run.res);
        return st;
    }
    *out = run.res;
    if (err) {
        err->status = QUERY_OK;
        err->message[0] = '\0';
    }
    return QUERY_OK;
}

void query_history_free(query_history_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    query_history_t *self = *self_p;
    for (size_t i = 0; self->metrics && i < self->n_metrics; i++)
        free(self->metrics[i]);
    free(self->metrics);
    free(self->timestamps);
    free(self->values);
    free(self->present);
    free(self);
    *self_p = NULL;
}

bool query_history_value(const query_history_t *self, size_t i, size_t m, double *value)
{
    if (!self || i >= self->n_points || m >= self->n_metrics)
        return false;
    size_t k = i * self->n_metrics + m;
    if (!self->present[k])
        return false;
    if (value)
        *value = self->values[k];
    return true;
}

const char *query_tier_name(query_tier_t tier)
{
    static const char *const names[] = {"raw", "1m", "1h"};
    return (size_t)tier < QUERY_TIER_COUNT ? names[tier] : "?";
}

int64_t query_tier_seconds(query_tier_t tier)
{
    static const int64_t secs[] = {0, 60, 3600};
    return (size_t)tier < QUERY_TIER_COUNT ? secs[tier] : 0;
}
