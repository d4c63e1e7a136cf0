/*
 * The public API: building, opening, reading one column, rows, merging,
 * and every way a builder or a reader refuses.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "chunkfmt.h"

static const char *s_names[] = {"cpu.usage_percent", "memory.used_bytes", "load.load1"};

/* A chunk of n rows every 5 s: cpu, memory, load (absent on odd rows). */
static uint8_t *s_sample_chunk(size_t n, size_t *len)
{
    chunk_builder_t *b = chunk_builder_new();
    chunk_err_t err;
    for (size_t i = 0; i < n; i++) {
        char cpu[16], mem[24], load[16];
        snprintf(cpu, sizeof cpu, "%zu.%zu", 20 + i % 7, 1 + i % 9);
        snprintf(mem, sizeof mem, "%zu", 8000000000 + 4096 * i);
        snprintf(load, sizeof load, "0.%zu", 1 + i % 9);
        const char *values[] = {cpu, mem, load};
        cr_assert_eq(
            chunk_builder_add(b, 1690538400000 + 5000 * (int64_t)i, 0, s_names, values, i % 2 ? 2 : 3, &err),
            0, "%s", err.text);
    }
    uint8_t *out;
    cr_assert_eq(chunk_builder_finish(b, &out, len, &err), 0, "%s", err.text);
    chunk_builder_destroy(&b);
    cr_assert_null(b);
    return out;
}

Test(chunk, a_chunk_reads_back_its_rows_columns_and_absent_cells)
{
    size_t len;
    uint8_t *data = s_sample_chunk(100, &len);
    chunk_err_t err;
    chunk_t *c = chunk_open(data, len, &err);
    free(data); /* chunk_open copies */
    cr_assert_not_null(c, "%s", err.text);
    cr_assert_eq(chunk_rows(c), 100);
    cr_assert_eq(chunk_first_ms(c), 1690538400000);
    cr_assert_eq(chunk_last_ms(c), 1690538400000 + 5000 * 99);
    cr_assert_eq(chunk_columns(c), 3);
    cr_assert_str_eq(chunk_column_name(c, 0), "cpu.usage_percent");
    cr_assert_str_eq(chunk_column_name(c, 1), "load.load1");
    cr_assert_str_eq(chunk_column_name(c, 2), "memory.used_bytes");
    cr_assert_null(chunk_column_name(c, 3));
    cr_assert_eq(chunk_column_find(c, "load.load1"), 1);
    cr_assert_eq(chunk_column_find(c, "memory.used_bytes"), 2);
    cr_assert_eq(chunk_column_find(c, "disk.sda.read_bytes_per_sec"), -1);
    size_t columns_bytes = 0;
    for (size_t i = 0; i < 3; i++) {
        cr_assert_gt(chunk_column_size(c, i), 0);
        columns_bytes += chunk_column_size(c, i);
    }
    cr_assert_lt(columns_bytes, len, "the header, directory and timestamps take the rest");
    cr_assert_eq(chunk_column_size(c, 3), 0);

    const int64_t *ts;
    const uint64_t *seq;
    cr_assert_eq(chunk_timestamps(c, &ts, &seq, &err), 0, "%s", err.text);
    cr_assert_eq(ts[42], 1690538400000 + 5000 * 42);
    cr_assert_eq(seq[42], 0);

    cr_assert_null(chunk_value(c, 1, 0, NULL), "not decoded yet");
    cr_assert_eq(chunk_column_decode(c, 1, &err), 0, "%s", err.text);
    size_t vlen;
    cr_assert_str_eq(chunk_value(c, 1, 0, &vlen), "0.1");
    cr_assert_eq(vlen, 3);
    cr_assert_null(chunk_value(c, 1, 1, NULL), "load is absent on odd rows");
    cr_assert_str_eq(chunk_value(c, 1, 2, NULL), "0.3");
    cr_assert_null(chunk_value(c, 0, 0, NULL), "only the asked column is decoded");
    cr_assert_null(chunk_value(c, 1, 100, NULL));
    cr_assert_eq(chunk_column_decode(c, 3, &err), -1);

    const char *names[3], *values[3];
    size_t n;
    cr_assert_eq(chunk_row(c, 7, names, values, &n, &err), 0, "%s", err.text);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(names[0], "cpu.usage_percent");
    cr_assert_str_eq(values[0], "20.8");
    cr_assert_str_eq(names[1], "memory.used_bytes");
    cr_assert_str_eq(values[1], "8000028672");
    cr_assert_eq(chunk_row(c, 100, names, values, &n, &err), -1);

    chunk_column_release(c, 1);
    cr_assert_null(chunk_value(c, 1, 0, NULL));
    cr_assert_eq(chunk_column_decode(c, 1, &err), 0);
    cr_assert_str_eq(chunk_value(c, 1, 0, NULL), "0.1");
    chunk_destroy(&c);
    cr_assert_null(c);
    chunk_destroy(&c);
}

