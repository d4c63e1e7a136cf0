/*
 * record.c - encoded records and their bounded queue. See record.h.
 */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metricname.h"
#include "numfmt.h"

typedef struct {
    char *buf;
    size_t len, cap;
    double *values;
    size_t n, n_cap;
    int decimals;
    bool failed;
} s_builder_t;

static void s_append(s_builder_t *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->buf, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->buf = p;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len++] = '\0';
}

static void s_visit(void *ctx, const metric_def_t *def, const char *instance, const char *name, double value)
{
    (void)instance;
    s_builder_t *b = ctx;
    char text[NUMFMT_MAX];
    int n = numfmt_value(value, def->integer, b->decimals, text, sizeof text);
    if (n < 0)
        return; /* NaN / infinity: not stored */
    if (b->n == b->n_cap) {
        size_t cap = b->n_cap ? b->n_cap * 2 : 64;
        double *v = realloc(b->values, cap * sizeof *v);
        if (!v) {
            b->failed = true;
            return;
        }
        b->values = v;
        b->n_cap = cap;
    }
    s_append(b, name, strlen(name));
    s_append(b, text, (size_t)n);
    b->values[b->n++] = numfmt_round(value, def->integer, b->decimals);
}

static record_t *s_new(record_kind_t kind, const char *agent_id, const Nodelink__TaskResponse *msg)
{
    record_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->kind = kind;
    strncpy(r->agent_id, agent_id, TOPIC_ID_MAX);
    r->has_seq = msg->has_sequence;
    r->seq = msg->sequence;
    r->epoch = msg->has_epoch ? msg->epoch : 0;
    r->received_mono = clock_mono_ms();
    return r;
}

record_t *record_from_metrics(const char *agent_id, const Nodelink__TaskResponse *msg,
                              const Nodelink__MetricsDataResponse *m, int decimals)
{
    s_builder_t b = {.decimals = decimals};
    metric_flatten(m, s_visit, &b);
    record_t *r = b.failed || b.n == 0 ? NULL : s_new(RECORD_METRICS, agent_id, msg);
    if (!r) {
        free(b.buf);
        free(b.values);
        return NULL;
    }
    r->ts_ms = (int64_t)(m->timestamp > INT64_MAX ? INT64_MAX : m->timestamp);
    r->data = b.buf;
    r->values = b.values;
    r->size = b.len;
    r->n_fields = b.n;
    return r;
}

record_t *record_from_system(const char *agent_id, const Nodelink__TaskResponse *msg, int64_t ts_ms,
                             char **json)
{
    record_t *r = s_new(RECORD_SYSTEM, agent_id, msg);
    if (!r)
        return NULL;
    r->ts_ms = ts_ms;
    r->data = *json;
    r->size = strlen(*json);
    *json = NULL;
    return r;
}

void record_destroy(record_t **self)
{
    if (!self || !*self)
        return;
    free((*self)->data);
    free((*self)->values);
    free(*self);
    *self = NULL;
}

size_t record_cost(const record_t *self)
{
    return sizeof *self + self->size + (self->values ? self->n_fields * sizeof *self->values : 0);
}

size_t record_field_next(const record_t *self, size_t pos, const char **name, const char **value)
{
    if (self->kind != RECORD_METRICS || pos >= self->size)
        return 0;
    *name = self->data + pos;
    pos += strlen(*name) + 1;
    *value = self->data + pos;
    return pos + strlen(*value) + 1;
}

void record_queue_init(record_queue_t *q, size_t max_bytes)
{
    memset(q, 0, sizeof *q);
    q->max_bytes = max_bytes;
}

/* Removes the oldest record that is not pinned (count > pinned + 1). */
static void s_drop_after_pinned(record_queue_t *q)
{
    if (q->pinned == 0) {
        record_queue_pop(q, 1);
        return;
    }
    record_t *prev = q->head;
    for (size_t i = 1; i < q->pinned; i++)
        prev = prev->next;
    record_t *r = prev->next;
    prev->next = r->next;
    if (q->tail == r)
        q->tail = prev;
    q->count--;
    q->bytes -= record_cost(r);
    record_destroy(&r);
}

size_t record_queue_push(record_queue_t *q, record_t **rec)
{
    record_t *r = *rec;
    *rec = NULL;
    r->next = NULL;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->count++;
    q->bytes += record_cost(r);
    size_t dropped = 0;
    while (q->bytes > q->max_bytes && q->count > q->pinned + 1) {
        s_drop_after_pinned(q);
        dropped++;
    }
    return dropped;
}

void record_queue_pop(record_queue_t *q, size_t n)
{
    while (n-- && q->head) {
        record_t *r = q->head;
        q->head = r->next;
        if (!q->head)
            q->tail = NULL;
        q->count--;
        q->bytes -= record_cost(r);
        q->pinned = q->pinned ? q->pinned - 1 : 0;
        record_destroy(&r);
    }
}

void record_queue_clear(record_queue_t *q)
{
    record_queue_pop(q, q->count);
}
