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
 *
 * Each tier is read through tierscan (tierscan.h): its compacted chunks and
 * its stream entries as one history, decoding of a chunk only the row keys
 * and the requested metrics' columns.
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
#include "tierscan.h"

typedef struct {
    query_ctx_t *ctx;
    const query_history_req_t *req;
    query_history_t *res;
    size_t cap;         /* rows allocated */
    rollup_agg_t *aggs; /* cap * n_metrics */
    bool full;          /* stop reading: max_points reached and more data seen */
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

/* The stream key of a tier (keys.h lists the stream tiers in query_tier_t's
 * order). */
static keys_kind_t s_tier_key(query_tier_t tier)
{
    static const keys_kind_t kinds[] = {KEYS_RAW, KEYS_ROLLUP_1M, KEYS_ROLLUP_1H};
    return kinds[tier];
}

typedef struct {
    s_run_t *run;
    bool rollup; /* values are "avg min max count" */
} s_tier_read_t;

/* tierscan_fn: adds one row's requested cells to its bucket. */
static query_status_t s_add_row(void *arg, const tierscan_row_t *row, bool *stop, query_error_t *err)
{
    s_tier_read_t *tr = arg;
    s_run_t *run = tr->run;
    int64_t bucket = rollup_bucket_start(row->ts_ms / 1000, run->req->interval);
    rollup_agg_t *aggs = NULL;
    for (size_t k = 0; k < row->n; k++) {
        rollup_agg_t agg = {0};
        double d;
        if (tr->rollup ? rollup_agg_parse(row->values[k], row->lens[k], &agg)
                       : numfmt_parse(row->values[k], row->lens[k], &d))
            continue; /* not ours: skip */
        if (!aggs && !(aggs = s_row(run, bucket))) {
            *stop = run->full;
            return run->full ? QUERY_OK : query_fail(err, QUERY_ERROR, "out of memory");
        }
        if (tr->rollup)
            rollup_agg_merge(&aggs[row->cols[k]], &agg);
        else
            rollup_agg_add(&aggs[row->cols[k]], d);
    }
    return QUERY_OK;
}

/* Reads the tier's rows with timestamps in [lo_ms, hi_ms], chunks and
 * stream alike. */
static query_status_t s_read_tier(s_run_t *run, query_tier_t tier, int64_t lo_ms, int64_t hi_ms,
                                  query_error_t *err)
{
    s_tier_read_t tr = {run, tier != QUERY_TIER_RAW};
    tierscan_req_t scan = {
        .agent_id = run->req->agent_id,
        .stream = s_tier_key(tier),
        .from_ms = lo_ms,
        .to_ms = hi_ms,
        .wanted = (const char *const *)run->res->metrics,
        .n_wanted = run->res->n_metrics,
        .fn = s_add_row,
        .arg = &tr,
    };
    return tierscan_run(run->ctx, &scan, err);
}

/* Exclusive end (ms) of what a rollup tier holds: its last bucket's end,
 * or 0 when the tier is empty. */
static query_status_t s_tier_end(s_run_t *run, query_tier_t tier, int64_t *end_ms, query_error_t *err)
{
    int64_t last;
    bool found;
    query_status_t st = tierscan_last(run->ctx, run->req->agent_id, s_tier_key(tier), &last, &found, err);
    *end_ms = st == QUERY_OK && found ? last + query_tier_seconds(tier) * 1000 : 0;
    return st;
}

/* The coarsest tier whose width divides the interval. */
static query_tier_t s_pick_tier(int64_t interval)
{
    for (int t = QUERY_TIER_COUNT - 1; t > QUERY_TIER_RAW; t--)
        if (interval % query_tier_seconds((query_tier_t)t) == 0)
            return (query_tier_t)t;
    return QUERY_TIER_RAW;
}

static query_history_t *s_result_new(const query_history_req_t *q)
{
    query_history_t *res = calloc(1, sizeof *res);
    if (!res || !(res->metrics = calloc(q->n_metrics, sizeof *res->metrics))) {
        query_history_free(&res);
        return NULL;
    }
    res->n_metrics = q->n_metrics;
    for (size_t i = 0; i < q->n_metrics; i++)
        if (!(res->metrics[i] = strdup(q->metrics[i]))) {
            query_history_free(&res);
            return NULL;
        }
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
    if ((st = query_agent_known(self, req->agent_id, err)))
        return st;
    query_history_req_t q = *req;
    if (q.max_points == 0)
        q.max_points = 10000;
    s_run_t run = {.ctx = self, .req = &q};
    if (!(run.res = s_result_new(&q)))
        return query_fail(err, QUERY_ERROR, "out of memory");
    run.res->tier = s_pick_tier(q.interval);
    /* whole buckets: from the start of start's bucket to the end of end's */
    int64_t lo = rollup_bucket_start(q.start, q.interval);
    int64_t hi = rollup_bucket_start(q.end, q.interval) + q.interval;
    st = s_read(&run, run.res->tier, lo * 1000, hi * 1000 - 1, err);
    if (st == QUERY_OK && s_finish(&run))
        st = query_fail(err, QUERY_ERROR, "out of memory");
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
