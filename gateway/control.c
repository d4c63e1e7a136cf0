/*
 * control.c - control requests. See control.h.
 */
#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wire.h"

control_req_t *control_req_new(const char *agent_id, const Nodelink__MetricsRequest *mr, int64_t timeout_ms,
                               uint64_t seq, struct MHD_Connection *conn)
{
    control_req_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    snprintf(self->agent_id, sizeof self->agent_id, "%s", agent_id);
    snprintf(self->task_id, sizeof self->task_id, "gw-%d-%llu", (int)getpid(), (unsigned long long)seq);
    self->timeout_ms = timeout_ms;
    self->conn = conn;
    atomic_init(&self->outcome, CONTROL_PENDING);

    Nodelink__TaskRequest tr = NODELINK__TASK_REQUEST__INIT;
    tr.agent_id = self->agent_id;
    tr.task_id = self->task_id;
    tr.task_case = NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST;
    tr.metrics_request = (Nodelink__MetricsRequest *)mr;
    tr.has_timeout_ms = 1;
    tr.timeout_ms = (uint32_t)timeout_ms;
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_TASK_REQUEST;
    cm.task_request = &tr;
    self->frame = wire_pack(&cm.base, &self->frame_len);
    if (!self->frame)
        control_req_free(&self);
    return self;
}

void control_req_free(control_req_t **self)
{
    if (!self || !*self)
        return;
    free((*self)->frame);
    if ((*self)->response)
        protobuf_c_message_free_unpacked(&(*self)->response->base, NULL);
    free(*self);
    *self = NULL;
}
