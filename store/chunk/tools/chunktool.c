/*
 * chunktool - the chunk codec from the command line, for tests and people.
 *
 *   chunktool encode [--level N] < rows.jsonl > x.chunk
 *   chunktool merge BASE.chunk [--level N] < rows.jsonl > x.chunk
 *   chunktool csv x.chunk          rows as CSV: ts_ms,seq,<metrics...>
 *   chunktool info x.chunk         rows, span, bytes per value; per column its
 *                                  stored bytes, values and bytes per value
 *
 * A JSONL row is {"ts": <ms>, "seq": <n, default 0>, "values": {"name": "value", ...}}
 * (values are strings, kept byte for byte). CSV cells are empty where a row
 * has no value; a cell holding ',', '"', CR or LF is quoted with '"' and its
 * quotes doubled (store/chunk/chunkcat.py prints the same bytes).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

typedef struct {
    chunk_row_t *rows;
    size_t n;
    json_t **docs; /* the parsed lines, owning the strings rows point at */
} s_input_t;

static void s_input_free(s_input_t *in)
{
    for (size_t i = 0; i < in->n; i++) {
        free((void *)in->rows[i].names);
        free((void *)in->rows[i].values);
        json_decref(in->docs[i]);
    }
    free(in->rows);
    free(in->docs);
}

static int s_parse_row(json_t *doc, chunk_row_t *row, size_t line)
{
    json_t *ts = json_object_get(doc, "ts"), *seq = json_object_get(doc, "seq");
    json_t *values = json_object_get(doc, "values");
    if (!json_is_integer(ts) || (seq && (!json_is_integer(seq) || json_integer_value(seq) < 0)) ||
        !json_is_object(values)) {
        fprintf(stderr, "chunktool: line %zu: want {\"ts\": int, \"seq\": int, \"values\": {...}}\n", line);
        return -1;
    }
    size_t n = json_object_size(values), k = 0;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    const char **vals = malloc((n ? n : 1) * sizeof *vals);
    const char *key;
    json_t *v;
    json_object_foreach(values, key, v)
    {
        if (!json_is_string(v)) {
            fprintf(stderr, "chunktool: line %zu: the value of %s is not a string\n", line, key);
            free(names);
            free(vals);
            return -1;
        }
        names[k] = key;
        vals[k++] = json_string_value(v);
    }
    *row = (chunk_row_t){json_integer_value(ts), seq ? (uint64_t)json_integer_value(seq) : 0, names, vals, n};
    return 0;
}

static int s_read_input(FILE *f, s_input_t *in)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0, room = 0;
    ssize_t got;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (got <= 1)
            continue;
        json_error_t jerr;
        json_t *doc = json_loads(line, 0, &jerr);
        if (!doc) {
            fprintf(stderr, "chunktool: line %zu: %s\n", lineno, jerr.text);
            rc = -1;
            break;
        }
        if (in->n == room) {
            room = room ? room * 2 : 256;
            in->rows = realloc(in->rows, room * sizeof *in->rows);
            in->docs = realloc(in->docs, room * sizeof *in->docs);
        }
        if (s_parse_row(doc, &in->rows[in->n], lineno) < 0) {
            json_decref(doc);
            rc = -1;
        } else {
            in->docs[in->n++] = doc;
        }
    }
    free(line);
    return rc;
}

static uint8_t *s_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        if (n == 0)
            break;
        *len += n;
    }
    fclose(f);
    return buf;
}

