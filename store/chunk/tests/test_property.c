/*
 * Property tests: random and adversarial series (seeded, reproducible) go
 * through build -> open -> decode and must come back exactly: the same
 * timestamps and seqs, the same value strings, the same absent cells.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

/* xorshift64*: a small seeded PRNG, so a failing case can be replayed */
static uint64_t s_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ULL;
}

static uint64_t s_below(uint64_t *st, uint64_t n)
{
    return n ? s_next(st) % n : 0;
}

/* A data set: rows x cols cells, NULL where absent. */
typedef struct {
    size_t rows, cols;
    int64_t *ts;
    uint64_t *seq;
    char **names;
    char **cells; /* rows * cols */
} s_set_t;

static void s_set_free(s_set_t *s)
{
    for (size_t i = 0; i < s->rows * s->cols; i++)
        free(s->cells[i]);
    for (size_t c = 0; c < s->cols; c++)
        free(s->names[c]);
    free(s->cells);
    free(s->names);
    free(s->ts);
    free(s->seq);
}

/* Writes v / 10^dec as a canonical lean decimal. */
static void s_lean(char *buf, size_t size, int64_t v, int dec)
{
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, p = 1;
    for (int i = 0; i < dec; i++)
        p *= 10;
    int n = snprintf(buf, size, "%s%" PRIu64, v < 0 ? "-" : "", mag / p);
    uint64_t frac = mag % p;
    if (frac) {
        int d = dec;
        while (frac % 10 == 0) {
            frac /= 10;
            d--;
        }
        snprintf(buf + n, size - (size_t)n, ".%0*" PRIu64, d, frac);
    }
}

enum { K_WALK, K_CONST, K_COUNTER, K_HUGE, K_NINE, K_ROLLUP, K_TEXT, K_MIXED, K_PAGES, K_BEYOND, K_KINDS };

/* The value of column kind at step i (state carries the series). */
static char *s_value(uint64_t *st, int kind, int64_t *state, size_t i)
{
    char buf[300];
    switch (kind) {
    case K_WALK:
        *state += (int64_t)s_below(st, 2001) - 1000;
        s_lean(buf, sizeof buf, *state, 2);
        break;
    case K_CONST:
        s_lean(buf, sizeof buf, *state, (int)(*state & 3));
        break;
    case K_COUNTER: /* grows, and resets now and then */
        *state = s_below(st, 100) == 0 ? 0 : *state + (int64_t)s_below(st, 1 << 20);
        s_lean(buf, sizeof buf, *state, 0);
        break;
    case K_HUGE: {
        int64_t v = (int64_t)s_next(st);
        if (s_below(st, 3) == 0)
            v = s_below(st, 2) ? INT64_MAX - (int64_t)s_below(st, 3) : INT64_MIN + (int64_t)s_below(st, 3);
        s_lean(buf, sizeof buf, v, (int)s_below(st, 2) * (int)s_below(st, 10));
        break;
    }
    case K_NINE:
        s_lean(buf, sizeof buf, (int64_t)s_below(st, 2000000000000ULL) - 1000000000000LL, 9);
        break;
    case K_ROLLUP: {
        char a[32], b[32], c[32];
        s_lean(a, sizeof a, (int64_t)s_below(st, 1000000), 4);
        s_lean(b, sizeof b, (int64_t)s_below(st, 10000), 2);
        s_lean(c, sizeof c, (int64_t)s_below(st, 100000), 2);
        if (s_below(st, 3) == 0)
            snprintf(buf, sizeof buf, "%s %" PRIu64, b, s_below(st, 13));
        else
            snprintf(buf, sizeof buf, "%s %s %s %" PRIu64, a, b, c, 1 + s_below(st, 12));
        break;
    }
    case K_TEXT: {
        size_t n = 1 + s_below(st, s_below(st, 8) ? 12 : 255);
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)(1 + s_below(st, 255)); /* any byte but NUL */
        buf[n] = '\0';
        break;
    }
    case K_MIXED: { /* numbers, and once in a while something that is not canonical */
        const char *odd[] = {"1.50", "-0", "007", "1e3", "nan", " 5", "5 ", "1  2", "+1", "0.0000000001"};
        if (s_below(st, 50) == 0)
            snprintf(buf, sizeof buf, "%s", odd[s_below(st, 10)]);
        else
            s_lean(buf, sizeof buf, (int64_t)s_below(st, 100000) - 50000, (int)s_below(st, 4));
        break;
    }
    case K_PAGES: /* bytes counted in pages: a common divisor, sometimes broken */
        *state += 4096 * ((int64_t)s_below(st, 2001) - 1000);
        s_lean(buf, sizeof buf, s_below(st, 200) ? *state : *state + 1, s_below(st, 50) ? 0 : 3);
        break;
    default: /* K_BEYOND: %.0f of values past int64 */
        snprintf(buf, sizeof buf, "%.0f", 1e19 * (double)(1 + i % 1000));
        break;
    }
    return strdup(buf);
}

