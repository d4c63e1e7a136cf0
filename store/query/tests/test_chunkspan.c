/*
 * Which chunks a read needs and where in a chunk it starts (chunkspan.c),
 * and the row ids they are ordered by (rowid.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "chunkspan.h"
#include "rowid.h"

#define H 3600000LL

static size_t s_select(const char *const *fields, size_t n, int64_t from, int64_t to, int64_t *out)
{
    size_t lens[16] = {0};
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(fields[i]);
    return chunkspan_select(fields, lens, n, H, from, to, out);
}

Test(chunkspan, parses_aligned_decimal_span_starts)
{
    int64_t s = -1;
    cr_assert_eq(chunkspan_parse("1699999200000", 13, H, &s), 0);
    cr_assert_eq(s, 1699999200000LL);
    cr_assert_eq(chunkspan_parse("0", 1, H, &s), 0);
    cr_assert_eq(s, 0);
}

Test(chunkspan, names_no_span_with_fields_nodelink_never_writes)
{
    static const char *const bad[] = {"",
                                      "-3600000",
                                      "+3600000",
                                      "03600000",
                                      "3600000.0",
                                      "36000 00",
                                      "1800000",
                                      "abc",
                                      "999999999999999999999",
                                      "253402300800000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t s = 42;
        cr_assert_eq(chunkspan_parse(bad[i], strlen(bad[i]), H, &s), -1, "'%s'", bad[i]);
        cr_assert_eq(s, 42, "'%s' left the output alone", bad[i]);
    }
}

Test(chunkspan, selects_the_spans_that_meet_the_range_oldest_first_and_once)
{
    /* HKEYS gives fields in no particular order, possibly with strangers */
    const char *const fields[] = {"18000000", "3600000", "x", "7200000", "0", "14400000", "7200000"};
    int64_t out[8];
    /* [5400000, 14400000]: the span of 3600000 ends after 5400000; 14400000 starts at the end */
    size_t n = s_select(fields, 7, 5400000, 14400000, out);
    cr_assert_eq(n, 3);
    cr_assert_eq(out[0], 3600000);
    cr_assert_eq(out[1], 7200000);
    cr_assert_eq(out[2], 14400000);
}

Test(chunkspan, leaves_out_a_span_that_ends_exactly_where_the_range_starts)
{
    const char *const fields[] = {"0", "3600000"};
    int64_t out[2];
    cr_assert_eq(s_select(fields, 2, H, INT64_MAX, out), 1);
    cr_assert_eq(out[0], H);
}

Test(chunkspan, selects_nothing_from_an_empty_hash)
{
    int64_t out[1];
    cr_assert_eq(s_select(NULL, 0, 0, INT64_MAX, out), 0);
}

Test(chunkspan, finds_the_first_row_at_or_after_an_id)
{
    const int64_t ts[] = {10, 10, 10, 20, 30};
    const uint64_t seq[] = {0, 1, 2, 0, 0};
    cr_assert_eq(chunkspan_first_row(ts, seq, 5, (rowid_t){0, 0}), 0);
    cr_assert_eq(chunkspan_first_row(ts, seq, 5, (rowid_t){10, 1}), 1);
    cr_assert_eq(chunkspan_first_row(ts, seq, 5, (rowid_t){10, 3}), 3);
    cr_assert_eq(chunkspan_first_row(ts, seq, 5, (rowid_t){20, 0}), 3);
    cr_assert_eq(chunkspan_first_row(ts, seq, 5, (rowid_t){30, 1}), 5);
    cr_assert_eq(chunkspan_first_row(ts, seq, 0, (rowid_t){0, 0}), 0);
}

Test(chunkspan, accepts_only_chunks_whose_rows_lie_in_their_span)
{
    cr_assert(chunkspan_holds(H, H, H, 2 * H - 1));
    cr_assert(chunkspan_holds(H, H, H + 5, H + 5));
    cr_assert_not(chunkspan_holds(H, H, H - 1, H + 5), "a row before the span");
    cr_assert_not(chunkspan_holds(H, H, H, 2 * H), "a row at the next span's start");
    cr_assert_not(chunkspan_holds(H, H, H + 9, H + 5), "first after last");
}

Test(rowid, orders_by_milliseconds_then_sequence)
{
    cr_assert_lt(rowid_cmp((rowid_t){1, 9}, (rowid_t){2, 0}), 0);
    cr_assert_lt(rowid_cmp((rowid_t){2, 0}, (rowid_t){2, 1}), 0);
    cr_assert_eq(rowid_cmp((rowid_t){2, 1}, (rowid_t){2, 1}), 0);
    cr_assert_gt(rowid_cmp((rowid_t){3, 0}, (rowid_t){2, UINT64_MAX}), 0);
}

Test(rowid, the_next_id_carries_into_the_milliseconds_and_saturates)
{
    rowid_t n = rowid_next((rowid_t){5, 7});
    cr_assert(n.ms == 5 && n.seq == 8);
    n = rowid_next((rowid_t){5, UINT64_MAX});
    cr_assert(n.ms == 6 && n.seq == 0);
    n = rowid_next(ROWID_MAX);
    cr_assert_eq(rowid_cmp(n, ROWID_MAX), 0);
}

Test(rowid, formats_an_xrange_bound)
{
    char buf[48];
    rowid_format((rowid_t){1700000000000LL, 3}, buf, sizeof buf);
    cr_assert_str_eq(buf, "1700000000000-3");
}
