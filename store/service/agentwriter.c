/*
 * agentwriter.c - one agent's write side. See agentwriter.h.
 */
#include "agentwriter.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "log.h"
#include "numfmt.h"
#include "rollup.h"

static int64_t s_tier_retention(const agentwriter_t *self, int t)
{
    return t == 0 ? self->cfg->retention_1m_ms : self->cfg->retention_1h_ms;
}

/* Appends the XADD of tier t's open bucket and empties it. */
static int s_emit_rollup(agentwriter_t *self, ledger_agent_t *a, int t)
{
    rollbuf_t *b = &a->tiers[t];
    if (b->open_start < 0)
        return 0;
    char key[KEYS_MAX], bufs[3 * 48];
    keys_build(key, sizeof key, a->id, t == 0 ? KEYS_ROLLUP_1M : KEYS_ROLLUP_1H);
    if (cmdbuf_reserve(self->cb, 6 + 2 * b->n, b->n * ROLLUP_TEXT_MAX))
        return -1;
    int argc = cmdbuf_xadd_head(self->cb, key, b->open_start, 0, s_tier_retention(self, t), bufs);
    int decimals = (int)self->cfg->decimals;
    for (size_t i = 0; i < b->n; i++) {
        char *text = self->cb->text + i * ROLLUP_TEXT_MAX;
        int len = rollup_agg_format(&b->aggs[i], false, decimals, text, ROLLUP_TEXT_MAX);
        if (len < 0)
            continue;
        self->cb->argv[argc] = b->names[i];
        self->cb->argvlen[argc++] = (size_t)-1;
        self->cb->argv[argc] = text;
        self->cb->argvlen[argc++] = (size_t)len;
    }
    b->closed_until = b->open_start + b->width_ms;
    rollbuf_reset(b);
    if (argc < 8)
        return 0; /* nothing to write */
    self->rollups++;
    return cmdbuf_append(self->cb, argc);
}

/* Prepares the open buckets for a sample at id_ms: closes (emit) or drops
 * (rebuild) buckets the sample has left, opens its bucket, and marks in
 * active[] the tiers the sample belongs to (not late). */
static int s_roll_begin(agentwriter_t *self, ledger_agent_t *a, int64_t id_ms, bool emit, bool *active)
{
    for (int t = 0; t < AGENTS_TIERS; t++) {
        rollbuf_t *b = &a->tiers[t];
        int64_t start = rollup_bucket_start(id_ms, b->width_ms);
        active[t] = start >= b->closed_until;
        if (!active[t]) {
            if (emit)
                self->late++;
            continue;
        }
        if (b->open_start >= 0 && start > b->open_start) {
            if (emit ? s_emit_rollup(self, a, t) : (rollbuf_reset(b), 0))
                return -1;
        }
        if (b->open_start < 0)
            b->open_start = start;
    }
    return 0;
}

static int s_roll_add(ledger_agent_t *a, const bool *active, size_t i, const char *name, double v)
{
    for (int t = 0; t < AGENTS_TIERS; t++)
        if (active[t] && rollbuf_add(&a->tiers[t], i, name, v))
            return -1;
    return 0;
}

/* Adds every field of r (rebuild from Redis: nothing is emitted). */
static int s_roll(agentwriter_t *self, ledger_agent_t *a, const record_t *r, int64_t id_ms)
{
    bool active[AGENTS_TIERS];
    if (s_roll_begin(self, a, id_ms, false, active))
        return -1;
    const char *name, *value;
    size_t i = 0;
    for (size_t pos = 0; (pos = record_field_next(r, pos, &name, &value)); i++)
        if (s_roll_add(a, active, i, name, r->values[i]))
            return -1;
    return 0;
}

static int s_append_system(agentwriter_t *self, ledger_agent_t *a, const record_t *r)
{
    char key[KEYS_MAX];
    keys_build(key, sizeof key, a->id, KEYS_SYSTEM);
    if (cmdbuf_reserve(self->cb, 3, 0))
        return -1;
    self->cb->argv[0] = "SET";
    self->cb->argvlen[0] = 3;
    self->cb->argv[1] = key;
    self->cb->argvlen[1] = strlen(key);
    self->cb->argv[2] = r->data;
    self->cb->argvlen[2] = r->size;
    self->built_system++;
    return cmdbuf_append(self->cb, 3);
}

