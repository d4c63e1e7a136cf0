/*
 * broker_config.h - the broker's settings: one declarative option table
 * (common/config.h) gives the YAML file, --dotted.key overrides and --help.
 *
 * Every key is documented in docs/configuration.md ("Broker").
 */
#ifndef NODELINK_BROKER_CONFIG_H
#define NODELINK_BROKER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

typedef struct {
    char *log_level;
    char *frontend;       /* XSUB bind: agents publish here */
    char *backend;        /* XPUB bind: subscribers connect here */
    char *agents;         /* ROUTER bind: agents' control DEALERs */
    char *clients;        /* ROUTER bind: clients' control DEALERs */
    int64_t heartbeat_ms; /* interval agents are told to heartbeat at */
    int64_t request_timeout_ms;
    int64_t max_frame_size; /* largest published body forwarded */
    int64_t max_agents;     /* agents tracked at once (registry + sequences) */
    int64_t health_interval_ms;
    bool curve;
    char *certificate;     /* the broker's own secret certificate */
    char *agents_dir;      /* public certificates allowed to act as agents */
    char *subscribers_dir; /* ... allowed to subscribe */
    char *clients_dir;     /* ... allowed to send control requests (and subscribe) */
} broker_config_t;

/* The option table of nodelink-broker. */
const conf_schema_t *broker_config_schema(void);

#endif
