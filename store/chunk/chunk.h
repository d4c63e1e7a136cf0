/*
 * chunk.h - nodelink_chunk: compressed columnar chunks of metric samples.
 *
 * A chunk holds the samples of one agent in one tier over a span of time
 * (say an hour of raw samples, or a day of 1-minute rollups) in a few bytes
 * per value, so the store can compact stream entries older than a hot
 * window. It knows nothing of Redis: bytes in, bytes out.
 *
 * Data model. Rows in strictly increasing (ts_ms, seq) order, as stream
 * entry ids <ms>-<seq> are; each row a set of (metric name -> value) cells.
 * A metric may be absent from any row. Names are 1..255 bytes of
 * [A-Za-z0-9_.-]; values 1..255 bytes, any but NUL. Decoding gives back the
 * same rows, the same value strings byte for byte, the same absent cells.
 *
 * Layout (byte by byte in docs/storage.md, "Chunk format"): a small header
 * (magic, version, CRC-32, row count, first and last timestamp), a directory
 * (column names and block lengths, itself compressed), then one block per
 * column: timestamps (delta of delta), seq (sparse), and one per metric in
 * name order. A metric's block says which rows have a value and holds the
 * values: canonical lean decimals (store/numfmt.h: "23.46", "-3",
 * "34359738368") and rollup tuples ("23.4067 20.1 27 12") as scaled integer
 * sub-columns, anything else as text. Each block is its own zstd frame (or
 * stored when that is not smaller), so a query reads the timestamps and one
 * metric without decompressing the others.
 *
 * Hostile input. chunk_open checks the CRC, the header and the directory;
 * every decode checks its block. Every length is checked against the limits
 * below before anything is allocated, and decompression stops at the length
 * the directory states, so arbitrary bytes fail cleanly with a message.
 * A decoded column keeps at most rows * (5 + 256) bytes.
 *
 * Ownership. Builders and chunks are owned by their creator and freed with
 * their _destroy(&p), which nulls p. Output buffers of chunk_builder_finish
 * and chunk_merge are malloc'd and owned by the caller (free()). Strings the
 * reader returns are borrowed from the chunk and live until chunk_destroy
 * (or chunk_column_release of their column). Nothing here is thread-safe:
 * a chunk caches what it decoded, so one chunk per thread.
 *
 * Errors. Functions that can fail take a chunk_err_t * (may be NULL) and
 * fill it with a message; the library never logs.
 */
#ifndef NODELINK_CHUNK_H
#define NODELINK_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHUNK_ROWS_MAX 1000000u /* rows in one chunk */
#define CHUNK_COLUMNS_MAX 4096u /* metric columns in one chunk */
#define CHUNK_NAME_MAX 255      /* bytes of a metric name */
#define CHUNK_VALUE_MAX 255     /* bytes of a value */

#define CHUNK_LEVEL_DEFAULT 3 /* zstd level: see docs/storage.md for the figures */
#define CHUNK_LEVEL_MIN 1
#define CHUNK_LEVEL_MAX 19

typedef struct {
    char text[200]; /* what went wrong, NUL-terminated */
} chunk_err_t;

/* ---- building a chunk ------------------------------------------------ */

typedef struct chunk_builder chunk_builder_t;

/* An empty builder at CHUNK_LEVEL_DEFAULT; NULL when out of memory. */
chunk_builder_t *chunk_builder_new(void);

/* Frees the builder and its rows; nulls *self. NULL-safe. */
void chunk_builder_destroy(chunk_builder_t **self);

/* Sets the zstd level (CHUNK_LEVEL_MIN..CHUNK_LEVEL_MAX). 0 or -1. */
int chunk_builder_set_level(chunk_builder_t *self, int level, chunk_err_t *err);

/* Adds one row: n cells, names[i] -> values[i] (NUL-terminated, copied).
 * Fails, leaving the builder as it was, when (ts_ms, seq) is not after the
 * previous row's, a name or value is invalid, a name appears twice, or a
 * limit would be passed. 0 or -1. */
