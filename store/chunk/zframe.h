/*
 * zframe.h - the chunk format's blocks: zstd frames, or stored bytes.
 *
 * Every block of a chunk (directory, timestamps, seq, one per metric) is
 * either its raw bytes as they are, or exactly one zstd frame that
 * decompresses to exactly the raw length written beside it. Frames are
 * written in the standard format (magic included, so any zstd decoder reads
 * them) without checksum (the chunk has a CRC-32 of its own), without content
 * size (the directory has it) and without dictionary id. A block is stored
 * raw when the frame would not be smaller.
 *
 * Decompression is bounded by the raw length, which the caller has checked
 * against the format's limits before allocating: a frame that would produce
 * more (a zstd bomb) fails when the output buffer is full.
 */
#ifndef NODELINK_CHUNK_ZFRAME_H
#define NODELINK_CHUNK_ZFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "varbuf.h"

typedef struct zframe_ctx zframe_ctx_t;

/* A compression context at level (1..19); NULL when out of memory. */
zframe_ctx_t *zframe_ctx_new(int level);
void zframe_ctx_destroy(zframe_ctx_t **self);

/* Appends raw[0..len) to out, compressed when that is smaller: *zlen is then
 * the frame's length, else 0 (stored). 0, or -1 with a message in why. */
int zframe_put(zframe_ctx_t *self, const uint8_t *raw, size_t len, varbuf_t *out, size_t *zlen,
               const char **why);

/* Decompresses the single frame src[0..zlen) into dst, which must come out
 * exactly raw_len bytes long. 0, or -1 with a message in why. The
 * decompression context is created on first use and kept in *dctx (free it
 * with zframe_dctx_free). */
int zframe_get(void **dctx, const uint8_t *src, size_t zlen, uint8_t *dst, size_t raw_len, const char **why);
void zframe_dctx_free(void **dctx);

#endif
