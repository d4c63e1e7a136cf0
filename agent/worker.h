/*
 * worker.h - the sampling thread (a czmq actor).
 *
 * The worker owns everything that touches /proc and /sys: the sampler (and
 * its collectors, history and PUB socket), system information and the task
 * registry. It runs on its own thread so a slow read (a hung network
 * filesystem's statvfs, a large package database) never stalls the control
 * connection, whose heartbeats keep the agent registered.
 *
 * Commands on the actor pipe (main thread -> worker):
 *   "REQ"  + frame  a packed TaskRequest; the worker answers "RESP" + frame
 *                   holding a packed ControlMessage{task_response}
 *   "STATE"         answered "STATE" + uint64 last sequence + uint32 interval_ms
 *   "SYSINFO"       publish system information now (sent when the broker
 *                   accepts the agent, so a restarted broker gets it again)
 *   "$TERM"         stop (czmq convention)
 * Besides, the worker publishes system information whenever its fingerprint
 * changes (checked every agent.system_info_check_interval).
 */
#ifndef NODELINK_WORKER_H
#define NODELINK_WORKER_H

#include <stdint.h>

#include <czmq.h>

#include "agent_config.h"

typedef struct {
    const agent_config_t *cfg; /* borrowed; must outlive the actor */
    uint64_t epoch;
    const char *rootfs;
} worker_args_t;

/* The actor function: zactor_new(worker_actor, &args). Right after start
 * the worker sends "READY", or "FAILED" when it could not set up (the reason
 * is logged), which the caller must read first. */
void worker_actor(zsock_t *pipe, void *args);

#endif
