/*
 * osrelease.h - parsing os-release(5) text.
 */
#ifndef NODELINK_SYSINFO_OSRELEASE_H
#define NODELINK_SYSINFO_OSRELEASE_H

#include <stddef.h>

#define OSRELEASE_FIELD 128

typedef struct {
    char name[OSRELEASE_FIELD];
    char version_id[OSRELEASE_FIELD];
    char version[OSRELEASE_FIELD];
    char id[OSRELEASE_FIELD];
    char codename[OSRELEASE_FIELD];
    char pretty_name[OSRELEASE_FIELD];
} osrelease_t;

/* Parses the keys above (unquoted); missing keys are "". */
void osrelease_parse(const char *text, size_t len, osrelease_t *out);

#endif
