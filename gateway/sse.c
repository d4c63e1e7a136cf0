/*
 * sse.c - SSE streams and the fan-out hub. See sse.h.
 */
#include "sse.h"

#include <czmq.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "metricname.h"
#include "topic.h"

#define S_HELD_MAX 64
/* libmicrohttpd allocates (and zeroes) a buffer of this size with every
 * callback response, but streams chunked (HTTP/1.1) from its connection
 * buffer: the block only serves HTTP/1.0 clients. Small, as it is paid per
 * stream (16 KB here was half the memory of an idle stream). */
#define S_BLOCK_SIZE 512
/* A queue starts this small and doubles up to queue_max: a stream that
 * keeps up holds one or two events. */
#define S_QUEUE_INITIAL 4

struct sse_stream_t {
    sse_stream_t *prev, *next; /* the agent's list in the hub, under the hub lock */
    pthread_mutex_t lock;
    char agent_id[TOPIC_ID_MAX + 1];
    int64_t interval_ms;
    int64_t last_ts; /* timestamp of the newest sample queued */
    char **selectors;
    size_t n_selectors;
    char *filter_key; /* selectors joined; NULL = unfiltered */
    blob_t **queue;   /* ring of qcap entries, grown up to qmax */
    size_t qcap, qmax, qhead, qlen, head_off;
    snapshot_t **held; /* S_HELD_MAX entries, allocated on the first held sample */
    size_t n_held;
    bool holding, suspended, dead, ended, added;
    struct MHD_Connection *conn;
    int fd;
    /* monotonic; written under lock, read without it by the tick */
    atomic_int_fast64_t last_write_ms;
};

struct sse_hub_t {
    pthread_mutex_t lock;
    /* agent id -> first stream of that agent (not owned): a sample visits
     * only its agent's streams, whatever the number of other agents */
    zhashx_t *by_agent;
    size_t count, max_streams, queue_max;
    int64_t keepalive_ms;
    blob_t *keepalive, *hello;
    gw_stats_t *stats;
};

sse_hub_t *sse_hub_new(size_t max_streams, size_t queue_max, int64_t keepalive_ms, gw_stats_t *stats)
{
    sse_hub_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init(&self->lock, NULL);
    self->by_agent = zhashx_new();
    self->max_streams = max_streams;
    self->queue_max = queue_max < 2 ? 2 : queue_max;
    self->keepalive_ms = keepalive_ms;
    self->stats = stats;
    self->keepalive = blob_printf(": keep-alive\n\n");
    self->hello = blob_printf("retry: 3000\n\n");
    if (!self->keepalive || !self->hello || !self->by_agent)
        sse_hub_destroy(&self);
    return self;
}

void sse_hub_destroy(sse_hub_t **self)
{
    if (!self || !*self)
        return;
    blob_unref(&(*self)->keepalive);
    blob_unref(&(*self)->hello);
    zhashx_destroy(&(*self)->by_agent);
    pthread_mutex_destroy(&(*self)->lock);
    free(*self);
    *self = NULL;
}

sse_stream_t *sse_stream_new(const char *agent_id, int64_t interval_ms, char *const *selectors, size_t n,
                             int64_t last_event_id)
{
    sse_stream_t *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    pthread_mutex_init(&st->lock, NULL);
    snprintf(st->agent_id, sizeof st->agent_id, "%s", agent_id);
    st->interval_ms = interval_ms;
    st->last_ts = last_event_id < 0 ? 0 : last_event_id;
    st->holding = true;
    st->fd = -1;
    if (n) {
        size_t keylen = 1;
        st->selectors = calloc(n, sizeof *st->selectors);
        for (size_t i = 0; st->selectors && i < n; i++) {
            st->selectors[i] = strdup(selectors[i]);
            keylen += strlen(selectors[i]) + 1;
            st->n_selectors += st->selectors[i] != NULL;
        }
        st->filter_key = calloc(1, keylen);
        for (size_t i = 0; st->filter_key && i < st->n_selectors; i++) {
            strcat(st->filter_key, st->selectors[i]);
            strcat(st->filter_key, ",");
        }
        if (!st->filter_key || st->n_selectors != n)
            sse_stream_free(&st);
    }
    return st;
}

