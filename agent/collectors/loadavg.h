/*
 * loadavg.h - load averages from /proc/loadavg ("0.52 0.58 0.59 2/345 12345").
 */
#ifndef NODELINK_COLLECTOR_LOADAVG_H
#define NODELINK_COLLECTOR_LOADAVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodelink.pb-c.h"

/* Parses the three averages into m. -1 on malformed text. */
int loadavg_parse(const char *text, size_t len, Nodelink__LoadMetrics *m);

/* The runnable task count (nr_running, the 4th field: "2/345" gives 2).
 * false when malformed. */
bool loadavg_parse_runnable(const char *text, size_t len, uint32_t *runnable);

#endif