int agentwriter_record(agentwriter_t *self, ledger_agent_t *a, const record_t *r)
{
    if (r->kind == RECORD_SYSTEM)
        return s_append_system(self, a, r);
    int64_t ms = r->ts_ms;
    uint64_t seq = 0;
    if (a->w_has_last && ms <= a->w_last_ms) {
        ms = a->w_last_ms;
        seq = a->w_last_idseq + 1;
    }
    bool active[AGENTS_TIERS];
    if (s_roll_begin(self, a, ms, true, active))
        return -1;
    char key[KEYS_MAX], bufs[3 * 48];
    keys_build(key, sizeof key, a->id, KEYS_RAW);
    if (cmdbuf_reserve(self->cb, 6 + 2 * r->n_fields, 0))
        return -1;
    int argc = cmdbuf_xadd_head(self->cb, key, ms, seq, self->cfg->retention_raw_ms, bufs);
    /* one pass: the XADD arguments (lengths from the block's layout) and
     * the rollups */
    const char *name, *value;
    size_t i = 0;
    for (size_t pos = 0; (pos = record_field_next(r, pos, &name, &value)); i++) {
        self->cb->argv[argc] = name;
        self->cb->argvlen[argc++] = (size_t)(value - name - 1);
        self->cb->argv[argc] = value;
        self->cb->argvlen[argc++] = (size_t)(r->data + pos - value - 1);
        if (s_roll_add(a, active, i, name, r->values[i]))
            return -1;
    }
    if (cmdbuf_append(self->cb, argc))
        return -1;
    a->w_has_last = true;
    a->w_last_ms = ms;
    a->w_last_idseq = seq;
    self->built_stored++;
    return 0;
}

/* ------------------------------------------------------------------ re-sync */

static redisReply *s_call(agentwriter_t *self, int argc, const char **argv)
{
    return cmdbuf_call(self->cb, argc, argv);
}

/* Id of the single entry of an XREVRANGE ... COUNT 1 reply. */
static bool s_last_id(const redisReply *r, int64_t *ms, uint64_t *seq)
{
    return r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY &&
           r->element[0]->elements == 2 && r->element[0]->element[0]->type == REDIS_REPLY_STRING &&
           keys_parse_id(r->element[0]->element[0]->str, r->element[0]->element[0]->len, ms, seq) == 0;
}

static int s_sync_cursor(agentwriter_t *self, ledger_agent_t *a)
{
    char key[KEYS_MAX];
    keys_build(key, sizeof key, a->id, KEYS_CURSOR);
    const char *argv[] = {"HMGET", key, "epoch", "seq"};
    redisReply *r = s_call(self, 4, argv);
    if (!r)
        return -1;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
        r->element[1]->type == REDIS_REPLY_STRING) {
        a->w_epoch = strtoull(r->element[0]->str, NULL, 10);
        a->w_seq = strtoull(r->element[1]->str, NULL, 10);
        a->w_has_cursor = true;
    }
    freeReplyObject(r);
    return 0;
}

static int s_sync_last(agentwriter_t *self, ledger_agent_t *a, keys_kind_t kind, int64_t *ms, uint64_t *seq,
                       bool *found)
{
    char key[KEYS_MAX];
    keys_build(key, sizeof key, a->id, kind);
    const char *argv[] = {"XREVRANGE", key, "+", "-", "COUNT", "1"};
    redisReply *r = s_call(self, 6, argv);
    if (!r)
        return -1;
    *found = s_last_id(r, ms, seq);
    freeReplyObject(r);
    return 0;
}

/* Feeds one raw entry [id, [f, v...]] into the open buckets. */
static int s_rebuild_entry(agentwriter_t *self, ledger_agent_t *a, const redisReply *e, int64_t *ms,
                           uint64_t *seq)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
        keys_parse_id(e->element[0]->str, e->element[0]->len, ms, seq) ||
        e->element[1]->type != REDIS_REPLY_ARRAY)
        return 0;
    /* build a transient record over the reply's numeric fields */
    const redisReply *fv = e->element[1];
    size_t size = 0;
    for (size_t i = 0; i < fv->elements; i++)
        size += fv->element[i]->len + 1;
    record_t rec = {.kind = RECORD_METRICS,
                    .data = malloc(size ? size : 1),
                    .values = malloc((fv->elements / 2 + 1) * sizeof(double))};
    int rc = -1;
    if (!rec.data || !rec.values)
        goto done;
    for (size_t i = 0; i + 1 < fv->elements; i += 2) {
        const redisReply *f = fv->element[i], *v = fv->element[i + 1];
        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING ||
            numfmt_parse(v->str, v->len, &rec.values[rec.n_fields]))
            continue;
        memcpy(rec.data + rec.size, f->str, f->len);
        rec.size += f->len;
        rec.data[rec.size++] = '\0';
        memcpy(rec.data + rec.size, v->str, v->len);
        rec.size += v->len;
        rec.data[rec.size++] = '\0';
        rec.n_fields++;
    }
    rc = s_roll(self, a, &rec, *ms);
