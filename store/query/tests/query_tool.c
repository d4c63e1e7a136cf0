/*
 * query_tool.c - command-line front end of the query library, for the
 * integration tests and the benchmark (prints one JSON document).
 *
 *   store_query_tool URL history AGENT START END INTERVAL MAX_POINTS m1,m2,...
 *   store_query_tool URL samples AGENT AFTER_MS COUNT
 *   store_query_tool URL rows AGENT TIER FROM_MS TO_MS [LIMIT]
 *   store_query_tool URL system AGENT
 *   store_query_tool URL agents
 *
 * rows prints "rows": [[ts_ms, seq, [[name, value], ...]], ...] in the order
 * query_rows gave them (TO_MS "max": no end; LIMIT stops the walk after that
 * many rows).
 *
 * Output: {"status": "...", "message": "...", ...result}. Exit 0 when the
 * call returned QUERY_OK, 1 otherwise, 2 on usage errors. With
 * NODELINK_QUERY_REPEAT=N in the environment the call runs N times on one
 * context and "us_per_call" (mean wall time) is added (benchmarks).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "query.h"

static json_t *s_history(query_ctx_t *ctx, char **argv, query_error_t *err)
{
    const char *metrics[QUERY_MAX_METRICS + 1];
    size_t n = 0;
    char *list = strdup(argv[5]);
    for (char *save, *tok = strtok_r(list, ",", &save); tok && n <= QUERY_MAX_METRICS;
         tok = strtok_r(NULL, ",", &save))
        metrics[n++] = tok;
    query_history_req_t req = {
        argv[0], metrics, n, atoll(argv[1]), atoll(argv[2]), atoll(argv[3]), (uint32_t)atol(argv[4])};
    query_history_t *res = NULL;
    json_t *out = json_object();
    if (query_history(ctx, &req, &res, err) == QUERY_OK) {
        json_object_set_new(out, "tier", json_string(query_tier_name(res->tier)));
        json_object_set_new(out, "truncated", json_boolean(res->truncated));
        json_t *pts = json_array();
        for (size_t i = 0; i < res->n_points; i++) {
            json_t *p = json_object();
            json_object_set_new(p, "timestamp", json_integer(res->timestamps[i]));
            for (size_t m = 0; m < res->n_metrics; m++) {
                double v;
                if (query_history_value(res, i, m, &v))
                    json_object_set_new(p, res->metrics[m], json_real(v));
            }
            json_array_append_new(pts, p);
        }
        json_object_set_new(out, "data", pts);
    }
    query_history_free(&res);
    free(list);
    return out;
}

static json_t *s_samples(query_ctx_t *ctx, char **argv, query_error_t *err)
{
    query_samples_t *res = NULL;
    json_t *out = json_object();
    if (query_samples_after(ctx, argv[0], atoll(argv[1]), (size_t)atol(argv[2]), &res, err) == QUERY_OK) {
        json_object_set_new(out, "more", json_boolean(res->more));
        json_t *arr = json_array();
        for (size_t i = 0; i < res->n_samples; i++) {
            json_t *s = json_object(), *vals = json_object();
            json_object_set_new(s, "timestamp", json_integer(res->samples[i].timestamp_ms));
            json_object_set_new(s, "seq", json_integer((json_int_t)res->samples[i].id_seq));
            for (size_t k = 0; k < res->samples[i].n_values; k++)
                json_object_set_new(vals, res->samples[i].values[k].name,
                                    json_real(res->samples[i].values[k].value));
            json_object_set_new(s, "values", vals);
            json_array_append_new(arr, s);
        }
        json_object_set_new(out, "samples", arr);
    }
    query_samples_free(&res);
    return out;
}

typedef struct {
    json_t *rows;
    long limit;
} s_rows_t;

static int s_row(void *arg, int64_t ts_ms, uint64_t seq, const char *const *names, const char *const *values,
                 size_t n)
{
    s_rows_t *r = arg;
    json_t *cells = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(cells, json_pack("[s, s]", names[i], values[i]));
    json_array_append_new(r->rows, json_pack("[I, I, o]", (json_int_t)ts_ms, (json_int_t)seq, cells));
    return r->limit > 0 && (long)json_array_size(r->rows) >= r->limit;
}

static json_t *s_rows(query_ctx_t *ctx, int argc, char **argv, query_error_t *err)
{
    static const char *const tiers[] = {"raw", "1m", "1h"};
    int tier = -1;
    for (int t = 0; t < 3; t++)
        if (strcmp(argv[1], tiers[t]) == 0)
            tier = t;
    s_rows_t r = {json_array(), argc > 4 ? atol(argv[4]) : 0};
    int64_t to = strcmp(argv[3], "max") == 0 ? INT64_MAX : atoll(argv[3]);
    json_t *out = json_object();
    if (query_rows(ctx, argv[0], tier < 0 ? QUERY_TIER_COUNT : (query_tier_t)tier, atoll(argv[2]), to, s_row,
                   &r, err) == QUERY_OK)
        json_object_set(out, "rows", r.rows);
    json_decref(r.rows);
    return out;
}

static json_t *s_other(query_ctx_t *ctx, const char *what, char **argv, query_error_t *err)
{
    json_t *out = json_object();
    if (strcmp(what, "system") == 0) {
        char *text = NULL;
        if (query_system_info(ctx, argv[0], &text, err) == QUERY_OK)
            json_object_set_new(out, "json", json_string(text));
        free(text);
    } else {
        query_agents_t *list = NULL;
        if (query_agents(ctx, &list, err) == QUERY_OK) {
            json_t *arr = json_array();
            for (size_t i = 0; i < list->n_agents; i++)
                json_array_append_new(arr, json_pack("{s:s, s:I}", "id", list->agents[i].id, "last_seen_ms",
                                                     (json_int_t)list->agents[i].last_seen_ms));
            json_object_set_new(out, "agents", arr);
        }
        query_agents_free(&list);
    }
    return out;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int args, optional;
    } cmds[] = {{"history", 6, 0}, {"samples", 3, 0}, {"system", 1, 0}, {"agents", 0, 0}, {"rows", 4, 1}};
    int c = -1;
    for (int i = 0; argc >= 3 && i < 5; i++)
        if (strcmp(argv[2], cmds[i].name) == 0 && argc >= 3 + cmds[i].args &&
            argc <= 3 + cmds[i].args + cmds[i].optional)
            c = i;
    if (c < 0) {
        fprintf(stderr, "usage: see the comment at the top of query_tool.c\n");
        return 2;
    }
    query_error_t err = {0};
    query_ctx_t *ctx = query_ctx_new(argv[1], 2000, &err);
    json_t *out = NULL;
    const char *rep = getenv("NODELINK_QUERY_REPEAT");
    long repeat = rep ? atol(rep) : 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; ctx && i < (repeat > 0 ? repeat : 1); i++) {
        json_decref(out);
        out = c == 0   ? s_history(ctx, argv + 3, &err)
              : c == 1 ? s_samples(ctx, argv + 3, &err)
              : c == 4 ? s_rows(ctx, argc - 3, argv + 3, &err)
                       : s_other(ctx, argv[2], argv + 3, &err);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!out)
        out = json_object();
    if (rep)
        json_object_set_new(
            out, "us_per_call",
            json_real(((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
                      (double)(repeat > 0 ? repeat : 1)));
    json_object_set_new(out, "status", json_string(query_status_name(err.status)));
    json_object_set_new(out, "message", json_string(err.message));
    char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    puts(text);
    free(text);
    json_decref(out);
    query_ctx_destroy(&ctx);
    return err.status == QUERY_OK ? 0 : 1;
}
