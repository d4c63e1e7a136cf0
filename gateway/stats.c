/*
 * stats.c - counter names. See stats.h.
 */
#include "stats.h"

static const struct {
    const char *name, *help;
} s_names[STAT_COUNT] = {
    [STAT_FRAMES] = {"frames_received_total", "Published frames received from the broker"},
    [STAT_FRAMES_INVALID] = {"frames_invalid_total", "Published frames dropped as invalid"},
    [STAT_HTTP_REQUESTS] = {"http_responses_total", "HTTP responses sent"},
    [STAT_HTTP_4XX] = {"http_client_errors_total", "HTTP responses with a 4xx status"},
    [STAT_HTTP_5XX] = {"http_server_errors_total", "HTTP responses with a 5xx status"},
    [STAT_AUTH_FAILURES] = {"auth_failures_total", "Requests refused with 401 or 403"},
    [STAT_RATE_LIMITED] = {"rate_limited_total", "Requests refused with 429"},
    [STAT_SSE_OPENED] = {"sse_streams_opened_total", "SSE streams accepted"},
    [STAT_SSE_REJECTED] = {"sse_streams_rejected_total", "SSE streams refused (stream limit)"},
    [STAT_SSE_SLOW_DISCONNECTS] = {"sse_slow_client_disconnects_total",
                                   "SSE streams closed because the client fell behind"},
    [STAT_SSE_EVENTS] = {"sse_events_total", "SSE events queued to streams"},
    [STAT_CONTROL_REQUESTS] = {"control_requests_total", "Control requests sent to the broker"},
    [STAT_CONTROL_TIMEOUTS] = {"control_timeouts_total", "Control requests without an answer in time"},
};

const char *stats_name(stat_id_t id)
{
    return id < STAT_COUNT ? s_names[id].name : "";
}

const char *stats_help(stat_id_t id)
{
    return id < STAT_COUNT ? s_names[id].help : "";
}
