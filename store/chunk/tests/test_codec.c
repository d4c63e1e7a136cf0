/*
 * The column codecs one by one: varints and zigzag, canonical decimals,
 * timestamps and seq, presence, number and text columns.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunkfmt.h"
#include "column.h"
#include "decnum.h"
#include "presence.h"
#include "timecol.h"
#include "varbuf.h"

/* ---- varints and zigzag ---- */

Test(varbuf, varints_round_trip_at_every_length_boundary)
{
    uint64_t cases[] = {
        0, 1, 127, 128, 16383, 16384, (1ull << 35) - 1, 1ull << 35, (1ull << 63) - 1, 1ull << 63, UINT64_MAX};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        varbuf_t b = {0};
        varbuf_put_uv(&b, cases[i]);
        cr_assert_eq(b.len, varbuf_uv_size(cases[i]));
        varread_t r = varread_make(b.data, b.len);
        uint64_t v;
        cr_assert_eq(varread_uv(&r, &v), 0);
        cr_assert_eq(v, cases[i]);
        cr_assert_eq(varread_left(&r), 0);
        varbuf_free(&b);
    }
    cr_assert_eq(varbuf_uv_size(127), 1);
    cr_assert_eq(varbuf_uv_size(128), 2);
    cr_assert_eq(varbuf_uv_size(UINT64_MAX), 10);
}

