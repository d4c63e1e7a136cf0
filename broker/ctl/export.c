/*
 * export.c - nodelinkctl export. See export.h.
 */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "topic.h"

/* The metric names of the CSV header: sorted, each once. */
typedef struct {
    char **names;
    size_t n, cap;
} s_names_t;

typedef struct {
    FILE *out;
    s_names_t header;
    int64_t last_ms; /* the id of the last row of the first walk */
    uint64_t last_seq;
    size_t rows;
    bool failed; /* out of memory, a write failed, or a name not in the header */
    char why[160];
} s_export_t;

void export_csv_cell(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Adds name to the header unless there. -1 when out of memory. */
static int s_names_add(s_names_t *h, const char *name)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(h->names[mid], name);
        if (c == 0)
            return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        char **grown = realloc(h->names, cap * sizeof *grown);
        if (!grown)
            return -1;
        h->names = grown;
        h->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return -1;
    memmove(&h->names[lo + 1], &h->names[lo], (h->n - lo) * sizeof *h->names);
    h->names[lo] = copy;
    h->n++;
    return 0;
}

static void s_names_free(s_names_t *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->names[i]);
    free(h->names);
}

static int s_fail(s_export_t *x, const char *why)
{
    x->failed = true;
    snprintf(x->why, sizeof x->why, "%s", why);
    return 1;
}

/* query_row_fn of the first CSV walk: the names and the last id. */
static int s_collect(void *arg, int64_t ts_ms, uint64_t seq, const char *const *names,
                     const char *const *values, size_t n)
{
    (void)values;
    s_export_t *x = arg;
    for (size_t i = 0; i < n; i++)
        if (s_names_add(&x->header, names[i]))
            return s_fail(x, "out of memory");
    x->last_ms = ts_ms;
    x->last_seq = seq;
    x->rows++;
    return 0;
}

static int s_written(s_export_t *x)
{
    if (ferror(x->out))
        return s_fail(x, errno == EPIPE ? "" : strerror(errno));
    return 0;
}

/* query_row_fn of the second CSV walk: one line per row. Both the row's
 * names and the header are sorted, so one pass matches them. */
static int s_csv_row(void *arg, int64_t ts_ms, uint64_t seq, const char *const *names,
                     const char *const *values, size_t n)
{
    s_export_t *x = arg;
    if (ts_ms > x->last_ms || (ts_ms == x->last_ms && seq > x->last_seq))
        return 1; /* stored after the first walk */
    fprintf(x->out, "%" PRId64 ",%" PRIu64, ts_ms, seq);
    size_t k = 0;
    for (size_t i = 0; i < x->header.n; i++) {
        fputc(',', x->out);
        if (k < n && strcmp(names[k], x->header.names[i]) == 0)
            export_csv_cell(x->out, values[k++]);
    }
    fputc('\n', x->out);
    if (k < n)
        return s_fail(x, "a metric appeared that the first walk did not see (the history changed while "
                         "exporting); run the export again");
    x->rows++;
    return s_written(x);
}

/* query_row_fn of the JSON lines export. */
static int s_jsonl_row(void *arg, int64_t ts_ms, uint64_t seq, const char *const *names,
                       const char *const *values, size_t n)
{
    s_export_t *x = arg;
    json_t *row = json_object(), *cells = json_object();
    int rc = row && cells ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = json_object_set_new(cells, names[i], json_string(values[i]));
    if (rc == 0)
        rc = json_object_set_new(row, "ts_ms", json_integer((json_int_t)ts_ms)) ||
             json_object_set_new(row, "seq", json_integer((json_int_t)seq)) ||
             json_object_set(row, "values", cells);
    char *text = rc == 0 ? json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(cells);
    json_decref(row);
    if (!text)
        return s_fail(x, "out of memory");
    fputs(text, x->out);
    fputc('\n', x->out);
    free(text);
    x->rows++;
    return s_written(x);
}

static int s_tier(const char *name, query_tier_t *tier)
{
    for (int t = 0; t < QUERY_TIER_COUNT; t++)
        if (strcmp(name, query_tier_name((query_tier_t)t)) == 0) {
            *tier = (query_tier_t)t;
            return 0;
        }
    return -1;
}

