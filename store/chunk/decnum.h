/*
 * decnum.h - canonical lean decimals as scaled integers.
 *
 * The store writes values as lean decimals (store/numfmt.h): an optional
 * '-', an integer part without leading zeros, and optionally '.' and at most
 * NUMFMT_DECIMALS_MAX (9) fractional digits of which the last is not 0; "-0"
 * is never written. Such a text is exactly determined by the integer
 * m = value * 10^d (d = its number of decimals), and any scale s >= d gives it
 * back: decnum_format(m * 10^(s - d), s) == the text, byte for byte. That is
 * what lets the chunk codec keep a column of them as integers at one scale.
 *
 * Anything else (leading zeros, "+1", "1.50", "1e5", "-0", more than 9
 * decimals, magnitudes beyond int64 once scaled) is not canonical and
 * decnum_parse refuses it; the codec then keeps the text.
 */
#ifndef NODELINK_CHUNK_DECNUM_H
#define NODELINK_CHUNK_DECNUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DECNUM_SCALE_MAX 9
/* longest text decnum_format writes: '-', 19 digits, '.', 9 digits */
#define DECNUM_TEXT_MAX 32

/* Parses s[0..len) when it is one canonical lean decimal: *mant = the digits
 * as an integer (sign applied), *decimals = digits after the point. 0 or -1. */
int decnum_parse(const char *s, size_t len, int64_t *mant, int *decimals);

/* Rescales mant (with decimals places) to scale places (scale >= decimals).
 * false when the result does not fit in int64. */
bool decnum_rescale(int64_t mant, int decimals, int scale, int64_t *out);

/* Writes v / 10^scale as a canonical lean decimal into buf (at least
 * DECNUM_TEXT_MAX bytes, not NUL-terminated). Returns the length. */
size_t decnum_format(int64_t v, int scale, char *buf);

#endif
