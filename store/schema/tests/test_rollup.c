#include <criterion/criterion.h>
#include <string.h>

#include "rollup.h"

Test(rollup, aggregates_sum_min_max_count)
{
    rollup_agg_t a = {0};
    double vals[] = {3, -1, 7.5, 2};
    for (int i = 0; i < 4; i++)
        rollup_agg_add(&a, vals[i]);
    cr_assert_eq(a.count, 4);
    cr_assert_float_eq(a.sum, 11.5, 1e-12);
    cr_assert_float_eq(a.min, -1, 0);
    cr_assert_float_eq(a.max, 7.5, 0);
    cr_assert_float_eq(rollup_agg_avg(&a), 2.875, 1e-12);
}

Test(rollup, merging_two_rollups_equals_aggregating_all_values)
{
    rollup_agg_t x = {0}, y = {0}, all = {0};
    for (int i = 0; i < 10; i++) {
        double v = i * 1.5 - 4;
        rollup_agg_add(i < 3 ? &x : &y, v);
        rollup_agg_add(&all, v);
    }
    rollup_agg_merge(&x, &y);
    cr_assert_eq(x.count, all.count);
    cr_assert_float_eq(x.sum, all.sum, 1e-9);
    cr_assert_float_eq(x.min, all.min, 0);
    cr_assert_float_eq(x.max, all.max, 0);
    rollup_agg_t empty = {0};
    rollup_agg_merge(&empty, &all);
    cr_assert_eq(empty.count, all.count, "merging into an empty rollup copies");
}

Test(rollup, formats_avg_min_max_count_and_parses_it_back)
{
    rollup_agg_t a = {0};
    rollup_agg_add(&a, 20.1);
    rollup_agg_add(&a, 27);
    rollup_agg_add(&a, 23.12);
    char buf[ROLLUP_TEXT_MAX];
    int n = rollup_agg_format(&a, false, 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "23.4067 20.1 27 3");
    rollup_agg_t b;
    cr_assert_eq(rollup_agg_parse(buf, (size_t)n, &b), 0);
    cr_assert_eq(b.count, 3);
    cr_assert_float_eq(b.sum, 23.4067 * 3, 1e-9);
    cr_assert_float_eq(b.min, 20.1, 0);
    cr_assert_float_eq(b.max, 27, 0);
}

Test(rollup, writes_a_constant_bucket_as_value_and_count)
{
    rollup_agg_t a = {0};
    for (int i = 0; i < 12; i++)
        rollup_agg_add(&a, 34359738368.0);
    char buf[ROLLUP_TEXT_MAX];
    int n = rollup_agg_format(&a, true, 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "34359738368 12");
    rollup_agg_t b;
    cr_assert_eq(rollup_agg_parse(buf, (size_t)n, &b), 0);
    cr_assert_eq(b.count, 12);
    cr_assert_float_eq(b.min, 34359738368.0, 0);
    cr_assert_float_eq(b.max, 34359738368.0, 0);
    cr_assert_float_eq(rollup_agg_avg(&b), 34359738368.0, 0);
}

Test(rollup, rejects_malformed_rollup_text)
{
    rollup_agg_t a;
    const char *bad[] = {"",        "1",       "1 2 3",     "1 2 3 4 5", "1 0",      "1 2.5",
                         "1 2 3 0", "1 5 3 2", "1 2 3 1.5", "a b c d",   "1  2 3 4", "1 2 3 4 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(rollup_agg_parse(bad[i], strlen(bad[i]), &a), -1, "accepted '%s'", bad[i]);
}

Test(rollup, aligns_buckets_to_multiples_of_the_width)
{
    cr_assert_eq(rollup_bucket_start(1690537859, 60), 1690537800);
    cr_assert_eq(rollup_bucket_start(1690537860, 60), 1690537860);
    cr_assert_eq(rollup_bucket_start(1690538399, 3600), 1690534800);
    cr_assert_eq(rollup_bucket_start(7, 5), 5);
    cr_assert_eq(rollup_bucket_start(0, 5), 0);
    cr_assert_eq(rollup_bucket_start(-1, 60), -60, "floor, not truncation, before 1970");
}
