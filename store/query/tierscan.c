/*
 * tierscan.c - a tier's chunks and stream entries as one history. The
 * algorithm and why it is consistent are in tierscan.h.
 */
#include "tierscan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chunk.h"
#include "chunkspan.h"
#include "query_internal.h"
#include "rowid.h"

#define S_PAGE_DEFAULT 1000
#define S_CHUNK_BATCH 16 /* chunks per HMGET: bounds the memory of one reply */

typedef struct {
    const char *name;
    size_t len;
    size_t index; /* in wanted[] */
} s_want_t;

typedef struct {
    const char *name, *value;
    size_t len;
} s_cell_t;

typedef struct {
    query_ctx_t *ctx;
    const tierscan_req_t *req;
    char stream[KEYS_MAX], chunks[KEYS_MAX];
    int64_t span_ms;
    s_want_t *want; /* projection: wanted[] sorted by name; NULL otherwise */
    /* the cells of the row being passed on */
    const char **names;
    const char **values;
    size_t *lens, *cols;
    s_cell_t *sort; /* scratch of s_sort_cells */
    size_t cap;
    /* the current round's page: ids of its entries */
    rowid_t *ids;
    size_t ids_cap;
    bool stop;
} s_scan_t;

/* A page of stream entries and the next one to merge. */
typedef struct {
    const redisReply *entries;
    const rowid_t *ids;
    size_t n, next;
} s_page_t;

const char *tierscan_tier_name(keys_kind_t stream)
{
    return stream == KEYS_ROLLUP_1H ? "1h" : stream == KEYS_ROLLUP_1M ? "1m" : "raw";
}

