/*
 * rollup.h - aggregates of a metric over a time bucket, and bucket math.
 *
 * A rollup keeps sum, min, max and count, so two rollups merge exactly
 * (sum and count add, min/max take the extreme) and any coarser bucket or a
 * query bucket is computed from finer ones without re-reading samples. In
 * Redis a rollup is stored as one field value "avg min max count"
 * (avg = sum / count, written with two more decimals than raw values), or
 * "value count" when every value of the bucket was the same (min == max:
 * totals, counters at rest), which is common and half the size; parsing
 * restores sum = avg * count.
 *
 * Buckets are aligned to multiples of their width since the Unix epoch:
 * the bucket of t is floor(t / width) * width (also for negative t).
 */
#ifndef NODELINK_ROLLUP_H
#define NODELINK_ROLLUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    double sum;
    double min;
    double max;
    uint64_t count; /* 0 = empty (sum/min/max meaningless) */
} rollup_agg_t;

#define ROLLUP_TEXT_MAX 112

/* Adds one value. */
void rollup_agg_add(rollup_agg_t *agg, double v);

/* Adds every value of other into agg. */
void rollup_agg_merge(rollup_agg_t *agg, const rollup_agg_t *other);

/* Average (sum / count); 0 when empty. */
double rollup_agg_avg(const rollup_agg_t *agg);

/* Writes "avg min max count" (or "value count" when min == max) into buf
 * (ROLLUP_TEXT_MAX bytes suffice): min and max encoded as raw values
 * (numfmt with integer/decimals), avg with decimals + 2. Returns the length
 * or -1 (empty or non-finite agg). */
int rollup_agg_format(const rollup_agg_t *agg, bool integer, int decimals, char *buf, size_t size);

/* Parses a stored "avg min max count" or "value count" (not
 * NUL-terminated). 0 or -1. */
int rollup_agg_parse(const char *s, size_t len, rollup_agg_t *agg);

/* Start of the width-wide bucket holding t (floor division). width > 0. */
int64_t rollup_bucket_start(int64_t t, int64_t width);

#endif