/* The exit status of a failed query, after saying why. */
static int s_query_failed(const query_error_t *err, const char *agent_id)
{
    switch (err->status) {
    case QUERY_NOT_FOUND:
        fprintf(stderr, "nodelinkctl: export: the store holds no history of agent '%s'\n", agent_id);
        return CTL_EXIT_UNKNOWN_AGENT;
    case QUERY_UNAVAILABLE:
        fprintf(stderr, "nodelinkctl: export: the store's Redis is unreachable: %s (check --redis.url)\n",
                err->message);
        return CTL_EXIT_STORE;
    case QUERY_BAD_REQUEST:
        fprintf(stderr, "nodelinkctl: export: %s\n", err->message);
        return CTL_EXIT_USAGE;
    default:
        fprintf(stderr, "nodelinkctl: export: %s\n", err->message);
        return CTL_EXIT_FAILED;
    }
}

/* The walks of one export; returns the exit status. */
static int s_walk(query_ctx_t *q, const char *agent_id, query_tier_t tier, int64_t from, int64_t to, bool csv,
                  s_export_t *x)
{
    query_error_t err = {0};
    query_status_t st;
    if (csv) {
        st = query_rows(q, agent_id, tier, from, to, s_collect, x, &err);
        if (st == QUERY_OK && !x->failed) {
            fputs("ts_ms,seq", x->out);
            for (size_t i = 0; i < x->header.n; i++)
                fprintf(x->out, ",%s", x->header.names[i]);
            fputc('\n', x->out);
            size_t seen = x->rows;
            x->rows = 0;
            if (seen && s_written(x) == 0)
                st = query_rows(q, agent_id, tier, from, x->last_ms, s_csv_row, x, &err);
        }
    } else {
        st = query_rows(q, agent_id, tier, from, to, s_jsonl_row, x, &err);
    }
    if (st != QUERY_OK)
        return s_query_failed(&err, agent_id);
    if (!x->failed && fflush(x->out) != 0)
        s_fail(x, errno == EPIPE ? "" : strerror(errno));
    if (x->failed) {
        if (x->why[0]) /* a closed pipe (the reader had enough) needs no message */
            fprintf(stderr, "nodelinkctl: export: %s\n", x->why);
        return CTL_EXIT_FAILED;
    }
    return CTL_EXIT_OK;
}

int export_run(const ctl_config_t *cfg, const char *agent_id, FILE *out)
{
    char why[256];
    int64_t from, to;
    query_tier_t tier;
    if (!topic_id_valid(agent_id)) {
        fprintf(stderr,
                "nodelinkctl: export: invalid agent id '%.80s' (1-64 characters of A-Z a-z 0-9 _ . -)\n",
                agent_id);
        return CTL_EXIT_USAGE;
    }
    if (ctl_parse_time(cfg->from, false, &from, why, sizeof why) ||
        ctl_parse_time(cfg->to, true, &to, why, sizeof why) || s_tier(cfg->tier, &tier)) {
        fprintf(stderr, "nodelinkctl: export: %s\n",
                s_tier(cfg->tier, &tier) ? "tier: must be raw, 1m or 1h" : why);
        return CTL_EXIT_USAGE;
    }
    if (from > to) {
        fprintf(stderr, "nodelinkctl: export: --from (%s) is after --to (%s)\n", cfg->from, cfg->to);
        return CTL_EXIT_USAGE;
    }
    query_error_t err = {0};
    query_ctx_t *q = query_ctx_new(cfg->redis_url, cfg->timeout_ms, &err);
    if (!q) {
        fprintf(stderr, "nodelinkctl: export: redis.url: %s\n", err.message);
        return CTL_EXIT_USAGE;
    }
    s_export_t x = {.out = out};
    int rc = s_walk(q, agent_id, tier, from, to, strcmp(cfg->format, "csv") == 0, &x);
    s_names_free(&x.header);
    query_ctx_destroy(&q);
    return rc;
}
