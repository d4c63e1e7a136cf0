/*
 * requests.c - TaskRequest handling. See requests.h.
 */
#include "requests.h"

#include <stdio.h>
#include <string.h>

#include "collectors/pidstat.h"
#include "log.h"
#include "query.h"
#include "topic.h"

#define F(name) NODELINK__FAILURE_CODE__FAILURE_##name

/* Makes r FAILED: code for programs, fmt with detail for people. Every
 * failure of the agent goes through here, so none lacks a code. */
static void s_fail(Nodelink__TaskResponse *r, arena_t *a, Nodelink__FailureCode code, const char *fmt,
                   const char *detail)
{
    r->has_status = 1;
    r->status = NODELINK__TASK_RESPONSE__STATUS__FAILED;
    r->response_case = NODELINK__TASK_RESPONSE__RESPONSE__NOT_SET;
    r->has_failure = 1;
    r->failure = code;
    r->error_message = arena_printf(a, fmt, detail ? detail : "");
}

/* A request whose oneof holds nothing this build knows: empty, or a kind of
 * request added to the protocol after this agent was built (protobuf-c keeps
 * its field as an unknown field). */
static void s_fail_empty(Nodelink__TaskResponse *r, arena_t *a, const ProtobufCMessage *m, const char *what)
{
    if (m->n_unknown_fields)
        s_fail(r, a, F(UNSUPPORTED), "a kind of %s this agent does not know", what);
    else
        s_fail(r, a, F(INVALID_REQUEST), "empty %s", what);
}

static Nodelink__MetricsResponse *s_metrics_response(Nodelink__TaskResponse *r, arena_t *a)
{
    Nodelink__MetricsResponse *mr = arena_alloc(a, sizeof *mr);
    if (!mr)
        return NULL;
    nodelink__metrics_response__init(mr);
    r->has_status = 1;
    r->status = NODELINK__TASK_RESPONSE__STATUS__COMPLETED;
    r->response_case = NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE;
    r->metrics_response = mr;
    return mr;
}

static void s_stream_status(const requests_ctx_t *ctx, Nodelink__TaskResponse *r, arena_t *a)
{
    Nodelink__MetricsResponse *mr = s_metrics_response(r, a);
    Nodelink__MetricsStreamStatus *st = mr ? arena_alloc(a, sizeof *st) : NULL;
    if (!st) {
        s_fail(r, a, F(RESOURCE_EXHAUSTED), "out of memory%s", " (the change, if any, was made)");
        return;
    }
    nodelink__metrics_stream_status__init(st);
    st->has_streaming = st->has_interval_ms = 1;
    st->streaming = sampler_streaming(ctx->sampler);
    st->interval_ms = sampler_interval(ctx->sampler);
    const metric_selection_t *sel = sampler_selection(ctx->sampler);
    st->metrics = sel->include;
    st->n_metrics = sel->n_include;
    mr->response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_STREAM_STATUS;
    mr->stream_status = st;
}

static void s_system_info(const requests_ctx_t *ctx, const Nodelink__SystemInfoRequest *q, arena_t *a,
                          Nodelink__TaskResponse *r)
{
    sysinfo_parts_t parts = {true, true, true};
    if (q->has_include_hardware || q->has_include_software || q->has_include_network) {
        parts.hardware = q->has_include_hardware && q->include_hardware;
        parts.software = q->has_include_software && q->include_software;
        parts.network = q->has_include_network && q->include_network;
    }
    Nodelink__SystemInfoResponse *si = sysinfo_build(ctx->sys, parts, a);
    Nodelink__MetricsResponse *mr = si ? s_metrics_response(r, a) : NULL;
    if (!mr) {
        s_fail(r, a, F(RESOURCE_EXHAUSTED), "out of memory%s", NULL);
        return;
    }
    mr->response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_SYSTEM_INFO;
    mr->system_info = si;
}

/* The interval a stream request asks for: interval_ms wins over
 * interval_seconds. 0 when it names none. */
