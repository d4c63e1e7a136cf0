/*
 * loadavg.h - load averages from /proc/loadavg ("0.52 0.58 0.59 2/345 12345").
 */
#ifndef NODELINK_COLLECTOR_LOADAVG_H
#define NODELINK_COLLECTOR_LOADAVG_H

#include <stddef.h>

#include "nodelink.pb-c.h"

/* Parses the three averages into m. -1 on malformed text. */
int loadavg_parse(const char *text, size_t len, Nodelink__LoadMetrics *m);

#endif
