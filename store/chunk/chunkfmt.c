/*
 * chunkfmt.c - helpers shared by the chunk writer and reader. See chunkfmt.h.
 */
#include "chunkfmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <zlib.h>

int chunkfmt_err(chunk_err_t *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
    }
    return -1;
}

uint32_t chunkfmt_crc(const uint8_t *p, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt step = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, step);
        p += step;
        n -= step;
    }
    return (uint32_t)crc;
}

bool chunkfmt_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > CHUNK_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-'))
            return false;
    }
    return true;
}
