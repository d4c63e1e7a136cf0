/*
 * routes.c - the route table. Adding a route is one row here plus its
 * handler file; docs/openapi.yaml must document it (a test checks).
 */
#include "routes.h"

const route_t routes[] = {
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
const size_t routes_count = sizeof routes / sizeof routes[0];