static int s_want_cmp(const void *a, const void *b)
{
    const s_want_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Room for n cells in the row scratch arrays. -1 when out of memory. */
static int s_reserve(s_scan_t *sc, size_t n)
{
    if (n <= sc->cap)
        return 0;
    size_t cap = n < 64 ? 64 : n;
    const char **names = realloc(sc->names, cap * sizeof *names);
    if (names)
        sc->names = names;
    const char **values = realloc(sc->values, cap * sizeof *values);
    if (values)
        sc->values = values;
    size_t *lens = realloc(sc->lens, cap * sizeof *lens);
    if (lens)
        sc->lens = lens;
    size_t *cols = realloc(sc->cols, cap * sizeof *cols);
    if (cols)
        sc->cols = cols;
    s_cell_t *sort = realloc(sc->sort, cap * sizeof *sort);
    if (sort)
        sc->sort = sort;
    if (!names || !values || !lens || !cols || !sort)
        return -1;
    sc->cap = cap;
    return 0;
}

static query_status_t s_emit(s_scan_t *sc, rowid_t id, size_t n, query_error_t *err)
{
    if (sc->want && n == 0)
        return QUERY_OK;
    tierscan_row_t row = {
        id.ms, id.seq, n, sc->want ? NULL : sc->names, sc->values, sc->lens, sc->want ? sc->cols : NULL};
    return sc->req->fn(sc->req->arg, &row, &sc->stop, err);
}

/* ---------------------------------------------------------------- stream rows */

static int s_cell_cmp(const void *a, const void *b)
{
    return strcmp(((const s_cell_t *)a)->name, ((const s_cell_t *)b)->name);
}

/* Sorts the row's n cells by name (stream entries, when the caller asked;
 * a chunk's columns are in name order already). */
static void s_sort_cells(s_scan_t *sc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sc->sort[i] = (s_cell_t){sc->names[i], sc->values[i], sc->lens[i]};
    qsort(sc->sort, n, sizeof *sc->sort, s_cell_cmp);
    for (size_t i = 0; i < n; i++) {
        sc->names[i] = sc->sort[i].name;
        sc->values[i] = sc->sort[i].value;
        sc->lens[i] = sc->sort[i].len;
    }
}

/* Passes on stream entry e (id already parsed). */
static query_status_t s_stream_row(s_scan_t *sc, const redisReply *e, rowid_t id, query_error_t *err)
{
    const redisReply *fv = e->element[1];
    if (fv->type != REDIS_REPLY_ARRAY)
        return QUERY_OK; /* not ours: skip */
    if (s_reserve(sc, fv->elements / 2 + 1))
        return query_fail(err, QUERY_ERROR, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i + 1 < fv->elements; i += 2) {
        const redisReply *f = fv->element[i], *v = fv->element[i + 1];
        if (f->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (sc->want) {
            s_want_t key = {f->str, f->len, 0};
            const s_want_t *w = bsearch(&key, sc->want, sc->req->n_wanted, sizeof key, s_want_cmp);
            if (!w)
                continue;
            sc->cols[n] = w->index;
        } else {
            sc->names[n] = f->str;
        }
        sc->values[n] = v->str;
        sc->lens[n++] = v->len;
    }
    if (!sc->want && sc->req->sorted && n > 1)
        s_sort_cells(sc, n);
    return s_emit(sc, id, n, err);
}

/* Passes on the page's entries before id (all of them: ROWID_MAX); skips
 * one with id itself, which the caller passes on from its chunk. */
static query_status_t s_stream_until(s_scan_t *sc, s_page_t *p, rowid_t id, query_error_t *err)
{
    while (p->next < p->n && !sc->stop) {
        int c = rowid_cmp(p->ids[p->next], id);
        if (c > 0)
            break;
        size_t i = p->next++;
        if (c == 0)
            break; /* the same row in a chunk and in the stream: once */
        query_status_t st = s_stream_row(sc, p->entries->element[i], p->ids[i], err);
        if (st)
            return st;
    }
    return QUERY_OK;
}

/* ---------------------------------------------------------------- chunk rows */

static query_status_t s_corrupt_chunk(const char *agent_id, keys_kind_t stream, int64_t span,
                                      const char *what, query_error_t *err)
{
    char when[32] = "?";
    time_t t = (time_t)(span / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return query_fail(err, QUERY_ERROR, "agent '%s', tier %s: chunk of span %" PRId64 " (%s): %s", agent_id,
                      tierscan_tier_name(stream), span, when, what);
}

static query_status_t s_corrupt(const s_scan_t *sc, int64_t span, const char *what, query_error_t *err)
{
    return s_corrupt_chunk(sc->req->agent_id, sc->req->stream, span, what, err);
}

/* Decodes the columns the walk needs; in *idx (n_wanted entries) the
 * column of each wanted metric, or -1. */
static query_status_t s_chunk_columns(s_scan_t *sc, chunk_t *c, int64_t span, int *idx, query_error_t *err)
{
    chunk_err_t cerr;
    if (sc->want) {
        for (size_t w = 0; w < sc->req->n_wanted; w++) {
            idx[w] = chunk_column_find(c, sc->req->wanted[w]);
            if (idx[w] >= 0 && chunk_column_decode(c, (size_t)idx[w], &cerr))
                return s_corrupt(sc, span, cerr.text, err);
        }
        return QUERY_OK;
    }
    for (size_t i = 0; i < chunk_columns(c); i++)
        if (chunk_column_decode(c, i, &cerr))
            return s_corrupt(sc, span, cerr.text, err);
    return QUERY_OK;
}

/* Fills the row's cells from chunk row r. Returns how many. */
static size_t s_chunk_cells(s_scan_t *sc, const chunk_t *c, const int *idx, size_t r)
{
    size_t n = 0;
    if (sc->want) {
        for (size_t w = 0; w < sc->req->n_wanted; w++) {
            size_t len;
            const char *v = idx[w] >= 0 ? chunk_value(c, (size_t)idx[w], r, &len) : NULL;
            if (v) {
                sc->cols[n] = w;
                sc->values[n] = v;
                sc->lens[n++] = len;
            }
        }
        return n;
    }
    for (size_t i = 0; i < chunk_columns(c); i++) {
        size_t len;
        const char *v = chunk_value(c, i, r, &len);
        if (v) {
            sc->names[n] = chunk_column_name(c, i);
            sc->values[n] = v;
            sc->lens[n++] = len;
        }
    }
    return n;
}

/* Merges the rows of the chunk of span (bytes data[0..len)) with ids in
 * [start, bound] into the walk, with the page's entries before each. */
static query_status_t s_chunk(s_scan_t *sc, int64_t span, const char *data, size_t len, rowid_t start,
                              rowid_t bound, s_page_t *page, query_error_t *err)
{
    chunk_err_t cerr;
    chunk_t *c = chunk_open((const uint8_t *)data, len, &cerr);
    if (!c)
        return s_corrupt(sc, span, cerr.text, err);
    query_status_t st = QUERY_OK;
    int *idx = NULL;
    const int64_t *ts;
    const uint64_t *seq;
    size_t rows = chunk_rows(c);
    if (!chunkspan_holds(span, sc->span_ms, chunk_first_ms(c), chunk_last_ms(c))) {
        st = s_corrupt(sc, span, "its rows lie outside its span", err);
        goto done;
    }
    if (chunk_timestamps(c, &ts, &seq, &cerr)) {
        st = s_corrupt(sc, span, cerr.text, err);
        goto done;
    }
    if ((sc->want && !(idx = calloc(sc->req->n_wanted, sizeof *idx))) ||
        s_reserve(sc, sc->want ? sc->req->n_wanted : chunk_columns(c))) {
        st = query_fail(err, QUERY_ERROR, "out of memory");
        goto done;
    }
    if ((st = s_chunk_columns(sc, c, span, idx, err)))
        goto done;
    for (size_t r = chunkspan_first_row(ts, seq, rows, start); r < rows && !sc->stop; r++) {
        rowid_t id = {ts[r], seq[r]};
        if (rowid_cmp(id, bound) > 0)
            break;
        if (r > 0 && rowid_cmp((rowid_t){ts[r - 1], seq[r - 1]}, id) >= 0) {
            st = s_corrupt(sc, span, "its rows are not in order", err);
            goto done;
        }
        if ((st = s_stream_until(sc, page, id, err)) || sc->stop)
            goto done;
        size_t n = s_chunk_cells(sc, c, idx, r);
        if ((st = s_emit(sc, id, n, err)))
            goto done;
    }
done:
    free(idx);
    chunk_destroy(&c);
    return st;
}

/* Fetches the chunks of spans[0..n) a batch at a time and merges them. */
static query_status_t s_chunks(s_scan_t *sc, const int64_t *spans, size_t n, rowid_t start, rowid_t bound,
                               s_page_t *page, query_error_t *err)
{
    for (size_t i = 0; i < n && !sc->stop; i += S_CHUNK_BATCH) {
        size_t k = n - i < S_CHUNK_BATCH ? n - i : S_CHUNK_BATCH;
        char fields[S_CHUNK_BATCH][24];
        const char *argv[2 + S_CHUNK_BATCH] = {"HMGET", sc->chunks};
        for (size_t j = 0; j < k; j++) {
            snprintf(fields[j], sizeof fields[j], "%" PRId64, spans[i + j]);
            argv[2 + j] = fields[j];
        }
        redisReply *r;
        query_status_t st = query_command(sc->ctx, (int)(2 + k), argv, &r, err);
        if (st)
            return st;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != k) {
            freeReplyObject(r);
            return query_fail(err, QUERY_ERROR, "%s: unexpected reply", sc->chunks);
        }
        for (size_t j = 0; j < k && !sc->stop && st == QUERY_OK; j++) {
            const redisReply *v = r->element[j];
            if (v->type == REDIS_REPLY_STRING) /* nil: expired since the snapshot */
                st = s_chunk(sc, spans[i + j], v->str, v->len, start, bound, page, err);
        }
        freeReplyObject(r);
        if (st)
            return st;
    }
    return QUERY_OK;
}

/* ---------------------------------------------------------------- rounds */

/* The ids of the page's entries into sc->ids. */
static query_status_t s_page_ids(s_scan_t *sc, const redisReply *page, query_error_t *err)
{
    if (page->elements > sc->ids_cap) {
        rowid_t *ids = realloc(sc->ids, page->elements * sizeof *ids);
        if (!ids)
            return query_fail(err, QUERY_ERROR, "out of memory");
        sc->ids = ids;
        sc->ids_cap = page->elements;
    }
    for (size_t i = 0; i < page->elements; i++) {
        const redisReply *e = page->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
            keys_parse_id(e->element[0]->str, e->element[0]->len, &sc->ids[i].ms, &sc->ids[i].seq))
            return query_fail(err, QUERY_ERROR, "%s: unexpected reply", sc->stream);
    }
    return QUERY_OK;
}

/* The chunked spans named by an HKEYS reply that hold times in
 * [from_ms, to_ms], oldest first, into *spans (malloc'd). */
static query_status_t s_spans(s_scan_t *sc, const redisReply *keys, int64_t from_ms, int64_t to_ms,
                              int64_t **spans, size_t *n, query_error_t *err)
{
    *spans = NULL;
    *n = 0;
    if (keys->elements == 0)
        return QUERY_OK;
    const char **fields = malloc(keys->elements * sizeof *fields);
    size_t *lens = malloc(keys->elements * sizeof *lens);
    *spans = malloc(keys->elements * sizeof **spans);
    if (!fields || !lens || !*spans) {
        free(fields);
        free(lens);
        free(*spans);
        *spans = NULL;
        return query_fail(err, QUERY_ERROR, "out of memory");
    }
    size_t k = 0;
    for (size_t i = 0; i < keys->elements; i++)
        if (keys->element[i]->type == REDIS_REPLY_STRING) {
            fields[k] = keys->element[i]->str;
            lens[k++] = keys->element[i]->len;
        }
    *n = chunkspan_select(fields, lens, k, sc->span_ms, from_ms, to_ms, *spans);
    free(fields);
    free(lens);
    return QUERY_OK;
}

/* One round (tierscan.h, steps 1-4) from *start; sets *done or advances
 * *start. */
static query_status_t s_round(s_scan_t *sc, rowid_t *start, bool *done, query_error_t *err)
{
    const tierscan_req_t *q = sc->req;
    size_t page_size = q->page ? q->page : S_PAGE_DEFAULT;
    char from[48], to[32], count[24];
    rowid_format(*start, from, sizeof from);
    if (q->to_ms == INT64_MAX)
        snprintf(to, sizeof to, "+");
    else
        snprintf(to, sizeof to, "%" PRId64, q->to_ms);
    snprintf(count, sizeof count, "%zu", page_size);
    const char *hkeys[] = {"HKEYS", sc->chunks};
    const char *xrange[] = {"XRANGE", sc->stream, from, to, "COUNT", count};
    const int argc[] = {2, 6};
    const char *const *argv[] = {hkeys, xrange};
    redisReply *r;
    query_status_t st = query_transaction(sc->ctx, 2, argc, argv, &r, err);
    if (st)
        return st;
    const redisReply *keys = r->element[0], *entries = r->element[1];
    int64_t *spans = NULL;
    size_t n_spans = 0;
    if (keys->type != REDIS_REPLY_ARRAY || entries->type != REDIS_REPLY_ARRAY) {
        st = query_fail(err, QUERY_ERROR, "%s: unexpected reply", sc->stream);
        goto done;
    }
    if ((st = s_page_ids(sc, entries, err)))
        goto done;
    bool full = entries->elements >= page_size;
    rowid_t bound = full ? sc->ids[entries->elements - 1] : (rowid_t){q->to_ms, UINT64_MAX};
    if ((st = s_spans(sc, keys, start->ms, bound.ms, &spans, &n_spans, err)))
        goto done;
    s_page_t page = {entries, sc->ids, entries->elements, 0};
    if ((st = s_chunks(sc, spans, n_spans, *start, bound, &page, err)))
        goto done;
    st = s_stream_until(sc, &page, ROWID_MAX, err);
    *done = sc->stop || !full || rowid_cmp(bound, ROWID_MAX) == 0;
    *start = rowid_next(bound);
done:
    free(spans);
    freeReplyObject(r);
    return st;
}

query_status_t tierscan_run(query_ctx_t *ctx, const tierscan_req_t *req, query_error_t *err)
{
    s_scan_t sc = {.ctx = ctx, .req = req, .span_ms = keys_span_ms(req->stream)};
    if (keys_build(sc.stream, sizeof sc.stream, req->agent_id, req->stream) < 0 ||
        keys_build(sc.chunks, sizeof sc.chunks, req->agent_id, keys_chunks_of(req->stream)) < 0)
        return query_fail(err, QUERY_BAD_REQUEST, "invalid agent id");
    if (req->from_ms > req->to_ms)
        return QUERY_OK;
    query_status_t st = QUERY_OK;
    if (req->wanted) {
        if (!(sc.want = calloc(req->n_wanted ? req->n_wanted : 1, sizeof *sc.want)))
            return query_fail(err, QUERY_ERROR, "out of memory");
        for (size_t i = 0; i < req->n_wanted; i++)
            sc.want[i] = (s_want_t){req->wanted[i], strlen(req->wanted[i]), i};
        qsort(sc.want, req->n_wanted, sizeof *sc.want, s_want_cmp);
    }
    rowid_t start = {req->from_ms < 0 ? 0 : req->from_ms, 0};
    for (bool done = false; !done && st == QUERY_OK;)
        st = s_round(&sc, &start, &done, err);
    free(sc.want);
    free(sc.names);
    free(sc.values);
    free(sc.lens);
    free(sc.cols);
    free(sc.sort);
    free(sc.ids);
    return st;
}

/* ---------------------------------------------------------------- newest row */

/* The newest row of the chunk of span (via HGET), into *last_ms when later. */
static query_status_t s_chunk_last(query_ctx_t *ctx, const char *agent_id, keys_kind_t stream,
                                   const char *key, int64_t span, int64_t *last_ms, bool *found,
                                   query_error_t *err)
{
    char field[24];
    snprintf(field, sizeof field, "%" PRId64, span);
    const char *argv[] = {"HGET", key, field};
    redisReply *r;
    query_status_t st = query_command(ctx, 3, argv, &r, err);
    if (st)
        return st;
    if (r->type == REDIS_REPLY_STRING) { /* nil: expired since */
        chunk_err_t cerr;
        chunk_t *c = chunk_open((const uint8_t *)r->str, r->len, &cerr);
        if (!c)
            st = s_corrupt_chunk(agent_id, stream, span, cerr.text, err);
        else if (!chunkspan_holds(span, keys_span_ms(stream), chunk_first_ms(c), chunk_last_ms(c)))
            st = s_corrupt_chunk(agent_id, stream, span, "its rows lie outside its span", err);
        else if (!*found || chunk_last_ms(c) > *last_ms) {
            *last_ms = chunk_last_ms(c);
            *found = true;
        }
        chunk_destroy(&c);
    }
    freeReplyObject(r);
    return st;
}

query_status_t tierscan_last(query_ctx_t *ctx, const char *agent_id, keys_kind_t stream, int64_t *last_ms,
                             bool *found, query_error_t *err)
{
    *found = false;
    *last_ms = 0;
    char skey[KEYS_MAX], ckey[KEYS_MAX];
    if (keys_build(skey, sizeof skey, agent_id, stream) < 0 ||
        keys_build(ckey, sizeof ckey, agent_id, keys_chunks_of(stream)) < 0)
        return query_fail(err, QUERY_BAD_REQUEST, "invalid agent id");
    const char *xrev[] = {"XREVRANGE", skey, "+", "-", "COUNT", "1"};
    const char *hkeys[] = {"HKEYS", ckey};
    const int argc[] = {6, 2};
    const char *const *argv[] = {xrev, hkeys};
    redisReply *r;
    query_status_t st = query_transaction(ctx, 2, argc, argv, &r, err);
    if (st)
        return st;
    const redisReply *e = r->element[0], *keys = r->element[1];
    uint64_t seq;
    if (e->type == REDIS_REPLY_ARRAY && e->elements == 1 && e->element[0]->type == REDIS_REPLY_ARRAY &&
        e->element[0]->elements == 2 && e->element[0]->element[0]->type == REDIS_REPLY_STRING &&
        keys_parse_id(e->element[0]->element[0]->str, e->element[0]->element[0]->len, last_ms, &seq) == 0)
        *found = true;
    /* the newest chunked span: with the writer's layout it precedes the
     * stream's newest entry, and no chunk need be read */
    int64_t span_ms = keys_span_ms(stream), newest = -1;
    for (size_t i = 0; keys->type == REDIS_REPLY_ARRAY && i < keys->elements; i++) {
        int64_t s;
        if (keys->element[i]->type == REDIS_REPLY_STRING &&
            chunkspan_parse(keys->element[i]->str, keys->element[i]->len, span_ms, &s) == 0 && s > newest)
            newest = s;
    }
    freeReplyObject(r);
    if (newest >= 0 && (!*found || newest + span_ms > *last_ms))
        st = s_chunk_last(ctx, agent_id, stream, ckey, newest, last_ms, found, err);
    return st;
}
