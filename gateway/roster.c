/*
 * roster.c - the shared agent table. See roster.h.
 */
#include "roster.h"

#include <czmq.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char id[TOPIC_ID_MAX + 1];
    snapshot_t *sample;
    blob_t *system;
    bool broker_known; /* the broker has told us its state */
    bool connected;
    int64_t last_update_ms;
} s_agent_t;

struct roster_t {
    pthread_rwlock_t lock;
    zhashx_t *table; /* id -> s_agent_t (owned) */
};

static void s_agent_free(void **item)
{
    s_agent_t *a = *item;
    if (!a)
        return;
    snapshot_unref(&a->sample);
    blob_unref(&a->system);
    free(a);
    *item = NULL;
}

roster_t *roster_new(void)
{
    roster_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->table = zhashx_new();
    if (!self->table || pthread_rwlock_init(&self->lock, NULL) != 0) {
        zhashx_destroy(&self->table);
        free(self);
        return NULL;
    }
    zhashx_set_destructor(self->table, s_agent_free);
    return self;
}

void roster_destroy(roster_t **self)
{
    if (!self || !*self)
        return;
    zhashx_destroy(&(*self)->table);
    pthread_rwlock_destroy(&(*self)->lock);
    free(*self);
    *self = NULL;
}

/* The entry of id, created when missing. Caller holds the write lock. */
static s_agent_t *s_entry(roster_t *self, const char *id)
{
    s_agent_t *a = zhashx_lookup(self->table, id);
    if (a || !topic_id_valid(id))
        return a;
    a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    snprintf(a->id, sizeof a->id, "%s", id);
    zhashx_insert(self->table, id, a);
    return a;
}

void roster_put_sample(roster_t *self, snapshot_t **sample)
{
    pthread_rwlock_wrlock(&self->lock);
    s_agent_t *a = s_entry(self, snapshot_agent(*sample));
    if (a && (!a->sample || snapshot_timestamp_ms(*sample) >= snapshot_timestamp_ms(a->sample))) {
        snapshot_unref(&a->sample);
        a->sample = *sample;
        a->last_update_ms = snapshot_timestamp_ms(*sample);
        *sample = NULL;
    }
    pthread_rwlock_unlock(&self->lock);
    snapshot_unref(sample);
}

void roster_put_system(roster_t *self, const char *id, blob_t **json)
{
    pthread_rwlock_wrlock(&self->lock);
    s_agent_t *a = s_entry(self, id);
    if (a) {
        blob_unref(&a->system);
        a->system = *json;
        *json = NULL;
    }
    pthread_rwlock_unlock(&self->lock);
    blob_unref(json);
}

void roster_put_status(roster_t *self, const Nodelink__AgentStatus *st, int64_t now_ms)
{
    (void)now_ms;
    if (!st->agent_id)
        return;
    pthread_rwlock_wrlock(&self->lock);
    s_agent_t *a = s_entry(self, st->agent_id);
    if (a) {
        a->broker_known = true;
        a->connected = st->has_state && st->state == NODELINK__AGENT_STATUS__STATE__CONNECTED;
        if (st->has_last_metrics_update && (int64_t)st->last_metrics_update > a->last_update_ms &&
            st->last_metrics_update < (uint64_t)INT64_MAX)
            a->last_update_ms = (int64_t)st->last_metrics_update;
    }
    pthread_rwlock_unlock(&self->lock);
}

snapshot_t *roster_sample(roster_t *self, const char *id)
{
    pthread_rwlock_rdlock(&self->lock);
    s_agent_t *a = zhashx_lookup(self->table, id);
    snapshot_t *s = a ? snapshot_ref(a->sample) : NULL;
    pthread_rwlock_unlock(&self->lock);
    return s;
}

blob_t *roster_system(roster_t *self, const char *id)
{
    pthread_rwlock_rdlock(&self->lock);
    s_agent_t *a = zhashx_lookup(self->table, id);
    blob_t *b = a ? blob_ref(a->system) : NULL;
    pthread_rwlock_unlock(&self->lock);
    return b;
}

bool roster_known(roster_t *self, const char *id)
{
    pthread_rwlock_rdlock(&self->lock);
    bool known = zhashx_lookup(self->table, id) != NULL;
    pthread_rwlock_unlock(&self->lock);
    return known;
}

static bool s_fresh(const s_agent_t *a, int64_t now_ms)
{
    if (!a->sample)
        return false;
    int64_t interval = snapshot_interval_ms(a->sample) ? snapshot_interval_ms(a->sample) : 5000;
    return now_ms - snapshot_timestamp_ms(a->sample) <= 3 * interval + 1000;
}

/* The broker's word when it has given one, else a fresh sample. */
static bool s_connected(const s_agent_t *a, int64_t now_ms)
{
    return a->broker_known ? a->connected : s_fresh(a, now_ms);
}

bool roster_connected(roster_t *self, const char *id, int64_t now_ms)
{
    pthread_rwlock_rdlock(&self->lock);
    const s_agent_t *a = zhashx_lookup(self->table, id);
    bool connected = a && s_connected(a, now_ms);
    pthread_rwlock_unlock(&self->lock);
    return connected;
}

static int s_by_id(const void *a, const void *b)
{
    return strcmp(((const agent_view_t *)a)->id, ((const agent_view_t *)b)->id);
}

size_t roster_list(roster_t *self, int64_t now_ms, agent_view_t **out)
{
    pthread_rwlock_rdlock(&self->lock);
    size_t n = 0, cap = zhashx_size(self->table);
    agent_view_t *v = calloc(cap ? cap : 1, sizeof *v);
    for (s_agent_t *a = zhashx_first(self->table); v && a && n < cap; a = zhashx_next(self->table)) {
        memcpy(v[n].id, a->id, sizeof v[n].id);
        v[n].connected = s_connected(a, now_ms);
        v[n].last_metrics_update = a->last_update_ms;
        v[n].sample = snapshot_ref(a->sample);
        n++;
    }
    pthread_rwlock_unlock(&self->lock);
    if (v)
        qsort(v, n, sizeof *v, s_by_id);
    *out = v;
    return v ? n : 0;
}

void roster_views_free(agent_view_t **views, size_t n)
{
    if (!views || !*views)
        return;
    for (size_t i = 0; i < n; i++)
        snapshot_unref(&(*views)[i].sample);
    free(*views);
    *views = NULL;
}
