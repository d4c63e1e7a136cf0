/*
 * requests.h - answers TaskRequests sent to this agent.
 *
 *   metrics_request.system_info     -> SystemInfoResponse (include_* honoured;
 *                                      none given = everything)
 *   metrics_request.stream_request  -> START / STOP / UPDATE_INTERVAL, with an
 *                                      optional metric selection; answered with
 *                                      the resulting MetricsStreamStatus
 *   metrics_request.query_request   -> MetricsQueryResponse from the history ring
 *   metrics_request.register_task   -> registers/unregisters a pid under a task id
 *   shell_execute, docker_operation, task_cancel -> FAILED: this agent does not
 *                                      run shell/docker tasks
 * Invalid requests (interval outside 100 ms..1 h, an unknown metric selector,
 * a bad task id or pid) are answered FAILED with a reason in error_message
 * and change nothing. Every answer is final (is_final = true).
 *
 * Every FAILED answer carries a failure code (docs/protocol.md):
 *   INVALID_REQUEST     the request is malformed, out of range, or names
 *                       something that does not exist (a metric, a pid),
 *                       or it was meant for another agent id
 *   UNSUPPORTED         shell_execute, docker_operation, task_cancel, and
 *                       kinds of request newer than this agent
 *   REFUSED             a valid request this agent declines: registering a
 *                       task process while task process tracking is off
 *   RESOURCE_EXHAUSTED  out of memory, or the task registry is full
 */
#ifndef NODELINK_REQUESTS_H
#define NODELINK_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "nodelink.pb-c.h"
#include "sampler.h"
#include "sysinfo/sysinfo.h"

#define REQUESTS_INTERVAL_MIN_MS 100u
#define REQUESTS_INTERVAL_MAX_MS 3600000u
#define REQUESTS_DEFAULT_MAX_POINTS 1000u
#define REQUESTS_LIMIT_MAX_POINTS 10000u
/* Room for requests_pack_failure with ids of up to 64 characters and a
 * message of up to 200. */
#define REQUESTS_FAILURE_MAX 512

typedef struct {
    sampler_t *sampler;       /* borrowed */
    const sysinfo_env_t *sys; /* borrowed */
    const char *agent_id;
} requests_ctx_t;

/* Builds the answer to req in arena a (resp is initialised here). */
void requests_handle(const requests_ctx_t *ctx, const Nodelink__TaskRequest *req, arena_t *a,
                     Nodelink__TaskResponse *resp);

/* Packs ControlMessage{task_response: FAILED, final, code, message} for
 * task_id into buf[size] without allocating: the answer when memory is too
 * short for requests_handle, or the request cannot reach it. Returns its
 * length, or 0 when it does not fit. */
size_t requests_pack_failure(const char *agent_id, const char *task_id, Nodelink__FailureCode code,
                             const char *message, uint8_t *buf, size_t size);

#endif
