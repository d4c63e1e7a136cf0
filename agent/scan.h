/*
 * scan.h - one-pass scanning of kernel text held in a buffer.
 *
 * Parsers of /proc and /sys text walk a cursor over [p, end): every function
 * here advances the cursor past what it consumed and never reads past end,
 * so truncated or garbled files yield "no value" rather than a crash. None
 * allocates. Numbers that do not fit are rejected, not wrapped.
 */
#ifndef NODELINK_SCAN_H
#define NODELINK_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *p;
    const char *end;
} scan_t;

/* A cursor over len bytes of text. */
static inline scan_t scan_init(const char *text, size_t len)
{
    scan_t s = {text, text + len};
    return s;
}

static inline bool scan_eof(const scan_t *s)
{
    return s->p >= s->end;
}

/* Skips spaces and tabs (not newlines). */
void scan_blanks(scan_t *s);

/* Skips to just after the next newline (or to the end). */
void scan_next_line(scan_t *s);

/* Skips blanks, then reads an unsigned decimal. false (cursor after the
 * blanks) when there is no digit or the value overflows uint64. */
bool scan_u64(scan_t *s, uint64_t *v);

/* Skips blanks, then reads a decimal number such as "0.52" or "-3". */
bool scan_double(scan_t *s, double *v);

/* Skips blanks, then returns the next word (up to a blank, newline or one of
 * the stop characters) as [*w, *w + *n). false when empty. */
bool scan_word(scan_t *s, const char *stop, const char **w, size_t *n);

/* True (and advances) when the text at the cursor starts with lit. */
bool scan_lit(scan_t *s, const char *lit);

/* Copies word [w, w+n) into out (size bytes, NUL-terminated). false when it
 * does not fit. */
bool scan_copy(const char *w, size_t n, char *out, size_t size);

/* Parses a whole decimal string (e.g. a sysfs attribute). */
bool scan_parse_u64(const char *text, uint64_t *v);

#endif
