/*
 * chunkfmt.h - constants of the chunk format shared by its writer and its
 * reader (the format itself is described byte by byte in docs/storage.md,
 * "Chunk format"). Private to the library.
 */
#ifndef NODELINK_CHUNK_CHUNKFMT_H
#define NODELINK_CHUNK_CHUNKFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunk.h"

#define CHUNKFMT_MAGIC "NLCK"
#define CHUNKFMT_VERSION 1
/* magic (4), version (1), flags (1), CRC-32 of the rest (4, little endian) */
#define CHUNKFMT_FIXED 10
#define CHUNKFMT_CRC_AT 6

/* most space-separated numbers in one cell kept as numbers */
#define CHUNKFMT_PARTS_MAX 16
/* largest raw (uncompressed) block; a writer refuses a column beyond it */
#define CHUNKFMT_BLOCK_RAW_MAX ((size_t)64 << 20)

/* presence kinds (first byte of a metric column) */
enum { CHUNKFMT_PRESENT_ALL = 0, CHUNKFMT_PRESENT_RUNS = 1, CHUNKFMT_PRESENT_BITMAP = 2 };
/* value kinds (byte after the presence) */
enum { CHUNKFMT_VALUES_NUMBERS = 0, CHUNKFMT_VALUES_TEXT = 1 };
/* integer transforms of a number sub-column (high nibble of its header byte) */
enum { CHUNKFMT_PLAIN = 0, CHUNKFMT_DELTA = 1, CHUNKFMT_DOD = 2 };
/* flag of a sub-column header byte: a uv divisor (>= 2) follows */
#define CHUNKFMT_DIVIDED 0x40

/* Upper bounds of a block's raw length for a chunk of rows rows, checked
 * before anything is allocated. A metric column holds at most, per row, 3
 * bytes of run length, 1 of group index and 256 of text or 16 varints of
 * (an encoded cell of 255 bytes has at most 16 parts, each at most 10 bytes)
 * 160; plus the header bytes: kinds, groups, 256 sub-column headers with
 * their divisors. */
static inline size_t chunkfmt_column_raw_bound(size_t rows)
{
    size_t b = 64 + 16 * 17 + 16 * 16 * 10 + rows * (3 + 1 + 256);
    return b < CHUNKFMT_BLOCK_RAW_MAX ? b : CHUNKFMT_BLOCK_RAW_MAX;
}

static inline size_t chunkfmt_time_raw_bound(size_t rows)
{
    return rows * 10;
}

static inline size_t chunkfmt_seq_raw_bound(size_t rows)
{
    return 10 + rows * 20;
}

/* Fills err (when not NULL) with a printf-style message. Returns -1. */
int chunkfmt_err(chunk_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* CRC-32 (zlib's, the one of Python's zlib.crc32) of p[0..n). */
uint32_t chunkfmt_crc(const uint8_t *p, size_t n);

/* A metric name: 1..CHUNK_NAME_MAX bytes of [A-Za-z0-9_.-]. */
bool chunkfmt_name_ok(const char *s, size_t len);

#endif
