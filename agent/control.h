/*
 * control.h - the agent's control connection (DEALER to the broker's agents
 * ROUTER) and the main thread's loop.
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
 *
 * The loop is one ppoll() on the DEALER's and the worker pipe's ZMQ_FD with
 * the time to the next heartbeat (or hello retry) as timeout. Stop signals
 * are blocked outside that wait and unblocked inside it, so a signal ends
 * the wait at once and none is missed, without a periodic wake-up to look
 * at a flag: an idle agent wakes this thread once per heartbeat.
 */
#ifndef NODELINK_CONTROL_H
#define NODELINK_CONTROL_H

#include <signal.h>
#include <stdint.h>

#include "agent_config.h"
#include "worker.h"

typedef struct control_t control_t;

/* Creates the DEALER on zmq_ctx and connects it. worker is borrowed.
 * NULL on failure (logged). */
control_t *control_new(const agent_config_t *cfg, uint64_t epoch, void *zmq_ctx, worker_t *worker);

/* Sends the first hello and runs until signals_stop_requested(). wait_mask
 * is the signal mask while waiting (the stop signals unblocked); the caller
 * keeps them blocked otherwise. 0, or -1 when polling failed. */
int control_run(control_t *self, const sigset_t *wait_mask);

/* Sends goodbye when registered (best effort), closes the socket, frees. */
void control_destroy(control_t **self);

#endif
