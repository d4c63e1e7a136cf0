/*
 * spanchunks.c - test helper: the chunks a compactor would write for a
 * tier, all in one process (integration tests build many).
 *
 *   store_query_spanchunks SPAN_MS < rows.jsonl > chunks
 *
 * Input: one row per line, {"ts": <ms>, "seq": <n>, "values": {"name":
 * "value", ...}}, in increasing (ts, seq) order. Output, per span of SPAN_MS
 * (aligned to multiples of SPAN_MS) holding rows, oldest first: a line
 * "<span start ms> <chunk bytes>\n" and then the chunk's bytes. Exit 0, or
 * 1 with a message on stderr.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

static int s_flush(chunk_builder_t *b, long long span)
{
    if (chunk_builder_rows(b) == 0)
        return 0;
    uint8_t *out = NULL;
    size_t len = 0;
    chunk_err_t err;
    if (chunk_builder_finish(b, &out, &len, &err)) {
        fprintf(stderr, "spanchunks: span %lld: %s\n", span, err.text);
        return -1;
    }
    printf("%lld %zu\n", span, len);
    int ok = fwrite(out, 1, len, stdout) == len;
    free(out);
    chunk_builder_reset(b);
    return ok ? 0 : -1;
}

static int s_add(chunk_builder_t *b, json_t *doc, size_t lineno)
{
    json_t *values = json_object_get(doc, "values");
    size_t n = json_object_size(values), k = 0;
    const char **names = calloc(n + 1, sizeof *names), **vals = calloc(n + 1, sizeof *vals);
    const char *name;
    json_t *v;
    json_object_foreach(values, name, v)
    {
        names[k] = name;
        vals[k++] = json_string_value(v);
    }
    chunk_err_t err;
    int rc =
        chunk_builder_add(b, json_integer_value(json_object_get(doc, "ts")),
                          (uint64_t)json_integer_value(json_object_get(doc, "seq")), names, vals, n, &err);
    if (rc)
        fprintf(stderr, "spanchunks: line %zu: %s\n", lineno, err.text);
    free(names);
    free(vals);
    return rc;
}

int main(int argc, char **argv)
{
    long long span_ms = argc == 2 ? atoll(argv[1]) : 0;
    if (span_ms <= 0) {
        fprintf(stderr, "usage: store_query_spanchunks SPAN_MS < rows.jsonl > chunks\n");
        return 2;
    }
    chunk_builder_t *b = chunk_builder_new();
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    long long span = -1;
    int rc = b ? 0 : -1;
    while (rc == 0 && getline(&line, &cap, stdin) > 1) {
        lineno++;
        json_error_t jerr;
        json_t *doc = json_loads(line, 0, &jerr);
        if (!doc || !json_is_integer(json_object_get(doc, "ts")) ||
            !json_is_object(json_object_get(doc, "values"))) {
            fprintf(stderr, "spanchunks: line %zu: not a row\n", lineno);
            json_decref(doc);
            rc = -1;
            break;
        }
        long long ts = json_integer_value(json_object_get(doc, "ts"));
        long long s = ts - ((ts % span_ms) + span_ms) % span_ms;
        if (s != span) {
            rc = s_flush(b, span);
            span = s;
        }
        if (rc == 0)
            rc = s_add(b, doc, lineno);
        json_decref(doc);
    }
    if (rc == 0)
        rc = s_flush(b, span);
    free(line);
    chunk_builder_destroy(&b);
    return rc == 0 && fflush(stdout) == 0 ? 0 : 1;
}
