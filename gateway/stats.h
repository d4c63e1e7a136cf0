/*
 * stats.h - the gateway's own counters (exported on GET /metrics).
 *
 * Lock-free: every counter is an atomic incremented from any thread.
 */
#ifndef NODELINK_GW_STATS_H
#define NODELINK_GW_STATS_H

#include <stdatomic.h>
#include <stdint.h>

typedef enum {
    STAT_FRAMES = 0,           /* published frames received */
    STAT_FRAMES_INVALID,       /* frames rejected by the wire decoder */
    STAT_HTTP_REQUESTS,        /* HTTP requests answered */
    STAT_HTTP_4XX,             /* ... with a 4xx status */
    STAT_HTTP_5XX,             /* ... with a 5xx status */
    STAT_AUTH_FAILURES,        /* 401 and 403 answers */
    STAT_RATE_LIMITED,         /* 429 answers */
    STAT_SSE_OPENED,           /* streams accepted */
    STAT_SSE_REJECTED,         /* streams refused by max_concurrent_streams */
    STAT_SSE_SLOW_DISCONNECTS, /* streams closed because the client fell behind */
    STAT_SSE_EVENTS,           /* events queued to streams */
    STAT_CONTROL_REQUESTS,     /* control requests sent to the broker */
    STAT_CONTROL_TIMEOUTS,     /* ... that got no answer in time */
    STAT_COUNT
} stat_id_t;

typedef struct {
    atomic_uint_fast64_t v[STAT_COUNT];
} gw_stats_t;

static inline void stats_inc(gw_stats_t *s, stat_id_t id)
{
    atomic_fetch_add_explicit(&s->v[id], 1, memory_order_relaxed);
}

static inline uint64_t stats_get(gw_stats_t *s, stat_id_t id)
{
    return atomic_load_explicit(&s->v[id], memory_order_relaxed);
}

/* Prometheus name (without the nodelink_gateway_ prefix) and help text. */
const char *stats_name(stat_id_t id);
const char *stats_help(stat_id_t id);

#endif
