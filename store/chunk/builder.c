/*
 * builder.c - chunk_builder_*: rows in, chunk bytes out. See chunk.h.
 *
 * Rows are kept column by column as they come: per metric the rows where it
 * has a value and the values (u8 length + bytes), so that finish encodes
 * each column from one contiguous buffer. Names are found through a hint
 * (the column used at the same position of the previous row: samples list
 * their metrics in the same order every time) and an open-addressing hash
 * table behind it.
 *
 * chunk_builder_add validates the whole row and reserves all the memory it
 * needs before it changes anything, so a refused row leaves no trace (but
 * for an empty column, which finish skips).
 */
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "chunkfmt.h"
#include "column.h"
#include "timecol.h"
#include "zframe.h"

#define S_EMPTY UINT32_MAX

typedef struct {
    char *name;
    uint32_t *rows; /* rows with a value, increasing */
    size_t ncells;
    size_t cap;
    varbuf_t cells; /* per value: u8 length, bytes */
    uint64_t mark;  /* serial of the last add that used this column */
} s_col_t;

struct chunk_builder {
    int level;
    int64_t *ts;
    uint64_t *seq;
    size_t nrows;
    size_t rows_cap;
    s_col_t *cols;
    size_t ncols;
    size_t cols_cap;
    uint32_t *slots; /* hash table of column indices, S_EMPTY when free */
    size_t nslots;   /* power of two, >= 2 * ncols */
    uint32_t *hint;  /* column used at each position of the previous row */
    size_t hint_cap;
    uint32_t *idx; /* scratch: the columns of the row being added */
    size_t idx_cap;
    uint64_t serial;
};

chunk_builder_t *chunk_builder_new(void)
{
    chunk_builder_t *self = calloc(1, sizeof *self);
    if (self)
        self->level = CHUNK_LEVEL_DEFAULT;
    return self;
}

void chunk_builder_reset(chunk_builder_t *self)
{
    for (size_t i = 0; i < self->ncols; i++) {
        free(self->cols[i].name);
        free(self->cols[i].rows);
        varbuf_free(&self->cols[i].cells);
    }
    free(self->cols);
    free(self->ts);
    free(self->seq);
    free(self->slots);
    free(self->hint);
    free(self->idx);
    int level = self->level;
    memset(self, 0, sizeof *self);
    self->level = level;
}

void chunk_builder_destroy(chunk_builder_t **self)
{
    if (!self || !*self)
        return;
    chunk_builder_reset(*self);
    free(*self);
    *self = NULL;
}

int chunk_builder_set_level(chunk_builder_t *self, int level, chunk_err_t *err)
{
    if (level < CHUNK_LEVEL_MIN || level > CHUNK_LEVEL_MAX)
        return chunkfmt_err(err, "zstd level %d outside %d..%d", level, CHUNK_LEVEL_MIN, CHUNK_LEVEL_MAX);
    self->level = level;
    return 0;
}

size_t chunk_builder_rows(const chunk_builder_t *self)
{
    return self->nrows;
}

/* ---- names -> columns -------------------------------------------------- */

static uint64_t s_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ULL;
    return h;
}

static uint32_t *s_slot(chunk_builder_t *self, const char *name)
{
    size_t mask = self->nslots - 1;
    for (size_t i = s_hash(name) & mask;; i = (i + 1) & mask) {
        uint32_t c = self->slots[i];
        if (c == S_EMPTY || strcmp(self->cols[c].name, name) == 0)
            return &self->slots[i];
    }
}

static int s_rehash(chunk_builder_t *self)
{
    size_t n = self->nslots ? self->nslots * 2 : 64;
    uint32_t *slots = malloc(n * sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < n; i++)
        slots[i] = S_EMPTY;
    free(self->slots);
    self->slots = slots;
    self->nslots = n;
    for (size_t c = 0; c < self->ncols; c++)
        *s_slot(self, self->cols[c].name) = (uint32_t)c;
    return 0;
}

/* The column of name, created when new; S_EMPTY when out of memory or at
 * the column limit (err says which). */
