#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "numfmt.h"

static const char *s_fmt(double v, bool integer, int decimals)
{
    static char buf[NUMFMT_MAX];
    cr_assert(numfmt_value(v, integer, decimals, buf, sizeof buf) > 0);
    return buf;
}

Test(numfmt, writes_integer_metrics_without_decimals)
{
    cr_assert_str_eq(s_fmt(34359738368.0, true, 2), "34359738368");
    cr_assert_str_eq(s_fmt(12.6, true, 2), "13");
    cr_assert_str_eq(s_fmt(0, true, 2), "0");
}

Test(numfmt, rounds_doubles_to_the_configured_places_and_drops_trailing_zeros)
{
    cr_assert_str_eq(s_fmt(23.4567, false, 2), "23.46");
    cr_assert_str_eq(s_fmt(23.4, false, 2), "23.4");
    cr_assert_str_eq(s_fmt(0.1, false, 2), "0.1");
    cr_assert_str_eq(s_fmt(1.25, false, 1), "1.3");
    cr_assert_str_eq(s_fmt(-3.14159, false, 3), "-3.142");
}

Test(numfmt, writes_whole_doubles_as_integers_so_redis_stores_them_as_integers)
{
    cr_assert_str_eq(s_fmt(5.0, false, 2), "5");
    cr_assert_str_eq(s_fmt(99.999, false, 2), "100");
    cr_assert_str_eq(s_fmt(-0.001, false, 2), "0");
}

Test(numfmt, refuses_non_finite_values)
{
    char buf[NUMFMT_MAX];
    cr_assert_eq(numfmt_value(NAN, false, 2, buf, sizeof buf), -1);
    cr_assert_eq(numfmt_value(INFINITY, true, 2, buf, sizeof buf), -1);
}

Test(numfmt, parses_what_it_writes_and_rejects_garbage)
{
    double v;
    cr_assert_eq(numfmt_parse("23.46", 5, &v), 0);
    cr_assert_float_eq(v, 23.46, 1e-12);
    cr_assert_eq(numfmt_parse("12abc", 5, &v), -1);
    cr_assert_eq(numfmt_parse("", 0, &v), -1);
    cr_assert_eq(numfmt_parse("nan", 3, &v), -1);
    cr_assert_eq(numfmt_parse("42 trailing", 2, &v), 0, "length bounds the text");
    cr_assert_float_eq(v, 42, 0);
}

Test(numfmt, keeps_huge_values_exact_instead_of_rounding_through_scaling)
{
    cr_assert_str_eq(s_fmt(18446744073709551615.0, true, 2), "18446744073709551616");
    cr_assert_float_eq(numfmt_round(1e300, false, 2), 1e300, 0);
}
