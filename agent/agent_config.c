/*
 * agent_config.c - the agent's option table. See agent_config.h.
 */
#include "agent_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curvekey.h"
#include "log.h"
#include "topic.h"

static int s_check_id(const void *v, char *err, size_t len)
{
    const char *id = v;
    if (*id && !topic_id_valid(id)) {
        snprintf(err, len, "'%s' is not a valid agent id (1-64 characters of A-Z a-z 0-9 _ . -)", id);
        return -1;
    }
    return 0;
}

static int s_check_selector(const void *v, char *err, size_t len)
{
    if (!metric_selector_valid(v)) {
        snprintf(err, len, "'%s' matches no metric (see docs/metrics.md)", (const char *)v);
        return -1;
    }
    return 0;
}

#define T agent_config_t
static const conf_option_t s_options[] = {
    CONF_OPT_CHECK("log.level", CONF_STRING, T, log_level, "info", log_level_check,
                   "Log level: debug, info, warn, error"),
    CONF_OPT_CHECK("agent.id", CONF_STRING, T, id, "", s_check_id,
                   "Agent id, 1-64 of [A-Za-z0-9_.-] (default: the hostname)"),
    CONF_OPT("agent.proc_root", CONF_STRING, T, proc_root, "/proc",
             "Where procfs is mounted (the host's /proc when containerised)"),
    CONF_OPT("agent.sys_root", CONF_STRING, T, sys_root, "/sys", "Where sysfs is mounted"),
    CONF_OPT_RANGE("agent.heartbeat_interval", CONF_DURATION, T, heartbeat_ms, "2s", 100, 3600000,
                   "Heartbeat interval on the control connection"),
    CONF_OPT_RANGE("agent.system_info_check_interval", CONF_DURATION, T, sysinfo_check_ms, "30s", 1000,
                   86400000,
                   "How often system information is checked for changes (republished when changed)"),
    CONF_OPT_RANGE(
        "agent.trim_interval", CONF_DURATION, T, trim_ms, "10m", 0, 86400000,
        "How often library code pages the agent no longer runs are unmapped (0: never); see docs/agent.md"),
    CONF_OPT("broker.publish_endpoint", CONF_STRING, T, publish_endpoint, "tcp://127.0.0.1:5555",
             "Broker frontend (XSUB) the agent publishes to"),
    CONF_OPT("broker.control_endpoint", CONF_STRING, T, control_endpoint, "tcp://127.0.0.1:5557",
             "Broker agents ROUTER for registration, heartbeats and requests"),
    CONF_OPT("metrics.enabled", CONF_BOOL, T, metrics_enabled, "true",
             "Stream samples from start (a MetricsStreamRequest can start/stop at run time)"),
    CONF_OPT_RANGE("metrics.collection_interval", CONF_DURATION, T, interval_ms, "5s", 100, 3600000,
                   "Sampling interval (100ms..1h); samples land on multiples of it"),
    CONF_OPT_RANGE("metrics.retention_period", CONF_DURATION, T, retention_ms, "24h", 0, 366LL * 86400000,
                   "How long the in-memory history ring keeps samples (also bounded by history_max_size)"),
    CONF_OPT_RANGE("metrics.history_max_size", CONF_SIZE, T, history_max_bytes, "512KB", 0, 1LL << 32,
                   "Memory bound of the history ring (encoded samples); 0 disables history"),
    CONF_OPT_CHECK("metrics.collected_metrics", CONF_LIST, T, collected, NULL, s_check_selector,
                   "Metric selectors to collect (empty = all), e.g. [cpu, memory, disk, network, load]"),
    CONF_OPT_CHECK("metrics.exclude_metrics", CONF_LIST, T, exclude, NULL, s_check_selector,
                   "Metric selectors never collected, e.g. [cpu.temperature]"),
    CONF_OPT("metrics.process_tracking.enabled", CONF_BOOL, T, tracking_enabled, "true",
             "Collect process counts and per-task processes"),
    CONF_OPT("metrics.process_tracking.track_task_processes", CONF_BOOL, T, track_task_processes, "true",
             "Attribute processes to tasks (NODELINK_TASK_ID or registration)"),
    CONF_OPT_RANGE("metrics.process_tracking.scan_interval", CONF_DURATION, T, task_scan_ms, "10s", 100,
                   3600000,
                   "Minimum interval of full /proc scans: process counts, and finding task "
                   "processes when the kernel's process connector is unavailable"),
    CONF_OPT("security.curve", CONF_BOOL, T, curve, "false", "Encrypt and authenticate with CURVE"),
    CONF_OPT("security.certificate", CONF_STRING, T, certificate, "",
             "This agent's secret certificate (zcert file); its public key identifies the agent"),
    CONF_OPT("security.broker_certificate", CONF_STRING, T, broker_certificate, "",
             "The broker's public certificate (zcert file)"),
};
#undef T

const conf_schema_t agent_config_schema = {"nodelink-agent",
                                           "collects host metrics and publishes them to a nodelink broker",
                                           s_options, sizeof s_options / sizeof s_options[0]};

int agent_config_finish(agent_config_t *cfg, char *err, size_t errlen)
{
    if (!cfg->id || !*cfg->id) {
        char host[256] = "";
        if (gethostname(host, sizeof host - 1) != 0 || !topic_id_valid(host)) {
            snprintf(err, errlen,
                     "agent.id: the hostname '%s' is not a valid agent id; set agent.id explicitly", host);
            return -1;
        }
        char *copy = strdup(host);
        if (!copy) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        free(cfg->id);
        cfg->id = copy;
    }
    if (cfg->curve && (!*cfg->certificate || !*cfg->broker_certificate)) {
        snprintf(err, errlen, "security.curve needs security.certificate and security.broker_certificate");
        return -1;
    }
    if (cfg->curve) { /* fail at start, with exit status 2, rather than in a thread */
        char why[256];
        curvekey_t key;
        bool ok = curvekey_load(cfg->certificate, "own", true, &key, why, sizeof why) == 0 &&
                  curvekey_load(cfg->broker_certificate, "broker", false, &key, why, sizeof why) == 0;
        memset(&key, 0, sizeof key);
        if (!ok) {
            snprintf(err, errlen, "security: %s", why);
            return -1;
        }
    }
    return 0;
}

metric_selection_t agent_config_selection(const agent_config_t *cfg)
{
    metric_selection_t sel = {cfg->collected.items, cfg->collected.count, cfg->exclude.items,
                              cfg->exclude.count};
    return sel;
}
