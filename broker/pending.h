/*
 * pending.h - task requests in flight: which client waits for which
 * (agent, task id), and until when.
 *
 * A task is keyed by agent id and task id together, so two clients may use
 * the same task id for different agents; the same pair twice at once is
 * refused (the second client could not be told apart in the responses).
 * The table owns its entries; pending_task_t pointers are borrowed until the
 * entry is removed.
 */
#ifndef NODELINK_BROKER_PENDING_H
#define NODELINK_BROKER_PENDING_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"
#include "topic.h"

typedef struct {
    char agent_id[TOPIC_ID_MAX + 1];
    char task_id[TOPIC_ID_MAX + 1];
    uint8_t client[REGISTRY_RID_MAX]; /* routing id on the clients ROUTER */
    size_t client_len;
    int64_t deadline_mono;
} pending_task_t;

typedef struct pending_t pending_t;

pending_t *pending_new(void);
void pending_destroy(pending_t **self_p);

/* Adds a task. 0, or -1 when the pair is already in flight, an id is
 * invalid or the routing id too long. */
int pending_add(pending_t *self, const char *agent_id, const char *task_id, const void *client,
                size_t client_len, int64_t deadline_mono);

/* Borrowed entry, or NULL. */
pending_task_t *pending_find(pending_t *self, const char *agent_id, const char *task_id);

/* Removes (and frees) an entry returned by pending_find. */
void pending_remove(pending_t *self, pending_task_t *task);

/* Calls fn for every task whose deadline is at or before now_mono (or, with
 * agent_id non-NULL, for every task of that agent), then removes them. */
typedef void (*pending_fn)(void *ctx, const pending_task_t *task);
size_t pending_take_expired(pending_t *self, int64_t now_mono, pending_fn fn, void *ctx);
size_t pending_take_agent(pending_t *self, const char *agent_id, pending_fn fn, void *ctx);

size_t pending_size(pending_t *self);

#endif
