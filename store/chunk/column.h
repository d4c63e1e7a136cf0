/*
 * column.h - one metric's block in a chunk, before compression:
 *
 *   presence (presence.h: which rows have a value)
 *   u8 value kind
 *     NUMBERS: the cells as scaled integer sub-columns (numcol.h)
 *     TEXT:    per present row, u8 length (1..255) and the bytes (no NUL)
 *
 * The writer tries NUMBERS and falls back to TEXT for the whole column as
 * soon as one cell is not a canonical number list (or does not fit): values
 * come back byte for byte either way.
 *
 * Decoded, a column is one (offset, length) per row of the chunk into a
 * text arena where every value is followed by a NUL.
 */
#ifndef NODELINK_CHUNK_COLUMN_H
#define NODELINK_CHUNK_COLUMN_H

#include <stddef.h>
#include <stdint.h>

#include "varbuf.h"

#define COLUMN_ABSENT UINT32_MAX

typedef struct {
    uint32_t *off; /* nrows; COLUMN_ABSENT where the row has no value */
    uint8_t *len;  /* nrows */
    varbuf_t arena;
} column_values_t;

/* Appends the block of a column of nrows rows whose ncells values (each a u8
 * length and its bytes, in cells) are at rows[0..ncells) (strictly
 * increasing; ncells >= 1). 0, or -1 when out of memory. */
int column_encode(const uint32_t *rows, const uint8_t *cells, size_t ncells, size_t nrows, varbuf_t *out);

/* Decodes a column block of nrows rows into out (allocated here; free with
 * column_values_free, also after a failure). 0 or -1 (why). */
int column_decode(const uint8_t *raw, size_t len, size_t nrows, column_values_t *out, const char **why);

void column_values_free(column_values_t *v);

#endif
