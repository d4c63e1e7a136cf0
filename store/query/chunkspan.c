/*
 * chunkspan.c - span fields and row positions of chunks. See chunkspan.h.
 */
#include "chunkspan.h"

#include <stdlib.h>

int chunkspan_parse(const char *s, size_t len, int64_t span_ms, int64_t *span)
{
    if (len == 0 || len > 15 || (len > 1 && s[0] == '0') || span_ms <= 0)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0'); /* 15 digits cannot overflow */
    }
    if (v > CHUNKSPAN_MS_MAX || v % span_ms != 0)
        return -1;
    *span = v;
    return 0;
}

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t chunkspan_select(const char *const *fields, const size_t *lens, size_t n, int64_t span_ms,
                        int64_t from_ms, int64_t to_ms, int64_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t s;
        if (chunkspan_parse(fields[i], lens[i], span_ms, &s) == 0 && s + span_ms > from_ms && s <= to_ms)
            out[k++] = s;
    }
    qsort(out, k, sizeof *out, s_cmp);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || out[m - 1] != out[i])
            out[m++] = out[i];
    return m;
}

size_t chunkspan_first_row(const int64_t *ts, const uint64_t *seq, size_t n, rowid_t from)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rowid_cmp((rowid_t){ts[mid], seq[mid]}, from) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool chunkspan_holds(int64_t span, int64_t span_ms, int64_t first_ms, int64_t last_ms)
{
    return first_ms >= span && first_ms <= last_ms && last_ms - span < span_ms;
}