static void s_queue_clear(sse_stream_t *st)
{
    for (size_t i = 0; i < st->qlen; i++)
        blob_unref(&st->queue[(st->qhead + i) % st->qcap]);
    st->qlen = st->qhead = st->head_off = 0;
}

void sse_stream_free(sse_stream_t **self)
{
    sse_stream_t *st = self ? *self : NULL;
    if (!st)
        return;
    if (st->queue)
        s_queue_clear(st);
    free(st->queue);
    for (size_t i = 0; i < st->n_held; i++)
        snapshot_unref(&st->held[i]);
    free(st->held);
    for (size_t i = 0; i < st->n_selectors; i++)
        free(st->selectors[i]);
    free(st->selectors);
    free(st->filter_key);
    pthread_mutex_destroy(&st->lock);
    free(st);
    *self = NULL;
}

/* ---------------------------------------------------------------- stream ops
 * Callers hold st->lock. */

static void s_wake(sse_stream_t *st)
{
    if (st->suspended) {
        st->suspended = false;
        if (st->conn)
            MHD_resume_connection(st->conn);
    }
}

static void s_kill(sse_hub_t *hub, sse_stream_t *st)
{
    st->dead = true;
    s_queue_clear(st);
    stats_inc(hub->stats, STAT_SSE_SLOW_DISCONNECTS);
    if (st->fd >= 0)
        shutdown(st->fd, SHUT_RDWR); /* MHD sees the error and closes it */
    s_wake(st);
}

/* Doubles the ring (up to qmax), unrolling it to start at 0. false when it
 * is at qmax already or memory is short. */
static bool s_grow(sse_stream_t *st)
{
    size_t cap = st->qcap * 2 < st->qmax ? st->qcap * 2 : st->qmax;
    if (cap <= st->qcap)
        return false;
    blob_t **q = malloc(cap * sizeof *q);
    if (!q)
        return false;
    for (size_t i = 0; i < st->qlen; i++)
        q[i] = st->queue[(st->qhead + i) % st->qcap];
    free(st->queue);
    st->queue = q;
    st->qcap = cap;
    st->qhead = 0;
    return true;
}

/* Queues a reference to b; kills the stream when its queue is full. true
 * when queued. */
static bool s_push(sse_hub_t *hub, sse_stream_t *st, blob_t *b)
{
    if (st->dead || st->ended || !b)
        return false;
    if (st->qlen == st->qcap && !s_grow(st)) {
        s_kill(hub, st);
        return false;
    }
    st->queue[(st->qhead + st->qlen) % st->qcap] = blob_ref(b);
    st->qlen++;
    atomic_store_explicit(&st->last_write_ms, clock_mono_ms(), memory_order_relaxed);
    s_wake(st);
    return true;
}

static bool s_allow(void *ctx, const char *name)
{
    const sse_stream_t *st = ctx;
    for (size_t i = 0; i < st->n_selectors; i++)
        if (metric_selector_matches(st->selectors[i], name))
            return true;
    return false;
}

/* Does sample s go to st (timestamp order and interval)? */
static bool s_due(const sse_stream_t *st, const snapshot_t *s)
{
    int64_t ts = snapshot_timestamp_ms(s);
    if (ts <= st->last_ts)
        return false;
    if (st->last_ts == 0 || st->interval_ms <= 0)
        return true;
    return ts - st->last_ts >= st->interval_ms - (int64_t)snapshot_interval_ms(s) / 2;
}

/* Queues s (rendered for st's filter) when due. cached may hold an event
 * already rendered for the same filter. */
static void s_offer(sse_hub_t *hub, sse_stream_t *st, snapshot_t *s, blob_t *cached)
{
    if (st->dead || st->ended || !s_due(st, s))
        return;
    blob_t *own = NULL;
    blob_t *ev = snapshot_event(s);
    if (st->filter_key)
        ev = cached ? cached : (own = snapshot_event_filtered(s, s_allow, st));
    if (s_push(hub, st, ev))
        stats_inc(hub->stats, STAT_SSE_EVENTS);
    blob_unref(&own);
    st->last_ts = snapshot_timestamp_ms(s);
}

