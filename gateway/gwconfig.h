/*
 * gwconfig.h - the gateway's settings and their one declarative table.
 *
 * Every key is documented in docs/configuration.md (section "Gateway") and
 * listed by `nodelink-gateway --help`.
 */
#ifndef NODELINK_GWCONFIG_H
#define NODELINK_GWCONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

typedef struct {
    char *log_level;
    /* http */
    char *listen;
    int64_t threads;
    int64_t connection_limit;
    int64_t connection_memory;
    int64_t connection_timeout_ms;
    int64_t max_body;
    int64_t max_uri;
    int64_t max_header_bytes;
    char *static_dir;
    char *tls_cert;
    char *tls_key;
    conf_list_t cors_origins;
    /* broker */
    char *subscribe_endpoint;
    char *client_endpoint;
    int64_t request_timeout_ms;
    int64_t list_interval_ms;
    /* redis / store */
    char *redis_url;
    int64_t redis_timeout_ms;
    int64_t max_points_per_query;
    /* api */
    bool sse_enabled;
    int64_t max_streams;
    int64_t sse_keepalive_ms;
    int64_t sse_queue_events;
    int64_t sse_replay_max;
    int64_t requests_per_minute;
    /* auth */
    bool auth_enabled;
    char *tokens_file;
    /* privacy: keep | anonymize | exclude */
    char *privacy_hostname;
    char *privacy_ip;
    char *privacy_mac;
    char *privacy_packages;
    char *privacy_salt;
    /* security */
    bool curve;
    char *certificate;
    char *broker_certificate;
} gw_config_t;

extern const conf_schema_t gw_config_schema;

/* Bytes of http.connection_memory_limit beyond the URI and header limits:
 * libmicrohttpd's own records of the request (one per header, about 64
 * bytes each) and the start of the reply come out of the same memory. */
#define GW_CONFIG_POOL_MARGIN 2048

/* Cross-key checks (auth needs a tokens file, TLS needs key and cert, the
 * connection memory holds the largest request the limits let through).
 * 0, or -1 with a one-line reason in err. */
int gw_config_finish(const gw_config_t *cfg, char *err, size_t errlen);

#endif
