/*
 * zframe.c - zstd frames of the chunk format. See zframe.h.
 */
#include "zframe.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

struct zframe_ctx {
    ZSTD_CCtx *cctx;
};

zframe_ctx_t *zframe_ctx_new(int level)
{
    zframe_ctx_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cctx = ZSTD_createCCtx();
    if (!self->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(self->cctx, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(self->cctx, ZSTD_c_checksumFlag, 0)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(self->cctx, ZSTD_c_contentSizeFlag, 0)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(self->cctx, ZSTD_c_dictIDFlag, 0))) {
        zframe_ctx_destroy(&self);
        return NULL;
    }
    return self;
}

void zframe_ctx_destroy(zframe_ctx_t **self)
{
    if (!self || !*self)
        return;
    ZSTD_freeCCtx((*self)->cctx);
    free(*self);
    *self = NULL;
}

int zframe_put(zframe_ctx_t *self, const uint8_t *raw, size_t len, varbuf_t *out, size_t *zlen,
               const char **why)
{
    size_t bound = ZSTD_compressBound(len);
    if (!varbuf_reserve(out, bound > len ? bound : len)) {
        *why = "out of memory";
        return -1;
    }
    size_t n = len ? ZSTD_compress2(self->cctx, out->data + out->len, bound, raw, len) : 0;
    if (ZSTD_isError(n)) {
        *why = ZSTD_getErrorName(n);
        return -1;
    }
    if (n > 0 && n < len) {
        out->len += n;
        *zlen = n;
    } else {
        varbuf_put_bytes(out, raw, len);
        *zlen = 0;
    }
    return 0;
}

int zframe_get(void **dctx, const uint8_t *src, size_t zlen, uint8_t *dst, size_t raw_len, const char **why)
{
    /* exactly one frame: no trailing frames, no skippable frame in front */
    size_t fsize = ZSTD_findFrameCompressedSize(src, zlen);
    static const uint8_t magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    if (zlen < 4 || memcmp(src, magic, 4) != 0 || ZSTD_isError(fsize) || fsize != zlen) {
        *why = "not one zstd frame";
        return -1;
    }
    if (!*dctx && !(*dctx = ZSTD_createDCtx())) {
        *why = "out of memory";
        return -1;
    }
    size_t n = ZSTD_decompressDCtx(*dctx, dst, raw_len, src, zlen);
    if (ZSTD_isError(n)) {
        *why = ZSTD_getErrorName(n);
        return -1;
    }
    if (n != raw_len) {
        *why = "frame shorter than its stated length";
        return -1;
    }
    return 0;
}

void zframe_dctx_free(void **dctx)
{
    if (dctx && *dctx) {
        ZSTD_freeDCtx(*dctx);
        *dctx = NULL;
    }
}