/* ---------------------------------------------------------------- HTTP side */

int sse_hub_add(sse_hub_t *self, sse_stream_t *st, struct MHD_Connection *conn)
{
    st->qmax = self->queue_max;
    st->qcap = st->qmax < S_QUEUE_INITIAL ? st->qmax : S_QUEUE_INITIAL;
    st->queue = calloc(st->qcap, sizeof *st->queue);
    if (!st->queue)
        return -1;
    const union MHD_ConnectionInfo *ci =
        conn ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD) : NULL;
    st->conn = conn;
    st->fd = ci ? ci->connect_fd : -1;
    st->queue[0] = blob_ref(self->hello);
    st->qlen = 1;
    atomic_store_explicit(&st->last_write_ms, clock_mono_ms(), memory_order_relaxed);
    pthread_mutex_lock(&self->lock);
    if (self->count >= self->max_streams) {
        pthread_mutex_unlock(&self->lock);
        stats_inc(self->stats, STAT_SSE_REJECTED);
        return -1;
    }
    sse_stream_t *first = zhashx_lookup(self->by_agent, st->agent_id);
    st->next = first;
    if (first)
        first->prev = st;
    zhashx_update(self->by_agent, st->agent_id, st);
    self->count++;
    st->added = true;
    pthread_mutex_unlock(&self->lock);
    stats_inc(self->stats, STAT_SSE_OPENED);
    return 0;
}

static int s_by_ts(const void *a, const void *b)
{
    int64_t x = snapshot_timestamp_ms(*(snapshot_t *const *)a);
    int64_t y = snapshot_timestamp_ms(*(snapshot_t *const *)b);
    return x < y ? -1 : x > y;
}

void sse_stream_release(sse_hub_t *self, sse_stream_t *st, snapshot_t **samples, size_t n)
{
    pthread_mutex_lock(&st->lock);
    /* The backlog is queued at once, before the client could read any of
     * it: a replay of sse_replay_max samples may exceed sse_client_queue
     * without the client being slow. Room for it comes on top of the
     * queue. */
    st->qmax += n + st->n_held;
    if (n)
        qsort(samples, n, sizeof *samples, s_by_ts);
    for (size_t i = 0; i < n; i++)
        s_offer(self, st, samples[i], NULL);
    if (st->n_held)
        qsort(st->held, st->n_held, sizeof *st->held, s_by_ts);
    for (size_t i = 0; i < st->n_held; i++) {
        s_offer(self, st, st->held[i], NULL);
        snapshot_unref(&st->held[i]);
    }
    st->n_held = 0;
    free(st->held);
    st->held = NULL;
    st->holding = false;
    pthread_mutex_unlock(&st->lock);
    for (size_t i = 0; i < n; i++)
        snapshot_unref(&samples[i]);
}

ssize_t sse_stream_read(sse_stream_t *st, char *buf, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&st->lock);
    if (st->dead) {
        pthread_mutex_unlock(&st->lock);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    while (st->qlen && n < max) {
        blob_t *b = st->queue[st->qhead];
        size_t left = blob_len(b) - st->head_off;
        size_t take = left < max - n ? left : max - n;
        memcpy(buf + n, blob_data(b) + st->head_off, take);
        n += take;
        st->head_off += take;
        if (st->head_off == blob_len(b)) {
            blob_unref(&st->queue[st->qhead]);
            st->qhead = (st->qhead + 1) % st->qcap;
            st->qlen--;
            st->head_off = 0;
        }
    }
    if (n == 0) {
        if (st->ended) {
            pthread_mutex_unlock(&st->lock);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        st->suspended = true;
        if (st->conn)
            MHD_suspend_connection(st->conn);
    }
    pthread_mutex_unlock(&st->lock);
    return (ssize_t)n;
}

static ssize_t s_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    return sse_stream_read(cls, buf, max);
}

struct MHD_Response *sse_stream_response(sse_stream_t *st)
{
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, S_BLOCK_SIZE, s_reader, st, NULL);
    if (!r)
        return NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    return r;
}

