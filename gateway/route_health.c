/*
 * route_health.c - liveness and readiness probes (public: no token).
 *
 * /healthz answers 200 while the process serves HTTP. /readyz answers 200
 * when the broker has answered an agent list recently and Redis answers a
 * query; otherwise 503 naming what is missing.
 */
#include "routes.h"

#include "clock.h"

enum MHD_Result route_healthz(http_req_t *req)
{
    return http_reply_json(req, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

static bool s_redis_ok(gateway_t *gw)
{
    query_ctx_t *q = qpool_get(gw->qpool);
    query_agents_t *agents = NULL;
    query_error_t err;
    bool ok = q && query_agents(q, &agents, &err) == QUERY_OK;
    query_agents_free(&agents);
    qpool_put(gw->qpool, q);
    return ok;
}

enum MHD_Result route_readyz(http_req_t *req)
{
    gateway_t *gw = req->gw;
    bool broker = feed_broker_ready(gw->feed);
    bool redis = s_redis_ok(gw);
    if (!broker || !redis)
        return http_error_retry(req, MHD_HTTP_SERVICE_UNAVAILABLE, 1, "not ready:%s%s",
                                broker ? "" : " broker not answering", redis ? "" : " redis unreachable");
    return http_reply_json(req, MHD_HTTP_OK,
                           json_pack("{s:s,s:b,s:b,s:I}", "status", "ready", "broker", broker, "redis", redis,
                                     "sse_streams", (json_int_t)sse_hub_count(gw->hub)));
}