static void s_csv_cell(const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static int s_csv(chunk_t *c)
{
    chunk_err_t err;
    const int64_t *ts;
    const uint64_t *seq;
    if (chunk_timestamps(c, &ts, &seq, &err) < 0) {
        fprintf(stderr, "chunktool: %s\n", err.text);
        return 1;
    }
    fputs("ts_ms,seq", stdout);
    for (size_t i = 0; i < chunk_columns(c); i++) {
        printf(",%s", chunk_column_name(c, i));
        if (chunk_column_decode(c, i, &err) < 0) {
            fprintf(stderr, "chunktool: %s\n", err.text);
            return 1;
        }
    }
    putchar('\n');
    for (size_t r = 0; r < chunk_rows(c); r++) {
        printf("%lld,%llu", (long long)ts[r], (unsigned long long)seq[r]);
        for (size_t i = 0; i < chunk_columns(c); i++) {
            const char *v = chunk_value(c, i, r, NULL);
            putchar(',');
            if (v)
                s_csv_cell(v);
        }
        putchar('\n');
    }
    return 0;
}

static int s_info(chunk_t *c, size_t len)
{
    size_t cells = 0, column_bytes = 0;
    chunk_err_t err;
    for (size_t i = 0; i < chunk_columns(c); i++) {
        if (chunk_column_decode(c, i, &err) < 0) {
            fprintf(stderr, "chunktool: %s\n", err.text);
            return 1;
        }
        for (size_t r = 0; r < chunk_rows(c); r++)
            cells += chunk_value(c, i, r, NULL) != NULL;
        column_bytes += chunk_column_size(c, i);
    }
    printf("bytes %zu\nrows %zu\ncolumns %zu\nvalues %zu\nfirst_ms %lld\nlast_ms %lld\nbytes_per_value %.3f\n"
           "overhead_bytes %zu\n",
           len, chunk_rows(c), chunk_columns(c), cells, (long long)chunk_first_ms(c),
           (long long)chunk_last_ms(c), cells ? (double)len / (double)cells : 0.0, len - column_bytes);
    for (size_t i = 0; i < chunk_columns(c); i++) {
        size_t n = 0;
        for (size_t r = 0; r < chunk_rows(c); r++)
            n += chunk_value(c, i, r, NULL) != NULL;
        printf("column %s bytes %zu values %zu bytes_per_value %.3f\n", chunk_column_name(c, i),
               chunk_column_size(c, i), n, (double)chunk_column_size(c, i) / (double)n);
    }
    return 0;
}

static int s_write(int rc, uint8_t *out, size_t len, const chunk_err_t *err)
{
    if (rc < 0) {
        fprintf(stderr, "chunktool: %s\n", err->text);
        return 1;
    }
    int ok = fwrite(out, 1, len, stdout) == len && fflush(stdout) == 0;
    free(out);
    return ok ? 0 : 1;
}

static int s_usage(void)
{
    fputs("usage: chunktool encode [--level N] < rows.jsonl > x.chunk\n"
          "       chunktool merge BASE.chunk [--level N] < rows.jsonl > x.chunk\n"
          "       chunktool csv|info x.chunk\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return s_usage();
    const char *cmd = argv[1];
    int level = CHUNK_LEVEL_DEFAULT, rc = 1;
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], "--level") == 0)
            level = atoi(argv[i + 1]);
    chunk_err_t err;
    if (strcmp(cmd, "encode") == 0 || strcmp(cmd, "merge") == 0) {
        bool merge = strcmp(cmd, "merge") == 0;
        if (merge && (argc < 3 || argv[2][0] == '-'))
            return s_usage();
        chunk_t *base = NULL;
        if (merge) {
            size_t len;
            uint8_t *data = s_read_file(argv[2], &len);
            if (!data || !(base = chunk_open(data, len, &err))) {
                if (data)
                    fprintf(stderr, "chunktool: %s: %s\n", argv[2], err.text);
                free(data);
                return 1;
            }
            free(data);
        }
        s_input_t in = {0};
        if (s_read_input(stdin, &in) == 0) {
            uint8_t *out = NULL;
            size_t len = 0;
            chunk_builder_t *b = NULL;
            int r;
            if (merge) {
                r = chunk_merge(base, in.rows, in.n, level, &out, &len, &err);
            } else {
                /* encode: rows in the given order, as a compactor would add them */
                b = chunk_builder_new();
                r = chunk_builder_set_level(b, level, &err);
                for (size_t i = 0; r == 0 && i < in.n; i++)
                    r = chunk_builder_add(b, in.rows[i].ts_ms, in.rows[i].seq, in.rows[i].names,
                                          in.rows[i].values, in.rows[i].n, &err);
                if (r == 0)
                    r = chunk_builder_finish(b, &out, &len, &err);
                chunk_builder_destroy(&b);
            }
            rc = s_write(r, out, len, &err);
        }
        s_input_free(&in);
        chunk_destroy(&base);
        return rc;
    }
    if ((strcmp(cmd, "csv") == 0 || strcmp(cmd, "info") == 0) && argc == 3) {
        size_t len;
        uint8_t *data = s_read_file(argv[2], &len);
        if (!data)
            return 1;
        chunk_t *c = chunk_open(data, len, &err);
        free(data);
        if (!c) {
            fprintf(stderr, "chunktool: %s: %s\n", argv[2], err.text);
            return 1;
        }
        rc = strcmp(cmd, "csv") == 0 ? s_csv(c) : s_info(c, len);
        chunk_destroy(&c);
        return rc;
    }
    return s_usage();
}
