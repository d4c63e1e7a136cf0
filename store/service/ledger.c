/*
 * ledger.c - per-agent state. See ledger.h.
 */
#include "ledger.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

struct ledger_t {
    zhashx_t *by_id; /* id -> ledger_agent_t (owned) */
};

static void s_agent_free(void **item)
{
    ledger_agent_t *a = *item;
    if (!a)
        return;
    for (int t = 0; t < AGENTS_TIERS; t++) {
        for (size_t i = 0; i < a->tiers[t].cap; i++)
            free(a->tiers[t].names[i]);
        free(a->tiers[t].names);
        free(a->tiers[t].aggs);
    }
    free(a);
    *item = NULL;
}

ledger_t *ledger_new(void)
{
    ledger_t *self = calloc(1, sizeof *self);
    if (!self || !(self->by_id = zhashx_new())) {
        free(self);
        return NULL;
    }
    zhashx_set_destructor(self->by_id, s_agent_free);
    return self;
}

void ledger_destroy(ledger_t **self)
{
    if (!self || !*self)
        return;
    zhashx_destroy(&(*self)->by_id);
    free(*self);
    *self = NULL;
}

ledger_agent_t *ledger_get(ledger_t *self, const char *id)
{
    ledger_agent_t *a = zhashx_lookup(self->by_id, id);
    if (a)
        return a;
    if (!(a = calloc(1, sizeof *a)))
        return NULL;
    strncpy(a->id, id, TOPIC_ID_MAX);
    a->tiers[0].width_ms = 60000;
    a->tiers[1].width_ms = 3600000;
    ledger_unsync(a);
    if (zhashx_insert(self->by_id, a->id, a)) {
        void *p = a;
        s_agent_free(&p);
        return NULL;
    }
    return a;
}

size_t ledger_count(const ledger_t *self)
{
    return zhashx_size(self->by_id);
}

void ledger_each(ledger_t *self, void (*fn)(void *ctx, ledger_agent_t *a), void *ctx)
{
    for (ledger_agent_t *a = zhashx_first(self->by_id); a; a = zhashx_next(self->by_id))
        fn(ctx, a);
}

static bool s_old_epoch_duplicate(ledger_agent_t *a, uint64_t epoch, uint64_t seq)
{
    for (int i = 0; i < AGENTS_OLD_EPOCHS; i++)
        if (a->old_epoch[i] == epoch && a->old_seq[i])
            return seq <= a->old_seq[i];
    return false;
}

bool ledger_receive(ledger_agent_t *a, bool has_seq, uint64_t epoch, uint64_t seq)
{
    if (!has_seq)
        return true;
    if (!a->r_known) {
        a->r_known = true;
        a->r_epoch = epoch;
        a->r_seq = seq;
        return true;
    }
    if (epoch == a->r_epoch) {
        if (seq <= a->r_seq) {
            a->duplicates++;
            return false;
        }
        a->gaps += seq - a->r_seq - 1;
        a->r_seq = seq;
        return true;
    }
    if (s_old_epoch_duplicate(a, epoch, seq)) {
        a->duplicates++;
        return false;
    }
    /* a new process (or an old one still running): remember the current one */
    memmove(&a->old_epoch[1], &a->old_epoch[0], (AGENTS_OLD_EPOCHS - 1) * sizeof a->old_epoch[0]);
    memmove(&a->old_seq[1], &a->old_seq[0], (AGENTS_OLD_EPOCHS - 1) * sizeof a->old_seq[0]);
    a->old_epoch[0] = a->r_epoch;
    a->old_seq[0] = a->r_seq;
    a->r_epoch = epoch;
    a->r_seq = seq;
    return true;
}

bool ledger_written(const ledger_agent_t *a, bool has_seq, uint64_t epoch, uint64_t seq)
{
    return has_seq && a->w_has_cursor && epoch == a->w_epoch && seq <= a->w_seq;
}

void ledger_unsync(ledger_agent_t *a)
{
    a->synced = false;
    a->w_has_cursor = a->w_has_last = false;
    a->w_epoch = a->w_seq = 0;
    a->w_last_ms = 0;
    a->w_last_idseq = 0;
    for (int t = 0; t < AGENTS_TIERS; t++) {
        rollbuf_reset(&a->tiers[t]);
        a->tiers[t].closed_until = INT64_MIN;
    }
    for (int t = 0; t < 3; t++)
        a->compact_next[t] = 0; /* learnt again from Redis */
}

static int s_grow(rollbuf_t *b)
{
    size_t cap = b->cap ? b->cap * 2 : 64;
    char **names = realloc(b->names, cap * sizeof *names);
    if (!names)
        return -1;
    b->names = names;
    memset(b->names + b->cap, 0, (cap - b->cap) * sizeof *names);
    rollup_agg_t *aggs = realloc(b->aggs, cap * sizeof *aggs);
    if (!aggs)
        return -1;
    b->aggs = aggs;
    b->cap = cap;
    return 0;
}

int rollbuf_add(rollbuf_t *b, size_t hint, const char *name, double value)
{
    size_t i = hint;
    if (!(i < b->n && strcmp(b->names[i], name) == 0)) {
        for (i = 0; i < b->n && strcmp(b->names[i], name) != 0; i++)
            ;
        if (i == b->n) {
            if (b->n == b->cap && s_grow(b))
                return -1;
            /* slot n may hold a stale name from before a reset: reuse if equal */
            if (!b->names[i] || strcmp(b->names[i], name) != 0) {
                char *copy = strdup(name);
                if (!copy)
                    return -1;
                free(b->names[i]);
                b->names[i] = copy;
            }
            memset(&b->aggs[i], 0, sizeof b->aggs[i]);
            b->n++;
        }
    }
    rollup_agg_add(&b->aggs[i], value);
    return 0;
}

void rollbuf_reset(rollbuf_t *b)
{
    b->n = 0;
    b->open_start = -1;
}