Test(chunk, rows_out_of_order_or_repeated_are_refused_and_leave_no_trace)
{
    chunk_builder_t *b = chunk_builder_new();
    chunk_err_t err;
    const char *v[] = {"1", "2", "3"};
    cr_assert_eq(chunk_builder_add(b, 1000, 0, s_names, v, 3, &err), 0);
    cr_assert_eq(chunk_builder_add(b, 1000, 0, s_names, v, 3, &err), -1, "same (ts, seq)");
    cr_assert(strstr(err.text, "not after"), "%s", err.text);
    cr_assert_eq(chunk_builder_add(b, 999, 5, s_names, v, 3, &err), -1, "earlier ts");
    cr_assert_eq(chunk_builder_add(b, 1000, 1, s_names, v, 3, &err), 0, "same ms, next seq");
    cr_assert_eq(chunk_builder_add(b, 1001, 0, s_names, v, 3, &err), 0, "seq starts over");
    const char *twice[] = {"cpu.usage_percent", "load.load1", "cpu.usage_percent"};
    cr_assert_eq(chunk_builder_add(b, 2000, 0, twice, v, 3, &err), -1);
    cr_assert(strstr(err.text, "twice"), "%s", err.text);
    const char *bad_name[] = {"cpu usage"};
    cr_assert_eq(chunk_builder_add(b, 2000, 0, bad_name, v, 1, &err), -1);
    const char *empty_name[] = {""};
    cr_assert_eq(chunk_builder_add(b, 2000, 0, empty_name, v, 1, &err), -1);
    char long_name[300];
    memset(long_name, 'a', 256);
    long_name[256] = '\0';
    const char *too_long[] = {long_name};
    cr_assert_eq(chunk_builder_add(b, 2000, 0, too_long, v, 1, &err), -1);
    long_name[255] = '\0';
    const char *new_name[] = {"new.metric"};
    const char *empty_value[] = {""};
    cr_assert_eq(chunk_builder_add(b, 2000, 0, new_name, empty_value, 1, &err), -1);
    const char *long_value[] = {long_name};
    long_name[255] = 'a';
    cr_assert_eq(chunk_builder_add(b, 2000, 0, new_name, long_value, 1, &err), -1);
    cr_assert_eq(chunk_builder_rows(b), 3);
    cr_assert_eq(chunk_builder_set_level(b, 0, &err), -1);
    cr_assert_eq(chunk_builder_set_level(b, 20, &err), -1);

    uint8_t *out;
    size_t len;
    cr_assert_eq(chunk_builder_finish(b, &out, &len, &err), 0, "%s", err.text);
    chunk_t *c = chunk_open(out, len, &err);
    cr_assert_not_null(c, "%s", err.text);
    cr_assert_eq(chunk_rows(c), 3);
    cr_assert_eq(chunk_columns(c), 3, "refused rows left no column behind");
    const int64_t *ts;
    const uint64_t *seq;
    cr_assert_eq(chunk_timestamps(c, &ts, &seq, &err), 0);
    cr_assert_eq(seq[1], 1);
    cr_assert_eq(ts[2], 1001);
    chunk_destroy(&c);
    free(out);

    chunk_builder_reset(b);
    cr_assert_eq(chunk_builder_finish(b, &out, &len, &err), -1, "no rows");
    cr_assert_eq(chunk_builder_add(b, 5, 0, s_names, v, 3, &err), 0, "a reset builder takes any row");
    chunk_builder_destroy(&b);
}