static uint32_t s_column(chunk_builder_t *self, size_t pos, const char *name, chunk_err_t *err)
{
    uint32_t h = pos < self->hint_cap ? self->hint[pos] : S_EMPTY;
    if (h < self->ncols && strcmp(self->cols[h].name, name) == 0)
        return h;
    if (2 * (self->ncols + 1) > self->nslots && s_rehash(self) < 0)
        return chunkfmt_err(err, "out of memory"), S_EMPTY;
    uint32_t *slot = s_slot(self, name);
    if (*slot != S_EMPTY)
        return *slot;
    if (self->ncols == CHUNK_COLUMNS_MAX)
        return chunkfmt_err(err, "more than %u metrics", CHUNK_COLUMNS_MAX), S_EMPTY;
    if (self->ncols == self->cols_cap) {
        size_t cap = self->cols_cap ? self->cols_cap * 2 : 64;
        s_col_t *cols = realloc(self->cols, cap * sizeof *cols);
        if (!cols)
            return chunkfmt_err(err, "out of memory"), S_EMPTY;
        self->cols = cols;
        self->cols_cap = cap;
    }
    s_col_t *col = &self->cols[self->ncols];
    memset(col, 0, sizeof *col);
    if (!(col->name = strdup(name)))
        return chunkfmt_err(err, "out of memory"), S_EMPTY;
    *slot = (uint32_t)self->ncols;
    return (uint32_t)self->ncols++;
}

/* ---- adding rows ----------------------------------------------------------- */

/* Grows the array whose pointer is at array_ptr (a T ** of any T, its
 * pointer copied bytewise rather than accessed as a void *) to hold need
 * elements of size bytes; capacity doubles. false (nothing changed) when
 * out of memory. */
static bool s_grow(void *array_ptr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *p;
    memcpy(&p, array_ptr, sizeof p);
    void *q = realloc(p, n * size);
    if (!q)
        return false;
    memcpy(array_ptr, &q, sizeof q);
    *cap = n;
    return true;
}

/* Checks the row and finds (or creates) its columns into self->idx. */
static int s_check_row(chunk_builder_t *self, int64_t ts_ms, uint64_t seq, const char *const *names,
                       const char *const *values, size_t n, chunk_err_t *err)
{
    if (self->nrows == CHUNK_ROWS_MAX)
        return chunkfmt_err(err, "more than %u rows", CHUNK_ROWS_MAX);
    if (self->nrows > 0) {
        int64_t lts = self->ts[self->nrows - 1];
        uint64_t lseq = self->seq[self->nrows - 1];
        if (ts_ms < lts || (ts_ms == lts && seq <= lseq))
            return chunkfmt_err(err, "row %lld-%llu is not after the previous row %lld-%llu",
                                (long long)ts_ms, (unsigned long long)seq, (long long)lts,
                                (unsigned long long)lseq);
    }
    if (n > CHUNK_COLUMNS_MAX)
        return chunkfmt_err(err, "more than %u metrics in a row", CHUNK_COLUMNS_MAX);
    size_t hint_cap = self->hint_cap;
    if (!s_grow(&self->idx, &self->idx_cap, n, sizeof *self->idx) ||
        !s_grow(&self->hint, &self->hint_cap, n, sizeof *self->hint))
        return chunkfmt_err(err, "out of memory");
    for (size_t i = hint_cap; i < self->hint_cap; i++)
        self->hint[i] = S_EMPTY;
    self->serial++;
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !chunkfmt_name_ok(names[i], strlen(names[i])))
            return chunkfmt_err(err, "invalid metric name '%.64s' (1..%d bytes of [A-Za-z0-9_.-])",
                                names[i] ? names[i] : "(null)", CHUNK_NAME_MAX);
        size_t vlen = values[i] ? strlen(values[i]) : 0;
        if (vlen == 0 || vlen > CHUNK_VALUE_MAX)
            return chunkfmt_err(err, "value of %s: %zu bytes (1..%d)", names[i], vlen, CHUNK_VALUE_MAX);
        uint32_t c = s_column(self, i, names[i], err);
        if (c == S_EMPTY)
            return -1;
        if (self->cols[c].mark == self->serial)
            return chunkfmt_err(err, "metric %s twice in one row", names[i]);
        self->cols[c].mark = self->serial;
        self->idx[i] = c;
    }
    return 0;
}

