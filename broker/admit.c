/*
 * admit.c - admission of task requests. See admit.h.
 *
 * The English keeps the words older clients matched on ("not connected",
 * "already in flight") although programs now act on the code.
 */
#include "admit.h"

#include <stdio.h>

#include "topic.h"

static bool s_refuse(Nodelink__FailureCode failure, Nodelink__FailureCode *code, agent_t **agent)
{
    *code = failure;
    *agent = NULL;
    return false;
}

bool admit_task(registry_t *registry, pending_t *pending, const char *agent_id, const char *task_id,
                agent_t **agent, Nodelink__FailureCode *code, char *reason, size_t reason_size)
{
    if (!topic_id_valid(task_id)) {
        snprintf(reason, reason_size, "invalid task id (1-64 characters of A-Z a-z 0-9 _ . -)");
        return s_refuse(NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST, code, agent);
    }
    if (!topic_id_valid(agent_id)) {
        snprintf(reason, reason_size, "invalid agent id '%.64s' (1-64 characters of A-Z a-z 0-9 _ . -)",
                 agent_id ? agent_id : "");
        return s_refuse(NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT, code, agent);
    }
    agent_t *a = registry_find(registry, agent_id);
    if (!a) {
        snprintf(reason, reason_size, "agent '%s' is not connected, and unknown to the broker", agent_id);
        return s_refuse(NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT, code, agent);
    }
    if (!a->connected) {
        if (a->reason[0])
            snprintf(reason, reason_size, "agent '%s' is not connected (%s)", agent_id, a->reason);
        else
            snprintf(reason, reason_size, "agent '%s' is not connected", agent_id);
        return s_refuse(NODELINK__FAILURE_CODE__FAILURE_NOT_CONNECTED, code, agent);
    }
    if (pending_find(pending, agent_id, task_id)) {
        snprintf(reason, reason_size, "task '%s' is already in flight for agent '%s'", task_id, agent_id);
        return s_refuse(NODELINK__FAILURE_CODE__FAILURE_BUSY, code, agent);
    }
    *agent = a;
    return true;
}