void sse_hub_remove(sse_hub_t *self, sse_stream_t **stp)
{
    sse_stream_t *st = stp ? *stp : NULL;
    if (!st)
        return;
    if (st->added) {
        pthread_mutex_lock(&self->lock);
        if (st->prev)
            st->prev->next = st->next;
        else if (st->next)
            zhashx_update(self->by_agent, st->agent_id, st->next);
        else
            zhashx_delete(self->by_agent, st->agent_id);
        if (st->next)
            st->next->prev = st->prev;
        self->count--;
        pthread_mutex_unlock(&self->lock);
    }
    sse_stream_free(stp);
}

/* ---------------------------------------------------------------- subscriber side */

typedef struct {
    const char *key;
    blob_t *event;
} s_cached_t;

#define S_CACHE_MAX 16

void sse_hub_publish(sse_hub_t *self, snapshot_t *s)
{
    s_cached_t cache[S_CACHE_MAX];
    size_t n_cache = 0;
    pthread_mutex_lock(&self->lock);
    for (sse_stream_t *st = zhashx_lookup(self->by_agent, snapshot_agent(s)); st; st = st->next) {
        pthread_mutex_lock(&st->lock);
        if (st->holding) {
            if (!st->held)
                st->held = calloc(S_HELD_MAX, sizeof *st->held);
            if (st->held && st->n_held < S_HELD_MAX)
                st->held[st->n_held++] = snapshot_ref(s);
        } else if (st->filter_key && !st->dead && !st->ended && s_due(st, s)) {
            blob_t *ev = NULL;
            for (size_t i = 0; i < n_cache && !ev; i++)
                if (strcmp(cache[i].key, st->filter_key) == 0)
                    ev = cache[i].event;
            if (!ev && n_cache < S_CACHE_MAX && (ev = snapshot_event_filtered(s, s_allow, st)))
                cache[n_cache++] = (s_cached_t){st->filter_key, ev};
            s_offer(self, st, s, ev);
        } else {
            s_offer(self, st, s, NULL);
        }
        pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&self->lock);
    for (size_t i = 0; i < n_cache; i++)
        blob_unref(&cache[i].event);
}

/* Keep-alives for one agent's streams (hub lock held). Only streams due
 * are locked, so that a tick over every stream does not contend with the
 * HTTP threads' readers 10,000 times at 10,000 streams. */
static void s_tick_agent(sse_hub_t *self, sse_stream_t *first, int64_t now_mono_ms)
{
    for (sse_stream_t *st = first; st; st = st->next) {
        int64_t last = atomic_load_explicit(&st->last_write_ms, memory_order_relaxed);
        if (now_mono_ms - last < self->keepalive_ms)
            continue;
        pthread_mutex_lock(&st->lock);
        if (!st->holding && now_mono_ms - st->last_write_ms >= self->keepalive_ms)
            s_push(self, st, self->keepalive);
        pthread_mutex_unlock(&st->lock);
    }
}

void sse_hub_tick(sse_hub_t *self, int64_t now_mono_ms)
{
    pthread_mutex_lock(&self->lock);
    for (sse_stream_t *first = zhashx_first(self->by_agent); first; first = zhashx_next(self->by_agent))
        s_tick_agent(self, first, now_mono_ms);
    pthread_mutex_unlock(&self->lock);
}

void sse_hub_shutdown(sse_hub_t *self)
{
    pthread_mutex_lock(&self->lock);
    for (sse_stream_t *first = zhashx_first(self->by_agent); first; first = zhashx_next(self->by_agent)) {
        for (sse_stream_t *st = first; st; st = st->next) {
            pthread_mutex_lock(&st->lock);
            st->ended = true;
            s_wake(st);
            pthread_mutex_unlock(&st->lock);
        }
    }
    pthread_mutex_unlock(&self->lock);
}

size_t sse_hub_count(sse_hub_t *self)
{
    pthread_mutex_lock(&self->lock);
    size_t n = self->count;
    pthread_mutex_unlock(&self->lock);
    return n;
}
