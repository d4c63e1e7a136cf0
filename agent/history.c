/*
 * history.c - bounded ring of encoded samples. See history.h.
 */
#include "history.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t ts_ms;
    uint32_t off;
    uint32_t len;
} record_t;

struct history_t {
    uint8_t *data;
    size_t cap;     /* bytes of data */
    size_t head;    /* where the newest sample ends */
    record_t *recs; /* index ring, oldest at tail */
    size_t rcap, tail, count;
    size_t used; /* bytes held by indexed samples */
    int64_t retention_ms;
};

history_t *history_new(size_t max_bytes, int64_t retention_ms)
{
    history_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cap = max_bytes > UINT32_MAX ? UINT32_MAX : max_bytes;
    self->retention_ms = retention_ms;
    /* Pages of data are touched only as the ring fills, so a large bound
     * costs resident memory only once it is used. */
    if (self->cap && !(self->data = malloc(self->cap))) {
        free(self);
        return NULL;
    }
    return self;
}

void history_destroy(history_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->data);
    free((*self_p)->recs);
    free(*self_p);
    *self_p = NULL;
}

static const record_t *s_at(const history_t *self, size_t i)
{
    return &self->recs[(self->tail + i) % self->rcap];
}

static void s_evict_oldest(history_t *self)
{
    self->used -= self->recs[self->tail].len;
    self->tail = (self->tail + 1) % self->rcap;
    self->count--;
}

static int s_grow_index(history_t *self)
{
    size_t ncap = self->rcap ? self->rcap * 2 : 64;
    record_t *r = malloc(ncap * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < self->count; i++)
        r[i] = *s_at(self, i);
    free(self->recs);
    self->recs = r;
    self->rcap = ncap;
    self->tail = 0;
    return 0;
}

static bool s_overlaps(const record_t *r, size_t pos, size_t len)
{
    return r->off < pos + len && pos < (size_t)r->off + r->len;
}

int history_append(history_t *self, const Nodelink__MetricsDataResponse *sample)
{
    size_t len = nodelink__metrics_data_response__get_packed_size(sample);
    if (len == 0 || len > self->cap)
        return -1;
    int64_t ts = (int64_t)sample->timestamp;
    while (self->count && self->recs[self->tail].ts_ms < ts - self->retention_ms)
        s_evict_oldest(self);
    if (self->count == 0)
        self->head = 0;
    size_t pos = self->head;
    bool wrapped = pos + len > self->cap;
    if (wrapped)
        pos = 0;
    /* The oldest samples lie just after head; on a wrap, everything from
     * head to the end of the buffer is older than what sits at 0. */
    while (self->count) {
        const record_t *old = &self->recs[self->tail];
        if (!(s_overlaps(old, pos, len) || (wrapped && old->off >= self->head)))
            break;
        s_evict_oldest(self);
    }
    if (self->count == self->rcap && s_grow_index(self) != 0)
        return -1;
    nodelink__metrics_data_response__pack(sample, self->data + pos);
    record_t *r = &self->recs[(self->tail + self->count) % self->rcap];
    r->ts_ms = ts;
    r->off = (uint32_t)pos;
    r->len = (uint32_t)len;
    self->count++;
    self->used += len;
    self->head = pos + len;
    return 0;
}

size_t history_count(const history_t *self)
{
    return self->count;
}

size_t history_bytes(const history_t *self)
{
    return self->used;
}

size_t history_walk(const history_t *self, int64_t from_ms, int64_t to_ms, history_visit_fn fn, void *ctx)
{
    size_t visited = 0;
    for (size_t i = 0; i < self->count; i++) {
        const record_t *r = s_at(self, i);
        if (r->ts_ms < from_ms || r->ts_ms > to_ms)
            continue;
        visited++;
        if (fn(ctx, r->ts_ms, self->data + r->off, r->len) != 0)
            break;
    }
    return visited;
}