Test(chunk, a_row_without_cells_is_kept)
{
    chunk_builder_t *b = chunk_builder_new();
    chunk_err_t err;
    const char *v[] = {"1"};
    cr_assert_eq(chunk_builder_add(b, 1000, 0, NULL, NULL, 0, &err), 0);
    cr_assert_eq(chunk_builder_add(b, 2000, 0, s_names, v, 1, &err), 0);
    uint8_t *out;
    size_t len;
    cr_assert_eq(chunk_builder_finish(b, &out, &len, &err), 0);
    chunk_t *c = chunk_open(out, len, &err);
    const char *names[1], *values[1];
    size_t n = 99;
    cr_assert_eq(chunk_row(c, 0, names, values, &n, &err), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(chunk_row(c, 1, names, values, &n, &err), 0);
    cr_assert_eq(n, 1);
    chunk_destroy(&c);
    free(out);

    /* rows without any cell at all: a chunk without columns */
    chunk_builder_reset(b);
    cr_assert_eq(chunk_builder_add(b, 1000, 0, NULL, NULL, 0, &err), 0);
    cr_assert_eq(chunk_builder_add(b, 1000, 1, NULL, NULL, 0, &err), 0);
    cr_assert_eq(chunk_builder_finish(b, &out, &len, &err), 0, "%s", err.text);
    c = chunk_open(out, len, &err);
    cr_assert_not_null(c, "%s", err.text);
    cr_assert_eq(chunk_columns(c), 0);
    cr_assert_eq(chunk_rows(c), 2);
    cr_assert_eq(chunk_row(c, 1, names, values, &n, &err), 0);
    cr_assert_eq(n, 0);
    chunk_destroy(&c);
    free(out);
    chunk_builder_destroy(&b);
}

Test(chunk, every_truncation_and_every_single_bit_flip_is_refused)
{
    size_t len;
    uint8_t *data = s_sample_chunk(50, &len);
    chunk_err_t err;
    for (size_t cut = 0; cut < len; cut++) {
        chunk_t *c = chunk_open(data, cut, &err);
        cr_assert_null(c, "truncated to %zu bytes", cut);
    }
    uint8_t *copy = malloc(len + 1);
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, data, len);
            copy[i] ^= (uint8_t)(1u << bit);
            chunk_t *c = chunk_open(copy, len, &err);
            cr_assert_null(c, "byte %zu bit %d flipped", i, bit);
        }
    memcpy(copy, data, len);
    copy[len] = 0;
    cr_assert_null(chunk_open(copy, len + 1, &err), "a byte appended");
    cr_assert_null(chunk_open(NULL, 0, &err));
    cr_assert(strlen(err.text) > 0);
    free(copy);
    free(data);
}

/* Rewrites the CRC after a change, so the checks behind it are reached. */
static void s_fix_crc(uint8_t *data, size_t len)
{
    uint32_t crc = chunkfmt_crc(data + CHUNKFMT_FIXED, len - CHUNKFMT_FIXED);
    for (int k = 0; k < 4; k++)
        data[CHUNKFMT_CRC_AT + k] = (uint8_t)(crc >> (8 * k));
}

Test(chunk, damage_behind_a_valid_crc_is_refused_by_the_structure_checks)
{
    size_t len;
    uint8_t *data = s_sample_chunk(50, &len);
    uint8_t *copy = malloc(len);
    chunk_err_t err;
    size_t opened = 0, refused_later = 0;
    for (size_t i = CHUNKFMT_FIXED; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, data, len);
            copy[i] ^= (uint8_t)(1u << bit);
            s_fix_crc(copy, len);
            chunk_t *c = chunk_open(copy, len, &err);
            if (!c)
                continue;
            opened++;
            /* what opens must decode cleanly or fail cleanly */
            const char *names[3], *values[3];
            size_t n;
            int rc = chunk_timestamps(c, NULL, NULL, &err);
            for (size_t r = 0; rc == 0 && r < chunk_rows(c); r++)
                rc = chunk_row(c, r, names, values, &n, &err);
            refused_later += rc < 0;
            chunk_destroy(&c);
        }
    cr_assert(opened > 0);
    cr_assert(refused_later > 0, "decoding checks its blocks");
    memcpy(copy, data, len);
    copy[4] = 2;
    s_fix_crc(copy, len);
    cr_assert_null(chunk_open(copy, len, &err));
    cr_assert(strstr(err.text, "version"), "%s", err.text);
    free(copy);
    free(data);
}

Test(chunk, header_limits_are_checked_before_allocating)
{
    /* a header that claims 2^40 rows, then 10^6 + 1 rows, then 5000 columns */
    uint8_t h[64] = {'N', 'L', 'C', 'K', 1, 0, 0, 0, 0, 0};
    chunk_err_t err;
    size_t n = CHUNKFMT_FIXED;
    uint8_t rows_huge[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0, 0, 0, 0, 0};
    memcpy(h + n, rows_huge, sizeof rows_huge);
    s_fix_crc(h, n + sizeof rows_huge);
    cr_assert_null(chunk_open(h, n + sizeof rows_huge, &err));
    cr_assert(strstr(err.text, "row count"), "%s", err.text);
    uint8_t rows_over[] = {0xc1, 0x84, 0x3d, 0, 0, 0, 0, 0};
    memcpy(h + n, rows_over, sizeof rows_over);
    s_fix_crc(h, n + sizeof rows_over);
    cr_assert_null(chunk_open(h, n + sizeof rows_over, &err));
    cr_assert(strstr(err.text, "row count"), "%s", err.text);
    uint8_t cols_over[] = {1, 0, 0, 0x89, 0x27, 0, 0};
    memcpy(h + n, cols_over, sizeof cols_over);
    s_fix_crc(h, n + sizeof cols_over);
    cr_assert_null(chunk_open(h, n + sizeof cols_over, &err));
    cr_assert(strstr(err.text, "column count"), "%s", err.text);
    uint8_t dir_huge[] = {1, 0, 0, 1, 0xff, 0xff, 0xff, 0x7f, 0};
    memcpy(h + n, dir_huge, sizeof dir_huge);
    s_fix_crc(h, n + sizeof dir_huge);
    cr_assert_null(chunk_open(h, n + sizeof dir_huge, &err));
    cr_assert(strstr(err.text, "directory"), "%s", err.text);
}

