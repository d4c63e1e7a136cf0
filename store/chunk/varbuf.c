/*
 * varbuf.c - growable buffer, varints, zigzag. See varbuf.h.
 */
#include "varbuf.h"

#include <stdlib.h>
#include <string.h>

bool varbuf_reserve(varbuf_t *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->cap - b->len >= extra)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void varbuf_put_u8(varbuf_t *b, uint8_t v)
{
    if (varbuf_reserve(b, 1))
        b->data[b->len++] = v;
}

void varbuf_put_uv(varbuf_t *b, uint64_t v)
{
    if (!varbuf_reserve(b, VARBUF_VARINT_MAX))
        return;
    while (v >= 0x80) {
        b->data[b->len++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->data[b->len++] = (uint8_t)v;
}

void varbuf_put_sv(varbuf_t *b, int64_t v)
{
    varbuf_put_uv(b, varbuf_zigzag(v));
}

void varbuf_put_bytes(varbuf_t *b, const void *p, size_t n)
{
    if (n && varbuf_reserve(b, n)) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
    }
}

void varbuf_free(varbuf_t *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

size_t varbuf_uv_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

int varread_u8(varread_t *r, uint8_t *out)
{
    if (r->p >= r->end)
        return -1;
    *out = *r->p++;
    return 0;
}

int varread_uv(varread_t *r, uint64_t *out)
{
    uint64_t v = 0;
    const uint8_t *p = r->p;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= r->end)
            return -1;
        uint8_t byte = *p++;
        if (shift == 63 && byte > 1)
            return -1; /* bits beyond 64, or an 11th byte */
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            r->p = p;
            *out = v;
            return 0;
        }
    }
    return -1;
}

int varread_sv(varread_t *r, int64_t *out)
{
    uint64_t u;
    if (varread_uv(r, &u) < 0)
        return -1;
    *out = varbuf_unzigzag(u);
    return 0;
}

int varread_bytes(varread_t *r, size_t n, const uint8_t **out)
{
    if (varread_left(r) < n)
        return -1;
    *out = r->p;
    r->p += n;
    return 0;
}