static uint64_t s_requested_interval(const Nodelink__MetricsStreamRequest *q)
{
    if (q->has_interval_ms && q->interval_ms)
        return q->interval_ms;
    if (q->has_interval_seconds && q->interval_seconds)
        return (uint64_t)q->interval_seconds * 1000u;
    return 0;
}

static void s_stream(const requests_ctx_t *ctx, const Nodelink__MetricsStreamRequest *q, arena_t *a,
                     Nodelink__TaskResponse *r)
{
    uint64_t ms = s_requested_interval(q);
    int action = q->has_action ? (int)q->action : NODELINK__METRICS_STREAM_REQUEST__ACTION__START;
    if ((ms || action == NODELINK__METRICS_STREAM_REQUEST__ACTION__UPDATE_INTERVAL) &&
        (ms < REQUESTS_INTERVAL_MIN_MS || ms > REQUESTS_INTERVAL_MAX_MS)) {
        char why[64];
        snprintf(why, sizeof why, "%llu ms", (unsigned long long)ms);
        s_fail(r, a, F(INVALID_REQUEST), "interval must be between 100 ms and 1 h (got %s)", why);
        return;
    }
    for (size_t i = 0; i < q->n_metrics; i++) {
        if (!metric_selector_valid(q->metrics[i])) {
            s_fail(r, a, F(INVALID_REQUEST), "unknown metric selector '%.160s'", q->metrics[i]);
            return;
        }
    }
    switch (action) {
    case NODELINK__METRICS_STREAM_REQUEST__ACTION__START:
    case NODELINK__METRICS_STREAM_REQUEST__ACTION__UPDATE_INTERVAL:
        if (q->n_metrics) {
            const metric_selection_t *sel = sampler_selection(ctx->sampler);
            if (sampler_set_selection(ctx->sampler, q->metrics, q->n_metrics, sel->exclude, sel->n_exclude) !=
                0) {
                s_fail(r, a, F(RESOURCE_EXHAUSTED), "out of memory%s", NULL);
                return;
            }
        }
        if (ms)
            sampler_set_interval(ctx->sampler, (uint32_t)ms);
        if (action == NODELINK__METRICS_STREAM_REQUEST__ACTION__START)
            sampler_set_streaming(ctx->sampler, true);
        break;
    case NODELINK__METRICS_STREAM_REQUEST__ACTION__STOP:
        sampler_set_streaming(ctx->sampler, false);
        break;
    default:
        s_fail(r, a, F(INVALID_REQUEST), "unknown stream action%s", NULL);
        return;
    }
    log_info("stream: %s, interval %u ms", sampler_streaming(ctx->sampler) ? "on" : "off",
             sampler_interval(ctx->sampler));
    s_stream_status(ctx, r, a);
}

static void s_register(const requests_ctx_t *ctx, const Nodelink__TaskRegistration *q, arena_t *a,
                       Nodelink__TaskResponse *r)
{
    const collector_env_t *env = sampler_env(ctx->sampler);
    pidstat_t ps;
    char why[32];
    if (!q->task_id || !topic_id_valid(q->task_id)) {
        s_fail(r, a, F(INVALID_REQUEST), "task_id must be 1-64 characters of [A-Za-z0-9_.-]%s", NULL);
        return;
    }
    if (!q->has_pid || q->pid == 0) {
        s_fail(r, a, F(INVALID_REQUEST), "pid is required%s", NULL);
        return;
    }
    snprintf(why, sizeof why, "%u", q->pid);
    if (q->has_unregister && q->unregister) {
        taskreg_remove(env->registry, q->pid);
    } else if (!sampler_tracks_tasks(ctx->sampler)) {
        /* a valid request, declined: nothing would ever be attributed */
        s_fail(r, a, F(REFUSED),
               "task process tracking is off on this agent (metrics.process_tracking.enabled, "
               "metrics.process_tracking.track_task_processes)%s",
               NULL);
        return;
    } else if (pidstat_read(env->proc_root, q->pid, &ps) != 0) {
        s_fail(r, a, F(INVALID_REQUEST), "no process with pid %s exists on this host", why);
        return;
    } else if (taskreg_add(env->registry, q->pid, ps.starttime, q->task_id) != 0) {
        snprintf(why, sizeof why, "%d", TASKREG_MAX);
        if (taskreg_count(env->registry) >= TASKREG_MAX)
            s_fail(r, a, F(RESOURCE_EXHAUSTED), "too many registered processes (at most %s)", why);
        else
            s_fail(r, a, F(RESOURCE_EXHAUSTED), "out of memory%s", NULL);
        return;
    }
    s_stream_status(ctx, r, a);
}

