/*
 * decnum.c - canonical lean decimals as scaled integers. See decnum.h.
 */
#include "decnum.h"

static const int64_t s_pow10[DECNUM_SCALE_MAX + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
};

static bool s_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Adds the digit c to *mag (*mag * 10 + c); false on uint64 overflow. */
static bool s_accumulate(uint64_t *mag, char c)
{
    uint64_t d = (uint64_t)(c - '0');
    if (*mag > (UINT64_MAX - d) / 10)
        return false;
    *mag = *mag * 10 + d;
    return true;
}

int decnum_parse(const char *s, size_t len, int64_t *mant, int *decimals)
{
    size_t i = 0;
    bool neg = len > 0 && s[0] == '-';
    if (neg)
        i++;
    /* integer part: "0" or a non-zero digit first */
    if (i >= len || !s_digit(s[i]) || (s[i] == '0' && i + 1 < len && s_digit(s[i + 1])))
        return -1;
    uint64_t mag = 0;
    for (; i < len && s_digit(s[i]); i++)
        if (!s_accumulate(&mag, s[i]))
            return -1;
    int dec = 0;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s_digit(s[i]); i++, dec++)
            if (dec == DECNUM_SCALE_MAX || !s_accumulate(&mag, s[i]))
                return -1;
        if (dec == 0 || s[i - 1] == '0')
            return -1; /* "5." or a trailing zero */
    }
    if (i != len || (neg && mag == 0))
        return -1;
    if (mag > (uint64_t)INT64_MAX + (neg ? 1 : 0))
        return -1;
    /* the negation in uint64 gives the two's complement bit pattern, which
     * converts back exactly (also for INT64_MIN) */
    uint64_t bits = neg ? 0 - mag : mag;
    *mant = (int64_t)bits;
    *decimals = dec;
    return 0;
}

bool decnum_rescale(int64_t mant, int decimals, int scale, int64_t *out)
{
    if (decimals < 0 || scale > DECNUM_SCALE_MAX || scale < decimals)
        return false;
    return !__builtin_mul_overflow(mant, s_pow10[scale - decimals], out);
}

/* Writes the decimal digits of v, most significant first; returns the count. */
static size_t s_digits(uint64_t v, char *buf)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t k = 0; k < n; k++)
        buf[k] = tmp[n - 1 - k];
    return n;
}

size_t decnum_format(int64_t v, int scale, char *buf)
{
    size_t n = 0;
    uint64_t mag = (uint64_t)v;
    if (v < 0) {
        buf[n++] = '-';
        mag = 0 - mag;
    }
    uint64_t p = (uint64_t)s_pow10[scale];
    n += s_digits(mag / p, buf + n);
    uint64_t frac = mag % p;
    if (frac) {
        buf[n++] = '.';
        for (int d = scale - 1; d >= 0 && frac; d--) {
            uint64_t q = (uint64_t)s_pow10[d];
            buf[n++] = (char)('0' + frac / q);
            frac %= q;
        }
    }
    return n;
}
