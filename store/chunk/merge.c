/*
 * merge.c - chunk_merge: an existing chunk plus late rows, as a new chunk.
 * See chunk.h.
 *
 * The extra rows are sorted by (ts, seq) (pointers only; the strings stay
 * the caller's), then walked together with the base chunk's rows into a
 * builder: the smaller key goes first, and on equal keys the extra row wins
 * (the base row is dropped). A builder then makes the same bytes as if the
 * merged rows had been added in order from the start.
 */
#include <stdlib.h>

#include "chunk.h"
#include "chunkfmt.h"

static int s_cmp_key(int64_t ts_a, uint64_t seq_a, int64_t ts_b, uint64_t seq_b)
{
    if (ts_a != ts_b)
        return ts_a < ts_b ? -1 : 1;
    return seq_a < seq_b ? -1 : seq_a > seq_b ? 1 : 0;
}

static int s_by_key(const void *a, const void *b)
{
    const chunk_row_t *x = *(const chunk_row_t *const *)a, *y = *(const chunk_row_t *const *)b;
    return s_cmp_key(x->ts_ms, x->seq, y->ts_ms, y->seq);
}

/* Adds base's row r to b (names and values are scratch of chunk_columns). */
static int s_add_base_row(chunk_builder_t *b, chunk_t *base, size_t r, const int64_t *ts, const uint64_t *seq,
                          const char **names, const char **values, chunk_err_t *err)
{
    size_t n;
    if (chunk_row(base, r, names, values, &n, err) < 0)
        return -1;
    return chunk_builder_add(b, ts[r], seq[r], names, values, n, err);
}

static int s_walk(chunk_builder_t *b, chunk_t *base, const chunk_row_t **sorted, size_t n, chunk_err_t *err)
{
    const int64_t *ts = NULL;
    const uint64_t *seq = NULL;
    size_t nbase = 0, ncols = base ? chunk_columns(base) : 0;
    if (base) {
        if (chunk_timestamps(base, &ts, &seq, err) < 0)
            return -1;
        nbase = chunk_rows(base);
    }
    const char **names = malloc((ncols ? ncols : 1) * sizeof *names);
    const char **values = malloc((ncols ? ncols : 1) * sizeof *values);
    int rc = names && values ? 0 : chunkfmt_err(err, "out of memory");
    size_t i = 0, j = 0;
    while (rc == 0 && (i < nbase || j < n)) {
        int cmp = i == nbase ? 1 : j == n ? -1 : s_cmp_key(ts[i], seq[i], sorted[j]->ts_ms, sorted[j]->seq);
        if (cmp < 0) {
            rc = s_add_base_row(b, base, i++, ts, seq, names, values, err);
        } else {
            const chunk_row_t *x = sorted[j++];
            rc = chunk_builder_add(b, x->ts_ms, x->seq, x->names, x->values, x->n, err);
            i += cmp == 0; /* the late row replaces the base row */
        }
    }
    free(names);
    free(values);
    return rc;
}

int chunk_merge(chunk_t *base, const chunk_row_t *rows, size_t n, int level, uint8_t **out, size_t *len,
                chunk_err_t *err)
{
    const chunk_row_t **sorted = malloc((n ? n : 1) * sizeof *sorted);
    chunk_builder_t *b = chunk_builder_new();
    int rc = -1;
    if (!sorted || !b) {
        chunkfmt_err(err, "out of memory");
        goto done;
    }
    if (chunk_builder_set_level(b, level, err) < 0)
        goto done;
    for (size_t k = 0; k < n; k++)
        sorted[k] = &rows[k];
    qsort(sorted, n, sizeof *sorted, s_by_key);
    for (size_t k = 1; k < n; k++)
        if (s_by_key(&sorted[k - 1], &sorted[k]) == 0) {
            chunkfmt_err(err, "two rows with the key %lld-%llu", (long long)sorted[k]->ts_ms,
                         (unsigned long long)sorted[k]->seq);
            goto done;
        }
    if (s_walk(b, base, sorted, n, err) == 0)
        rc = chunk_builder_finish(b, out, len, err);
done:
    free(sorted);
    chunk_builder_destroy(&b);
    return rc;
}
