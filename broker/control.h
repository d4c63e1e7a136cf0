/*
 * control.h - the control plane: agent registry protocol on the agents
 * ROUTER, task routing and list_agents on the clients ROUTER, and the
 * status.<id>: frames published on connect and disconnect.
 *
 * The contract (docs/architecture.md, "Control plane"): every message on
 * either ROUTER is one frame holding one ControlMessage.
 *
 * Agents ROUTER:
 *   hello      -> hello_reply{accepted, reason, heartbeat_ms}. Refused: an
 *                 invalid id; an id connected under another routing id (the
 *                 first keeps it until it says goodbye or misses 3
 *                 heartbeats); with CURVE, an id other than the certificate's.
 *   heartbeat  -> nothing; from an unknown peer (e.g. after a broker
 *                 restart) -> hello_reply{accepted=false}, so it says hello.
 *   goodbye    -> disconnected at once.
 *   task_response -> to the client that asked (matched by agent id and task
 *                 id); the request ends with is_final or a COMPLETED, FAILED
 *                 or CANCELLED status.
 * Clients ROUTER:
 *   task_request -> forwarded to the agent, or an immediate FAILED response
 *                 (admit.h: INVALID_REQUEST, UNKNOWN_AGENT, NOT_CONNECTED,
 *                 BUSY); later FAILED TIMEOUT when the agent does not finish
 *                 within timeout_ms (0: broker.request_timeout), or FAILED
 *                 DISCONNECTED when the agent disconnects first (goodbye, or
 *                 3 heartbeat intervals of silence; checked first in a tick).
 *   list_agents  -> task_response{task_id=request_id, COMPLETED, agent_list}.
 * Every FAILED response the broker makes carries a FailureCode in failure
 * (RESOURCE_EXHAUSTED when its memory runs out, INTERNAL when it cannot
 * forward); an agent's own FAILED responses pass through unchanged.
 */
#ifndef NODELINK_BROKER_CONTROL_H
#define NODELINK_BROKER_CONTROL_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "registry.h"
#include "stats.h"

typedef struct control_t control_t;

typedef struct {
    zsock_t *agents;  /* ROUTER, borrowed */
    zsock_t *clients; /* ROUTER, borrowed */
    zsock_t *backend; /* XPUB for status frames, borrowed */
    registry_t *registry;
    stats_t *stats;
    int64_t heartbeat_ms;
    int64_t request_timeout_ms;
    bool secure; /* check certificate roles and agent ids */
} control_args_t;

control_t *control_new(const control_args_t *args);
void control_destroy(control_t **self_p);

void control_on_agents(control_t *self);
void control_on_clients(control_t *self);

/* Disconnects agents silent for 3 heartbeat intervals (failing their
 * requests DISCONNECTED), then fails requests past their deadline (TIMEOUT).
 * Call a few times per second. */
void control_tick(control_t *self);

/* Requests in flight (for the health frame). */
size_t control_pending(control_t *self);

#endif
