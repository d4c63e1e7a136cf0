/*
 * store_config.c - the store's option table. See store_config.h.
 */
#include "store_config.h"

#include <stddef.h>

#include "log.h"
#include "numfmt.h"

static const conf_option_t s_options[] = {
    CONF_OPT_CHECK("log.level", CONF_STRING, store_config_t, log_level, "info", log_level_check,
                   "Log level: debug, info, warn, error"),
    CONF_OPT("broker.subscribe_endpoint", CONF_STRING, store_config_t, subscribe_endpoint,
             "tcp://127.0.0.1:5556", "Broker XPUB endpoint the store subscribes to"),
    CONF_OPT("broker.publish_endpoint", CONF_STRING, store_config_t, publish_endpoint, "tcp://127.0.0.1:5555",
             "Broker XSUB endpoint the store publishes its health to"),
    CONF_OPT("redis.url", CONF_STRING, store_config_t, redis_url, "redis://127.0.0.1:6379",
             "redis://[:password@]host[:port][/db] or unix:///path[?db=N]"),
    CONF_OPT_RANGE("redis.timeout", CONF_DURATION, store_config_t, redis_timeout_ms, "1s", 10, 60000,
                   "Connect and command timeout"),
    CONF_OPT_RANGE("store.reconnect_backoff_max", CONF_DURATION, store_config_t, backoff_max_ms, "5s", 10,
                   300000, "Longest wait between reconnection attempts"),
    CONF_OPT_RANGE("metrics.storage.retention_period", CONF_DURATION, store_config_t, retention_raw_ms, "7d",
                   1000, 36500LL * 86400000, "How long raw samples are kept"),
    CONF_OPT_RANGE("metrics.storage.retention_1m", CONF_DURATION, store_config_t, retention_1m_ms, "90d",
                   60000, 36500LL * 86400000, "How long 1-minute rollups are kept"),
    CONF_OPT_RANGE("metrics.storage.retention_1h", CONF_DURATION, store_config_t, retention_1h_ms, "730d",
                   3600000, 36500LL * 86400000, "How long 1-hour rollups are kept"),
    CONF_OPT("metrics.storage.compression_enabled", CONF_BOOL, store_config_t, compression, "true",
             "Lean value encoding: non-integer metrics rounded to store.decimals places (false: 9 places)"),
    CONF_OPT_RANGE("store.decimals", CONF_INT, store_config_t, decimals, "2", 0, 9,
                   "Decimal places kept for non-integer metrics (with compression_enabled)"),
    CONF_OPT_RANGE("store.batch_size", CONF_INT, store_config_t, batch_size, "256", 1, 100000,
                   "Samples written per pipelined batch"),
    CONF_OPT_RANGE("store.flush_interval", CONF_DURATION, store_config_t, flush_interval_ms, "50ms", 1, 10000,
                   "Longest a received sample waits before it is written"),
    CONF_OPT_RANGE("store.buffer_max", CONF_SIZE, store_config_t, buffer_max_bytes, "64MB", 4096, 1LL << 40,
                   "Memory for samples waiting while Redis is unavailable"),
    CONF_OPT_RANGE("store.trim_interval", CONF_DURATION, store_config_t, trim_interval_ms, "60s", 100,
                   86400000, "Period of exact retention trimming (XTRIM MINID)"),
    CONF_OPT_RANGE("store.rollup_idle_close", CONF_DURATION, store_config_t, rollup_idle_ms, "90s", 100,
                   86400000, "Write an agent's open rollup buckets once it was silent this long"),
    CONF_OPT_RANGE("store.health_interval", CONF_DURATION, store_config_t, health_interval_ms, "10s", 100,
                   3600000, "Period of health frames and health log lines"),
    CONF_OPT_RANGE("store.stream_node_max_bytes", CONF_SIZE, store_config_t, stream_node_max_bytes, "0", 0,
                   1LL << 30,
                   "If set, CONFIG SET stream-node-max-bytes on connect (server-wide; 0 = leave it)"),
    CONF_OPT("store.compaction", CONF_BOOL, store_config_t, compaction, "true",
             "Compact stream entries older than the hot windows into compressed chunks (docs/storage.md)"),
    CONF_OPT_RANGE("store.hot_window", CONF_DURATION, store_config_t, hot_window_ms, "2h", 0,
                   36500LL * 86400000, "Raw samples newer than this stay readable stream entries"),
    CONF_OPT_RANGE("store.hot_window_1m", CONF_DURATION, store_config_t, hot_window_1m_ms, "1d", 0,
                   36500LL * 86400000, "1-minute rollups newer than this stay readable stream entries"),
    CONF_OPT_RANGE("store.hot_window_1h", CONF_DURATION, store_config_t, hot_window_1h_ms, "30d", 0,
                   36500LL * 86400000, "1-hour rollups newer than this stay readable stream entries"),
    CONF_OPT_RANGE("store.compact_budget", CONF_DURATION, store_config_t, compact_budget_ms, "100ms", 1,
                   60000, "Longest compaction turn of each upkeep pass (writes wait meanwhile)"),
    CONF_OPT_RANGE("store.upkeep_interval", CONF_DURATION, store_config_t, upkeep_interval_ms, "1s", 10,
                   60000, "Period of upkeep: idle rollup buckets closed, spans compacted"),
    CONF_OPT("security.curve", CONF_BOOL, store_config_t, curve, "false",
             "Authenticate and encrypt broker connections with CURVE"),
    CONF_OPT("security.certificate", CONF_STRING, store_config_t, certificate, NULL,
             "This store's secret certificate (zcert file)"),
    CONF_OPT("security.broker_certificate", CONF_STRING, store_config_t, broker_certificate, NULL,
             "The broker's public certificate (zcert file)"),
    /* The gateway's half of the specification's server block. */
    CONF_OPT_FOREIGN("metrics.storage.max_points_per_query", CONF_INT, "nodelink-gateway"),
    CONF_OPT_FOREIGN("metrics.api.enable_sse_streaming", CONF_BOOL, "nodelink-gateway"),
    CONF_OPT_FOREIGN("metrics.api.max_concurrent_streams", CONF_INT, "nodelink-gateway"),
    CONF_OPT_FOREIGN("metrics.api.rate_limiting.requests_per_minute", CONF_INT, "nodelink-gateway"),
};

const conf_schema_t store_config_schema = {
    "nodelink-store",
    "persists nodelink samples and system information into Redis streams",
    s_options,
    sizeof s_options / sizeof s_options[0],
};

int store_config_decimals(const store_config_t *cfg)
{
    return cfg->compression ? (int)cfg->decimals : NUMFMT_DECIMALS_MAX;
}
