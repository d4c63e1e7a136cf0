/*
 * reader.c - chunk_open and lazy decoding. See chunk.h.
 *
 * chunk_open copies the bytes and checks everything that locates the
 * blocks: CRC, header, directory (names valid and sorted, every block's
 * lengths within the limits of chunkfmt.h, the blocks exactly filling the
 * rest of the chunk). A block is decompressed only when asked for, into a
 * buffer of its stated raw length, and decoded at once; a metric column is
 * then kept decoded (column_values_t) until chunk_column_release or
 * chunk_destroy.
 */
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "chunkfmt.h"
#include "column.h"
#include "timecol.h"
#include "zframe.h"

/* Blocks in directory order: timestamps, seq, then metric column i at
 * S_COL0 + i. */
enum { S_TS = 0, S_SEQ = 1, S_COL0 = 2 };

typedef struct {
    size_t at; /* offset in data */
    size_t raw_len;
    size_t zlen; /* 0: stored raw */
} s_block_t;

struct chunk {
    uint8_t *data;
    size_t len;
    size_t rows;
    int64_t first;
    int64_t last;
    size_t ncols;
    char *name_arena;   /* the names, each followed by a NUL */
    const char **names; /* ncols, into name_arena */
    s_block_t *blocks;  /* ncols + 2 */
    int64_t *ts;        /* rows, once decoded */
    uint64_t *seq;
    column_values_t *values; /* ncols; off == NULL until decoded */
    void *dctx;
};

void chunk_destroy(chunk_t **self)
{
    if (!self || !*self)
        return;
    chunk_t *c = *self;
    for (size_t i = 0; c->values && i < c->ncols; i++)
        column_values_free(&c->values[i]);
    free(c->values);
    free(c->ts);
    free(c->seq);
    free(c->blocks);
    free(c->names);
    free(c->name_arena);
    free(c->data);
    zframe_dctx_free(&c->dctx);
    free(c);
    *self = NULL;
}

/* The raw bytes of a block: borrowed from data when stored, else
 * decompressed into *owned (the caller frees it). */
static const uint8_t *s_block_raw(chunk_t *c, const s_block_t *b, uint8_t **owned, const char **why)
{
    *owned = NULL;
    if (b->zlen == 0)
        return c->data + b->at;
    if (!(*owned = malloc(b->raw_len ? b->raw_len : 1))) {
        *why = "out of memory";
        return NULL;
    }
    if (zframe_get(&c->dctx, c->data + b->at, b->zlen, *owned, b->raw_len, why) < 0) {
        free(*owned);
        *owned = NULL;
        return NULL;
    }
    return *owned;
}

/* Reads the fixed header and the row/column counts; *r is left at the
 * directory's lengths. */
static int s_header(chunk_t *c, varread_t *r, uint64_t *dir_raw, uint64_t *dir_z, chunk_err_t *err)
{
    if (c->len < CHUNKFMT_FIXED || memcmp(c->data, CHUNKFMT_MAGIC, 4) != 0)
        return chunkfmt_err(err, "not a chunk (no NLCK magic)");
    if (c->data[4] != CHUNKFMT_VERSION)
        return chunkfmt_err(err, "chunk format version %u, this reader knows %d", c->data[4],
                            CHUNKFMT_VERSION);
    if (c->data[5] != 0)
        return chunkfmt_err(err, "unknown chunk flags 0x%02x", c->data[5]);
    uint32_t crc = 0;
    for (int k = 0; k < 4; k++)
        crc |= (uint32_t)c->data[CHUNKFMT_CRC_AT + k] << (8 * k);
    if (crc != chunkfmt_crc(c->data + CHUNKFMT_FIXED, c->len - CHUNKFMT_FIXED))
        return chunkfmt_err(err, "CRC mismatch: the chunk is corrupt or truncated");
    *r = varread_make(c->data + CHUNKFMT_FIXED, c->len - CHUNKFMT_FIXED);
    uint64_t rows, span, ncols;
    int64_t first;
    if (varread_uv(r, &rows) < 0 || varread_sv(r, &first) < 0 || varread_uv(r, &span) < 0 ||
        varread_uv(r, &ncols) < 0 || varread_uv(r, dir_raw) < 0 || varread_uv(r, dir_z) < 0)
        return chunkfmt_err(err, "header truncated");
    if (rows == 0 || rows > CHUNK_ROWS_MAX)
        return chunkfmt_err(err, "row count %llu outside 1..%u", (unsigned long long)rows, CHUNK_ROWS_MAX);
    if (ncols > CHUNK_COLUMNS_MAX)
        return chunkfmt_err(err, "column count %llu above %u", (unsigned long long)ncols, CHUNK_COLUMNS_MAX);
    /* last = first + span must not pass INT64_MAX (uint64 arithmetic gives
     * the true distance for any first) */
    if (span > (uint64_t)INT64_MAX - (uint64_t)first || (rows == 1 && span != 0))
        return chunkfmt_err(err, "bad time span");
    c->rows = (size_t)rows;
    c->ncols = (size_t)ncols;
    c->first = first;
    uint64_t last = (uint64_t)first + span;
    memcpy(&c->last, &last, sizeof c->last);
    if (*dir_raw > c->ncols * (1 + CHUNK_NAME_MAX) + (c->ncols + 2) * 2 * VARBUF_VARINT_MAX)
        return chunkfmt_err(err, "directory length %llu beyond its bound", (unsigned long long)*dir_raw);
    return 0;
}

