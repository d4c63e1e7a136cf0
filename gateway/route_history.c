/*
 * route_history.c - GET /agents/{id}/metrics/history through the store's
 * query library.
 *
 * Defaults when a parameter is left out (docs/api.md):
 *   metrics     cpu.usage_percent,memory.usage_percent (an empty list is a 400)
 *   end         now;  start  end - 3600 (the last hour)
 *   interval    the smallest of 1,5,10,15,30,60,120,300,600,900,1800,3600,
 *               7200,21600,43200,86400 s giving at most 500 buckets
 *   max_points  metrics.storage.max_points_per_query (also the upper bound)
 */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metricname.h"

#define S_DEFAULT_METRICS "cpu.usage_percent,memory.usage_percent"
#define S_DEFAULT_RANGE_S 3600
#define S_TARGET_BUCKETS 500

static int64_t s_auto_interval(int64_t range)
{
    static const int64_t nice[] = {1,   5,   10,   15,   30,   60,    120,   300,
                                   600, 900, 1800, 3600, 7200, 21600, 43200, 86400};
    for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
        if (range / nice[i] <= S_TARGET_BUCKETS)
            return nice[i];
    return range / S_TARGET_BUCKETS + 1;
}

typedef struct {
    query_history_req_t q;
    char *names[QUERY_MAX_METRICS];
    char *copy;
} s_args_t;

/* Parses the metric list into a->names (pointing into a->copy). */
static int s_metrics(http_req_t *req, s_args_t *a, enum MHD_Result *ret)
{
    const char *list = http_arg(req, "metrics");
    a->copy = strdup(list ? list : S_DEFAULT_METRICS);
    char *save = NULL;
    for (char *t = strtok_r(a->copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (a->q.n_metrics == QUERY_MAX_METRICS) {
            *ret = http_error(req, MHD_HTTP_BAD_REQUEST, "metrics: more than %d names", QUERY_MAX_METRICS);
            return -1;
        }
        if (!metric_lookup(t, NULL)) {
            *ret = http_error(req, MHD_HTTP_BAD_REQUEST,
                              "metrics: unknown metric '%s' (see "
                              "docs/metrics.md)",
                              t);
            return -1;
        }
        a->names[a->q.n_metrics++] = t;
    }
    if (a->q.n_metrics == 0) {
        *ret = http_error(req, MHD_HTTP_BAD_REQUEST, "metrics: empty list");
        return -1;
    }
    a->q.metrics = (const char *const *)a->names;
    return 0;
}

static int s_parse(http_req_t *req, s_args_t *a, enum MHD_Result *ret)
{
    int64_t now = clock_now_ms() / 1000, max_pts = req->gw->cfg->max_points_per_query;
    int64_t end = now, start, interval, points = max_pts;
    int has_end = http_arg_int(req, "end", 0, QUERY_MAX_TIMESTAMP, &end, ret);
    if (has_end < 0)
        return -1;
    start = end - S_DEFAULT_RANGE_S;
    if (http_arg_int(req, "start", 0, QUERY_MAX_TIMESTAMP, &start, ret) < 0)
        return -1;
    if (start > end) {
        *ret = http_error(req, MHD_HTTP_BAD_REQUEST, "start (%lld) is after end (%lld)", (long long)start,
                          (long long)end);
        return -1;
    }
    interval = s_auto_interval(end - start);
    if (http_arg_int(req, "interval", 1, QUERY_MAX_INTERVAL_SECONDS, &interval, ret) < 0 ||
        http_arg_int(req, "max_points", 1, max_pts, &points, ret) < 0)
        return -1;
    a->q.agent_id = req->agent_id;
    a->q.start = start, a->q.end = end, a->q.interval = interval;
    a->q.max_points = (uint32_t)points;
    return s_metrics(req, a, ret);
}

static json_t *s_body(http_req_t *req, const query_history_t *h)
{
    json_t *names = json_array(), *data = json_array();
    for (size_t m = 0; m < h->n_metrics; m++)
        json_array_append_new(names, json_string(h->metrics[m]));
    for (size_t i = 0; i < h->n_points; i++) {
        json_t *row = json_pack("{s:I}", "timestamp", (json_int_t)h->timestamps[i]);
        for (size_t m = 0; m < h->n_metrics; m++) {
            double v;
            if (query_history_value(h, i, m, &v))
                json_object_set_new(row, h->metrics[m], json_real(v));
        }
        json_array_append_new(data, row);
    }
    return json_pack("{s:s,s:{s:o,s:I,s:I,s:I,s:I},s:o,s:I,s:b,s:s}", "agent_id", req->agent_id, "query",
                     "metrics", names, "start_timestamp", (json_int_t)h->start, "end_timestamp",
                     (json_int_t)h->end, "interval_seconds", (json_int_t)h->interval, "max_points",
                     (json_int_t)0, "data", data, "total_points", (json_int_t)h->n_points, "truncated",
                     h->truncated, "tier", query_tier_name(h->tier));
}

enum MHD_Result route_history(http_req_t *req)
{
    s_args_t a;
    enum MHD_Result ret;
    memset(&a, 0, sizeof a);
    if (s_parse(req, &a, &ret) != 0) {
        free(a.copy);
        return ret;
    }
    query_history_t *h = NULL;
    query_error_t err = {0};
    query_ctx_t *q = qpool_get(req->gw->qpool);
    query_status_t st = q ? query_history(q, &a.q, &h, &err) : QUERY_ERROR;
    qpool_put(req->gw->qpool, q);
    free(a.copy);
    switch (st) {
    case QUERY_OK: {
        json_t *body = s_body(req, h);
        json_object_set_new(json_object_get(body, "query"), "max_points", json_integer(a.q.max_points));
        query_history_free(&h);
        return http_reply_json(req, MHD_HTTP_OK, body);
    }
    case QUERY_NOT_FOUND:
        return route_unknown_agent(req);
    case QUERY_BAD_REQUEST:
        return http_error(req, MHD_HTTP_BAD_REQUEST, "%s", err.message);
    case QUERY_UNAVAILABLE:
        return http_error_retry(req, MHD_HTTP_SERVICE_UNAVAILABLE, 5, "%s", err.message);
    case QUERY_ERROR:
        break;
    }
    return http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s",
                      err.message[0] ? err.message : "query failed");
}
