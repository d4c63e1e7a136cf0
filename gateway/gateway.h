/*
 * gateway.h - the gateway's context: every component, wired by main.c and
 * passed to each HTTP request (no global state).
 *
 * Threads: the feed thread (ZeroMQ, feed.h) writes the agent table and
 * publishes to the SSE hub; libmicrohttpd's worker threads (http.threads,
 * each an epoll loop) run the route handlers. They share only the objects
 * below, each thread-safe as its header says (agents, hub, limiter, qpool,
 * stats) or immutable after start (cfg, auth, privacy).
 */
#ifndef NODELINK_GATEWAY_H
#define NODELINK_GATEWAY_H

#include <stdatomic.h>
#include <stdint.h>

#include "roster.h"
#include "auth.h"
#include "feed.h"
#include "gwconfig.h"
#include "privacy.h"
#include "qpool.h"
#include "ratelimit.h"
#include "sse.h"
#include "stats.h"

typedef struct {
    const gw_config_t *cfg;
    gw_stats_t stats;
    roster_t *agents;
    sse_hub_t *hub;
    feed_t *feed;
    auth_t *auth; /* NULL when auth.enabled is false */
    ratelimit_t *limiter;
    privacy_t *privacy;
    qpool_t *qpool;
    atomic_uint_fast64_t control_seq;
    int64_t started_ms;
} gateway_t;

#endif
