/*
 * roster.h - what the gateway knows about each agent, shared by threads.
 *
 * The subscriber thread (feed) is the only writer: latest sample, latest
 * system information (JSON) and the broker's view of the connection. HTTP
 * threads read. This is the one structure shared between threads; every
 * access goes through these functions under a read-write lock, and what a
 * reader gets out is either a copy or a new reference to an immutable object
 * (snapshot_t, blob_t), so no pointer into the table escapes the lock.
 *
 * Status: the broker's word (list_agents answers and status.<id> frames)
 * when it has spoken about the agent; otherwise an agent whose latest sample
 * is younger than three of its intervals counts as connected.
 */
#ifndef NODELINK_ROSTER_H
#define NODELINK_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "nodelink.pb-c.h"
#include "snapshot.h"
#include "topic.h"

typedef struct roster_t roster_t;

typedef struct {
    char id[TOPIC_ID_MAX + 1];
    bool connected;
    int64_t last_metrics_update; /* ms; 0 = never */
    snapshot_t *sample;          /* new reference or NULL */
} agent_view_t;

roster_t *roster_new(void);
void roster_destroy(roster_t **self);

/* ---- writer (subscriber thread) */

/* Replaces the agent's latest sample (takes *sample, NULLs it). An older
 * timestamp than the one held (a replay) is ignored. */
void roster_put_sample(roster_t *self, snapshot_t **sample);

/* Stores the agent's latest system information JSON (takes *json). */
void roster_put_system(roster_t *self, const char *id, blob_t **json);

/* Applies a broker status (from a status frame or a list_agents answer). */
void roster_put_status(roster_t *self, const Nodelink__AgentStatus *st, int64_t now_ms);

/* ---- readers (any thread) */

/* New reference to the latest sample, or NULL. */
snapshot_t *roster_sample(roster_t *self, const char *id);

/* New reference to the stored system info JSON, or NULL. */
blob_t *roster_system(roster_t *self, const char *id);

/* True when the agent has been seen (sample, system info or broker). */
bool roster_known(roster_t *self, const char *id);

/* True when the agent is connected now (as roster_list reports it). */
bool roster_connected(roster_t *self, const char *id, int64_t now_ms);

/* Every agent, sorted by id, into a new array (*out, caller frees with
 * roster_views_free). Returns the count. */
size_t roster_list(roster_t *self, int64_t now_ms, agent_view_t **out);
void roster_views_free(agent_view_t **views, size_t n);

#endif
