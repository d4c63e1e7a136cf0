/*
 * broker_config.c - option table of nodelink-broker. See broker_config.h.
 */
#include "broker_config.h"

#include <stdio.h>

#include "log.h"
#include "wire.h"

#define B broker_config_t
static const conf_option_t s_options[] = {
    CONF_OPT_CHECK("log.level", CONF_STRING, B, log_level, "info", log_level_check,
                   "Minimum log level: debug, info, warn, error"),
    CONF_OPT("broker.frontend", CONF_STRING, B, frontend, "tcp://*:5555", "XSUB endpoint agents publish to"),
    CONF_OPT("broker.backend", CONF_STRING, B, backend, "tcp://*:5556",
             "XPUB endpoint subscribers connect to"),
    CONF_OPT("broker.agents", CONF_STRING, B, agents, "tcp://*:5557",
             "ROUTER endpoint for agents' control connections"),
    CONF_OPT("broker.clients", CONF_STRING, B, clients, "tcp://*:5558",
             "ROUTER endpoint for control clients (gateway, nodelinkctl)"),
    CONF_OPT_RANGE("broker.heartbeat_interval", CONF_DURATION, B, heartbeat_ms, "2s", 100, 3600000,
                   "Heartbeat interval agents must keep; 3 missed heartbeats disconnect an agent"),
    CONF_OPT_RANGE("broker.request_timeout", CONF_DURATION, B, request_timeout_ms, "10s", 10, 3600000,
                   "Default time an agent has to answer a task request"),
    CONF_OPT_RANGE("broker.max_frame_size", CONF_SIZE, B, max_frame_size, "1MB", 256, WIRE_FRAME_MAX,
                   "Largest published frame body forwarded; larger frames are dropped"),
    CONF_OPT_RANGE("broker.max_agents", CONF_INT, B, max_agents, "10000", 1, 1000000,
                   "Most agent ids tracked at once"),
    CONF_OPT_RANGE("broker.health_interval", CONF_DURATION, B, health_interval_ms, "5s", 100, 3600000,
                   "Interval of the broker's own health.broker: frames"),
    CONF_OPT("security.curve", CONF_BOOL, B, curve, "false",
             "Require CURVE encryption and certificate authentication on every socket"),
    CONF_OPT("security.certificate", CONF_STRING, B, certificate, NULL,
             "The broker's secret certificate file (nodelink-keygen broker)"),
    CONF_OPT("security.agents_dir", CONF_STRING, B, agents_dir, NULL,
             "Directory of agents' public certificates"),
    CONF_OPT("security.subscribers_dir", CONF_STRING, B, subscribers_dir, NULL,
             "Directory of subscribers' public certificates"),
    CONF_OPT("security.clients_dir", CONF_STRING, B, clients_dir, NULL,
             "Directory of control clients' public certificates"),
};
#undef B

static const conf_schema_t s_schema = {
    "nodelink-broker",
    "validates and fans out agents' frames, keeps the agent registry, routes control requests",
    s_options,
    sizeof s_options / sizeof s_options[0],
};

const conf_schema_t *broker_config_schema(void)
{
    return &s_schema;
}
