/*
 * ratelimit.c - token buckets per key. See ratelimit.h.
 */
#include "ratelimit.h"

#include <czmq.h>
#include <pthread.h>
#include <stdlib.h>

#define S_MINUTE_MS 60000
/* Buckets count in credits: one request is S_REQUEST credits and a bucket
 * gains per_minute credits per millisecond, so a minute refills exactly
 * per_minute requests (and any bucket idle a minute is full). Integers keep
 * refills exact: a client polled every 100 ms has its request after
 * 1,000 ms, not 0.999... of one. */
#define S_REQUEST S_MINUTE_MS
/* Beyond this per_minute, 2 * capacity would overflow int64: as good as
 * unlimited (a trillion requests a second). */
#define S_PER_MINUTE_MAX (INT64_MAX / (2 * S_REQUEST))

typedef struct {
    int64_t credits; /* 0 .. per_minute * S_REQUEST */
    int64_t last_ms; /* newest time seen for this key */
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
    self->per_minute = per_minute < S_PER_MINUTE_MAX ? per_minute : S_PER_MINUTE_MAX;
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

/* Milliseconds from then to now; 0 when now is older (threads read the
 * clock before taking the lock, so a call may carry a time a little older
 * than the one before it: that is no time elapsed). Exact over the whole
 * int64 range. */
static uint64_t s_elapsed(int64_t then_ms, int64_t now_ms)
{
    return now_ms > then_ms ? (uint64_t)now_ms - (uint64_t)then_ms : 0;
}

/* Drops buckets idle for a minute: full again, so forgetting them changes
 * nothing (caller holds the lock). */
static void s_prune(ratelimit_t *self, int64_t now_ms)
{
    zlistx_t *keys = zhashx_keys(self->buckets);
    for (const char *k = keys ? zlistx_first(keys) : NULL; k; k = zlistx_next(keys)) {
        s_bucket_t *b = zhashx_lookup(self->buckets, k);
        if (b && s_elapsed(b->last_ms, now_ms) >= S_MINUTE_MS)
            zhashx_delete(self->buckets, k);
    }
    zlistx_destroy(&keys);
    self->next_prune_ms = now_ms < INT64_MAX - S_MINUTE_MS ? now_ms + S_MINUTE_MS : INT64_MAX;
}

bool ratelimit_take(ratelimit_t *self, const char *key, int64_t now_ms, int64_t *retry_after_s)
{
    if (self->per_minute <= 0)
        return true;
    int64_t cap = self->per_minute * S_REQUEST;
    pthread_mutex_lock(&self->lock);
    if (now_ms >= self->next_prune_ms)
        s_prune(self, now_ms);
    s_bucket_t *b = zhashx_lookup(self->buckets, key);
    if (!b && (b = calloc(1, sizeof *b))) {
        b->credits = cap;
        b->last_ms = now_ms;
        zhashx_insert(self->buckets, key, b);
    }
    if (!b) {
        pthread_mutex_unlock(&self->lock);
        return true; /* out of memory: do not punish the client */
    }
    uint64_t elapsed = s_elapsed(b->last_ms, now_ms);
    if (elapsed >= S_MINUTE_MS)
        b->credits = cap;
    else if ((b->credits += (int64_t)elapsed * self->per_minute) > cap)
        b->credits = cap;
    if (now_ms > b->last_ms)
        b->last_ms = now_ms;
    bool ok = b->credits >= S_REQUEST;
    if (ok)
        b->credits -= S_REQUEST;
    else if (retry_after_s) /* the missing credits, in whole seconds rounded up */
        *retry_after_s = (S_REQUEST - b->credits + self->per_minute * 1000 - 1) / (self->per_minute * 1000);
    pthread_mutex_unlock(&self->lock);
    return ok;
}
