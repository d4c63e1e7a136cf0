/*
 * qpool.c - a free list of query contexts. See qpool.h.
 */
#include "qpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define S_IDLE_MAX 16

struct qpool_t {
    pthread_mutex_t lock;
    char *url;
    int64_t timeout_ms;
    query_ctx_t *idle[S_IDLE_MAX];
    size_t n_idle;
};

qpool_t *qpool_new(const char *redis_url, int64_t timeout_ms, query_error_t *err)
{
    query_ctx_t *probe = query_ctx_new(redis_url, timeout_ms, err);
    if (!probe)
        return NULL;
    qpool_t *self = calloc(1, sizeof *self);
    if (!self || !(self->url = strdup(redis_url))) {
        free(self);
        query_ctx_destroy(&probe);
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    self->timeout_ms = timeout_ms;
    self->idle[self->n_idle++] = probe;
    return self;
}

void qpool_destroy(qpool_t **self)
{
    if (!self || !*self)
        return;
    for (size_t i = 0; i < (*self)->n_idle; i++)
        query_ctx_destroy(&(*self)->idle[i]);
    pthread_mutex_destroy(&(*self)->lock);
    free((*self)->url);
    free(*self);
    *self = NULL;
}

query_ctx_t *qpool_get(qpool_t *self)
{
    query_ctx_t *ctx = NULL;
    pthread_mutex_lock(&self->lock);
    if (self->n_idle)
        ctx = self->idle[--self->n_idle];
    pthread_mutex_unlock(&self->lock);
    if (!ctx) {
        query_error_t err;
        ctx = query_ctx_new(self->url, self->timeout_ms, &err);
    }
    return ctx;
}

void qpool_put(qpool_t *self, query_ctx_t *ctx)
{
    if (!ctx)
        return;
    pthread_mutex_lock(&self->lock);
    if (self->n_idle < S_IDLE_MAX) {
        self->idle[self->n_idle++] = ctx;
        ctx = NULL;
    }
    pthread_mutex_unlock(&self->lock);
    query_ctx_destroy(&ctx);
}
