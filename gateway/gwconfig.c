/*
 * gwconfig.c - the gateway's option table. See gwconfig.h.
 */
#include "gwconfig.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

static int s_check_privacy(const void *v, char *err, size_t len)
{
    const char *s = v;
    if (strcmp(s, "keep") && strcmp(s, "anonymize") && strcmp(s, "exclude")) {
        snprintf(err, len, "must be keep, anonymize or exclude");
        return -1;
    }
    return 0;
}

#define T gw_config_t
#define PRIV(key, field, what)                                                                               \
    CONF_OPT_CHECK("privacy." key, CONF_STRING, T, field, "keep", s_check_privacy,                           \
                   what " in API output: keep, anonymize (stable keyed hash) or exclude")
static const conf_option_t s_options[] = {
    CONF_OPT_CHECK("log.level", CONF_STRING, T, log_level, "info", log_level_check,
                   "Log level: debug, info, warn, error"),
    CONF_OPT("http.listen", CONF_STRING, T, listen, "0.0.0.0:8080",
             "HTTP listen address HOST:PORT (IPv4 or [IPv6])"),
    CONF_OPT_RANGE("http.threads", CONF_INT, T, threads, "2", 1, 64,
                   "HTTP worker threads (each runs its own epoll loop)"),
    CONF_OPT_RANGE("http.connection_limit", CONF_INT, T, connection_limit, "20000", 16, 1000000,
                   "Maximum concurrent HTTP connections (SSE streams included)"),
    CONF_OPT_RANGE("http.connection_memory_limit", CONF_SIZE, T, connection_memory, "16KB", 4096, 1 << 20,
                   "Per-connection buffer for request line, headers and output"),
    CONF_OPT_RANGE("http.connection_timeout", CONF_DURATION, T, connection_timeout_ms, "60s", 1000, 3600000,
                   "Idle connections (and clients that stop reading) are closed after this"),
    CONF_OPT_RANGE("http.max_body_size", CONF_SIZE, T, max_body, "64KB", 16, 16 << 20,
                   "Largest request body accepted (413 beyond)"),
    CONF_OPT_RANGE("http.max_uri_length", CONF_INT, T, max_uri, "4096", 64, 65536,
                   "Longest request URI accepted (414 beyond)"),
    CONF_OPT_RANGE("http.max_header_size", CONF_SIZE, T, max_header_bytes, "8KB", 256, 1 << 20,
                   "Largest total size of request headers (431 beyond)"),
    CONF_OPT("http.static_dir", CONF_STRING, T, static_dir, "",
             "Directory of a built dashboard served at / (empty = none)"),
    CONF_OPT("http.tls_cert", CONF_STRING, T, tls_cert, "", "PEM certificate file: enables HTTPS"),
    CONF_OPT("http.tls_key", CONF_STRING, T, tls_key, "", "PEM private key file for HTTPS"),
    CONF_OPT("http.cors_origins", CONF_LIST, T, cors_origins, NULL,
             "Origins allowed by CORS, e.g. [https://ops.example.com] or [\"*\"] (empty = no CORS)"),
    CONF_OPT("broker.subscribe_endpoint", CONF_STRING, T, subscribe_endpoint, "tcp://127.0.0.1:5556",
             "Broker backend (XPUB) the gateway subscribes to"),
    CONF_OPT("broker.client_endpoint", CONF_STRING, T, client_endpoint, "tcp://127.0.0.1:5558",
             "Broker clients ROUTER for agent lists and control requests"),
    CONF_OPT_RANGE("broker.request_timeout", CONF_DURATION, T, request_timeout_ms, "10s", 100, 600000,
                   "How long a control request waits for the agent (504 after)"),
    CONF_OPT_RANGE("broker.list_interval", CONF_DURATION, T, list_interval_ms, "5s", 100, 600000,
                   "How often the agent list is refreshed from the broker"),
    CONF_OPT("redis.url", CONF_STRING, T, redis_url, "redis://127.0.0.1:6379",
             "Redis holding the store's history (redis://[:pw@]host[:port][/db] or unix://path)"),
    CONF_OPT_RANGE("redis.timeout", CONF_DURATION, T, redis_timeout_ms, "2s", 10, 60000,
                   "Redis connect and command timeout"),
    CONF_OPT_RANGE("metrics.storage.max_points_per_query", CONF_INT, T, max_points_per_query, "10000", 1,
                   1000000, "Most points one history query returns (truncated beyond)"),
    CONF_OPT("metrics.api.enable_sse_streaming", CONF_BOOL, T, sse_enabled, "true",
             "Serve GET /agents/{id}/metrics/stream"),
    CONF_OPT_RANGE("metrics.api.max_concurrent_streams", CONF_INT, T, max_streams, "100", 0, 1000000,
                   "Most simultaneous SSE streams (503 with Retry-After beyond)"),
    CONF_OPT_RANGE("metrics.api.sse_keepalive", CONF_DURATION, T, sse_keepalive_ms, "15s", 100, 3600000,
                   "Interval of the SSE keep-alive comment"),
    CONF_OPT_RANGE("metrics.api.sse_client_queue", CONF_INT, T, sse_queue_events, "64", 2, 100000,
                   "Events queued for one SSE client; a client further behind is disconnected"),
    CONF_OPT_RANGE("metrics.api.sse_replay_max", CONF_INT, T, sse_replay_max, "1000", 0, 10000,
                   "Most samples replayed after Last-Event-ID"),
    CONF_OPT_RANGE("metrics.api.rate_limiting.requests_per_minute", CONF_INT, T, requests_per_minute, "60", 0,
                   100000000, "Requests per minute per token (0 = unlimited)"),
    CONF_OPT("auth.enabled", CONF_BOOL, T, auth_enabled, "true",
             "Require bearer tokens (disable only on a trusted loopback)"),
    CONF_OPT("auth.tokens_file", CONF_STRING, T, tokens_file, "",
             "YAML file of token hashes and their roles (see docs/api.md)"),
    PRIV("hostname", privacy_hostname, "Host names"),
    PRIV("ip_addresses", privacy_ip, "IP addresses"),
    PRIV("mac_addresses", privacy_mac, "MAC addresses"),
    CONF_OPT_CHECK("privacy.packages", CONF_STRING, T, privacy_packages, "keep", s_check_privacy,
                   "Installed package lists in API output: keep or exclude (anonymize = exclude)"),
    CONF_OPT("privacy.salt", CONF_STRING, T, privacy_salt, "",
             "Secret mixed into anonymized values (empty = a fixed key: hashes are then guessable)"),
    CONF_OPT("security.curve", CONF_BOOL, T, curve, "false", "Encrypt and authenticate with CURVE"),
    CONF_OPT("security.certificate", CONF_STRING, T, certificate, "",
             "This gateway's secret certificate (zcert file)"),
    CONF_OPT("security.broker_certificate", CONF_STRING, T, broker_certificate, "",
             "The broker's public certificate"),
    /* The store's half of the specification's server block. */
    CONF_OPT_FOREIGN("metrics.storage.retention_period", CONF_DURATION, "nodelink-store"),
    CONF_OPT_FOREIGN("metrics.storage.retention_1m", CONF_DURATION, "nodelink-store"),
    CONF_OPT_FOREIGN("metrics.storage.retention_1h", CONF_DURATION, "nodelink-store"),
    CONF_OPT_FOREIGN("metrics.storage.compression_enabled", CONF_BOOL, "nodelink-store"),
};
#undef T

