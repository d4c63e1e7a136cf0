/*
 * query.h - the store's query library (`nodelink_query`): reads the history
 * nodelink-store writes into Redis. Linked by the gateway; the store itself
 * uses the same key schema (see docs/storage.md).
 *
 * One query_ctx_t owns one hiredis connection. It connects lazily on the
 * first call, and after any connection-level failure it drops the
 * connection and reconnects on the next call (no sleeping, no background
 * retry: the caller decides when to call again). A context is NOT
 * thread-safe: use it from one thread at a time (one context per thread if
 * several threads query). Distinct contexts share nothing.
 *
 * Every call returns a query_status_t and, on failure, fills a query_error_t
 * with a one-line message fit for an HTTP error body ("unknown metric
 * 'cpu.usge_percent'", "start (1700000100) is after end (1700000000)",
 * "redis 127.0.0.1:6379: Connection refused"). The library never logs.
 *
 * Units: history start/end/timestamps are Unix SECONDS (as the
 * specification's MetricsQueryRequest and history endpoint); raw samples
 * and last-seen times are Unix MILLISECONDS (as MetricsDataResponse).
 *
 * Ownership: every result is allocated by the library and returned through
 * an out-pointer; the caller frees it with the matching *_free function,
 * which NULLs the pointer and accepts NULL. On failure *out is left NULL.
 */
#ifndef NODELINK_QUERY_H
#define NODELINK_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    QUERY_OK = 0,
    QUERY_NOT_FOUND,   /* agent never seen by the store / no system info stored */
    QUERY_BAD_REQUEST, /* the request itself is invalid: message says why (HTTP 400) */
    QUERY_UNAVAILABLE, /* Redis unreachable, timed out or loading (HTTP 503) */
    QUERY_ERROR,       /* anything else: out of memory, unexpected reply (HTTP 500) */
} query_status_t;

#define QUERY_MESSAGE_MAX 256

typedef struct {
    query_status_t status;
    char message[QUERY_MESSAGE_MAX];
} query_error_t;

/* "ok", "not_found", "bad_request", "unavailable", "error". */
const char *query_status_name(query_status_t status);

/* ------------------------------------------------------------------ context */

typedef struct query_ctx_t query_ctx_t;

/* Creates a context for redis_url ("redis://[:password@]host[:port][/db]"
 * or "unix:///path/to/socket[?db=N]"); timeout_ms bounds connect and each
 * command (<= 0: 2000 ms). Does not connect. NULL (with err filled,
 * status QUERY_BAD_REQUEST) when the URL is malformed. */
query_ctx_t *query_ctx_new(const char *redis_url, int64_t timeout_ms, query_error_t *err);

/* Closes the connection and frees the context; NULLs *self. Safe on NULL. */
void query_ctx_destroy(query_ctx_t **self);

/* True while the context holds a live connection (after a successful call). */
bool query_ctx_connected(const query_ctx_t *self);

/* ------------------------------------------------------------------ history */

typedef enum {
    QUERY_TIER_RAW = 0, /* every sample, entry per sample */
    QUERY_TIER_1M,      /* 1-minute rollups (avg/min/max/count per metric) */
    QUERY_TIER_1H,      /* 1-hour rollups */
    QUERY_TIER_COUNT
} query_tier_t;

/* "raw", "1m", "1h". */
const char *query_tier_name(query_tier_t tier);

/* Bucket width of a tier in seconds (raw: 0). */
int64_t query_tier_seconds(query_tier_t tier);

/* Requests beyond these bounds are QUERY_BAD_REQUEST. */
#define QUERY_MAX_METRICS 256
#define QUERY_MAX_TIMESTAMP 253402300799LL            /* 9999-12-31T23:59:59Z, seconds */
#define QUERY_MAX_RANGE_SECONDS (100LL * 366 * 86400) /* a century */
#define QUERY_MAX_INTERVAL_SECONDS (366LL * 86400)
#define QUERY_MAX_POINTS_LIMIT 1000000u

typedef struct {
    const char *agent_id;       /* [A-Za-z0-9_.-]{1,64} */
    const char *const *metrics; /* full metric names (metric_lookup must know each) */
    size_t n_metrics;           /* 1 .. QUERY_MAX_METRICS */
    int64_t start;              /* Unix seconds, inclusive */
    int64_t end;                /* Unix seconds, inclusive; start <= end */
    int64_t interval;           /* bucket width in seconds, >= 1 */
    uint32_t max_points;        /* 1 .. QUERY_MAX_POINTS_LIMIT; 0 = 10000 */
} query_history_req_t;

/*
 * The result: n_points rows, oldest first; row i is bucket timestamps[i]
 * (bucket start, a multiple of interval, Unix seconds) with one column per
 * requested metric, in request order. Only buckets holding at least one value
 * of at least one requested metric are rows. A metric without samples in a
 * bucket has present[] false there (its value is 0: do not print it).
 *
 * Each value is the average of the metric's samples in the bucket (rollup
 * tiers merge exactly: average weighted by count). truncated is true when
 * more than max_points buckets had data: the oldest max_points are returned.
 * tier is the coarsest tier read (the newest part of the range, not yet
 * rolled up, is completed from finer tiers).
 */