Test(varbuf, zigzag_gives_small_codes_to_small_magnitudes_of_either_sign)
{
    cr_assert_eq(varbuf_zigzag(0), 0);
    cr_assert_eq(varbuf_zigzag(-1), 1);
    cr_assert_eq(varbuf_zigzag(1), 2);
    cr_assert_eq(varbuf_zigzag(-2), 3);
    cr_assert_eq(varbuf_zigzag(INT64_MAX), UINT64_MAX - 1);
    cr_assert_eq(varbuf_zigzag(INT64_MIN), UINT64_MAX);
    int64_t cases[] = {0, 1, -1, 63, -64, 1000000, -1000000, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(varbuf_unzigzag(varbuf_zigzag(cases[i])), cases[i]);
}

Test(varbuf, reader_refuses_truncated_and_overlong_varints)
{
    uint64_t v;
    uint8_t truncated[] = {0x80, 0x80};
    varread_t r = varread_make(truncated, sizeof truncated);
    cr_assert_eq(varread_uv(&r, &v), -1);
    cr_assert_eq(varread_left(&r), 2, "a failed read consumes nothing");
    uint8_t eleven[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00};
    r = varread_make(eleven, sizeof eleven);
    cr_assert_eq(varread_uv(&r, &v), -1);
    uint8_t beyond64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    r = varread_make(beyond64, sizeof beyond64);
    cr_assert_eq(varread_uv(&r, &v), -1);
    uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    r = varread_make(max, sizeof max);
    cr_assert_eq(varread_uv(&r, &v), 0);
    cr_assert_eq(v, UINT64_MAX);
    const uint8_t *p;
    r = varread_make(max, 3);
    cr_assert_eq(varread_bytes(&r, 4, &p), -1);
    cr_assert_eq(varread_bytes(&r, 3, &p), 0);
    uint8_t b;
    cr_assert_eq(varread_u8(&r, &b), -1);
}

/* ---- canonical decimals ---- */

static bool s_canonical(const char *s)
{
    int64_t m;
    int d;
    return decnum_parse(s, strlen(s), &m, &d) == 0;
}

static const char *s_format(int64_t v, int scale)
{
    static char buf[DECNUM_TEXT_MAX + 1];
    size_t n = decnum_format(v, scale, buf);
    buf[n] = '\0';
    return buf;
}

Test(decnum, accepts_exactly_the_lean_decimals_the_store_writes)
{
    const char *yes[] = {"0",
                         "5",
                         "-3",
                         "23.46",
                         "0.1",
                         "-0.5",
                         "100",
                         "1.5",
                         "34359738368",
                         "0.000000001",
                         "-999.999999999",
                         "9223372036854775807",
                         "-9223372036854775808"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_assert(s_canonical(yes[i]), "%s", yes[i]);
    const char *no[] = {"",
                        "-",
                        "-0",
                        "00",
                        "01",
                        "1.",
                        ".5",
                        "1.50",
                        "+1",
                        "1e5",
                        "1 ",
                        " 1",
                        "0x10",
                        "nan",
                        "inf",
                        "-0.0",
                        "1.0",
                        "0.0000000001" /* 10 decimals */,
                        "9223372036854775808",
                        "-9223372036854775809",
                        "18446744073709551616",
                        "1.2.3",
                        "--1"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_assert(!s_canonical(no[i]), "%s", no[i]);
}

Test(decnum, parse_gives_the_digits_and_the_number_of_decimals)
{
    int64_t m;
    int d;
    cr_assert_eq(decnum_parse("23.46", 5, &m, &d), 0);
    cr_assert_eq(m, 2346);
    cr_assert_eq(d, 2);
    cr_assert_eq(decnum_parse("-0.05", 5, &m, &d), 0);
    cr_assert_eq(m, -5);
    cr_assert_eq(d, 2);
    cr_assert_eq(decnum_parse("-9223372036854775808", 20, &m, &d), 0);
    cr_assert_eq(m, INT64_MIN);
    cr_assert_eq(decnum_parse("12 34", 2, &m, &d), 0, "length bounds the text");
    cr_assert_eq(m, 12);
}

Test(decnum, formatting_at_any_larger_scale_gives_the_same_text)
{
    const char *cases[] = {"0", "5", "-3", "23.46", "0.1", "-0.5", "123456.789", "0.000000001"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t m, v;
        int d;
        cr_assert_eq(decnum_parse(cases[i], strlen(cases[i]), &m, &d), 0);
        for (int s = d; s <= DECNUM_SCALE_MAX; s++) {
            cr_assert(decnum_rescale(m, d, s, &v));
            cr_assert_str_eq(s_format(v, s), cases[i], "scale %d", s);
        }
    }
    cr_assert_str_eq(s_format(INT64_MIN, 0), "-9223372036854775808");
    cr_assert_str_eq(s_format(INT64_MIN, 9), "-9223372036.854775808");
    cr_assert_str_eq(s_format(INT64_MAX, 3), "9223372036854775.807");
}

Test(decnum, rescaling_refuses_what_does_not_fit_in_int64)
{
    int64_t v;
    cr_assert(!decnum_rescale(9223372036854775807LL, 0, 1, &v));
    cr_assert(!decnum_rescale(-922337203685477581LL, 0, 1, &v));
    cr_assert(decnum_rescale(-922337203685477580LL, 0, 1, &v));
    cr_assert_eq(v, -9223372036854775800LL);
    cr_assert(!decnum_rescale(34359738368LL, 0, 9, &v));
    cr_assert(decnum_rescale(3435973836LL, 0, 9, &v));
}

/* ---- timestamps and seq ---- */

static void s_time_round_trip(const int64_t *ts, size_t n, size_t max_bytes)
{
    varbuf_t b = {0};
    timecol_encode(ts, n, &b);
    cr_assert(b.len <= max_bytes, "%zu bytes for %zu timestamps", b.len, n);
    int64_t *out = calloc(n, sizeof *out);
    const char *why = NULL;
    cr_assert_eq(timecol_decode(b.data, b.len, n, ts[0], ts[n - 1], out, &why), 0, "%s", why);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(out[i], ts[i], "row %zu", i);
    free(out);
    varbuf_free(&b);
}

Test(timecol, regular_samples_cost_one_byte_each_before_compression)
{
    int64_t ts[720];
    for (size_t i = 0; i < 720; i++)
        ts[i] = 1690538400000 + 5000 * (int64_t)i + (int64_t)(i * 7 % 13) - 6;
    s_time_round_trip(ts, 720, 720 + 2);
}

Test(timecol, equal_negative_irregular_timestamps_and_big_jumps_round_trip)
{
    int64_t ts[] = {-86400000,
                    -5000,
                    -1,
                    0,
                    0,
                    0,
                    1,
                    5000,
                    5001,
                    10000,
                    10000,
                    1690538400000,
                    1690538400000,
                    1690538405123,
                    4102444800000,
                    INT64_MAX - 1,
                    INT64_MAX};
    s_time_round_trip(ts, sizeof ts / sizeof ts[0], 200);
    int64_t extremes[] = {INT64_MIN, INT64_MIN, 0, INT64_MAX};
    s_time_round_trip(extremes, 4, 40);
    int64_t one[] = {42};
    s_time_round_trip(one, 1, 1);
}

Test(timecol, decoder_checks_the_header_and_the_order)
{
    int64_t ts[] = {1000, 2000, 3000};
    uint64_t seq[] = {0, 0, 0};
    varbuf_t b = {0};
    timecol_encode(ts, 3, &b);
    int64_t out[3];
    const char *why;
    cr_assert_eq(timecol_decode(b.data, b.len, 3, 1000, 3001, out, &why), -1, "last disagrees");
    cr_assert_eq(timecol_decode(b.data, b.len, 3, 999, 3000, out, &why), -1, "first disagrees");
    cr_assert_eq(timecol_decode(b.data, b.len - 1, 3, 1000, 3000, out, &why), -1, "truncated");
    cr_assert_eq(timecol_decode(b.data, b.len, 2, 1000, 2000, out, &why), -1, "bytes left over");
    int64_t back[] = {1000, 999, 3000};
    cr_assert_eq(timecol_check_order(back, seq, 3, &why), -1);
    int64_t same[] = {1000, 1000, 3000};
    cr_assert_eq(timecol_check_order(same, seq, 3, &why), -1, "equal (ts, seq)");
    uint64_t seq2[] = {0, 1, 0};
    cr_assert_eq(timecol_check_order(same, seq2, 3, &why), 0);
    varbuf_free(&b);
}

Test(seqcol, all_zero_is_one_byte_and_sparse_values_round_trip)
{
    uint64_t zero[100] = {0};
    varbuf_t b = {0};
    seqcol_encode(zero, 100, &b);
    cr_assert_eq(b.len, 1);
    varbuf_free(&b);
    uint64_t seq[10] = {0, 1, 2, 0, 0, 0, 0, 0, 0, UINT64_MAX};
    seqcol_encode(seq, 10, &b);
    uint64_t out[10];
    const char *why;
    cr_assert_eq(seqcol_decode(b.data, b.len, 10, out, &why), 0);
    cr_assert_arr_eq(out, seq, sizeof seq);
    cr_assert_eq(seqcol_decode(b.data, b.len, 9, out, &why), -1, "entry beyond the rows");
    varbuf_free(&b);
    uint8_t zero_entry[] = {1, 0, 0};
    cr_assert_eq(seqcol_decode(zero_entry, 3, 5, out, &why), -1, "a listed seq of 0");
}

/* ---- presence ---- */

static void s_presence_round_trip(const uint32_t *rows, size_t ncells, size_t nrows, int kind)
{
    varbuf_t b = {0};
    presence_encode(rows, ncells, nrows, &b);
    cr_assert_eq(b.data[0], kind, "kind %d, want %d", b.data[0], kind);
    uint32_t *out = malloc(nrows * sizeof *out);
    size_t n;
    const char *why = NULL;
    varread_t r = varread_make(b.data, b.len);
    cr_assert_eq(presence_decode(&r, nrows, out, &n, &why), 0, "%s", why);
    cr_assert_eq(varread_left(&r), 0);
    cr_assert_eq(n, ncells);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(out[i], rows[i]);
    free(out);
    varbuf_free(&b);
}

Test(presence, always_present_costs_one_byte)
{
    uint32_t rows[720];
    for (uint32_t i = 0; i < 720; i++)
        rows[i] = i;
    varbuf_t b = {0};
    presence_encode(rows, 720, 720, &b);
    cr_assert_eq(b.len, 1);
    varbuf_free(&b);
    s_presence_round_trip(rows, 720, 720, CHUNKFMT_PRESENT_ALL);
}

Test(presence, a_metric_that_appears_and_vanishes_is_a_few_runs)
{
    uint32_t rows[400];
    size_t n = 0;
    for (uint32_t i = 100; i < 300; i++)
        rows[n++] = i;
    for (uint32_t i = 500; i < 700; i++)
        rows[n++] = i;
    s_presence_round_trip(rows, n, 720, CHUNKFMT_PRESENT_RUNS);
    s_presence_round_trip(rows, 200, 300, CHUNKFMT_PRESENT_RUNS); /* ends present */
    uint32_t first[] = {0};
    s_presence_round_trip(first, 1, 720, CHUNKFMT_PRESENT_RUNS);
    uint32_t last[] = {719};
    s_presence_round_trip(last, 1, 720, CHUNKFMT_PRESENT_RUNS);
}

Test(presence, a_scattered_pattern_falls_back_to_a_bitmap)
{
    uint32_t rows[723];
    size_t n = 0;
    for (uint32_t i = 0; i < 723; i++)
        if (i % 3 != 1)
            rows[n++] = i;
    s_presence_round_trip(rows, n, 723, CHUNKFMT_PRESENT_BITMAP);
    uint32_t odd[] = {1, 3, 5, 7, 9};
    s_presence_round_trip(odd, 5, 11, CHUNKFMT_PRESENT_BITMAP);
}

Test(presence, decoder_refuses_runs_that_do_not_add_up_and_stray_bits)
{
    uint32_t out[16];
    size_t n;
    const char *why;
    struct {
        uint8_t bytes[8];
        size_t len;
    } bad[] = {
        {{CHUNKFMT_PRESENT_RUNS, 2, 3, 3}, 4},      /* 3 + 3 != 10 */
        {{CHUNKFMT_PRESENT_RUNS, 3, 0, 5, 0}, 5},   /* a later run of 0 */
        {{CHUNKFMT_PRESENT_RUNS, 2, 0, 11}, 4},     /* beyond the rows */
        {{CHUNKFMT_PRESENT_RUNS, 1, 10}, 3},        /* no value at all */
        {{CHUNKFMT_PRESENT_BITMAP, 0xff, 0x04}, 3}, /* bit 10 of 10 rows */
        {{CHUNKFMT_PRESENT_BITMAP, 0x00, 0x00}, 3}, /* empty */
        {{CHUNKFMT_PRESENT_BITMAP, 0xff}, 2},       /* truncated */
        {{7}, 1},                                   /* unknown kind */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        varread_t r = varread_make(bad[i].bytes, bad[i].len);
        cr_assert_eq(presence_decode(&r, 10, out, &n, &why), -1, "case %zu", i);
    }
}

/* ---- metric columns ---- */

/* Encodes values (NULL = absent) as a column, decodes it, compares; returns
 * the value kind. */
static int s_column_round_trip(const char *const *values, size_t nrows)
{
    uint32_t *rows = malloc(nrows * sizeof *rows);
    varbuf_t cells = {0}, block = {0};
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++)
        if (values[i]) {
            rows[n++] = (uint32_t)i;
            varbuf_put_u8(&cells, (uint8_t)strlen(values[i]));
            varbuf_put_bytes(&cells, values[i], strlen(values[i]));
        }
    cr_assert_eq(column_encode(rows, cells.data, n, nrows, &block), 0);
    column_values_t v;
    const char *why = NULL;
    cr_assert_eq(column_decode(block.data, block.len, nrows, &v, &why), 0, "%s", why);
    for (size_t i = 0; i < nrows; i++) {
        if (!values[i]) {
            cr_assert_eq(v.off[i], COLUMN_ABSENT, "row %zu", i);
            continue;
        }
        const char *got = (const char *)v.arena.data + v.off[i];
        cr_assert_eq(v.len[i], strlen(values[i]));
        cr_assert_str_eq(got, values[i], "row %zu", i);
    }
    varread_t r = varread_make(block.data, block.len);
    size_t ncells;
    presence_decode(&r, nrows, rows, &ncells, &why);
    int kind = *r.p;
    column_values_free(&v);
    varbuf_free(&cells);
    varbuf_free(&block);
    free(rows);
    return kind;
}

Test(column, lean_decimals_are_kept_as_scaled_integers)
{
    const char *v[] = {"23.46", "5", "0.1", "-3", "100", "-0.05", "0", "99.99"};
    cr_assert_eq(s_column_round_trip(v, 8), CHUNKFMT_VALUES_NUMBERS);
    const char *nine[] = {"0.000000001", "123.456789012", "-1", "0.5"};
    cr_assert_eq(s_column_round_trip(nine, 4), CHUNKFMT_VALUES_NUMBERS);
    const char *big[] = {"34359738368", "9223372036854775807", "-9223372036854775808", "0"};
    cr_assert_eq(s_column_round_trip(big, 4), CHUNKFMT_VALUES_NUMBERS);
}

Test(column, rollup_tuples_of_two_and_four_parts_share_a_column)
{
    const char *v[] = {"23.4067 20.1 27 12", "34359738368 12", "1.25 1 1.5 2", NULL, "5 1", "0 -1.5 2.25 12"};
    cr_assert_eq(s_column_round_trip(v, 6), CHUNKFMT_VALUES_NUMBERS);
    const char *many[] = {"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "1"};
    cr_assert_eq(s_column_round_trip(many, 2), CHUNKFMT_VALUES_NUMBERS);
}

Test(column, anything_not_canonical_falls_back_to_text_and_still_round_trips)
{
    const char *cases[][3] = {
        {"1.50", "2", "3"},                                      /* trailing zero */
        {"18446744073709551616", "1", "2"},                      /* beyond int64 (%.0f of a huge value) */
        {"1.2345678901234567e+19", "1", "2"},                    /* %.17g */
        {"-0", "0", "1"},                                        /* negative zero */
        {"1  2", "1 2", "3"},                                    /* two spaces */
        {"1 2 ", "1", "2"},                                      /* trailing space */
        {"up", "down", "a,b \"quoted\"\nline"},                  /* words */
        {"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "1", "2"}, /* 17 parts */
        {"92233720368547758.07", "0.001", "1"},                  /* fits at scale 2, not at scale 3 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq(s_column_round_trip(cases[i], 3), CHUNKFMT_VALUES_TEXT, "case %zu", i);
}

Test(column, counters_random_walks_and_constants_choose_their_transform)
{
    enum { N = 500 };
    char store[N][32];
    const char *v[N];
    /* a counter growing steadily: delta of delta is almost all zero */
    for (int i = 0; i < N; i++) {
        snprintf(store[i], sizeof store[i], "%lld", 1000000000000LL + 4096LL * i);
        v[i] = store[i];
    }
    cr_assert_eq(s_column_round_trip(v, N), CHUNKFMT_VALUES_NUMBERS);
    /* a random walk with 2 decimals */
    long long x = 5000;
    for (int i = 0; i < N; i++) {
        x += (i * 7919 % 201) - 100;
        snprintf(store[i], sizeof store[i], "%s%lld.%02lld", x < 0 && x > -100 ? "-" : "", x / 100,
                 (x < 0 ? -x : x) % 100);
        /* keep it canonical: no trailing zero, no "-0" */
        size_t n = strlen(store[i]);
        while (store[i][n - 1] == '0' && strchr(store[i], '.'))
            store[i][--n] = '\0';
        if (store[i][n - 1] == '.')
            store[i][--n] = '\0';
        if (strcmp(store[i], "-0") == 0)
            strcpy(store[i], "0");
        v[i] = store[i];
    }
    cr_assert_eq(s_column_round_trip(v, N), CHUNKFMT_VALUES_NUMBERS);
}

Test(column, memory_in_pages_is_divided_by_the_page_size)
{
    enum { N = 200 };
    char store[N][32];
    const char *v[N];
    long long x = 12884901888LL;
    for (int i = 0; i < N; i++) {
        x += 4096LL * ((i * 7919 % 2001) - 1000);
        snprintf(store[i], sizeof store[i], "%lld", i == N - 1 ? -x : x);
        v[i] = store[i];
    }
    cr_assert_eq(s_column_round_trip(v, N), CHUNKFMT_VALUES_NUMBERS);
    /* the sub-column header: presence (1), kind (1), ngroups (1), parts (1), then it */
    uint32_t rows[N];
    varbuf_t cells = {0}, block = {0};
    for (int i = 0; i < N; i++) {
        rows[i] = (uint32_t)i;
        varbuf_put_u8(&cells, (uint8_t)strlen(v[i]));
        varbuf_put_bytes(&cells, v[i], strlen(v[i]));
    }
    cr_assert_eq(column_encode(rows, cells.data, N, N, &block), 0);
    cr_assert(block.data[4] & CHUNKFMT_DIVIDED, "header 0x%02x", block.data[4]);
    cr_assert_eq(block.data[5], 0x80, "divisor 4096 as a varint: 80 20");
    cr_assert_eq(block.data[6], 0x20);
    varbuf_free(&cells);
    varbuf_free(&block);
    const char *extremes[] = {"-9223372036854775808", "0", "9223372036854775807", "-9223372036854775808",
                              "4096"};
    cr_assert_eq(s_column_round_trip(extremes, 5), CHUNKFMT_VALUES_NUMBERS);
    const char *min_and_zero[] = {"-9223372036854775808", "0", "-9223372036854775808"};
    cr_assert_eq(s_column_round_trip(min_and_zero, 3), CHUNKFMT_VALUES_NUMBERS);
}

Test(column, decoder_refuses_bad_number_headers_and_trailing_bytes)
{
    column_values_t v;
    const char *why;
    struct {
        uint8_t bytes[12];
        size_t len;
    } bad[] = {
        {{0, 0, 0}, 3},                   /* no groups */
        {{0, 0, 1, 17}, 4},               /* 17 parts */
        {{0, 0, 2, 1, 1}, 5},             /* the same part count twice */
        {{0, 0, 1, 1, 10, 0, 0}, 7},      /* scale 10 */
        {{0, 0, 1, 1, 0x30, 0, 0}, 7},    /* transform 3 */
        {{0, 0, 1, 1, 0, 0}, 6},          /* one value short */
        {{0, 0, 1, 1, 0, 0, 0, 0, 0}, 9}, /* one byte left over */
        {{0, 5, 1, 0, 1, 0, 0}, 7},       /* unknown value kind */
        {{0, 1, 0, 1, 'a', 1, 'b'}, 7},   /* an empty text value */
        {{0, 1, 1, 0, 1, 'a', 1}, 7},     /* a NUL in a text value */
        {{0, 0, 2, 1, 2, 0, 5, 0}, 8},    /* group index beyond the groups */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(column_decode(bad[i].bytes, bad[i].len, 3, &v, &why), -1, "case %zu", i);
        column_values_free(&v);
    }
    uint8_t good[] = {0, 0, 1, 1, 0, 2, 4, 6};
    cr_assert_eq(column_decode(good, sizeof good, 3, &v, &why), 0);
    cr_assert_str_eq((const char *)v.arena.data + v.off[2], "3");
    column_values_free(&v);
    uint8_t divided[] = {0, 0, 1, 1, 0x52, 3, 2, 4, 6}; /* scale 2, delta, divisor 3 */
    cr_assert_eq(column_decode(divided, sizeof divided, 3, &v, &why), 0, "%s", why);
    cr_assert_str_eq((const char *)v.arena.data + v.off[0], "0.03");
    cr_assert_str_eq((const char *)v.arena.data + v.off[1], "0.09");
    cr_assert_str_eq((const char *)v.arena.data + v.off[2], "0.18");
    column_values_free(&v);
}