/* How a column is present: always, in runs, at random, or once. */
static bool s_present(uint64_t *st, int how, size_t r, size_t rows, size_t *phase)
{
    switch (how) {
    case 0:
        return true;
    case 1:
        if (s_below(st, 40) == 0)
            *phase ^= 1;
        return *phase == 0;
    case 2:
        return s_below(st, 2);
    default:
        return r == rows / 2;
    }
}

static void s_make(uint64_t seed, size_t rows, size_t cols, s_set_t *s)
{
    uint64_t st = seed * 0x9E3779B97F4A7C15ULL + 1;
    s->rows = rows;
    s->cols = cols;
    s->ts = malloc(rows * sizeof *s->ts);
    s->seq = malloc(rows * sizeof *s->seq);
    s->names = malloc(cols * sizeof *s->names);
    s->cells = calloc(rows * cols, sizeof *s->cells);
    int64_t t = (int64_t)s_next(&st) % 4000000000000LL;
    for (size_t r = 0; r < rows; r++) {
        uint64_t step = s_below(&st, 20);
        if (r > 0 && step == 0) { /* same ms: next seq */
            s->ts[r] = t;
            s->seq[r] = s->seq[r - 1] + 1 + s_below(&st, 3);
            continue;
        }
        if (r > 0)
            t += step == 1 ? (int64_t)s_below(&st, 1ULL << 40) : 5000 + (int64_t)s_below(&st, 21) - 10;
        s->ts[r] = t;
        s->seq[r] = s_below(&st, 50) == 0 ? s_below(&st, 4) : 0;
        if (r > 0 && s->ts[r] == s->ts[r - 1] && s->seq[r] <= s->seq[r - 1])
            s->seq[r] = s->seq[r - 1] + 1;
    }
    for (size_t c = 0; c < cols; c++) {
        char name[64];
        snprintf(name, sizeof name, "m%zu.%s_%" PRIu64, c, c % 2 ? "x" : "Y-z", s_below(&st, 1000));
        s->names[c] = strdup(name);
        int kind = (int)s_below(&st, K_KINDS), how = (int)s_below(&st, 4);
        int64_t state = (int64_t)s_below(&st, 1000000) - 500000;
        size_t phase = s_below(&st, 2);
        for (size_t r = 0; r < rows; r++)
            if (s_present(&st, how, r, rows, &phase))
                s->cells[r * cols + c] = s_value(&st, kind, &state, r);
    }
}

/* Builds the set, opens it, checks every cell two ways; the chunk's size. */
static size_t s_round_trip(const s_set_t *s, int level)
{
    chunk_builder_t *b = chunk_builder_new();
    chunk_err_t err;
    cr_assert_eq(chunk_builder_set_level(b, level, &err), 0);
    const char **names = malloc((s->cols + 1) * sizeof *names),
               **values = malloc((s->cols + 1) * sizeof *values);
    for (size_t r = 0; r < s->rows; r++) {
        size_t n = 0;
        for (size_t c = 0; c < s->cols; c++)
            if (s->cells[r * s->cols + c]) {
                names[n] = s->names[c];
                values[n++] = s->cells[r * s->cols + c];
            }
        cr_assert_eq(chunk_builder_add(b, s->ts[r], s->seq[r], names, values, n, &err), 0, "row %zu: %s", r,
                     err.text);
    }
    uint8_t *data;
    size_t len;
    cr_assert_eq(chunk_builder_finish(b, &data, &len, &err), 0, "%s", err.text);
    chunk_builder_destroy(&b);
    chunk_t *k = chunk_open(data, len, &err);
    cr_assert_not_null(k, "%s", err.text);
    const int64_t *ts;
    const uint64_t *seq;
    cr_assert_eq(chunk_timestamps(k, &ts, &seq, &err), 0, "%s", err.text);
    cr_assert_eq(chunk_rows(k), s->rows);
    for (size_t r = 0; r < s->rows; r++) {
        cr_assert_eq(ts[r], s->ts[r], "row %zu", r);
        cr_assert_eq(seq[r], s->seq[r], "row %zu", r);
    }
    for (size_t c = 0; c < s->cols; c++) {
        int i = chunk_column_find(k, s->names[c]);
        bool any = false;
        for (size_t r = 0; r < s->rows; r++)
            any |= s->cells[r * s->cols + c] != NULL;
        cr_assert_eq(i >= 0, any, "column %s", s->names[c]);
        if (i < 0)
            continue;
        cr_assert_eq(chunk_column_decode(k, (size_t)i, &err), 0, "%s", err.text);
        for (size_t r = 0; r < s->rows; r++) {
            const char *want = s->cells[r * s->cols + c];
            size_t vlen;
            const char *got = chunk_value(k, (size_t)i, r, &vlen);
            if (!want) {
                cr_assert_null(got, "%s row %zu: absent, got '%s'", s->names[c], r, got);
                continue;
            }
            cr_assert_not_null(got, "%s row %zu: want '%s'", s->names[c], r, want);
            cr_assert_eq(vlen, strlen(want));
            cr_assert_str_eq(got, want, "%s row %zu", s->names[c], r);
        }
        chunk_column_release(k, (size_t)i);
    }
    /* the row iterator gives the same cells */
    for (size_t r = 0; r < s->rows; r += 1 + s->rows / 50) {
        size_t n, want_n = 0;
        cr_assert_eq(chunk_row(k, r, names, values, &n, &err), 0, "%s", err.text);
        for (size_t c = 0; c < s->cols; c++)
            want_n += s->cells[r * s->cols + c] != NULL;
        cr_assert_eq(n, want_n);
        for (size_t j = 0; j < n; j++) {
            size_t c = 0;
            while (strcmp(s->names[c], names[j]) != 0)
                c++;
            cr_assert_str_eq(values[j], s->cells[r * s->cols + c]);
        }
    }
    chunk_destroy(&k);
    free(data);
    free(names);
    free(values);
    return len;
}