typedef struct {
    size_t n_metrics;
    char **metrics; /* n_metrics copies of the requested names */
    size_t n_points;
    int64_t *timestamps; /* n_points */
    double *values;      /* n_points * n_metrics, row-major: values[i * n_metrics + m] */
    bool *present;       /* same shape as values */
    bool truncated;
    query_tier_t tier;
    int64_t interval;   /* as requested */
    int64_t start, end; /* as requested */
} query_history_t;

/* Runs a bucketed history query. QUERY_NOT_FOUND when the agent is not in
 * the agent index; QUERY_BAD_REQUEST for an invalid agent id, empty or
 * too long metric list, unknown metric, start > end, interval < 1, a
 * timestamp that looks like milliseconds, absurd ranges; QUERY_UNAVAILABLE
 * when Redis cannot be reached. A range beyond retention returns what exists
 * (possibly zero points, QUERY_OK). */
query_status_t query_history(query_ctx_t *self, const query_history_req_t *req, query_history_t **out,
                             query_error_t *err);

void query_history_free(query_history_t **self);

/* Value of metric column m in row i: true and *value set when present. */
bool query_history_value(const query_history_t *self, size_t i, size_t m, double *value);

/* ------------------------------------------------------------------ raw samples */

typedef struct {
    char *name; /* metric name, e.g. "cpu.usage_percent" */
    double value;
} query_pair_t;

typedef struct {
    int64_t timestamp_ms; /* sample timestamp (stream entry id's ms part) */
    uint64_t id_seq;      /* stream entry id's sequence part (0 unless two
                           * samples shared a millisecond) */
    size_t n_values;
    query_pair_t *values; /* in stored order: a hot sample's as written
                           * (metric namespace order), a compacted one's
                           * by name */
} query_sample_t;

typedef struct {
    size_t n_samples;
    query_sample_t *samples; /* oldest first */
    bool more;               /* more samples exist after the last one returned */
} query_samples_t;

#define QUERY_MAX_SAMPLES 10000u

/* Raw samples of agent_id whose timestamp is strictly greater than after_ms
 * (for SSE Last-Event-ID replay: pass the last event's timestamp), oldest
 * first, at most max_count (1 .. QUERY_MAX_SAMPLES), hot and compacted
 * alike. An unknown agent yields QUERY_OK with zero samples (the gateway
 * decides what unknown means). A compacted span that cannot be decoded is
 * QUERY_ERROR (the message names the agent, tier and span). */
query_status_t query_samples_after(query_ctx_t *self, const char *agent_id, int64_t after_ms,
                                   size_t max_count, query_samples_t **out, query_error_t *err);

void query_samples_free(query_samples_t **self);

/* ------------------------------------------------------------------ stored rows */

/*
 * Called for each stored row: its id (the stream entry id <ts_ms>-<seq>)
 * and its n cells, names[i] holding values[i], the exact stored strings
 * (raw tier: lean decimals such as "23.46", "34359738368"; rollup tiers:
 * "avg min max count" or "value count"), sorted by name (bytewise), so the
 * same row gives the same call whether it was hot or compacted. Everything
 * is borrowed for the call. Return 0 to go on, anything else to stop.
 */
typedef int (*query_row_fn)(void *arg, int64_t ts_ms, uint64_t seq, const char *const *names,
                            const char *const *values, size_t n);

/* Visits every row of agent_id's tier (QUERY_TIER_RAW: every sample; 1M,
 * 1H: the rollup entries) stored with from_ms <= ts_ms <= to_ms (Unix ms,
 * inclusive; to_ms INT64_MAX: no end), oldest first, each exactly once,
 * whether it is a hot stream entry or compacted into a chunk, and while
 * the store compacts (for export: nodelinkctl export). Only that tier is
 * read (no completion from finer tiers). Rows are passed on as they are
 * read, a few thousand at a time, so memory stays bounded and a failure
 * can come after some rows were visited.
 * QUERY_OK (also when fn stopped the walk: the caller knows why);
 * QUERY_NOT_FOUND when the agent is not in the agent index;
 * QUERY_BAD_REQUEST for an invalid agent id or tier, from_ms < 0 or
 * from_ms > to_ms; QUERY_UNAVAILABLE when Redis cannot be reached;
 * QUERY_ERROR for a compacted span that cannot be decoded (the message
 * names the agent, tier and span) or an unexpected reply. */
query_status_t query_rows(query_ctx_t *self, const char *agent_id, query_tier_t tier, int64_t from_ms,
                          int64_t to_ms, query_row_fn fn, void *arg, query_error_t *err);

/* ------------------------------------------------------------------ system info */

/* The latest system information of agent_id as the JSON text of the
 * specification's GET /agents/{id}/system body (with "agent_id" and
 * "timestamp" in ms). *json_out is malloc'd; caller frees with free().
 * QUERY_NOT_FOUND when none is stored. */
query_status_t query_system_info(query_ctx_t *self, const char *agent_id, char **json_out,
                                 query_error_t *err);

/* ------------------------------------------------------------------ agent index */

typedef struct {
    char id[65];          /* agent id, NUL-terminated */
    int64_t last_seen_ms; /* Unix ms of the newest sample/system info stored */
} query_agent_t;

typedef struct {
    size_t n_agents;
    query_agent_t *agents; /* sorted by id */
} query_agents_t;

/* Every agent the store has written data for. */
query_status_t query_agents(query_ctx_t *self, query_agents_t **out, query_error_t *err);

void query_agents_free(query_agents_t **self);

#endif