int chunk_builder_add(chunk_builder_t *self, int64_t ts_ms, uint64_t seq, const char *const *names,
                      const char *const *values, size_t n, chunk_err_t *err);

/* Rows added so far. */
size_t chunk_builder_rows(const chunk_builder_t *self);

/* Encodes the rows into *out (malloc'd, the caller frees) of *len bytes.
 * Needs at least one row. The builder keeps its rows (add more and finish
 * again, or chunk_builder_reset). 0 or -1 (*out untouched). */
int chunk_builder_finish(chunk_builder_t *self, uint8_t **out, size_t *len, chunk_err_t *err);

/* Forgets every row; the level stays. */
void chunk_builder_reset(chunk_builder_t *self);

/* ---- reading a chunk ------------------------------------------------- */

typedef struct chunk chunk_t;

/* Opens a chunk: copies data[0..len) (the caller may free it at once), and
 * checks the CRC, the header and the directory. Blocks are decoded on
 * demand. NULL (err says why) when the bytes are not a valid chunk. */
chunk_t *chunk_open(const uint8_t *data, size_t len, chunk_err_t *err);

/* Frees the chunk and everything decoded from it; nulls *self. NULL-safe. */
void chunk_destroy(chunk_t **self);

size_t chunk_rows(const chunk_t *self);
int64_t chunk_first_ms(const chunk_t *self); /* timestamp of the first row */
int64_t chunk_last_ms(const chunk_t *self);  /* timestamp of the last row */

/* Metric columns, sorted by name (bytewise). */
size_t chunk_columns(const chunk_t *self);
const char *chunk_column_name(const chunk_t *self, size_t i); /* NULL when i is out of range */

/* Bytes column i takes in the chunk (its block as stored); 0 when i is out
 * of range. For statistics. */
size_t chunk_column_size(const chunk_t *self, size_t i);

/* Index of the column named name, or -1. Binary search. */
int chunk_column_find(const chunk_t *self, const char *name);

/* Decodes (once; later calls are free) the row keys: (*ts)[row] and
 * (*seq)[row] for row < chunk_rows; either out pointer may be NULL. The
 * arrays are borrowed from the chunk. 0 or -1. */
int chunk_timestamps(chunk_t *self, const int64_t **ts, const uint64_t **seq, chunk_err_t *err);

/* Decodes column i (once; later calls are free) without touching the other
 * columns. 0 or -1. */
int chunk_column_decode(chunk_t *self, size_t i, chunk_err_t *err);

/* The value of column i at row: NUL-terminated, borrowed, its length in
 * *len (may be NULL). NULL when the row has no value for the metric, or
 * when the column is not decoded (or i, row out of range). */
const char *chunk_value(const chunk_t *self, size_t i, size_t row, size_t *len);

/* Frees what chunk_column_decode kept for column i (its values become
 * unavailable until decoded again). */
void chunk_column_release(chunk_t *self, size_t i);

/* One row for export or merging: decodes what it needs (all columns on the
 * first call), then fills names[] and values[] (room for chunk_columns
 * entries, borrowed strings) with the row's present cells in column order
 * and sets *n. 0 or -1. */
int chunk_row(chunk_t *self, size_t row, const char **names, const char **values, size_t *n,
              chunk_err_t *err);

/* ---- merging late samples -------------------------------------------- */

typedef struct {
    int64_t ts_ms;
    uint64_t seq;
    const char *const *names;
    const char *const *values;
    size_t n;
} chunk_row_t;

/* Builds a new chunk (into *out, malloc'd) from the rows of base (may be
 * NULL) and rows[0..n) given in any order, at zstd level `level`. A row
 * whose (ts_ms, seq) is already in base replaces base's row whole, so
 * merging the same rows twice gives the same chunk; two of rows[] with the
 * same (ts_ms, seq) are refused. The result is byte for byte what a builder
 * would make of the merged rows. 0 or -1. */
int chunk_merge(chunk_t *base, const chunk_row_t *rows, size_t n, int level, uint8_t **out, size_t *len,
                chunk_err_t *err);

#endif
