/*
 * fuzz_chunk_roundtrip - bytes -> rows -> chunk -> rows, which must be the
 * rows we started from (abort otherwise).
 *
 * The input is read as a recipe: a few columns, each drawing its cells
 * either from a numeric alphabet ("0123456789-. ", which finds canonical
 * numbers, rollup tuples and every near miss: "1.50", "-0", "007", "1  2",
 * numbers past int64) or from raw bytes; timestamps that repeat (seq then
 * grows), jitter, jump and go negative; cells absent at will. The rows are
 * also split into a base chunk and late rows given in reverse, whose merge
 * must be byte for byte the chunk built from all rows in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_COLS_MAX 8
#define S_ROWS_MAX 96

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} s_in_t;

static uint8_t s_byte(s_in_t *in)
{
    return in->p < in->end ? *in->p++ : 0;
}

static uint64_t s_u64(s_in_t *in, int nbytes)
{
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++)
        v = v << 8 | s_byte(in);
    return v;
}

typedef struct {
    size_t rows, cols;
    int64_t ts[S_ROWS_MAX];
    uint64_t seq[S_ROWS_MAX];
    char names[S_COLS_MAX][24];
    char cells[S_ROWS_MAX][S_COLS_MAX][40]; /* "" = absent */
} s_set_t;

static void s_cell(s_in_t *in, bool numeric, char *out)
{
    static const char alphabet[] = "0123456789-. 0123456789";
    size_t len = 1 + s_byte(in) % 39;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = s_byte(in);
        out[i] = numeric ? alphabet[b % (sizeof alphabet - 1)] : (char)(b ? b : '0');
    }
    out[len] = '\0';
}

static void s_recipe(s_in_t *in, s_set_t *s)
{
    s->cols = 1 + s_byte(in) % S_COLS_MAX;
    s->rows = 1 + s_byte(in) % S_ROWS_MAX;
    uint8_t kinds = s_byte(in), presence = s_byte(in);
    for (size_t c = 0; c < s->cols; c++)
        snprintf(s->names[c], sizeof s->names[c], "m.%zu", c);
    int64_t t = (int64_t)s_u64(in, 8);
    for (size_t r = 0; r < s->rows; r++) {
        s->seq[r] = 0;
        if (r > 0) {
            uint8_t step = s_byte(in);
            uint64_t d = step % 8 == 0 ? 0 : step % 8 == 1 ? s_u64(in, 5) : 5000u + step / 8u;
            if (d == 0 || (t > 0 && d > (uint64_t)(INT64_MAX - t)))
                s->seq[r] = s->seq[r - 1] + 1 + step / 8; /* the same ms: the next seq */
            else
                t = (int64_t)((uint64_t)t + d);
        }
        s->ts[r] = t;
        for (size_t c = 0; c < s->cols; c++) {
            bool absent = (presence >> c & 1) && s_byte(in) % 3 == 0;
            if (absent)
                s->cells[r][c][0] = '\0';
            else
                s_cell(in, !(kinds >> c & 1), s->cells[r][c]);
        }
    }
}

/* rows[i] of the set, pointing into it. */
static void s_rows(const s_set_t *s, chunk_row_t *rows, const char *np[][S_COLS_MAX],
                   const char *vp[][S_COLS_MAX])
{
    for (size_t r = 0; r < s->rows; r++) {
        size_t n = 0;
        for (size_t c = 0; c < s->cols; c++)
            if (s->cells[r][c][0]) {
                np[r][n] = s->names[c];
                vp[r][n++] = s->cells[r][c];
            }
        rows[r] = (chunk_row_t){s->ts[r], s->seq[r], np[r], vp[r], n};
    }
}

static void s_check(const s_set_t *s, const uint8_t *data, size_t len)
{
    chunk_err_t err;
    chunk_t *c = chunk_open(data, len, &err);
    const int64_t *ts;
    const uint64_t *seq;
    if (!c || chunk_rows(c) != s->rows || chunk_timestamps(c, &ts, &seq, &err) < 0)
        abort();
    for (size_t r = 0; r < s->rows; r++)
        if (ts[r] != s->ts[r] || seq[r] != s->seq[r])
            abort();
    for (size_t col = 0; col < s->cols; col++) {
        int i = chunk_column_find(c, s->names[col]);
        if (i >= 0 && chunk_column_decode(c, (size_t)i, &err) < 0)
            abort();
        for (size_t r = 0; r < s->rows; r++) {
            const char *v = i >= 0 ? chunk_value(c, (size_t)i, r, NULL) : NULL;
            if (strcmp(v ? v : "", s->cells[r][col]) != 0)
                abort();
        }
    }
    chunk_destroy(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static s_set_t s;
    static chunk_row_t rows[S_ROWS_MAX], late[S_ROWS_MAX];
    static const char *np[S_ROWS_MAX][S_COLS_MAX], *vp[S_ROWS_MAX][S_COLS_MAX];
    s_in_t in = {data, data + size};
    memset(&s, 0, sizeof s);
    s_recipe(&in, &s);
    s_rows(&s, rows, np, vp);

    chunk_err_t err;
    chunk_builder_t *b = chunk_builder_new();
    for (size_t r = 0; r < s.rows; r++)
        if (chunk_builder_add(b, rows[r].ts_ms, rows[r].seq, rows[r].names, rows[r].values, rows[r].n, &err) <
            0)
            abort(); /* the recipe makes valid rows only */
    uint8_t *all;
    size_t all_len;
    if (chunk_builder_finish(b, &all, &all_len, &err) < 0)
        abort();
    chunk_builder_destroy(&b);
    s_check(&s, all, all_len);

    /* base: the rows whose bit is clear; late: the others, backwards */
    uint64_t split = s_u64(&in, 8);
    size_t nbase = 0, nlate = 0;
    static chunk_row_t base_rows[S_ROWS_MAX];
    for (size_t r = 0; r < s.rows; r++) {
        if (split >> (r % 64) & 1)
            late[nlate++] = rows[r];
        else
            base_rows[nbase++] = rows[r];
    }
    for (size_t i = 0; i < nlate / 2; i++) {
        chunk_row_t x = late[i];
        late[i] = late[nlate - 1 - i];
        late[nlate - 1 - i] = x;
    }
    chunk_t *base = NULL;
    uint8_t *base_bytes = NULL, *merged;
    size_t base_len, merged_len;
    if (nbase) {
        if (chunk_merge(NULL, base_rows, nbase, CHUNK_LEVEL_DEFAULT, &base_bytes, &base_len, &err) < 0 ||
            !(base = chunk_open(base_bytes, base_len, &err)))
            abort();
    }
    if (chunk_merge(base, late, nlate, CHUNK_LEVEL_DEFAULT, &merged, &merged_len, &err) < 0)
        abort();
    if (merged_len != all_len || memcmp(merged, all, all_len) != 0)
        abort();
    chunk_destroy(&base);
    free(base_bytes);
    free(merged);
    free(all);
    return 0;
}
