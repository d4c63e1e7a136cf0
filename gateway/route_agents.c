/*
 * route_agents.c - the latest sample of one agent and the list of agents.
 *
 * Both are served from memory (the gateway's own subscription, roster.h):
 * GET /agents/{id}/metrics sends the bytes rendered when the sample arrived.
 */
#include "routes.h"

#include "clock.h"
#include "wirejson.h"

enum MHD_Result route_unknown_agent(http_req_t *req)
{
    return http_error(req, MHD_HTTP_NOT_FOUND, "unknown agent '%s'", req->agent_id);
}

enum MHD_Result route_agent_metrics(http_req_t *req)
{
    snapshot_t *s = roster_sample(req->gw->agents, req->agent_id);
    if (!s) {
        if (roster_known(req->gw->agents, req->agent_id))
            return http_error(req, MHD_HTTP_NOT_FOUND, "agent '%s' has sent no sample yet", req->agent_id);
        return route_unknown_agent(req);
    }
    enum MHD_Result ret = http_reply_blob(req, MHD_HTTP_OK, snapshot_json(s), "application/json");
    snapshot_unref(&s);
    return ret;
}

static json_t *s_agent_entry(const agent_view_t *v)
{
    json_t *summary =
        v->connected && v->sample ? wirejson_metrics_summary(snapshot_data(v->sample)) : json_null();
    json_t *last = v->last_metrics_update ? json_integer(v->last_metrics_update) : json_null();
    return json_pack("{s:s,s:s,s:o,s:o}", "agent_id", v->id, "status",
                     v->connected ? "connected" : "disconnected", "last_metrics_update", last, "metrics",
                     summary ? summary : json_null());
}

enum MHD_Result route_agents_list(http_req_t *req)
{
    agent_view_t *views = NULL;
    size_t n = roster_list(req->gw->agents, clock_now_ms(), &views);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (auth_allows(req->token, views[i].id))
            json_array_append_new(arr, s_agent_entry(&views[i]));
    roster_views_free(&views, n);
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:o}", "agents", arr));
}
