/*
 * admit.h - whether the broker forwards a client's task request to an agent,
 * and when not, the failure the client is answered at once with
 * (docs/broker.md, "Control routing").
 *
 * The checks, in this order (the first that fails decides):
 *
 *   task id invalid                              -> FAILURE_INVALID_REQUEST
 *   agent id invalid, or no record of it         -> FAILURE_UNKNOWN_AGENT
 *   a record, but no control connection          -> FAILURE_NOT_CONNECTED
 *   the same agent and task id already in flight -> FAILURE_BUSY
 *
 * "No record" means the broker has never seen the id (neither a hello nor a
 * published frame) or has since evicted it (broker.max_agents). A decision
 * only: neither the registry nor the pending table changes.
 */
#ifndef NODELINK_BROKER_ADMIT_H
#define NODELINK_BROKER_ADMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "nodelink.pb-c.h"
#include "pending.h"
#include "registry.h"

/* True with *agent set (borrowed) when the request may be forwarded.
 * Otherwise false, *agent NULL, *code the failure and reason (for people)
 * in reason[reason_size]. agent_id and task_id may be NULL. */
bool admit_task(registry_t *registry, pending_t *pending, const char *agent_id, const char *task_id,
                agent_t **agent, Nodelink__FailureCode *code, char *reason, size_t reason_size);

#endif
