/*
 * agents.h - what the gateway knows about each agent, shared by threads.
 *
 * The subscriber thread (feed) is the only writer: latest sample, latest
 * system information (JSON) and the broker's view of the connection. HTTP
 * threads read. This is the one structure shared between threads; every
 * access goes through these functions under a read-write lock, and what a
 * reader gets out is either a copy or a new reference to an immutable object
 * (sample_t, blob_t), so no pointer into the table escapes the lock.
 *
 * Status: the broker's word (list_agents answers and status.<id> frames)
 * when it has spoken about the agent; otherwise an agent whose latest sample
 * is younger than three of its intervals counts as connected.
 */
#ifndef NODELINK_AGENTS_H
#define NODELINK_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob.h"
#include "nodelink.pb-c.h"
#include "sample.h"
#include "topic.h"

typedef struct agents_t agents_t;

typedef struct {
    char id[TOPIC_ID_MAX + 1];
    bool connected;
    int64_t last_metrics_update; /* ms; 0 = never */
    sample_t *sample;            /* new reference or NULL */
} agent_view_t;

agents_t *agents_new(void);
void agents_destroy(agents_t **self);

/* ---- writer (subscriber thread) */

/* Replaces the agent's latest sample (takes *sample, NULLs it). An older
 * timestamp than the one held (a replay) is ignored. */
void agents_put_sample(agents_t *self, sample_t **sample);

/* Stores the agent's latest system information JSON (takes *json). */
void agents_put_system(agents_t *self, const char *id, blob_t **json);

/* Applies a broker status (from a status frame or a list_agents answer). */
void agents_put_status(agents_t *self, const Nodelink__AgentStatus *st, int64_t now_ms);

/* ---- readers (any thread) */

/* New reference to the latest sample, or NULL. */
sample_t *agents_sample(agents_t *self, const char *id);

/* New reference to the stored system info JSON, or NULL. */
blob_t *agents_system(agents_t *self, const char *id);

/* True when the agent has been seen (sample, system info or broker). */
bool agents_known(agents_t *self, const char *id);

/* True when the agent is connected now (as agents_list reports it). */
bool agents_connected(agents_t *self, const char *id, int64_t now_ms);

/* Every agent, sorted by id, into a new array (*out, caller frees with
 * agents_views_free). Returns the count. */
size_t agents_list(agents_t *self, int64_t now_ms, agent_view_t **out);
void agents_views_free(agent_view_t **views, size_t n);

#endif