Test(chunk, merging_late_rows_equals_building_all_rows_in_order)
{
    chunk_err_t err;
    /* all rows, then the same split into a base (even rows) and late rows
     * (odd rows, given backwards) */
    enum { N = 60 };
    char vals[N][2][24];
    chunk_row_t rows[N];
    const char *const names[] = {"a.x", "b.y"};
    const char *values[N][2];
    for (int i = 0; i < N; i++) {
        snprintf(vals[i][0], sizeof vals[i][0], "%d.%d", i, i % 10 ? i % 10 : 1);
        snprintf(vals[i][1], sizeof vals[i][1], "%d", i * 1000);
        values[i][0] = vals[i][0];
        values[i][1] = vals[i][1];
        rows[i] = (chunk_row_t){1000 * (int64_t)(i / 2), (uint64_t)(i % 2), names, values[i], i % 7 ? 2 : 1};
    }
    uint8_t *all, *base_bytes, *merged;
    size_t all_len, base_len, merged_len;
    cr_assert_eq(chunk_merge(NULL, rows, N, CHUNK_LEVEL_DEFAULT, &all, &all_len, &err), 0, "%s", err.text);
    chunk_row_t even[N / 2], odd[N / 2];
    for (int i = 0; i < N / 2; i++) {
        even[i] = rows[2 * i];
        odd[i] = rows[N - 1 - 2 * i];
    }
    cr_assert_eq(chunk_merge(NULL, even, N / 2, CHUNK_LEVEL_DEFAULT, &base_bytes, &base_len, &err), 0);
    chunk_t *base = chunk_open(base_bytes, base_len, &err);
    cr_assert_not_null(base, "%s", err.text);
    cr_assert_eq(chunk_merge(base, odd, N / 2, CHUNK_LEVEL_DEFAULT, &merged, &merged_len, &err), 0, "%s",
                 err.text);
    cr_assert_eq(merged_len, all_len);
    cr_assert_arr_eq(merged, all, all_len, "byte for byte what a builder makes");

    /* merging the same rows again changes nothing: equal keys replace */
    chunk_t *m = chunk_open(merged, merged_len, &err);
    uint8_t *again;
    size_t again_len;
    cr_assert_eq(chunk_merge(m, odd, N / 2, CHUNK_LEVEL_DEFAULT, &again, &again_len, &err), 0);
    cr_assert_eq(again_len, all_len);
    cr_assert_arr_eq(again, all, all_len);

    /* a replaced row takes the late row's cells */
    const char *const late_names[] = {"c.z"};
    const char *const late_values[] = {"7"};
    chunk_row_t late = {1000 * 3, 1, late_names, late_values, 1};
    uint8_t *replaced;
    size_t replaced_len;
    cr_assert_eq(chunk_merge(m, &late, 1, CHUNK_LEVEL_DEFAULT, &replaced, &replaced_len, &err), 0);
    chunk_t *r = chunk_open(replaced, replaced_len, &err);
    cr_assert_eq(chunk_rows(r), N);
    const char *n_out[3], *v_out[3];
    size_t n;
    cr_assert_eq(chunk_row(r, 7, n_out, v_out, &n, &err), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(n_out[0], "c.z");
    cr_assert_str_eq(v_out[0], "7");

    /* two late rows with one key are refused */
    chunk_row_t dup[2] = {late, late};
    uint8_t *x = NULL;
    size_t xl;
    cr_assert_eq(chunk_merge(m, dup, 2, CHUNK_LEVEL_DEFAULT, &x, &xl, &err), -1);
    cr_assert(strstr(err.text, "two rows"), "%s", err.text);
    cr_assert_eq(chunk_merge(NULL, NULL, 0, CHUNK_LEVEL_DEFAULT, &x, &xl, &err), -1, "nothing to build");
    cr_assert_null(x);

    chunk_destroy(&r);
    chunk_destroy(&m);
    chunk_destroy(&base);
    free(replaced);
    free(again);
    free(all);
    free(base_bytes);
    free(merged);
}
