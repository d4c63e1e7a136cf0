/*
 * routes.c - the route table. Adding a route is one row here plus its
 * handler file (with its per-request state, if it keeps one: see
 * http_req_set_state); docs/openapi.yaml must document it (a test checks).
 * GETs outside /api that match no route go to the dashboard's files.
 */
#include "routes.h"

static const route_t routes[] = {
    {"GET", "/healthz", route_healthz, ROUTE_PUBLIC},
    {"GET", "/readyz", route_readyz, ROUTE_PUBLIC},
    {"GET", "/metrics", route_prometheus, 0},
    {"GET", "/metrics/agents", route_agents_list, 0},
    {"GET", "/agents/{id}/metrics", route_agent_metrics, 0},
    {"GET", "/agents/{id}/system", route_agent_system, 0},
    {"GET", "/agents/{id}/metrics/history", route_history, 0},
    {"GET", "/agents/{id}/metrics/stream", route_stream, ROUTE_QUERY_TOKEN},
    {"POST", "/agents/{id}/metrics/stream", route_stream_control, 0},
};

const route_table_t routes_table = {routes, sizeof routes / sizeof routes[0], static_serve};
