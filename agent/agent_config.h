/*
 * agent_config.h - the agent's settings and their one declarative table.
 *
 * Every key is documented in docs/configuration.md (section "Agent") and
 * listed by `nodelink-agent --help`.
 */
#ifndef NODELINK_AGENT_CONFIG_H
#define NODELINK_AGENT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "metricname.h"

typedef struct {
    char *log_level;
    char *id;        /* empty = the hostname, resolved by agent_config_finish */
    char *proc_root; /* "/proc" */
    char *sys_root;  /* "/sys" */
    int64_t heartbeat_ms;
    int64_t sysinfo_check_ms; /* how often system information is checked for changes */
    int64_t trim_ms;          /* working-set trim interval, 0 = never (memtrim.h) */
    char *publish_endpoint;
    char *control_endpoint;
    bool metrics_enabled;
    int64_t interval_ms;
    int64_t retention_ms;
    int64_t history_max_bytes;
    conf_list_t collected;
    conf_list_t exclude;
    bool tracking_enabled;
    bool track_task_processes;
    int64_t task_scan_ms;
    bool curve;
    char *certificate;
    char *broker_certificate;
} agent_config_t;

extern const conf_schema_t agent_config_schema;

/* Fills in what the table cannot default (agent.id from the hostname) and
 * checks cross-key rules. 0, or -1 with a one-line reason in err. */
int agent_config_finish(agent_config_t *cfg, char *err, size_t errlen);

/* The metric selection of the configuration (borrows cfg's lists). */
metric_selection_t agent_config_selection(const agent_config_t *cfg);

#endif
