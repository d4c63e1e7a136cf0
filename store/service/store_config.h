/*
 * store_config.h - nodelink-store's settings and their one declarative table.
 *
 * Every key is documented in docs/configuration.md (section "Store") and
 * listed by `nodelink-store --help`.
 */
#ifndef NODELINK_STORE_CONFIG_H
#define NODELINK_STORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

typedef struct {
    char *log_level;
    char *subscribe_endpoint; /* broker XPUB: samples, system info, status */
    char *publish_endpoint;   /* broker XSUB: our health frames */
    char *redis_url;
    int64_t redis_timeout_ms;
    int64_t backoff_max_ms;   /* reconnect backoff ceiling */
    int64_t retention_raw_ms; /* metrics.storage.retention_period */
    int64_t retention_1m_ms;
    int64_t retention_1h_ms;
    int64_t decimals;          /* places kept for non-integer metrics */
    bool compression;          /* metrics.storage.compression_enabled: false keeps 9 places */
    int64_t batch_size;        /* samples per pipelined write */
    int64_t flush_interval_ms; /* longest a sample waits for a batch */
    int64_t buffer_max_bytes;  /* in-memory buffer bound while Redis is away */
    int64_t trim_interval_ms;  /* exact MINID trimming period */
    int64_t rollup_idle_ms;    /* close an idle agent's open rollup buckets */
    int64_t health_interval_ms;
    int64_t stream_node_max_bytes; /* CONFIG SET on connect; 0 = leave Redis's */
    bool compaction;               /* spans past the hot windows into chunks */
    int64_t hot_window_ms;         /* raw samples kept as stream entries */
    int64_t hot_window_1m_ms;      /* 1-minute rollups kept as stream entries */
    int64_t hot_window_1h_ms;      /* 1-hour rollups kept as stream entries */
    int64_t compact_budget_ms;     /* longest compaction turn of each upkeep pass */
    int64_t upkeep_interval_ms;    /* period of upkeep: idle buckets, compaction */
    bool curve;
    char *certificate;
    char *broker_certificate;
} store_config_t;

extern const conf_schema_t store_config_schema;

/* Decimal places stored for non-integer metrics: store.decimals, or the
 * most numfmt keeps (9) when compression is disabled. */
int store_config_decimals(const store_config_t *cfg);

#endif