int chunk_builder_add(chunk_builder_t *self, int64_t ts_ms, uint64_t seq, const char *const *names,
                      const char *const *values, size_t n, chunk_err_t *err)
{
    if (s_check_row(self, ts_ms, seq, names, values, n, err) < 0)
        return -1;
    size_t rows_cap = self->rows_cap;
    if (!s_grow(&self->ts, &rows_cap, self->nrows + 1, sizeof *self->ts) ||
        !s_grow(&self->seq, &self->rows_cap, self->nrows + 1, sizeof *self->seq))
        return chunkfmt_err(err, "out of memory");
    for (size_t i = 0; i < n; i++) {
        s_col_t *col = &self->cols[self->idx[i]];
        if (!s_grow(&col->rows, &col->cap, col->ncells + 1, sizeof *col->rows) ||
            !varbuf_reserve(&col->cells, 1 + strlen(values[i]))) {
            col->cells.failed = false; /* a failed reserve leaves the contents as they were */
            return chunkfmt_err(err, "out of memory");
        }
    }
    /* nothing can fail from here on */
    for (size_t i = 0; i < n; i++) {
        s_col_t *col = &self->cols[self->idx[i]];
        size_t vlen = strlen(values[i]);
        col->rows[col->ncells++] = (uint32_t)self->nrows;
        varbuf_put_u8(&col->cells, (uint8_t)vlen);
        varbuf_put_bytes(&col->cells, values[i], vlen);
        self->hint[i] = self->idx[i];
    }
    self->ts[self->nrows] = ts_ms;
    self->seq[self->nrows] = seq;
    self->nrows++;
    return 0;
}

/* ---- encoding ---------------------------------------------------------- */

/* What finish assembles: the blocks' bytes one after the other, and for each
 * block its raw and compressed lengths (for the directory). */
typedef struct {
    zframe_ctx_t *z;
    varbuf_t raw;  /* scratch: the block being encoded */
    varbuf_t data; /* the blocks, as stored */
    varbuf_t lens; /* directory tail: uv raw length, uv zstd length per block */
} s_out_t;

static int s_put_block(s_out_t *o, size_t bound, chunk_err_t *err)
{
    const char *why;
    size_t zlen;
    if (o->raw.failed)
        return chunkfmt_err(err, "out of memory");
    if (o->raw.len > bound)
        return chunkfmt_err(err, "a block of %zu bytes is beyond the format's limit (%zu)", o->raw.len,
                            bound);
    if (zframe_put(o->z, o->raw.data, o->raw.len, &o->data, &zlen, &why) < 0)
        return chunkfmt_err(err, "zstd: %s", why);
    varbuf_put_uv(&o->lens, o->raw.len);
    varbuf_put_uv(&o->lens, zlen);
    o->raw.len = 0;
    return 0;
}

typedef struct {
    const char *name;
    uint32_t col;
} s_named_t;

static int s_by_name(const void *a, const void *b)
{
    return strcmp(((const s_named_t *)a)->name, ((const s_named_t *)b)->name);
}

/* The non-empty columns, sorted by name (bytewise); NULL when out of memory. */
static s_named_t *s_sorted_columns(const chunk_builder_t *self, size_t *n)
{
    s_named_t *order = malloc((self->ncols ? self->ncols : 1) * sizeof *order);
    if (!order)
        return NULL;
    *n = 0;
    for (size_t c = 0; c < self->ncols; c++)
        if (self->cols[c].ncells)
            order[(*n)++] = (s_named_t){self->cols[c].name, (uint32_t)c};
    qsort(order, *n, sizeof *order, s_by_name);
    return order;
}