Test(property, thousands_of_random_series_round_trip_exactly)
{
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        s_set_t s;
        uint64_t st = seed;
        size_t rows = 1 + s_below(&st, s_below(&st, 10) ? 60 : 400);
        s_make(seed, rows, 1 + s_below(&st, 12), &s);
        s_round_trip(&s, 1 + (int)(seed % 3));
        s_set_free(&s);
    }
}

Test(property, a_single_row_round_trips)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        s_set_t s;
        s_make(seed, 1, 5, &s);
        s_round_trip(&s, 3);
        s_set_free(&s);
    }
}

Test(property, every_column_kind_alone_round_trips_with_every_presence)
{
    /* the generator's kinds are drawn per column; many columns cover all of
     * them with every presence pattern */
    s_set_t s;
    s_make(77, 300, 200, &s);
    s_round_trip(&s, 19);
    s_set_free(&s);
}

Test(property, a_hundred_thousand_rows_round_trip)
{
    s_set_t s;
    s_make(4242, 100000, 6, &s);
    s_round_trip(&s, 1);
    s_set_free(&s);
}

Test(property, the_column_limit_is_reached_and_not_passed)
{
    enum { N = CHUNK_COLUMNS_MAX };
    static char names[N + 1][16];
    static const char *np[N + 1], *vp[N + 1];
    for (size_t i = 0; i <= N; i++) {
        snprintf(names[i], sizeof names[i], "c%05zu", i);
        np[i] = names[i];
        vp[i] = i % 3 ? "1.5" : "x";
    }
    chunk_builder_t *b = chunk_builder_new();
    chunk_err_t err;
    cr_assert_eq(chunk_builder_add(b, 0, 0, np, vp, N, &err), 0, "%s", err.text);
    cr_assert_eq(chunk_builder_add(b, 1, 0, np + 1, vp + 1, N, &err), -1, "column N + 1");
    cr_assert(strstr(err.text, "metrics"), "%s", err.text);
    cr_assert_eq(chunk_builder_add(b, 1, 0, np, vp, N, &err), 0, "the same columns again");
    uint8_t *data;
    size_t len;
    cr_assert_eq(chunk_builder_finish(b, &data, &len, &err), 0, "%s", err.text);
    chunk_t *k = chunk_open(data, len, &err);
    cr_assert_not_null(k, "%s", err.text);
    cr_assert_eq(chunk_columns(k), N);
    cr_assert_eq(chunk_column_find(k, "c04095"), 4095);
    cr_assert_eq(chunk_column_decode(k, 4095, &err), 0);
    cr_assert_str_eq(chunk_value(k, 4095, 1, NULL), "x");
    chunk_destroy(&k);
    free(data);
    chunk_builder_destroy(&b);
}

Test(property, regular_series_compress_below_a_byte_per_value)
{
    /* 720 rows every 5 s of slowly moving gauges and steady counters: the
     * kind of data the raw tier holds */
    enum { ROWS = 720, COLS = 40 };
    s_set_t s = {ROWS,
                 COLS,
                 malloc(ROWS * sizeof(int64_t)),
                 calloc(ROWS, sizeof(uint64_t)),
                 malloc(COLS * sizeof(char *)),
                 calloc(ROWS * COLS, sizeof(char *))};
    uint64_t st = 99;
    int64_t level[COLS];
    for (size_t c = 0; c < COLS; c++) {
        char name[32];
        snprintf(name, sizeof name, "metric.%zu", c);
        s.names[c] = strdup(name);
        level[c] = (int64_t)s_below(&st, 10000);
    }
    for (size_t r = 0; r < ROWS; r++) {
        s.ts[r] = 1690538400000 + 5000 * (int64_t)r + (int64_t)s_below(&st, 5);
        for (size_t c = 0; c < COLS; c++) {
            char buf[32];
            if (c % 4 == 0) /* a counter */
                level[c] += 4096 * (int64_t)s_below(&st, 3);
            else if (c % 4 == 1) /* a gauge moving a little */
                level[c] += (int64_t)s_below(&st, 21) - 10;
            s_lean(buf, sizeof buf, level[c], c % 4 == 1 ? 2 : 0);
            s.cells[r * COLS + c] = strdup(buf);
        }
    }
    size_t len = s_round_trip(&s, 3);
    double per_value = (double)len / (ROWS * COLS);
    cr_assert(per_value < 1.0, "%.3f bytes per value", per_value);
    s_set_free(&s);
}
