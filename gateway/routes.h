/*
 * routes.h - the route handlers, one file per resource:
 *   route_health.c   GET /healthz, GET /readyz
 *   route_agents.c   GET /agents/{id}/metrics, GET /metrics/agents
 *   route_system.c   GET /agents/{id}/system
 *   route_history.c  GET /agents/{id}/metrics/history
 *   route_stream.c   GET and POST /agents/{id}/metrics/stream
 *   route_prom.c     GET /metrics (Prometheus)
 *   static.c         the dashboard's files (the table's fallback)
 * The table binding them to paths is in routes.c. route_control.c is the
 * HTTP half of control requests, shared by route_system.c and
 * route_stream.c.
 */
#ifndef NODELINK_ROUTES_H
#define NODELINK_ROUTES_H

#include "control.h"
#include "http.h"

/* The gateway's routes (routes.c), given to http_server_new. */
extern const route_table_t routes_table;

enum MHD_Result route_healthz(http_req_t *req);
enum MHD_Result route_readyz(http_req_t *req);
enum MHD_Result route_agent_metrics(http_req_t *req);
enum MHD_Result route_agents_list(http_req_t *req);
enum MHD_Result route_agent_system(http_req_t *req);
enum MHD_Result route_history(http_req_t *req);
enum MHD_Result route_stream(http_req_t *req);
enum MHD_Result route_stream_control(http_req_t *req);
enum MHD_Result route_prometheus(http_req_t *req);

/* Serves a file of cfg->static_dir (static.c); 404 when there is none. */
enum MHD_Result static_serve(http_req_t *req);

/* 404 for an agent the gateway has never heard of, with the usual body.
 * Shared by the per-agent routes. */
enum MHD_Result route_unknown_agent(http_req_t *req);

/* Control requests through the broker (route_control.c). */

/* Sends mr to the request's agent, suspending the connection; the request
 * keeps the control request as its state, and the route is called again
 * when it is answered (route_control_of then returns it). */
enum MHD_Result route_control_submit(http_req_t *req, const Nodelink__MetricsRequest *mr);

/* The request's control request, NULL before route_control_submit. */
control_req_t *route_control_of(const http_req_t *req);

/* Answers a control request that did not complete with the HTTP status of
 * its failure code (one table, route_control.c; docs/api.md lists it) and
 * the code's name in the error body. */
enum MHD_Result route_control_failure(http_req_t *req);

#endif