/* Header and directory in front of the blocks: see docs/storage.md. */
static int s_assemble(const chunk_builder_t *self, const s_named_t *order, size_t ncols, s_out_t *o,
                      uint8_t **out, size_t *len, chunk_err_t *err)
{
    /* directory: the names, then the block lengths */
    for (size_t i = 0; i < ncols; i++) {
        size_t n = strlen(order[i].name);
        varbuf_put_u8(&o->raw, (uint8_t)n);
        varbuf_put_bytes(&o->raw, order[i].name, n);
    }
    varbuf_put_bytes(&o->raw, o->lens.data, o->lens.len);
    varbuf_t dir = {0};
    size_t dir_raw = o->raw.len, dir_z;
    const char *why;
    if (o->raw.failed || o->lens.failed || o->data.failed)
        return chunkfmt_err(err, "out of memory");
    if (zframe_put(o->z, o->raw.data, o->raw.len, &dir, &dir_z, &why) < 0) {
        varbuf_free(&dir);
        return chunkfmt_err(err, "zstd: %s", why);
    }
    varbuf_t h = {0};
    varbuf_put_bytes(&h, CHUNKFMT_MAGIC, 4);
    varbuf_put_u8(&h, CHUNKFMT_VERSION);
    varbuf_put_u8(&h, 0);
    varbuf_put_bytes(&h, "\0\0\0\0", 4); /* CRC, below */
    varbuf_put_uv(&h, self->nrows);
    varbuf_put_sv(&h, self->ts[0]);
    varbuf_put_uv(&h, (uint64_t)self->ts[self->nrows - 1] - (uint64_t)self->ts[0]);
    varbuf_put_uv(&h, ncols);
    varbuf_put_uv(&h, dir_raw);
    varbuf_put_uv(&h, dir_z);
    varbuf_put_bytes(&h, dir.data, dir.len);
    varbuf_put_bytes(&h, o->data.data, o->data.len);
    varbuf_free(&dir);
    if (h.failed) {
        varbuf_free(&h);
        return chunkfmt_err(err, "out of memory");
    }
    uint32_t crc = chunkfmt_crc(h.data + CHUNKFMT_FIXED, h.len - CHUNKFMT_FIXED);
    for (int k = 0; k < 4; k++)
        h.data[CHUNKFMT_CRC_AT + k] = (uint8_t)(crc >> (8 * k));
    *out = h.data;
    *len = h.len;
    return 0;
}

int chunk_builder_finish(chunk_builder_t *self, uint8_t **out, size_t *len, chunk_err_t *err)
{
    if (self->nrows == 0)
        return chunkfmt_err(err, "a chunk needs at least one row");
    s_out_t o = {0};
    size_t ncols = 0;
    s_named_t *order = s_sorted_columns(self, &ncols);
    int rc = -1;
    if (!order || !(o.z = zframe_ctx_new(self->level))) {
        chunkfmt_err(err, "out of memory");
        goto done;
    }
    timecol_encode(self->ts, self->nrows, &o.raw);
    if (s_put_block(&o, chunkfmt_time_raw_bound(self->nrows), err) < 0)
        goto done;
    seqcol_encode(self->seq, self->nrows, &o.raw);
    if (s_put_block(&o, chunkfmt_seq_raw_bound(self->nrows), err) < 0)
        goto done;
    for (size_t i = 0; i < ncols; i++) {
        const s_col_t *col = &self->cols[order[i].col];
        if (column_encode(col->rows, col->cells.data, col->ncells, self->nrows, &o.raw) < 0) {
            chunkfmt_err(err, "out of memory");
            goto done;
        }
        if (s_put_block(&o, chunkfmt_column_raw_bound(self->nrows), err) < 0)
            goto done;
    }
    rc = s_assemble(self, order, ncols, &o, out, len, err);
done:
    free(order);
    zframe_ctx_destroy(&o.z);
    varbuf_free(&o.raw);
    varbuf_free(&o.data);
    varbuf_free(&o.lens);
    return rc;
}
