/*
 * route_stream.c - GET /agents/{id}/metrics/stream (Server-Sent Events) and
 * POST /agents/{id}/metrics/stream (start/stop/update_interval on the agent).
 *
 * GET arguments: interval (seconds, default 5, >= 1; never faster than the
 * agent samples), metrics (comma-separated selectors), last_event_id (or the
 * Last-Event-ID header), token. The stream machinery is in sse.c.
 */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

#include "httpparse.h"
#include "metricname.h"
#include "replay.h"

#define S_MAX_SELECTORS 64
#define S_DEFAULT_INTERVAL_S 5

/* The stream's state: removed from the hub when the request completes. */
static void s_stream_free(http_req_t *req, void *state)
{
    sse_stream_t *st = state;
    sse_hub_remove(req->gw->hub, &st);
}

static void s_free_selectors(char **sel, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(sel[i]);
}

/* Last-Event-ID from the header or the query; -1 when none, -2 invalid. */
static int64_t s_last_event_id(http_req_t *req)
{
    const char *v = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_LAST_EVENT_ID);
    return httpparse_event_id(v ? v : http_arg(req, "last_event_id"));
}

/* Samples to queue first: the store's after last_id (when resuming), and the
 * latest in memory. Returns the count put in out (cap entries). */
static size_t s_backlog(http_req_t *req, int64_t last_id, snapshot_t **out, size_t cap)
{
    gateway_t *gw = req->gw;
    size_t n = 0;
    snapshot_t *latest = roster_sample(gw->agents, req->agent_id);
    if (last_id >= 0 && gw->cfg->sse_replay_max > 0) {
        query_samples_t *qs = NULL;
        query_error_t err;
        query_ctx_t *q = qpool_get(gw->qpool);
        if (q && query_samples_after(q, req->agent_id, last_id, (size_t)gw->cfg->sse_replay_max, &qs, &err) ==
                     QUERY_OK) {
            for (size_t i = 0; i < qs->n_samples && n + 1 < cap; i++) {
                Nodelink__MetricsDataResponse *m =
                    replay_sample(&qs->samples[i], latest ? snapshot_data(latest) : NULL);
                snapshot_t *s = snapshot_from_data(req->agent_id, &m);
                if (s)
                    out[n++] = s;
            }
        }
        query_samples_free(&qs);
        qpool_put(gw->qpool, q);
    }
    if (latest)
        out[n++] = latest;
    return n;
}

enum MHD_Result route_stream(http_req_t *req)
{
    gateway_t *gw = req->gw;
    enum MHD_Result ret;
    int64_t interval = S_DEFAULT_INTERVAL_S;
    char *sel[S_MAX_SELECTORS], bad[128];
    if (!gw->cfg->sse_enabled)
        return http_error(req, MHD_HTTP_NOT_FOUND, "SSE streaming is disabled on this gateway");
    if (http_arg_int(req, "interval", 1, 86400, &interval, &ret) < 0)
        return ret;
    int64_t last_id = s_last_event_id(req);
    if (last_id == -2)
        return http_error(req, MHD_HTTP_BAD_REQUEST, "Last-Event-ID: expected a timestamp in ms");
    int n_sel = httpparse_list(http_arg(req, "metrics"), sel, S_MAX_SELECTORS, metric_selector_valid, bad,
                               sizeof bad);
    if (n_sel == -2)
        return http_error(req, MHD_HTTP_BAD_REQUEST, "metrics: at most %d selectors", S_MAX_SELECTORS);
    if (n_sel < 0)
        return http_error(req, MHD_HTTP_BAD_REQUEST, "metrics: unknown metric '%s'", bad);
    if (!roster_known(gw->agents, req->agent_id)) {
        s_free_selectors(sel, (size_t)n_sel);
        return route_unknown_agent(req);
    }
    sse_stream_t *st = sse_stream_new(req->agent_id, interval * 1000, sel, (size_t)n_sel, last_id);
    s_free_selectors(sel, (size_t)n_sel);
    if (!st)
        return http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    if (sse_hub_add(gw->hub, st, req->conn) != 0) {
        sse_stream_free(&st);
        return http_error_retry(req, MHD_HTTP_SERVICE_UNAVAILABLE, 5,
                                "too many streams (max_concurrent_streams = %lld)",
                                (long long)gw->cfg->max_streams);
    }
    http_req_set_state(req, st, s_stream_free); /* from here the request frees it */
    size_t cap = (size_t)gw->cfg->sse_replay_max + 2;
    snapshot_t **backlog = calloc(cap, sizeof *backlog);
    size_t n = backlog ? s_backlog(req, last_id, backlog, cap) : 0;
    sse_stream_release(gw->hub, st, backlog, n);
    free(backlog);
    return http_reply(req, MHD_HTTP_OK, sse_stream_response(st));
}

