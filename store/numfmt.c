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

int numfmt_value(double v, bool integer, int decimals, char *buf, size_t size)
{
    if (!isfinite(v) || size < 2)
        return -1;
    decimals = s_clamp_decimals(decimals);
    double r = numfmt_round(v, integer, decimals);
    if (r == 0)
        r = 0; /* no "-0" */
    int n;
    if (r == floor(r) && fabs(r) < 9.2e18)
        n = snprintf(buf, size, "%lld", (long long)r);
    else if (r == floor(r))
        n = snprintf(buf, size, "%.0f", r);
    else {
        n = snprintf(buf, size, "%.*f", decimals, r);
        if (n > 0 && (size_t)n < size && memchr(buf, '.', (size_t)n)) {
            while (buf[n - 1] == '0')
                buf[--n] = '\0';
            if (buf[n - 1] == '.')
                buf[--n] = '\0';
        }
    }
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