done:
    free(rec.data);
    free(rec.values);
    return rc;
}

/* Rebuilds the open buckets from the raw entries of the newest hour. */
static int s_sync_rollups(agentwriter_t *self, ledger_agent_t *a)
{
    char key[KEYS_MAX], from[48];
    keys_build(key, sizeof key, a->id, KEYS_RAW);
    snprintf(from, sizeof from, "%" PRId64, rollup_bucket_start(a->w_last_ms, 3600000));
    for (;;) {
        const char *argv[] = {"XRANGE", key, from, "+", "COUNT", "500"};
        redisReply *r = s_call(self, 6, argv);
        if (!r)
            return -1;
        int64_t ms = 0;
        uint64_t seq = 0;
        size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
        for (size_t i = 0; i < n; i++)
            if (s_rebuild_entry(self, a, r->element[i], &ms, &seq)) {
                freeReplyObject(r);
                return -1;
            }
        freeReplyObject(r);
        if (n < 500)
            return 0;
        snprintf(from, sizeof from, "(%" PRId64 "-%" PRIu64, ms, seq);
    }
}

int agentwriter_sync(agentwriter_t *self, ledger_agent_t *a)
{
    ledger_unsync(a);
    int64_t ms;
    uint64_t seq;
    bool found;
    if (s_sync_cursor(self, a) || s_sync_last(self, a, KEYS_RAW, &ms, &seq, &found))
        return -1;
    if (found) {
        a->w_has_last = true;
        a->w_last_ms = ms;
        a->w_last_idseq = seq;
    }
    for (int t = 0; t < AGENTS_TIERS; t++) {
        if (s_sync_last(self, a, t == 0 ? KEYS_ROLLUP_1M : KEYS_ROLLUP_1H, &ms, &seq, &found))
            return -1;
        if (found)
            a->tiers[t].closed_until = ms + a->tiers[t].width_ms;
    }
    if (a->w_has_last && s_sync_rollups(self, a))
        return -1;
    a->synced = true;
    log_debug("agent %s: synced (cursor %" PRIu64 ":%" PRIu64 ", last id %" PRId64 "-%" PRIu64 ")", a->id,
              a->w_epoch, a->w_seq, a->w_last_ms, a->w_last_idseq);
    return 0;
}

/* ------------------------------------------------------------------ upkeep */

int agentwriter_close_idle(agentwriter_t *self, ledger_agent_t *a, int64_t now_mono, int64_t now_wall)
{
    if (!a->synced || now_mono - a->last_write_mono < self->cfg->rollup_idle_ms)
        return 0;
    bool any = false;
    for (int t = 0; t < AGENTS_TIERS; t++) {
        rollbuf_t *b = &a->tiers[t];
        if (b->open_start < 0 || now_wall < b->open_start + b->width_ms)
            continue;
        if (!any && cmdbuf_command(self->cb, 1, "MULTI"))
            return -1;
        any = true;
        if (s_emit_rollup(self, a, t))
            return -1;
    }
    return any ? cmdbuf_command(self->cb, 1, "EXEC") : 0;
}

int agentwriter_trim(agentwriter_t *self, ledger_agent_t *a)
{
    if (!a->synced || !a->w_has_last)
        return 0;
    static const keys_kind_t kinds[] = {KEYS_RAW, KEYS_ROLLUP_1M, KEYS_ROLLUP_1H};
    const int64_t ret[] = {self->cfg->retention_raw_ms, self->cfg->retention_1m_ms,
                           self->cfg->retention_1h_ms};
    for (int k = 0; k < 3; k++) {
        if (a->w_last_ms - ret[k] <= 0)
            continue;
        char key[KEYS_MAX], minid[32];
        keys_build(key, sizeof key, a->id, kinds[k]);
        snprintf(minid, sizeof minid, "%" PRId64, a->w_last_ms - ret[k]);
        if (cmdbuf_command(self->cb, 4, "XTRIM", key, "MINID", minid))
            return -1;
    }
    return 0;
}
