/*
 * test_memtrim.c - unmapping unused code pages loses nothing and lowers the
 * resident set.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtrim.h"

/* Read-only data of this program (a trimmed segment), a written variable
 * (a segment that must be left alone) and a call through another library. */
static const uint32_t s_table[4096] = {[0] = 7, [1000] = 11, [4095] = 13};
static uint32_t s_written[1024];

static uint64_t s_sum(const uint32_t *v, size_t n)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + v[i];
    return sum;
}

static double (*volatile s_cos)(double) = cos;

Test(memtrim, unmaps_code_pages_and_keeps_data_and_code_intact)
{
    for (size_t i = 0; i < 1024; i++)
        s_written[i] = (uint32_t)(i * 2654435761u);
    uint64_t table_before = s_sum(s_table, 4096), written_before = s_sum(s_written, 1024);
    double c = s_cos(0.5);

    /* Touch a good deal of libc's code so there is something to drop. */
    char buf[256];
    for (int i = 0; i < 100; i++)
        snprintf(buf, sizeof buf, "%d %f %s %e", i, i * 1.5, "x", i * 1e10);
    long before = memtrim_rss_bytes();
    cr_assert_gt(before, 0);

    memtrim_stats_t st;
    cr_assert_eq(memtrim_code(&st), 0);
    long after = memtrim_rss_bytes();
    cr_assert_geq(st.objects, 3, "main program, libc and the dynamic linker at least");
    cr_assert_gt(st.segments, st.objects, "code and read-only data of each object");
    cr_assert_gt(st.bytes, (size_t)1 << 20);
    cr_assert_lt(after, before - 256 * 1024, "RSS %ld -> %ld bytes", before, after);

    /* Everything reads back the same: read-only data from the file, written
     * data untouched, calls through other libraries work. */
    cr_assert_eq(s_sum(s_table, 4096), table_before);
    cr_assert_eq(s_sum(s_written, 1024), written_before);
    cr_assert_float_eq(s_cos(0.5), c, 1e-15);
    snprintf(buf, sizeof buf, "%d-%s", 42, "ok");
    cr_assert_str_eq(buf, "42-ok");
    char *p = malloc(100000);
    cr_assert_not_null(p);
    memset(p, 1, 100000);
    free(p);

    /* A second trim right away finds the same objects and still works. */
    memtrim_stats_t again;
    cr_assert_eq(memtrim_code(&again), 0);
    cr_assert_eq(again.objects, st.objects);
}

Test(memtrim, stats_are_optional)
{
    cr_assert_eq(memtrim_code(NULL), 0);
}
