/*
 * fuzz_chunk_decode - arbitrary bytes through every decoding path.
 *
 * The input's CRC field is rewritten first, so that mutations reach the
 * header, directory and block checks behind it (the CRC check itself is
 * covered by the unit tests). What opens is then decoded whole: timestamps,
 * every column, every row. What decodes whole is re-encoded (a merge with no
 * new rows) and must decode to the same cells: decoding never invents a
 * value the writer could not write back.
 */
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "chunkfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A tiny input may claim a million rows, which decode correctly but
 * slowly: past S_ROWS_DECODED rows only chunk_open is exercised, past
 * S_ROWS_WALKED rows no row walk and no re-encoding, so the fuzzer keeps
 * its pace. */
#define S_ROWS_DECODED 20000
#define S_ROWS_WALKED 2000

static void s_same_cells(chunk_t *a, chunk_t *b, size_t rows)
{
    chunk_err_t err;
    if (chunk_rows(a) != chunk_rows(b) || chunk_columns(a) != chunk_columns(b))
        abort();
    const char **na = malloc((chunk_columns(a) + 1) * sizeof *na),
               **va = malloc((chunk_columns(a) + 1) * sizeof *va);
    const char **nb = malloc((chunk_columns(a) + 1) * sizeof *nb),
               **vb = malloc((chunk_columns(a) + 1) * sizeof *vb);
    for (size_t r = 0; r < rows; r++) {
        size_t n1, n2;
        if (chunk_row(a, r, na, va, &n1, &err) < 0 || chunk_row(b, r, nb, vb, &n2, &err) < 0 || n1 != n2)
            abort();
        for (size_t i = 0; i < n1; i++)
            if (strcmp(na[i], nb[i]) != 0 || strcmp(va[i], vb[i]) != 0)
                abort();
    }
    free(na);
    free(va);
    free(nb);
    free(vb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    if (size >= CHUNKFMT_FIXED) {
        uint32_t crc = chunkfmt_crc(copy + CHUNKFMT_FIXED, size - CHUNKFMT_FIXED);
        for (int k = 0; k < 4; k++)
            copy[CHUNKFMT_CRC_AT + k] = (uint8_t)(crc >> (8 * k));
    }
    chunk_err_t err;
    chunk_t *c = chunk_open(copy, size, &err);
    free(copy);
    if (!c || chunk_rows(c) > S_ROWS_DECODED) {
        chunk_destroy(&c);
        return 0;
    }
    (void)chunk_first_ms(c);
    (void)chunk_last_ms(c);
    const int64_t *ts;
    const uint64_t *seq;
    int ok = chunk_timestamps(c, &ts, &seq, &err) == 0;
    for (size_t i = 0; i < chunk_columns(c); i++) {
        if (chunk_column_find(c, chunk_column_name(c, i)) != (int)i)
            abort(); /* names are sorted and unique */
        if (chunk_column_decode(c, i, &err) < 0)
            ok = 0;
    }
    size_t rows = chunk_rows(c) < S_ROWS_WALKED ? chunk_rows(c) : S_ROWS_WALKED;
    const char **names = malloc((chunk_columns(c) + 1) * sizeof *names);
    const char **values = malloc((chunk_columns(c) + 1) * sizeof *values);
    for (size_t r = 0; ok && r < rows; r++) {
        size_t n;
        if (chunk_row(c, r, names, values, &n, &err) < 0)
            abort(); /* every column decoded above */
    }
    free(names);
    free(values);
    if (ok && chunk_rows(c) <= S_ROWS_WALKED) {
        uint8_t *again;
        size_t len;
        if (chunk_merge(c, NULL, 0, CHUNK_LEVEL_MIN, &again, &len, &err) < 0)
            abort(); /* what decodes must encode */
        chunk_t *d = chunk_open(again, len, &err);
        if (!d)
            abort();
        s_same_cells(c, d, chunk_rows(c));
        chunk_destroy(&d);
        free(again);
    }
    chunk_destroy(&c);
    return 0;
}
