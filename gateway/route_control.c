/*
 * route_control.c - the HTTP half of control requests (see control.h for
 * the whole round trip).
 *
 * The control request is the HTTP request's state: it lives until the
 * request completes, whether the client waits for the answer or leaves.
 * A failed request is answered from its failure code through one table;
 * docs/api.md and docs/protocol.md list it.
 */
#include "routes.h"

#include <string.h>

#include "failure.h"

/* The HTTP status of each failure code and its Retry-After (seconds, 0 =
 * none) for failures that pass. Indexed by the code. */
static const struct {
    unsigned status;
    int64_t retry_after_s;
} s_http[] = {
    [NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED] = {MHD_HTTP_BAD_GATEWAY, 0},
    [NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT] = {MHD_HTTP_NOT_FOUND, 0},
    [NODELINK__FAILURE_CODE__FAILURE_NOT_CONNECTED] = {MHD_HTTP_SERVICE_UNAVAILABLE, 5},
    [NODELINK__FAILURE_CODE__FAILURE_DISCONNECTED] = {MHD_HTTP_SERVICE_UNAVAILABLE, 5},
    [NODELINK__FAILURE_CODE__FAILURE_TIMEOUT] = {MHD_HTTP_GATEWAY_TIMEOUT, 0},
    [NODELINK__FAILURE_CODE__FAILURE_BUSY] = {MHD_HTTP_CONFLICT, 1},
    [NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST] = {MHD_HTTP_BAD_REQUEST, 0},
    [NODELINK__FAILURE_CODE__FAILURE_REFUSED] = {MHD_HTTP_UNPROCESSABLE_CONTENT, 0},
    [NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED] = {MHD_HTTP_NOT_IMPLEMENTED, 0},
    [NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED] = {MHD_HTTP_SERVICE_UNAVAILABLE, 5},
    [NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE] = {MHD_HTTP_SERVICE_UNAVAILABLE, 5},
    [NODELINK__FAILURE_CODE__FAILURE_INTERNAL] = {MHD_HTTP_INTERNAL_SERVER_ERROR, 0},
};

_Static_assert(sizeof s_http / sizeof s_http[0] == NODELINK__FAILURE_CODE__FAILURE_INTERNAL + 1,
               "one HTTP status per failure code");

static void s_state_free(http_req_t *req, void *state)
{
    (void)req;
    control_req_t *c = state;
    control_req_free(&c);
}

control_req_t *route_control_of(const http_req_t *req)
{
    return http_req_state(req, s_state_free);
}

enum MHD_Result route_control_submit(http_req_t *req, const Nodelink__MetricsRequest *mr)
{
    gateway_t *gw = req->gw;
    uint64_t seq = atomic_fetch_add(&gw->control_seq, 1) + 1;
    control_req_t *c = control_req_new(req->agent_id, mr, gw->cfg->request_timeout_ms, seq, req->conn);
    if (!c)
        return http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    http_req_set_state(req, c, s_state_free);
    /* suspend before submitting: the feed thread may resume at once */
    MHD_suspend_connection(req->conn);
    if (feed_submit(gw->feed, c) != 0) {
        c->failure = NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE;
        snprintf(c->reason, sizeof c->reason, "gateway stopping");
        atomic_store(&c->outcome, CONTROL_FAILED);
        MHD_resume_connection(req->conn);
    }
    return MHD_YES;
}

enum MHD_Result route_control_failure(http_req_t *req)
{
    control_req_t *c = route_control_of(req);
    Nodelink__FailureCode code = NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE;
    const char *reason = "no answer (gateway stopping)";
    if (c && atomic_load(&c->outcome) == CONTROL_FAILED) {
        code = failure_known((int)c->failure) ? c->failure : NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED;
        reason = c->reason[0] ? c->reason : failure_name(code);
    }
    /* the broker has never seen the agent and neither has this gateway:
     * the words every route uses for an unknown agent */
    if (code == NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT &&
        !roster_known(req->gw->agents, req->agent_id))
        return http_error_coded(req, MHD_HTTP_NOT_FOUND, failure_name(code), 0, "unknown agent '%s'",
                                req->agent_id);
    return http_error_coded(req, s_http[code].status, failure_name(code), s_http[code].retry_after_s, "%s",
                            reason);
}
