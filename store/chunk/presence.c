/*
 * presence.c - absent and present rows of a metric column. See presence.h.
 */
#include "presence.h"

#include "chunkfmt.h"

/* Bytes of the RUNS encoding (after the kind byte). */
static size_t s_runs_size(const uint32_t *rows, size_t ncells, size_t nrows)
{
    size_t size = 0, nruns = 0;
    uint64_t next = 0; /* first row after the last present run */
    for (size_t i = 0; i < ncells;) {
        size_t j = i + 1;
        while (j < ncells && rows[j] == rows[j - 1] + 1)
            j++;
        size += varbuf_uv_size(rows[i] - next) + varbuf_uv_size(j - i);
        nruns += 2;
        next = rows[j - 1] + 1;
        i = j;
    }
    if (next < nrows) {
        size += varbuf_uv_size(nrows - next);
        nruns++;
    }
    return size + varbuf_uv_size(nruns);
}

static void s_runs_put(const uint32_t *rows, size_t ncells, size_t nrows, varbuf_t *out)
{
    size_t nruns = 0;
    uint64_t next = 0;
    for (size_t i = 0; i < ncells; i++)
        if (i == 0 || rows[i] != rows[i - 1] + 1)
            nruns += 2;
    nruns += rows[ncells - 1] + 1 < nrows;
    varbuf_put_uv(out, nruns);
    for (size_t i = 0; i < ncells;) {
        size_t j = i + 1;
        while (j < ncells && rows[j] == rows[j - 1] + 1)
            j++;
        varbuf_put_uv(out, rows[i] - next);
        varbuf_put_uv(out, j - i);
        next = rows[j - 1] + 1;
        i = j;
    }
    if (next < nrows)
        varbuf_put_uv(out, nrows - next);
}

static void s_bitmap_put(const uint32_t *rows, size_t ncells, size_t nrows, varbuf_t *out)
{
    size_t nbytes = (nrows + 7) / 8;
    if (!varbuf_reserve(out, nbytes))
        return;
    uint8_t *bits = out->data + out->len;
    for (size_t i = 0; i < nbytes; i++)
        bits[i] = 0;
    for (size_t i = 0; i < ncells; i++)
        bits[rows[i] / 8] |= (uint8_t)(1u << (rows[i] % 8));
    out->len += nbytes;
}

void presence_encode(const uint32_t *rows, size_t ncells, size_t nrows, varbuf_t *out)
{
    if (ncells == nrows) {
        varbuf_put_u8(out, CHUNKFMT_PRESENT_ALL);
    } else if (s_runs_size(rows, ncells, nrows) <= (nrows + 7) / 8) {
        varbuf_put_u8(out, CHUNKFMT_PRESENT_RUNS);
        s_runs_put(rows, ncells, nrows, out);
    } else {
        varbuf_put_u8(out, CHUNKFMT_PRESENT_BITMAP);
        s_bitmap_put(rows, ncells, nrows, out);
    }
}

static int s_runs_get(varread_t *r, size_t nrows, uint32_t *rows, size_t *ncells, const char **why)
{
    uint64_t nruns, row = 0;
    size_t n = 0;
    if (varread_uv(r, &nruns) < 0 || nruns > (uint64_t)nrows + 1) {
        *why = "bad presence run count";
        return -1;
    }
    for (uint64_t k = 0; k < nruns; k++) {
        uint64_t len;
        if (varread_uv(r, &len) < 0 || (k > 0 && len == 0) || len > nrows - row) {
            *why = "bad presence run";
            return -1;
        }
        if (k % 2 == 1)
            for (uint64_t i = 0; i < len; i++)
                rows[n++] = (uint32_t)(row + i);
        row += len;
    }
    if (row != nrows) {
        *why = "presence runs do not cover the rows";
        return -1;
    }
    *ncells = n;
    return 0;
}

static int s_bitmap_get(varread_t *r, size_t nrows, uint32_t *rows, size_t *ncells, const char **why)
{
    const uint8_t *bits;
    if (varread_bytes(r, (nrows + 7) / 8, &bits) < 0) {
        *why = "presence bitmap truncated";
        return -1;
    }
    if (nrows % 8 && (bits[nrows / 8] >> (nrows % 8))) {
        *why = "presence bitmap has bits beyond the last row";
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++)
        if (bits[i / 8] & (1u << (i % 8)))
            rows[n++] = (uint32_t)i;
    *ncells = n;
    return 0;
}

int presence_decode(varread_t *r, size_t nrows, uint32_t *rows, size_t *ncells, const char **why)
{
    uint8_t kind;
    if (varread_u8(r, &kind) < 0) {
        *why = "column truncated";
        return -1;
    }
    int rc;
    switch (kind) {
    case CHUNKFMT_PRESENT_ALL:
        for (size_t i = 0; i < nrows; i++)
            rows[i] = (uint32_t)i;
        *ncells = nrows;
        rc = 0;
        break;
    case CHUNKFMT_PRESENT_RUNS:
        rc = s_runs_get(r, nrows, rows, ncells, why);
        break;
    case CHUNKFMT_PRESENT_BITMAP:
        rc = s_bitmap_get(r, nrows, rows, ncells, why);
        break;
    default:
        *why = "unknown presence kind";
        return -1;
    }
    if (rc == 0 && *ncells == 0) {
        *why = "column without values";
        return -1;
    }
    return rc;
}
