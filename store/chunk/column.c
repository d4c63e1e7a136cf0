/*
 * column.c - a metric's values in a chunk: presence, then numbers or text.
 * See column.h.
 */
#include "column.h"

#include <stdlib.h>
#include <string.h>

#include "chunkfmt.h"
#include "numcol.h"
#include "presence.h"

int column_encode(const uint32_t *rows, const uint8_t *cells, size_t ncells, size_t nrows, varbuf_t *out)
{
    presence_encode(rows, ncells, nrows, out);
    size_t mark = out->len;
    varbuf_put_u8(out, CHUNKFMT_VALUES_NUMBERS);
    int rc = numcol_encode(cells, ncells, out);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        out->len = mark;
        varbuf_put_u8(out, CHUNKFMT_VALUES_TEXT);
        const uint8_t *c = cells;
        for (size_t i = 0; i < ncells; i++) {
            varbuf_put_bytes(out, c, 1 + (size_t)c[0]);
            c += 1 + c[0];
        }
    }
    return out->failed ? -1 : 0;
}

static int s_text_decode(varread_t *r, size_t ncells, const uint32_t *rows, column_values_t *out,
                         const char **why)
{
    for (size_t c = 0; c < ncells; c++) {
        uint8_t n;
        const uint8_t *bytes;
        if (varread_u8(r, &n) < 0 || varread_bytes(r, n, &bytes) < 0) {
            *why = "text values truncated";
            return -1;
        }
        if (n == 0 || memchr(bytes, '\0', n)) {
            *why = "empty text value or NUL in a value";
            return -1;
        }
        out->off[rows[c]] = (uint32_t)out->arena.len;
        out->len[rows[c]] = n;
        varbuf_put_bytes(&out->arena, bytes, n);
        varbuf_put_u8(&out->arena, 0);
    }
    if (out->arena.failed) {
        *why = "out of memory";
        return -1;
    }
    return 0;
}

int column_decode(const uint8_t *raw, size_t len, size_t nrows, column_values_t *out, const char **why)
{
    memset(out, 0, sizeof *out);
    out->off = malloc(nrows * sizeof *out->off);
    out->len = malloc(nrows);
    uint32_t *rows = malloc(nrows * sizeof *rows);
    int rc = -1;
    if (!out->off || !out->len || !rows) {
        *why = "out of memory";
        goto done;
    }
    for (size_t i = 0; i < nrows; i++) {
        out->off[i] = COLUMN_ABSENT;
        out->len[i] = 0;
    }
    varread_t r = varread_make(raw, len);
    size_t ncells;
    uint8_t kind;
    if (presence_decode(&r, nrows, rows, &ncells, why) < 0)
        goto done;
    if (varread_u8(&r, &kind) < 0) {
        *why = "column truncated";
        goto done;
    }
    if (kind == CHUNKFMT_VALUES_NUMBERS)
        rc = numcol_decode(&r, ncells, rows, out->off, out->len, &out->arena, why);
    else if (kind == CHUNKFMT_VALUES_TEXT)
        rc = s_text_decode(&r, ncells, rows, out, why);
    else
        *why = "unknown value kind";
    if (rc == 0 && varread_left(&r) != 0) {
        *why = "bytes after the column's values";
        rc = -1;
    }
done:
    free(rows);
    return rc;
}

void column_values_free(column_values_t *v)
{
    free(v->off);
    free(v->len);
    varbuf_free(&v->arena);
    memset(v, 0, sizeof *v);
}
