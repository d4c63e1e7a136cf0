/*
 * rollup.c - aggregates and bucket math. See rollup.h.
 */
#include "rollup.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "numfmt.h"

void rollup_agg_add(rollup_agg_t *agg, double v)
{
    if (agg->count == 0) {
        agg->sum = v;
        agg->min = agg->max = v;
    } else {
        agg->sum += v;
        if (v < agg->min)
            agg->min = v;
        if (v > agg->max)
            agg->max = v;
    }
    agg->count++;
}

void rollup_agg_merge(rollup_agg_t *agg, const rollup_agg_t *other)
{
    if (other->count == 0)
        return;
    if (agg->count == 0) {
        *agg = *other;
        return;
    }
    agg->sum += other->sum;
    agg->min = fmin(agg->min, other->min);
    agg->max = fmax(agg->max, other->max);
    agg->count += other->count;
}

double rollup_agg_avg(const rollup_agg_t *agg)
{
    return agg->count ? agg->sum / (double)agg->count : 0;
}

int rollup_agg_format(const rollup_agg_t *agg, bool integer, int decimals, char *buf, size_t size)
{
    if (agg->count == 0)
        return -1;
    char avg[NUMFMT_MAX], mn[NUMFMT_MAX], mx[NUMFMT_MAX];
    if (agg->min == agg->max) {
        /* a constant over the bucket (totals, idle counters): "value count" */
        if (numfmt_value(agg->min, integer, decimals, mn, sizeof mn) < 0)
            return -1;
        int n = snprintf(buf, size, "%s %" PRIu64, mn, agg->count);
        return n < 0 || (size_t)n >= size ? -1 : n;
    }
    if (numfmt_value(rollup_agg_avg(agg), false, decimals + 2, avg, sizeof avg) < 0 ||
        numfmt_value(agg->min, integer, decimals, mn, sizeof mn) < 0 ||
        numfmt_value(agg->max, integer, decimals, mx, sizeof mx) < 0)
        return -1;
    int n = snprintf(buf, size, "%s %s %s %" PRIu64, avg, mn, mx, agg->count);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int rollup_agg_parse(const char *s, size_t len, rollup_agg_t *agg)
{
    double v[4];
    size_t k = 0, i = 0;
    while (i <= len && k < 4) {
        const char *sp = memchr(s + i, ' ', len - i);
        size_t j = sp ? (size_t)(sp - s) : len;
        if (numfmt_parse(s + i, j - i, &v[k++]))
            return -1;
        i = j + 1;
    }
    /* "value count" (a constant) or "avg min max count", all text consumed */
    if ((k != 2 && k != 4) || i != len + 1)
        return -1;
    if (k == 2) {
        v[3] = v[1];
        v[1] = v[2] = v[0];
    }
    if (v[3] < 1 || v[3] > 1e15 || v[3] != floor(v[3]) || v[1] > v[2])
        return -1;
    agg->count = (uint64_t)v[3];
    agg->sum = v[0] * v[3];
    agg->min = v[1];
    agg->max = v[2];
    return 0;
}

int64_t rollup_bucket_start(int64_t t, int64_t width)
{
    int64_t q = t / width;
    if (t % width != 0 && t < 0)
        q--;
    return q * width;
}
