/*
 * fanout.h - the checked XSUB -> XPUB path of published frames.
 *
 * Every message arriving on the frontend (agents' PUB sockets) is received
 * by the broker, not passed blindly as zmq_proxy would: it must be a
 * [topic][TaskResponse] pair no larger than broker.max_frame_size, decode,
 * carry in its payload the id of its topic, fit the topic's kind, and come
 * from a sender allowed to publish for that id. Then it is forwarded to the
 * backend as is (zero copy), and the agent's sequence number is checked for
 * gaps. Anything else is dropped and counted (stats.h), with rate-limited
 * log lines; nothing a peer sends can stop the loop.
 *
 * Who may publish what:
 *   metrics.<id>: system.<id>:  agents; with CURVE, only the agent whose
 *                               certificate carries agent_id <id>
 *   health.<name>:              services; with CURVE, a subscriber or client
 *                               certificate named <name>
 *   status.<id>:                nobody: the broker makes these itself
 *
 * Subscriptions flow the other way: each (un)subscription a subscriber sends
 * to the XPUB is applied (the XPUB runs in manual mode, so with CURVE only
 * subscriber and client certificates get a subscription at all) and passed
 * upstream to the XSUB as a proxy would. The broker itself subscribes
 * upstream to everything, so it sees, checks and counts every frame even
 * when nobody is subscribed to it.
 */
#ifndef NODELINK_BROKER_FANOUT_H
#define NODELINK_BROKER_FANOUT_H

#include <czmq.h>
#include <stdbool.h>

#include "registry.h"
#include "stats.h"

typedef struct fanout_t fanout_t;

/* frontend (XSUB) and backend (XPUB, manual mode) are borrowed, as are
 * registry and stats. secure: check certificates (CURVE on). */
fanout_t *fanout_new(zsock_t *frontend, zsock_t *backend, registry_t *registry, stats_t *stats,
                     size_t max_frame_size, bool secure);
void fanout_destroy(fanout_t **self_p);

/* Subscribes the frontend to everything. 0 or -1. */
int fanout_start(fanout_t *self);

/* Drains the frontend (bounded batch): checks, forwards or drops. */
void fanout_on_frontend(fanout_t *self);

/* Drains the backend's (un)subscriptions and passes allowed ones upstream. */
void fanout_on_backend(fanout_t *self);

#endif
