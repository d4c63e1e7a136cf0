/*
 * query_rows.c - rows as stored: raw sample replay (query_samples_after)
 * and the row iterator (query_rows). Both read through tierscan, so hot
 * stream entries and compacted chunks make one history.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "query.h"
#include "query_internal.h"
#include "tierscan.h"

/* The stream kind of a tier (keys.h lists the stream tiers in
 * query_tier_t's order). */
static keys_kind_t s_stream_of(query_tier_t tier)
{
    static const keys_kind_t kinds[] = {KEYS_RAW, KEYS_ROLLUP_1M, KEYS_ROLLUP_1H};
    return kinds[tier];
}

/* ------------------------------------------------------------------ raw samples */

typedef struct {
    query_samples_t *res;
    size_t max, cap;
} s_replay_t;

static void s_sample_clear(query_sample_t *s)
{
    for (size_t i = 0; i < s->n_values; i++)
        free(s->values[i].name);
    free(s->values);
    memset(s, 0, sizeof *s);
}

/* Fills s from row's cells (values that are not numbers are skipped, as
 * fields not written by nodelink). -1 when memory ran out. */
static int s_sample_from(const tierscan_row_t *row, query_sample_t *s)
{
    s->timestamp_ms = row->ts_ms;
    s->id_seq = row->seq;
    if (row->n && !(s->values = calloc(row->n, sizeof *s->values)))
        return -1;
    for (size_t i = 0; i < row->n; i++) {
        double d;
        if (numfmt_parse(row->values[i], row->lens[i], &d))
            continue;
        query_pair_t *p = &s->values[s->n_values];
        if (!(p->name = strdup(row->names[i])))
            return -1;
        p->value = d;
        s->n_values++;
    }
    return 0;
}

/* tierscan_fn: one more sample, or `more` and stop once max are held. */
static query_status_t s_replay_row(void *arg, const tierscan_row_t *row, bool *stop, query_error_t *err)
{
    s_replay_t *rp = arg;
    query_samples_t *res = rp->res;
    if (res->n_samples == rp->max) {
        res->more = true;
        *stop = true;
        return QUERY_OK;
    }
    if (res->n_samples == rp->cap) {
        size_t cap = rp->cap ? rp->cap * 2 : 16;
        if (cap > rp->max)
            cap = rp->max;
        query_sample_t *grown = realloc(res->samples, cap * sizeof *grown);
        if (!grown)
            return query_fail(err, QUERY_ERROR, "out of memory");
        res->samples = grown;
        rp->cap = cap;
    }
    query_sample_t *s = &res->samples[res->n_samples];
    memset(s, 0, sizeof *s);
    if (s_sample_from(row, s)) {
        s_sample_clear(s);
        return query_fail(err, QUERY_ERROR, "out of memory");
    }
    res->n_samples++;
    return QUERY_OK;
}

query_status_t query_samples_after(query_ctx_t *self, const char *agent_id, int64_t after_ms,
                                   size_t max_count, query_samples_t **out, query_error_t *err)
{
    *out = NULL;
    if (query_check_agent(agent_id, err))
        return QUERY_BAD_REQUEST;
    if (max_count < 1 || max_count > QUERY_MAX_SAMPLES)
        return query_fail(err, QUERY_BAD_REQUEST, "count must be 1..%u", QUERY_MAX_SAMPLES);
    if (after_ms < -1 || after_ms >= INT64_MAX - 1)
        return query_fail(err, QUERY_BAD_REQUEST, "invalid timestamp %" PRId64, after_ms);
    s_replay_t rp = {.res = calloc(1, sizeof *rp.res), .max = max_count};
    if (!rp.res)
        return query_fail(err, QUERY_ERROR, "out of memory");
    tierscan_req_t scan = {
        .agent_id = agent_id,
        .stream = KEYS_RAW,
        .from_ms = after_ms + 1,
        .to_ms = INT64_MAX,
        .page = max_count + 1, /* one more tells whether more exist */
        .fn = s_replay_row,
        .arg = &rp,
    };
    query_status_t st = tierscan_run(self, &scan, err);
    if (st) {
        query_samples_free(&rp.res);
        return st;
    }
    *out = rp.res;
    query_ok(err);
    return QUERY_OK;
}

void query_samples_free(query_samples_t **self)
{
    if (!self || !*self)
        return;
    for (size_t i = 0; i < (*self)->n_samples; i++)
        s_sample_clear(&(*self)->samples[i]);
    free((*self)->samples);
    free(*self);
    *self = NULL;
}

/* ------------------------------------------------------------------ row iterator */

typedef struct {
    query_row_fn fn;
    void *arg;
} s_visit_t;

static query_status_t s_visit_row(void *arg, const tierscan_row_t *row, bool *stop, query_error_t *err)
{
    (void)err;
    const s_visit_t *v = arg;
    *stop = v->fn(v->arg, row->ts_ms, row->seq, row->names, row->values, row->n) != 0;
    return QUERY_OK;
}

query_status_t query_rows(query_ctx_t *self, const char *agent_id, query_tier_t tier, int64_t from_ms,
                          int64_t to_ms, query_row_fn fn, void *arg, query_error_t *err)
{
    if (query_check_agent(agent_id, err))
        return QUERY_BAD_REQUEST;
    if ((size_t)tier >= QUERY_TIER_COUNT)
        return query_fail(err, QUERY_BAD_REQUEST, "unknown tier %d", (int)tier);
    if (from_ms < 0 || from_ms > to_ms)
        return query_fail(err, QUERY_BAD_REQUEST, "invalid range %" PRId64 "..%" PRId64 " ms", from_ms,
                          to_ms);
    if (!fn)
        return query_fail(err, QUERY_BAD_REQUEST, "no row callback");
    query_status_t st = query_agent_known(self, agent_id, err);
    if (st)
        return st;
    s_visit_t v = {fn, arg};
    tierscan_req_t scan = {
        .agent_id = agent_id,
        .stream = s_stream_of(tier),
        .from_ms = from_ms,
        .to_ms = to_ms,
        .sorted = true,
        .fn = s_visit_row,
        .arg = &v,
    };
    if ((st = tierscan_run(self, &scan, err)) == QUERY_OK)
        query_ok(err);
    return st;
}
