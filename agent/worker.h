/*
 * worker.h - the sampling thread.
 *
 * The worker owns everything that touches /proc and /sys: the sampler (and
 * its collectors, history and PUB socket), system information and the task
 * registry. It runs on its own thread so a slow read (a hung network
 * filesystem's statvfs, a large package database) never stalls the control
 * connection, whose heartbeats keep the agent registered.
 *
 * Commands on the pipe (cmdpipe.h; main thread -> worker):
 *   "REQ"  + frame  a packed TaskRequest; the worker answers "RESP" + frame
 *                   holding a packed ControlMessage{task_response}
 *   "SYSINFO"       publish system information now (sent when the broker
 *                   accepts the agent, so a restarted broker gets it again)
 *   "$TERM"         stop (sent by worker_stop)
 * Besides, the worker publishes system information whenever its fingerprint
 * changes (checked every agent.system_info_check_interval).
 *
 * Cost: the thread sleeps in one poll() until the next sample, the next
 * system-information check or a command, so in steady state it wakes once
 * per sample. The last published sequence and the current interval, which
 * the control connection puts in its heartbeats, are the one thing the
 * threads share besides messages: two atomics the worker stores after every
 * wake-up and the main thread only loads (a heartbeat needs no round trip
 * through the pipe, so it wakes only the main thread).
 */
#ifndef NODELINK_WORKER_H
#define NODELINK_WORKER_H

#include <stdint.h>

#include "agent_config.h"

typedef struct worker_t worker_t;

typedef struct {
    const agent_config_t *cfg; /* borrowed; must outlive the worker */
    uint64_t epoch;
    const char *rootfs;
} worker_args_t;

/* Starts the thread on zmq_ctx (borrowed) and waits until it has set up:
 * NULL when it could not (the reason is logged). args is copied. */
worker_t *worker_start(void *zmq_ctx, const worker_args_t *args);

/* Asks the thread to stop, joins it, closes the pipe and frees. Safe on NULL. */
void worker_stop(worker_t **self);

/* The main thread's end of the command pipe (a raw PAIR socket, borrowed). */
void *worker_pipe(worker_t *self);

/* Sequence number of the last published frame (0 before the first). */
uint64_t worker_sequence(const worker_t *self);

/* Wall-clock ms (Unix) of the wake-up in which the worker last published a
 * frame, 0 before the first: the control thread skips heartbeats while
 * frames flow (control.c). */
int64_t worker_last_frame_ms(const worker_t *self);

/* The current sampling interval in ms. */
uint32_t worker_interval(const worker_t *self);

#endif