static int s_names(chunk_t *c, varread_t *r, chunk_err_t *err)
{
    c->names = malloc((c->ncols ? c->ncols : 1) * sizeof *c->names);
    /* a name of n bytes takes n + 1 in the directory and in the arena */
    c->name_arena = malloc(varread_left(r) + 1);
    if (!c->names || !c->name_arena)
        return chunkfmt_err(err, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < c->ncols; i++) {
        uint8_t n;
        const uint8_t *name;
        if (varread_u8(r, &n) < 0 || varread_bytes(r, n, &name) < 0)
            return chunkfmt_err(err, "directory truncated in the names");
        if (!chunkfmt_name_ok((const char *)name, n))
            return chunkfmt_err(err, "column %zu: invalid name", i);
        memcpy(c->name_arena + at, name, n);
        c->name_arena[at + n] = '\0';
        c->names[i] = c->name_arena + at;
        at += n + 1u;
        if (i > 0 && strcmp(c->names[i - 1], c->names[i]) >= 0)
            return chunkfmt_err(err, "column names not sorted or repeated at %s", c->names[i]);
    }
    return 0;
}

/* Reads the block lengths; the blocks must exactly fill data[at..len). */
static int s_blocks(chunk_t *c, varread_t *r, size_t at, chunk_err_t *err)
{
    size_t nblocks = c->ncols + S_COL0;
    if (!(c->blocks = malloc(nblocks * sizeof *c->blocks)))
        return chunkfmt_err(err, "out of memory");
    for (size_t b = 0; b < nblocks; b++) {
        uint64_t raw, z;
        if (varread_uv(r, &raw) < 0 || varread_uv(r, &z) < 0)
            return chunkfmt_err(err, "directory truncated in the block lengths");
        size_t bound = b == S_TS    ? chunkfmt_time_raw_bound(c->rows)
                       : b == S_SEQ ? chunkfmt_seq_raw_bound(c->rows)
                                    : chunkfmt_column_raw_bound(c->rows);
        uint64_t stored = z ? z : raw;
        if (raw == 0 || raw > bound)
            return chunkfmt_err(err, "block %zu: raw length %llu outside 1..%zu", b, (unsigned long long)raw,
                                bound);
        if (stored > c->len - at)
            return chunkfmt_err(err, "block %zu: beyond the end of the chunk", b);
        c->blocks[b] = (s_block_t){.at = at, .raw_len = (size_t)raw, .zlen = (size_t)z};
        at += (size_t)stored;
    }
    if (varread_left(r) != 0)
        return chunkfmt_err(err, "bytes after the directory");
    if (at != c->len)
        return chunkfmt_err(err, "%zu bytes after the last block", c->len - at);
    return 0;
}

chunk_t *chunk_open(const uint8_t *data, size_t len, chunk_err_t *err)
{
    chunk_t *c = calloc(1, sizeof *c);
    if (!c || !(c->data = malloc(len ? len : 1))) {
        chunkfmt_err(err, "out of memory");
        chunk_destroy(&c);
        return NULL;
    }
    if (len)
        memcpy(c->data, data, len);
    c->len = len;
    varread_t r;
    uint64_t dir_raw, dir_z;
    const uint8_t *dir_bytes;
    if (s_header(c, &r, &dir_raw, &dir_z, err) < 0) {
        chunk_destroy(&c);
        return NULL;
    }
    if (varread_bytes(&r, dir_z ? dir_z : dir_raw, &dir_bytes) < 0) {
        chunkfmt_err(err, "directory truncated");
        chunk_destroy(&c);
        return NULL;
    }
    s_block_t dir = {.at = (size_t)(dir_bytes - c->data), .raw_len = dir_raw, .zlen = dir_z};
    uint8_t *owned;
    const char *why;
    const uint8_t *raw = s_block_raw(c, &dir, &owned, &why);
    int rc = -1;
    if (!raw) {
        chunkfmt_err(err, "directory: %s", why);
    } else {
        varread_t d = varread_make(raw, dir_raw);
        rc = s_names(c, &d, err) < 0 || s_blocks(c, &d, (size_t)(r.p - c->data), err) < 0 ? -1 : 0;
    }
    free(owned);
    if (rc == 0 && !(c->values = calloc(c->ncols ? c->ncols : 1, sizeof *c->values)))
        rc = chunkfmt_err(err, "out of memory");
    if (rc < 0)
        chunk_destroy(&c);
    return c;
}

