/*
 * query.c - history queries. See query.h.
 */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metricname.h"
#include "requests.h"

/* A value being averaged within the current bucket. */
typedef struct {
    char name[METRIC_NAME_MAX + 1];
    double sum;
    uint32_t n;
} acc_t;

typedef struct {
    const Nodelink__MetricsQueryRequest *q;
    metric_selection_t sel;
    arena_t *a;
    Nodelink__MetricsTimePoint **points;
    size_t n_points, max_points, total;
    uint64_t bucket_s;  /* 0 = raw */
    int64_t cur_bucket; /* start (s) of the bucket being filled; -1 = none */
    acc_t *acc;
    size_t n_acc, cap_acc;
    bool failed;
} walk_t;

static void s_add(walk_t *w, const char *name, double v)
{
    for (size_t i = 0; i < w->n_acc; i++) {
        if (strcmp(w->acc[i].name, name) == 0) {
            w->acc[i].sum += v;
            w->acc[i].n++;
            return;
        }
    }
    if (w->n_acc == w->cap_acc) {
        size_t ncap = w->cap_acc ? w->cap_acc * 2 : 64;
        acc_t *acc = realloc(w->acc, ncap * sizeof *acc);
        if (!acc) {
            w->failed = true;
            return;
        }
        w->acc = acc;
        w->cap_acc = ncap;
    }
    acc_t *e = &w->acc[w->n_acc++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->sum = v;
    e->n = 1;
}

static void s_visit_value(void *ctx, const metric_def_t *def, const char *instance, const char *name,
                          double value)
{
    (void)def;
    (void)instance;
    walk_t *w = ctx;
    if (metric_selection_allows(&w->sel, name))
        s_add(w, name, value);
}

/* Turns the accumulated values into one point (when room is left). */
static void s_emit(walk_t *w, uint64_t ts_s)
{
    if (w->n_acc == 0)
        return;
    w->total++;
    if (w->n_points < w->max_points) {
        Nodelink__MetricsTimePoint *p = arena_alloc(w->a, sizeof *p);
        Nodelink__MetricsTimePoint__ValuesEntry **vals = arena_alloc(w->a, w->n_acc * sizeof *vals);
        if (!p || !vals) {
            w->failed = true;
            w->n_acc = 0;
            return;
        }
        nodelink__metrics_time_point__init(p);
        p->has_timestamp = 1;
        p->timestamp = ts_s;
        for (size_t i = 0; i < w->n_acc; i++) {
            Nodelink__MetricsTimePoint__ValuesEntry *e = arena_alloc(w->a, sizeof *e);
            if (!e) {
                w->failed = true;
                break;
            }
            nodelink__metrics_time_point__values_entry__init(e);
            e->key = arena_strdup(w->a, w->acc[i].name);
            e->has_value = 1;
            e->value = w->acc[i].sum / w->acc[i].n;
            vals[p->n_values++] = e;
        }
        p->values = vals;
        w->points[w->n_points++] = p;
    }
    w->n_acc = 0;
}

static int s_visit_sample(void *ctx, int64_t ts_ms, const uint8_t *data, size_t len)
{
    walk_t *w = ctx;
    uint64_t ts_s = (uint64_t)ts_ms / 1000;
    int64_t bucket = w->bucket_s ? (int64_t)(ts_s / w->bucket_s * w->bucket_s) : (int64_t)ts_s;
    if (w->bucket_s && bucket != w->cur_bucket && w->cur_bucket >= 0)
        s_emit(w, (uint64_t)w->cur_bucket);
    w->cur_bucket = bucket;
    Nodelink__MetricsDataResponse *m = nodelink__metrics_data_response__unpack(NULL, len, data);
    if (m) {
        metric_flatten(m, s_visit_value, w);
        nodelink__metrics_data_response__free_unpacked(m, NULL);
    }
    if (!w->bucket_s)
        s_emit(w, ts_s);
    return w->failed ? 1 : 0;
}

Nodelink__MetricsQueryResponse *query_run(const history_t *h, const Nodelink__MetricsQueryRequest *q,
                                          arena_t *a, Nodelink__FailureCode *code, char *err, size_t errlen)
{
    *code = NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST;
    for (size_t i = 0; i < q->n_metrics; i++) {
        if (!metric_selector_valid(q->metrics[i])) {
            snprintf(err, errlen, "unknown metric selector '%.160s'", q->metrics[i]);
            return NULL;
        }
    }
    uint64_t start = q->has_start_timestamp ? q->start_timestamp : 0;
    uint64_t end =
        q->has_end_timestamp && q->end_timestamp ? q->end_timestamp : (uint64_t)clock_now_ms() / 1000;
    if (start > end || end > INT64_MAX / 1000 - 1) {
        snprintf(err, errlen, "start_timestamp must not be after end_timestamp (Unix seconds)");
        return NULL;
    }
    walk_t w = {.q = q, .a = a, .cur_bucket = -1};
    w.sel.include = q->metrics;
    w.sel.n_include = q->n_metrics;
    w.max_points = q->has_max_points && q->max_points ? q->max_points : REQUESTS_DEFAULT_MAX_POINTS;
    if (w.max_points > REQUESTS_LIMIT_MAX_POINTS)
        w.max_points = REQUESTS_LIMIT_MAX_POINTS;
    w.bucket_s = q->has_interval_seconds ? q->interval_seconds : 0;
    w.points = arena_alloc(a, w.max_points * sizeof *w.points);
    Nodelink__MetricsQueryResponse *r = arena_alloc(a, sizeof *r);
    if (!w.points || !r) {
        *code = NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    history_walk(h, (int64_t)start * 1000, (int64_t)end * 1000 + 999, s_visit_sample, &w);
    if (w.bucket_s && w.cur_bucket >= 0)
        s_emit(&w, (uint64_t)w.cur_bucket);
    free(w.acc);
    if (w.failed) {
        *code = NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    nodelink__metrics_query_response__init(r);
    r->data_points = w.points;
    r->n_data_points = w.n_points;
    r->has_query_start_timestamp = r->has_query_end_timestamp = 1;
    r->query_start_timestamp = start;
    r->query_end_timestamp = end;
    r->has_total_points = r->has_truncated = 1;
    r->total_points = (uint32_t)w.total;
    r->truncated = w.total > w.n_points;
    return r;
}
