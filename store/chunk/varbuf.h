/*
 * varbuf.h - the byte-level primitives of the chunk format: a growable
 * output buffer and a bounds-checked reader, both speaking LEB128 varints
 * and zigzag.
 *
 * Varints are unsigned LEB128: 7 bits per byte, least significant group
 * first, high bit set on every byte but the last; at most 10 bytes. A reader
 * rejects an 11th byte and a 10th byte above 1 (bits beyond 64), so a
 * hostile varint never overflows or reads on.
 * Signed values travel zigzagged (0, -1, 1, -2, ... -> 0, 1, 2, 3, ...), so
 * small magnitudes of either sign take one byte.
 *
 * Invariants: a varbuf_t that failed to grow keeps its old contents and sets
 * `failed`; every later put is a no-op, so a writer checks once at the end.
 * A varread_t never reads outside [p, end): every get returns -1 instead and
 * leaves the output untouched.
 */
#ifndef NODELINK_CHUNK_VARBUF_H
#define NODELINK_CHUNK_VARBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VARBUF_VARINT_MAX 10

typedef struct {
    uint8_t *data; /* owned, malloc'd */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed; contents are incomplete */
} varbuf_t;

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} varread_t;

static inline uint64_t varbuf_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0);
}

static inline int64_t varbuf_unzigzag(uint64_t u)
{
    /* the bit pattern of (u >> 1) ^ -(u & 1), computed in uint64 */
    uint64_t x = (u >> 1) ^ (0 - (u & 1));
    int64_t v;
    memcpy(&v, &x, sizeof v);
    return v;
}

/* Ensures room for extra more bytes; false (and failed set) when out of memory. */
bool varbuf_reserve(varbuf_t *b, size_t extra);
void varbuf_put_u8(varbuf_t *b, uint8_t v);
void varbuf_put_uv(varbuf_t *b, uint64_t v);
void varbuf_put_sv(varbuf_t *b, int64_t v);
void varbuf_put_bytes(varbuf_t *b, const void *p, size_t n);
/* Frees the data and empties b. */
void varbuf_free(varbuf_t *b);

/* Number of bytes varbuf_put_uv writes for v. */
size_t varbuf_uv_size(uint64_t v);

static inline varread_t varread_make(const uint8_t *p, size_t n)
{
    varread_t r = {p, p + n};
    return r;
}

static inline size_t varread_left(const varread_t *r)
{
    return (size_t)(r->end - r->p);
}

int varread_u8(varread_t *r, uint8_t *out);
int varread_uv(varread_t *r, uint64_t *out);
int varread_sv(varread_t *r, int64_t *out);
/* Points *out at the next n bytes (borrowed from the reader's buffer). */
int varread_bytes(varread_t *r, size_t n, const uint8_t **out);

#endif
