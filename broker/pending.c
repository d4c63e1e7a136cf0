/*
 * pending.c - task requests in flight. See pending.h.
 *
 * A czmq hash keyed "agent_id/task_id" ('/' cannot occur in an id). Expiry
 * scans the table; the broker calls it a few times a second and the table
 * holds only requests in flight, so a scan is cheaper than keeping order.
 */
#include "pending.h"

#include <czmq.h>
#include <string.h>

struct pending_t {
    zhashx_t *tasks;
};

static void s_task_free(void **item)
{
    free(*item);
    *item = NULL;
}

pending_t *pending_new(void)
{
    pending_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (!(self->tasks = zhashx_new())) {
        free(self);
        return NULL;
    }
    zhashx_set_destructor(self->tasks, s_task_free);
    return self;
}

void pending_destroy(pending_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy(&(*self_p)->tasks);
    free(*self_p);
    *self_p = NULL;
}

static void s_key(const char *agent_id, const char *task_id, char *key, size_t size)
{
    snprintf(key, size, "%s/%s", agent_id, task_id);
}

int pending_add(pending_t *self, const char *agent_id, const char *task_id, const void *client,
                size_t client_len, int64_t deadline_mono)
{
    if (!topic_id_valid(agent_id) || !topic_id_valid(task_id) || client_len == 0 ||
        client_len > REGISTRY_RID_MAX)
        return -1;
    char key[2 * TOPIC_ID_MAX + 2];
    s_key(agent_id, task_id, key, sizeof key);
    if (zhashx_lookup(self->tasks, key))
        return -1;
    pending_task_t *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    snprintf(t->agent_id, sizeof t->agent_id, "%s", agent_id);
    snprintf(t->task_id, sizeof t->task_id, "%s", task_id);
    memcpy(t->client, client, client_len);
    t->client_len = client_len;
    t->deadline_mono = deadline_mono;
    zhashx_insert(self->tasks, key, t);
    return 0;
}

pending_task_t *pending_find(pending_t *self, const char *agent_id, const char *task_id)
{
    if (!topic_id_valid(agent_id) || !topic_id_valid(task_id))
        return NULL;
    char key[2 * TOPIC_ID_MAX + 2];
    s_key(agent_id, task_id, key, sizeof key);
    return zhashx_lookup(self->tasks, key);
}

void pending_remove(pending_t *self, pending_task_t *task)
{
    char key[2 * TOPIC_ID_MAX + 2];
    s_key(task->agent_id, task->task_id, key, sizeof key);
    zhashx_delete(self->tasks, key);
}

/* Collects matching keys first: a czmq hash must not change while iterated. */
static size_t s_take(pending_t *self, int64_t now_mono, const char *agent_id, pending_fn fn, void *ctx)
{
    zlistx_t *doomed = zlistx_new();
    if (!doomed)
        return 0;
    for (pending_task_t *t = zhashx_first(self->tasks); t; t = zhashx_next(self->tasks)) {
        bool match = agent_id ? strcmp(t->agent_id, agent_id) == 0 : t->deadline_mono <= now_mono;
        if (match)
            zlistx_add_end(doomed, t);
    }
    size_t n = 0;
    for (pending_task_t *t = zlistx_first(doomed); t; t = zlistx_next(doomed)) {
        fn(ctx, t);
        pending_remove(self, t);
        n++;
    }
    zlistx_destroy(&doomed);
    return n;
}

size_t pending_take_expired(pending_t *self, int64_t now_mono, pending_fn fn, void *ctx)
{
    return s_take(self, now_mono, NULL, fn, ctx);
}

size_t pending_take_agent(pending_t *self, const char *agent_id, pending_fn fn, void *ctx)
{
    return s_take(self, 0, agent_id, fn, ctx);
}

size_t pending_size(pending_t *self)
{
    return zhashx_size(self->tasks);
}