size_t chunk_rows(const chunk_t *self)
{
    return self->rows;
}

int64_t chunk_first_ms(const chunk_t *self)
{
    return self->first;
}

int64_t chunk_last_ms(const chunk_t *self)
{
    return self->last;
}

size_t chunk_columns(const chunk_t *self)
{
    return self->ncols;
}

const char *chunk_column_name(const chunk_t *self, size_t i)
{
    return i < self->ncols ? self->names[i] : NULL;
}

size_t chunk_column_size(const chunk_t *self, size_t i)
{
    if (i >= self->ncols)
        return 0;
    const s_block_t *b = &self->blocks[S_COL0 + i];
    return b->zlen ? b->zlen : b->raw_len;
}

int chunk_column_find(const chunk_t *self, const char *name)
{
    size_t lo = 0, hi = self->ncols;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(self->names[mid], name);
        if (cmp == 0)
            return (int)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int chunk_timestamps(chunk_t *self, const int64_t **ts, const uint64_t **seq, chunk_err_t *err)
{
    if (!self->ts) {
        int64_t *t = malloc(self->rows * sizeof *t);
        uint64_t *s = malloc(self->rows * sizeof *s);
        uint8_t *owned_t = NULL, *owned_s = NULL;
        const char *why = "out of memory";
        const uint8_t *raw_t = NULL, *raw_s = NULL;
        int rc = -1;
        if (t && s && (raw_t = s_block_raw(self, &self->blocks[S_TS], &owned_t, &why)) &&
            (raw_s = s_block_raw(self, &self->blocks[S_SEQ], &owned_s, &why)) &&
            timecol_decode(raw_t, self->blocks[S_TS].raw_len, self->rows, self->first, self->last, t, &why) ==
                0 &&
            seqcol_decode(raw_s, self->blocks[S_SEQ].raw_len, self->rows, s, &why) == 0 &&
            timecol_check_order(t, s, self->rows, &why) == 0)
            rc = 0;
        free(owned_t);
        free(owned_s);
        if (rc < 0) {
            free(t);
            free(s);
            return chunkfmt_err(err, "timestamps: %s", why);
        }
        self->ts = t;
        self->seq = s;
    }
    if (ts)
        *ts = self->ts;
    if (seq)
        *seq = self->seq;
    return 0;
}

int chunk_column_decode(chunk_t *self, size_t i, chunk_err_t *err)
{
    if (i >= self->ncols)
        return chunkfmt_err(err, "no column %zu (the chunk has %zu)", i, self->ncols);
    if (self->values[i].off)
        return 0;
    const s_block_t *b = &self->blocks[S_COL0 + i];
    uint8_t *owned;
    const char *why;
    const uint8_t *raw = s_block_raw(self, b, &owned, &why);
    int rc = raw ? column_decode(raw, b->raw_len, self->rows, &self->values[i], &why) : -1;
    free(owned);
    if (rc < 0) {
        column_values_free(&self->values[i]);
        return chunkfmt_err(err, "column %s: %s", self->names[i], why);
    }
    return 0;
}

const char *chunk_value(const chunk_t *self, size_t i, size_t row, size_t *len)
{
    if (i >= self->ncols || row >= self->rows || !self->values[i].off)
        return NULL;
    const column_values_t *v = &self->values[i];
    if (v->off[row] == COLUMN_ABSENT)
        return NULL;
    if (len)
        *len = v->len[row];
    return (const char *)v->arena.data + v->off[row];
}

void chunk_column_release(chunk_t *self, size_t i)
{
    if (i < self->ncols)
        column_values_free(&self->values[i]);
}

int chunk_row(chunk_t *self, size_t row, const char **names, const char **values, size_t *n, chunk_err_t *err)
{
    if (row >= self->rows)
        return chunkfmt_err(err, "no row %zu (the chunk has %zu)", row, self->rows);
    *n = 0;
    for (size_t i = 0; i < self->ncols; i++) {
        if (chunk_column_decode(self, i, err) < 0)
            return -1;
        const char *v = chunk_value(self, i, row, NULL);
        if (v) {
            names[*n] = self->names[i];
            values[(*n)++] = v;
        }
    }
    return 0;
}
