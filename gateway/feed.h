/*
 * feed.h - the gateway's ZeroMQ side, one thread owning every socket.
 *
 *   SUB    -> broker.subscribe_endpoint: "metrics.", "system.", "status."
 *             frames update the agent table (roster.h) and feed the SSE hub.
 *   DEALER -> broker.client_endpoint: list_agents every list_interval (the
 *             broker's registry; an answer also proves the broker is up),
 *             and control requests submitted by HTTP threads (control.h).
 *
 * HTTP threads talk to this thread only through feed_submit() (a locked
 * queue plus an eventfd the thread polls beside its sockets).
 */
#ifndef NODELINK_FEED_H
#define NODELINK_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "roster.h"
#include "control.h"
#include "gwconfig.h"
#include "sse.h"
#include "stats.h"

typedef struct feed_t feed_t;

/* Connects the sockets and starts the thread. NULL with a reason in err. */
feed_t *feed_new(const gw_config_t *cfg, roster_t *agents, sse_hub_t *hub, gw_stats_t *stats, char *err,
                 size_t errlen);

/* Completes every pending control request as CONTROL_UNAVAILABLE (resuming
 * their connections), stops and joins the thread, closes the sockets. */
void feed_destroy(feed_t **self);

/* Hands req to the thread (which resumes req->conn when done). -1 when the
 * feed is stopping (req untouched). */
int feed_submit(feed_t *self, control_req_t *req);

/* True when the broker answered a list_agents within three list intervals. */
bool feed_broker_ready(feed_t *self);

/* Monotonic ms of the last published frame received (0 = none). */
int64_t feed_last_frame_ms(feed_t *self);

#endif
