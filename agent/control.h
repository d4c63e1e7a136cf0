/*
 * control.h - the agent's control connection (DEALER to the broker's agents
 * ROUTER), driven by a zloop on the main thread.
 *
 * Protocol (docs/architecture.md, "Control plane"): on start the agent sends
 * hello{agent_id, version, interval_ms, heartbeat_ms, epoch}; the broker's
 * hello_reply says accepted or refused (with a reason, e.g. the id is
 * already connected). While registered the agent sends a heartbeat every
 * agent.heartbeat_interval; while not (refused, or told so by a
 * hello_reply{accepted=false} answering a heartbeat after a broker restart)
 * it repeats hello at that interval. ZeroMQ reconnects the socket by itself.
 * On stop the agent sends goodbye.
 *
 * task_requests are handed to the worker thread; its responses are sent back
 * as they come. When the broker accepts the agent, the worker is asked to
 * publish system information so every broker session starts with it.
 */
#ifndef NODELINK_CONTROL_H
#define NODELINK_CONTROL_H

#include <stdint.h>

#include <czmq.h>

#include "agent_config.h"

typedef struct _control_t control_t;

/* Creates the DEALER, connects it and registers its handlers, the worker's
 * and the heartbeat timer on loop. worker is borrowed. NULL on failure. */
control_t *control_new(const agent_config_t *cfg, uint64_t epoch, zactor_t *worker, zloop_t *loop);

/* Sends goodbye (best effort), unregisters from the loop and frees. */
void control_destroy(control_t **self);

#endif
