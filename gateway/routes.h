/*
 * routes.h - the route handlers, one file per resource:
 *   route_health.c   GET /healthz, GET /readyz
 *   route_agents.c   GET /agents/{id}/metrics, GET /metrics/agents
 *   route_system.c   GET /agents/{id}/system
 *   route_history.c  GET /agents/{id}/metrics/history
 *   route_stream.c   GET and POST /agents/{id}/metrics/stream
 *   route_prom.c     GET /metrics (Prometheus)
 * The table binding them to paths is in routes.c.
 */
#ifndef NODELINK_ROUTES_H
#define NODELINK_ROUTES_H

#include "http.h"

enum MHD_Result route_healthz(http_req_t *req);
enum MHD_Result route_readyz(http_req_t *req);
enum MHD_Result route_agent_metrics(http_req_t *req);
enum MHD_Result route_agents_list(http_req_t *req);
enum MHD_Result route_agent_system(http_req_t *req);
enum MHD_Result route_history(http_req_t *req);
enum MHD_Result route_stream(http_req_t *req);
enum MHD_Result route_stream_control(http_req_t *req);
enum MHD_Result route_prometheus(http_req_t *req);

/* 404 for an agent the gateway has never heard of, with the usual body.
 * Shared by the per-agent routes. */
enum MHD_Result route_unknown_agent(http_req_t *req);

/* Control requests through the broker (route_control.c). */

/* Sends mr to the request's agent, suspending the connection; the route is
 * called again when req->control is answered. */
enum MHD_Result route_control_submit(http_req_t *req, const Nodelink__MetricsRequest *mr);

/* Answers a control request that did not complete (failed, timed out,
 * unavailable) with the matching status: 404/503 agent not connected, 504 no
 * answer in time, 400 the agent refused, 503 gateway stopping. */
enum MHD_Result route_control_failure(http_req_t *req);

#endif