/* ---------------------------------------------------------------- POST control */

static enum MHD_Result s_control_done(http_req_t *req)
{
    control_req_t *c = route_control_of(req);
    if (atomic_load(&c->outcome) != CONTROL_COMPLETED)
        return route_control_failure(req);
    json_t *body = json_pack("{s:s}", "agent_id", req->agent_id);
    const Nodelink__MetricsResponse *mr = c->response->metrics_response;
    if (mr && mr->stream_status) {
        const Nodelink__MetricsStreamStatus *ss = mr->stream_status;
        json_t *metrics = json_array();
        for (size_t i = 0; i < ss->n_metrics; i++)
            json_array_append_new(metrics, json_string(ss->metrics[i]));
        json_object_set_new(body, "streaming", json_boolean(ss->streaming));
        json_object_set_new(body, "interval_seconds", json_real(ss->interval_ms / 1000.0));
        json_object_set_new(body, "interval_ms", json_integer(ss->interval_ms));
        json_object_set_new(body, "metrics", metrics);
    }
    json_object_set_new(body, "status", json_string("completed"));
    return http_reply_json(req, MHD_HTTP_OK, body);
}

static int s_action(const char *name, Nodelink__MetricsStreamRequest__Action *a)
{
    static const struct {
        const char *name;
        Nodelink__MetricsStreamRequest__Action action;
    } actions[] = {{"start", NODELINK__METRICS_STREAM_REQUEST__ACTION__START},
                   {"stop", NODELINK__METRICS_STREAM_REQUEST__ACTION__STOP},
                   {"update_interval", NODELINK__METRICS_STREAM_REQUEST__ACTION__UPDATE_INTERVAL}};
    for (size_t i = 0; name && i < 3; i++)
        if (strcmp(name, actions[i].name) == 0) {
            *a = actions[i].action;
            return 0;
        }
    return -1;
}

/* Validates the body into sr (metrics point into json). NULL or the error. */
static const char *s_parse_control(json_t *json, Nodelink__MetricsStreamRequest *sr, char **metrics)
{
    json_t *action = json_object_get(json, "action"), *iv = json_object_get(json, "interval_seconds");
    json_t *list = json_object_get(json, "metrics");
    if (!json_is_object(json))
        return "body must be a JSON object";
    if (s_action(json_string_value(action), &sr->action) != 0)
        return "action must be start, stop or update_interval";
    sr->has_action = 1;
    if (iv && (!json_is_integer(iv) || json_integer_value(iv) < 1 || json_integer_value(iv) > 3600))
        return "interval_seconds must be an integer in [1, 3600]";
    if (!iv && sr->action == NODELINK__METRICS_STREAM_REQUEST__ACTION__UPDATE_INTERVAL)
        return "update_interval needs interval_seconds";
    if (iv) {
        sr->has_interval_seconds = 1;
        sr->interval_seconds = (uint32_t)json_integer_value(iv);
    }
    if (list && (!json_is_array(list) || json_array_size(list) > S_MAX_SELECTORS))
        return "metrics must be an array of at most 64 metric selectors";
    for (size_t i = 0; list && i < json_array_size(list); i++) {
        const char *m = json_string_value(json_array_get(list, i));
        if (!m || !metric_selector_valid(m))
            return "metrics: unknown metric selector";
        metrics[sr->n_metrics++] = (char *)m;
    }
    sr->metrics = metrics;
    return NULL;
}

enum MHD_Result route_stream_control(http_req_t *req)
{
    if (route_control_of(req)) /* resumed: the agent's answer is in */
        return s_control_done(req);
    json_error_t jerr;
    json_t *json = req->body ? json_loadb(req->body, req->body_len, 0, &jerr) : NULL;
    if (!json)
        return http_error(req, MHD_HTTP_BAD_REQUEST, "body is not JSON%s%s", req->body ? ": " : "",
                          req->body ? jerr.text : "");
    Nodelink__MetricsStreamRequest sr = NODELINK__METRICS_STREAM_REQUEST__INIT;
    char *metrics[S_MAX_SELECTORS];
    const char *bad = s_parse_control(json, &sr, metrics);
    if (bad) {
        json_decref(json);
        return http_error(req, MHD_HTTP_BAD_REQUEST, "%s", bad);
    }
    if (!roster_known(req->gw->agents, req->agent_id)) {
        json_decref(json);
        return route_unknown_agent(req);
    }
    Nodelink__MetricsRequest mr = NODELINK__METRICS_REQUEST__INIT;
    mr.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_STREAM_REQUEST;
    mr.stream_request = &sr;
    enum MHD_Result ret = route_control_submit(req, &mr);
    json_decref(json);
    return ret;
}
