/*
 * rowid.h - the key of a stored row: a stream entry id <ms>-<seq>, which a
 * chunk keeps as (ts_ms, seq). Rows of a tier are ordered by it, and no two
 * rows of a tier share one, so it is what the readers of store/query merge
 * and deduplicate on.
 */
#ifndef NODELINK_ROWID_H
#define NODELINK_ROWID_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t ms;
    uint64_t seq;
} rowid_t;

#define ROWID_MAX ((rowid_t){INT64_MAX, UINT64_MAX})

/* <0, 0, >0 as a is before, equal to, after b. */
int rowid_cmp(rowid_t a, rowid_t b);

/* The smallest id after id; ROWID_MAX when there is none. */
rowid_t rowid_next(rowid_t id);

/* Writes "<ms>-<seq>" (an XRANGE bound) into buf; 48 bytes suffice. */
void rowid_format(rowid_t id, char *buf, size_t size);

#endif
