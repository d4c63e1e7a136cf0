/*
 * ratelimit.c - token buckets per key. See ratelimit.h.
 */
#include "ratelimit.h"

#include <czmq.h>
#include <pthread.h>
#include <stdlib.h>

#define S_PRUNE_MS 60000

typedef struct {
    double tokens;
    int64_t last_ms;
} s_bucket_t;

struct ratelimit_t {
    pthread_mutex_t lock;
    int64_t per_minute;
    zhashx_t *buckets; /* key -> s_bucket_t (owned) */
    int64_t next_prune_ms;
};

static void s_free(void **item)
{
    free(*item);
    *item = NULL;
}

ratelimit_t *ratelimit_new(int64_t per_minute)
{
    ratelimit_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init(&self->lock, NULL);
    self->per_minute = per_minute;
    self->buckets = zhashx_new();
    if (!self->buckets) {
        ratelimit_destroy(&self);
        return NULL;
    }
    zhashx_set_destructor(self->buckets, s_free);
    return self;
}

void ratelimit_destroy(ratelimit_t **self)
{
    if (!self || !*self)
        return;
    zhashx_destroy(&(*self)->buckets);
    pthread_mutex_destroy(&(*self)->lock);
    free(*self);
    *self = NULL;
}

/* Drops buckets that have been full for a while (caller holds the lock). */
static void s_prune(ratelimit_t *self, int64_t now_ms)
{
    zlistx_t *keys = zhashx_keys(self->buckets);
    for (const char *k = keys ? zlistx_first(keys) : NULL; k; k = zlistx_next(keys)) {
        s_bucket_t *b = zhashx_lookup(self->buckets, k);
        if (b && now_ms - b->last_ms > S_PRUNE_MS)
            zhashx_delete(self->buckets, k);
    }
    zlistx_destroy(&keys);
    self->next_prune_ms = now_ms + S_PRUNE_MS;
}

bool ratelimit_take(ratelimit_t *self, const char *key, int64_t now_ms, int64_t *retry_after_s)
{
    if (self->per_minute <= 0)
        return true;
    double cap = (double)self->per_minute, rate = cap / 60000.0; /* per ms */
    bool ok;
    pthread_mutex_lock(&self->lock);
    if (now_ms >= self->next_prune_ms)
        s_prune(self, now_ms);
    s_bucket_t *b = zhashx_lookup(self->buckets, key);
    if (!b && (b = calloc(1, sizeof *b))) {
        b->tokens = cap;
        b->last_ms = now_ms;
        zhashx_insert(self->buckets, key, b);
    }
    if (!b) {
        pthread_mutex_unlock(&self->lock);
        return true; /* out of memory: do not punish the client */
    }
    b->tokens += (double)(now_ms - b->last_ms) * rate;
    if (b->tokens > cap)
        b->tokens = cap;
    b->last_ms = now_ms;
    ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else if (retry_after_s)
        *retry_after_s = (int64_t)((1.0 - b->tokens) / rate / 1000.0) + 1;
    pthread_mutex_unlock(&self->lock);
    return ok;
}