static void s_metrics(const requests_ctx_t *ctx, const Nodelink__MetricsRequest *m, arena_t *a,
                      Nodelink__TaskResponse *r)
{
    switch (m->request_type_case) {
    case NODELINK__METRICS_REQUEST__REQUEST_TYPE_SYSTEM_INFO:
        s_system_info(ctx, m->system_info, a, r);
        break;
    case NODELINK__METRICS_REQUEST__REQUEST_TYPE_STREAM_REQUEST:
        s_stream(ctx, m->stream_request, a, r);
        break;
    case NODELINK__METRICS_REQUEST__REQUEST_TYPE_QUERY_REQUEST: {
        char err[256];
        Nodelink__FailureCode code;
        Nodelink__MetricsQueryResponse *qr =
            query_run(sampler_history(ctx->sampler), m->query_request, a, &code, err, sizeof err);
        Nodelink__MetricsResponse *mr = qr ? s_metrics_response(r, a) : NULL;
        if (!mr) {
            s_fail(r, a, qr ? F(RESOURCE_EXHAUSTED) : code, "%s", qr ? "out of memory" : err);
            break;
        }
        mr->response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_QUERY_RESPONSE;
        mr->query_response = qr;
        break;
    }
    case NODELINK__METRICS_REQUEST__REQUEST_TYPE_REGISTER_TASK:
        s_register(ctx, m->register_task, a, r);
        break;
    default:
        s_fail_empty(r, a, &m->base, "metrics request");
    }
}

void requests_handle(const requests_ctx_t *ctx, const Nodelink__TaskRequest *req, arena_t *a,
                     Nodelink__TaskResponse *r)
{
    nodelink__task_response__init(r);
    r->agent_id = (char *)ctx->agent_id;
    r->task_id = req->task_id;
    r->has_is_final = 1;
    r->is_final = 1;
    if (req->agent_id && *req->agent_id && strcmp(req->agent_id, ctx->agent_id) != 0) {
        s_fail(r, a, F(INVALID_REQUEST), "request for agent '%.64s' reached another agent", req->agent_id);
        return;
    }
    switch (req->task_case) {
    case NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST:
        s_metrics(ctx, req->metrics_request, a, r);
        break;
    case NODELINK__TASK_REQUEST__TASK_SHELL_EXECUTE:
    case NODELINK__TASK_REQUEST__TASK_DOCKER_OPERATION:
    case NODELINK__TASK_REQUEST__TASK_TASK_CANCEL:
        s_fail(r, a, F(UNSUPPORTED), "this agent does not run shell/docker tasks%s", NULL);
        break;
    default:
        s_fail_empty(r, a, &req->base, "task request");
    }
}

size_t requests_pack_failure(const char *agent_id, const char *task_id, Nodelink__FailureCode code,
                             const char *message, uint8_t *buf, size_t size)
{
    Nodelink__TaskResponse r = NODELINK__TASK_RESPONSE__INIT;
    r.agent_id = (char *)agent_id;
    r.task_id = (char *)task_id;
    r.has_status = r.has_is_final = r.has_failure = 1;
    r.status = NODELINK__TASK_RESPONSE__STATUS__FAILED;
    r.is_final = 1;
    r.failure = code;
    r.error_message = (char *)message;
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE;
    cm.task_response = &r;
    size_t n = nodelink__control_message__get_packed_size(&cm);
    if (n > size)
        return 0;
    return nodelink__control_message__pack(&cm, buf);
}
