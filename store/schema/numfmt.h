/*
 * numfmt.h - the lean text encoding of metric values in Redis.
 *
 * Redis keeps stream values as listpack entries: a string that is a plain
 * decimal integer ("123", "-7", "34359738368") is stored as a 1..9 byte
 * integer; anything else costs its length plus two bytes. So values are
 * written as short as they can be while staying readable in redis-cli:
 *
 *   - integer metrics (bytes, counts):   rounded, "%lld"          "34359738368"
 *   - other metrics: rounded to `decimals` places (default 2), trailing
 *     zeros dropped, and a value that rounds to a whole number is written
 *     as an integer:                    23.4567 -> "23.46", 5.0 -> "5", 0.1 -> "0.1"
 *   - -0 is "0"; NaN and infinities are not stored (numfmt_value fails).
 *
 * Rollups are aggregated from the encoded (rounded) values, so they equal
 * what anyone recomputes from the raw stream.
 */
#ifndef NODELINK_NUMFMT_H
#define NODELINK_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NUMFMT_MAX 32
#define NUMFMT_DECIMALS_MAX 9

/* Rounds v as stored: to an integer when integer, else to decimals places. */
double numfmt_round(double v, bool integer, int decimals);

/* Writes the encoding of v (already rounded or not) into buf (at least
 * NUMFMT_MAX bytes). Returns the length, or -1 for non-finite v. Values
 * beyond 2^53 are written as %.0f / %.17g. */
int numfmt_value(double v, bool integer, int decimals, char *buf, size_t size);

/* Writes v in decimal into buf (21 bytes suffice); returns the length. */
int numfmt_u64(uint64_t v, char *buf);

/* Parses a stored value (not NUL-terminated). 0, or -1 when s is not a
 * finite number. */
int numfmt_parse(const char *s, size_t len, double *out);

#endif