const conf_schema_t gw_config_schema = {
    .program = "nodelink-gateway",
    .summary = "HTTP REST, Server-Sent Events and Prometheus gateway of nodelink",
    .options = s_options,
    .n_options = sizeof s_options / sizeof s_options[0],
};

int gw_config_finish(const gw_config_t *cfg, char *err, size_t errlen)
{
    if (cfg->auth_enabled && !*cfg->tokens_file) {
        snprintf(err, errlen,
                 "auth.enabled: needs auth.tokens_file (or --auth.enabled=false on a "
                 "trusted loopback)");
        return -1;
    }
    if (!*cfg->tls_cert != !*cfg->tls_key) {
        snprintf(err, errlen, "http.tls_cert and http.tls_key must be given together");
        return -1;
    }
    /* libmicrohttpd holds the request line and headers in the connection's
     * memory and refuses, with its own HTML body, what does not fit; the
     * gateway's limits must trip first so that oversized requests get the
     * JSON error (s_check_sizes in http.c). */
    if (cfg->connection_memory < cfg->max_uri + cfg->max_header_bytes + GW_CONFIG_POOL_MARGIN) {
        snprintf(err, errlen,
                 "http.connection_memory_limit (%lld) must be at least http.max_uri_length + "
                 "http.max_header_size + %d (%lld)",
                 (long long)cfg->connection_memory, GW_CONFIG_POOL_MARGIN,
                 (long long)(cfg->max_uri + cfg->max_header_bytes + GW_CONFIG_POOL_MARGIN));
        return -1;
    }
    if (cfg->curve && (!*cfg->certificate || !*cfg->broker_certificate)) {
        snprintf(err, errlen,
                 "security.curve: needs security.certificate and "
                 "security.broker_certificate");
        return -1;
    }
    return 0;
}
