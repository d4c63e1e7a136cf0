/*
 * control.h - a control request travelling from an HTTP thread to the
 * broker and back.
 *
 * An HTTP handler that needs the broker (POST .../metrics/stream, system
 * info with refresh=true) builds a control_req_t, hands it to the feed
 * thread (feed_submit) and suspends its connection. The feed thread sends
 * the task_request on its DEALER socket, waits for the final task_response
 * (or the deadline), fills in the outcome and resumes the connection; MHD
 * then calls the handler again, which answers from the outcome.
 *
 * Ownership: the HTTP request owns the control_req_t. Between feed_submit
 * and the resume the feed thread may write the outcome fields; after the
 * resume it never touches the request again, and the connection cannot
 * complete (and free it) while suspended.
 */
#ifndef NODELINK_CONTROL_H
#define NODELINK_CONTROL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "nodelink.pb-c.h"

struct MHD_Connection;

typedef enum {
    CONTROL_PENDING = 0,
    CONTROL_COMPLETED, /* the agent answered COMPLETED: response set */
    CONTROL_FAILED,    /* failure and reason set (see below) */
} control_outcome_t;

typedef struct {
    /* set by the HTTP thread before feed_submit */
    char task_id[64];
    char agent_id[65];
    uint8_t *frame; /* packed ControlMessage{task_request} */
    size_t frame_len;
    int64_t timeout_ms;
    struct MHD_Connection *conn;
    /* set by the feed thread before it resumes conn */
    atomic_int outcome;
    /* Why it failed: the code of the broker's or agent's FAILED answer
     * (FAILURE_UNSPECIFIED from a peer without codes); the gateway's own
     * failures are TIMEOUT (no final answer before the deadline) and
     * UNAVAILABLE (not sent: gateway stopping, broker connection not
     * ready). */
    Nodelink__FailureCode failure;
    Nodelink__TaskResponse *response; /* final answer (owned by the request) */
    char reason[256];                 /* the failure for people */
} control_req_t;

/* A request for agent_id carrying mr (borrowed; packed now). task_id is made
 * unique from seq. NULL on allocation failure. */
control_req_t *control_req_new(const char *agent_id, const Nodelink__MetricsRequest *mr, int64_t timeout_ms,
                               uint64_t seq, struct MHD_Connection *conn);

void control_req_free(control_req_t **self);

#endif
