/*
 * numfmt.c - lean value encoding. See numfmt.h.
 */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double s_pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

static int s_clamp_decimals(int decimals)
{
    return decimals < 0 ? 0 : decimals > NUMFMT_DECIMALS_MAX ? NUMFMT_DECIMALS_MAX : decimals;
}

double numfmt_round(double v, bool integer, int decimals)
{
    if (!isfinite(v))
        return v;
    if (integer)
        return round(v);
    double p = s_pow10[s_clamp_decimals(decimals)];
    double r = round(v * p) / p;
    /* beyond 2^53 the scaling itself loses precision: keep the value */
    return isfinite(r) && fabs(v) < 9e15 / p ? r : v;
}

int numfmt_u64(uint64_t v, char *buf)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

/* Writes k / 10^decimals in decimal, trailing fractional zeros dropped. */
static int s_scaled(int64_t k, int decimals, char *buf)
{
    int n = 0;
    if (k < 0) {
        buf[n++] = '-';
        k = -k;
    }
    uint64_t p = (uint64_t)s_pow10[decimals];
    n += numfmt_u64((uint64_t)k / p, buf + n);
    uint64_t frac = (uint64_t)k % p;
    if (frac) {
        buf[n++] = '.';
        for (int d = decimals - 1; d >= 0 && frac; d--) {
            uint64_t q = (uint64_t)s_pow10[d];
            buf[n++] = (char)('0' + frac / q);
            frac %= q;
        }
        buf[n] = '\0';
    }
    return n;
}

int numfmt_value(double v, bool integer, int decimals, char *buf, size_t size)
{
    if (!isfinite(v) || size < NUMFMT_MAX)
        return -1;
    decimals = integer ? 0 : s_clamp_decimals(decimals);
    double scaled = round(v * s_pow10[decimals]);
    if (fabs(scaled) < 9e15) {
        /* the common case, exact: the rounded value's digits are those of
         * the scaled integer */
        if (scaled == 0)
            scaled = 0; /* no "-0" */
        return s_scaled((int64_t)scaled, decimals, buf);
    }
    double r = numfmt_round(v, integer, decimals);
    int n = r == floor(r) ? snprintf(buf, size, "%.0f", r) : snprintf(buf, size, "%.17g", r);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int numfmt_parse(const char *s, size_t len, double *out)
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (*end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}
