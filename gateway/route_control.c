/*
 * route_control.c - the HTTP half of control requests (see control.h for
 * the whole round trip).
 */
#include "routes.h"

#include <string.h>

enum MHD_Result route_control_submit(http_req_t *req, const Nodelink__MetricsRequest *mr)
{
    gateway_t *gw = req->gw;
    uint64_t seq = atomic_fetch_add(&gw->control_seq, 1) + 1;
    req->control = control_req_new(req->agent_id, mr, gw->cfg->request_timeout_ms, seq, req->conn);
    if (!req->control)
        return http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    /* suspend before submitting: the feed thread may resume at once */
    MHD_suspend_connection(req->conn);
    if (feed_submit(gw->feed, req->control) != 0) {
        MHD_resume_connection(req->conn);
        atomic_store(&req->control->outcome, CONTROL_UNAVAILABLE);
        snprintf(req->control->reason, sizeof req->control->reason, "gateway stopping");
    }
    return MHD_YES;
}

enum MHD_Result route_control_failure(http_req_t *req)
{
    control_req_t *c = req->control;
    switch ((control_outcome_t)atomic_load(&c->outcome)) {
    case CONTROL_TIMEOUT:
        return http_error(req, MHD_HTTP_GATEWAY_TIMEOUT, "agent '%s' did not answer within %lld ms",
                          req->agent_id, (long long)req->gw->cfg->request_timeout_ms);
    case CONTROL_FAILED:
        if (strncmp(c->reason, "timeout", 7) == 0)
            return http_error(req, MHD_HTTP_GATEWAY_TIMEOUT, "%s", c->reason);
        if (strstr(c->reason, "not connected")) {
            if (!roster_known(req->gw->agents, req->agent_id))
                return route_unknown_agent(req);
            return http_error_retry(req, MHD_HTTP_SERVICE_UNAVAILABLE, 5, "%s", c->reason);
        }
        return http_error(req, MHD_HTTP_BAD_REQUEST, "agent '%s' refused: %s", req->agent_id, c->reason);
    case CONTROL_PENDING: /* resumed without an answer: only while stopping */
    case CONTROL_UNAVAILABLE:
    case CONTROL_COMPLETED:
        break;
    }
    return http_error_retry(req, MHD_HTTP_SERVICE_UNAVAILABLE, 5, "broker unavailable: %s",
                            c->reason[0] ? c->reason : "no answer");
}
