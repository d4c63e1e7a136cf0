/*
 * scan.c - cursor-based parsing of kernel text. See scan.h.
 */
#include "scan.h"

#include <string.h>

void scan_blanks(scan_t *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
        s->p++;
}

void scan_next_line(scan_t *s)
{
    const char *nl = s->p < s->end ? memchr(s->p, '\n', (size_t)(s->end - s->p)) : NULL;
    s->p = nl ? nl + 1 : s->end;
}

bool scan_u64(scan_t *s, uint64_t *v)
{
    scan_blanks(s);
    const char *p = s->p;
    uint64_t x = 0;
    while (p < s->end && *p >= '0' && *p <= '9') {
        uint64_t d = (uint64_t)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
        p++;
    }
    if (p == s->p)
        return false;
    s->p = p;
    *v = x;
    return true;
}

bool scan_double(scan_t *s, double *v)
{
    scan_blanks(s);
    const char *p = s->p;
    bool neg = false;
    if (p < s->end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    double x = 0;
    bool digits = false;
    while (p < s->end && *p >= '0' && *p <= '9') {
        x = x * 10 + (*p++ - '0');
        digits = true;
    }
    if (p < s->end && *p == '.') {
        double scale = 0.1;
        for (p++; p < s->end && *p >= '0' && *p <= '9'; p++, scale /= 10) {
            x += (*p - '0') * scale;
            digits = true;
        }
    }
    if (!digits)
        return false;
    s->p = p;
    *v = neg ? -x : x;
    return true;
}

bool scan_word(scan_t *s, const char *stop, const char **w, size_t *n)
{
    scan_blanks(s);
    const char *p = s->p;
    while (p < s->end && *p != ' ' && *p != '\t' && *p != '\n' && !(stop && strchr(stop, *p)))
        p++;
    if (p == s->p)
        return false;
    *w = s->p;
    *n = (size_t)(p - s->p);
    s->p = p;
    return true;
}

bool scan_lit(scan_t *s, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
        return false;
    s->p += n;
    return true;
}

bool scan_copy(const char *w, size_t n, char *out, size_t size)
{
    if (n >= size)
        return false;
    memcpy(out, w, n);
    out[n] = '\0';
    return true;
}

bool scan_parse_u64(const char *text, uint64_t *v)
{
    scan_t s = scan_init(text, strlen(text));
    if (!scan_u64(&s, v))
        return false;
    scan_blanks(&s);
    return scan_eof(&s) || *s.p == '\n';
}
