/*
 * route_system.c - GET /agents/{id}/system[?hardware=&software=&network=&refresh=].
 *
 * By default the stored copy: the store's (Redis, through the query
 * library), else the one the gateway last saw published, else - for a
 * connected agent whose copy neither saw - the agent's answer now.
 * refresh=true asks the agent now through the broker (SystemInfoRequest). The privacy options
 * are applied last, whatever the source.
 */
#include "routes.h"

#include <stdlib.h>

#include "clock.h"
#include "wirejson.h"

/* The hardware/software/network flags (default all). -1 when invalid
 * (answered). */
static int s_parts(http_req_t *req, unsigned *parts, enum MHD_Result *ret)
{
    static const struct {
        const char *name;
        unsigned bit;
    } flags[] = {
        {"hardware", WIREJSON_HARDWARE}, {"software", WIREJSON_SOFTWARE}, {"network", WIREJSON_NETWORK}};
    *parts = 0;
    for (size_t i = 0; i < 3; i++) {
        bool on = true;
        if (http_arg_bool(req, flags[i].name, &on, ret) < 0)
            return -1;
        if (on)
            *parts |= flags[i].bit;
    }
    return 0;
}

static enum MHD_Result s_send(http_req_t *req, json_t *info, unsigned parts)
{
    wirejson_system_info_select(info, parts);
    privacy_apply(req->gw->privacy, info);
    return http_reply_json(req, MHD_HTTP_OK, info);
}

static enum MHD_Result s_refreshed(http_req_t *req, unsigned parts)
{
    control_req_t *c = route_control_of(req);
    if (atomic_load(&c->outcome) != CONTROL_COMPLETED)
        return route_control_failure(req);
    Nodelink__TaskResponse *r = c->response;
    if (!r->metrics_response || !r->metrics_response->system_info)
        return http_error(req, MHD_HTTP_BAD_GATEWAY, "agent '%s' answered without system information",
                          req->agent_id);
    return s_send(req, wirejson_system_info(r->metrics_response->system_info, req->agent_id, parts), parts);
}

static enum MHD_Result s_refresh(http_req_t *req, unsigned parts)
{
    Nodelink__SystemInfoRequest si = NODELINK__SYSTEM_INFO_REQUEST__INIT;
    si.has_include_hardware = si.has_include_software = si.has_include_network = 1;
    si.include_hardware = (parts & WIREJSON_HARDWARE) != 0;
    si.include_software = (parts & WIREJSON_SOFTWARE) != 0;
    si.include_network = (parts & WIREJSON_NETWORK) != 0;
    Nodelink__MetricsRequest mr = NODELINK__METRICS_REQUEST__INIT;
    mr.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_SYSTEM_INFO;
    mr.system_info = &si;
    return route_control_submit(req, &mr);
}

static enum MHD_Result s_stored(http_req_t *req, unsigned parts)
{
    gateway_t *gw = req->gw;
    char *text = NULL;
    query_error_t err = {0};
    query_ctx_t *q = qpool_get(gw->qpool);
    query_status_t st = q ? query_system_info(q, req->agent_id, &text, &err) : QUERY_ERROR;
    qpool_put(gw->qpool, q);
    json_t *info = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!info) { /* fall back to the copy seen on the bus */
        blob_t *b = roster_system(gw->agents, req->agent_id);
        info = b ? json_loadb(blob_data(b), blob_len(b), 0, NULL) : NULL;
        blob_unref(&b);
    }
    if (info)
        return s_send(req, info, parts);
    if (st == QUERY_UNAVAILABLE)
        return http_error_retry(req, MHD_HTTP_SERVICE_UNAVAILABLE, 5, "%s", err.message);
    if (!roster_known(gw->agents, req->agent_id) && st == QUERY_NOT_FOUND)
        return route_unknown_agent(req);
    /* Published before the store and this gateway subscribed (an agent
     * publishes it when it registers and when it changes): a connected
     * agent is asked now instead. */
    if (st == QUERY_NOT_FOUND && roster_connected(gw->agents, req->agent_id, clock_now_ms()))
        return s_refresh(req, parts);
    return http_error(req, MHD_HTTP_NOT_FOUND, "no system information stored for agent '%s'", req->agent_id);
}

enum MHD_Result route_agent_system(http_req_t *req)
{
    enum MHD_Result ret;
    unsigned parts;
    bool refresh = false;
    if (s_parts(req, &parts, &ret) < 0 || http_arg_bool(req, "refresh", &refresh, &ret) < 0)
        return ret;
    if (route_control_of(req)) /* resumed: the agent's answer is in */
        return s_refreshed(req, parts);
    if (refresh)
        return s_refresh(req, parts);
    return s_stored(req, parts);
}
