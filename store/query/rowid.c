/*
 * rowid.c - stored row ids. See rowid.h.
 */
#include "rowid.h"

#include <inttypes.h>
#include <stdio.h>

int rowid_cmp(rowid_t a, rowid_t b)
{
    if (a.ms != b.ms)
        return a.ms < b.ms ? -1 : 1;
    return (a.seq > b.seq) - (a.seq < b.seq);
}

rowid_t rowid_next(rowid_t id)
{
    if (id.seq < UINT64_MAX)
        return (rowid_t){id.ms, id.seq + 1};
    if (id.ms < INT64_MAX)
        return (rowid_t){id.ms + 1, 0};
    return ROWID_MAX;
}

void rowid_format(rowid_t id, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRId64 "-%" PRIu64, id.ms, id.seq);
}
