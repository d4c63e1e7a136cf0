/*
 * meminfo.h - memory and swap from /proc/meminfo.
 *
 * Formulas (those of procps-ng free(1) 4.x):
 *   used      = MemTotal - MemAvailable
 *               (when MemAvailable is missing, kernels < 3.14: MemFree + Buffers + Cached + SReclaimable
 *                stands in for it)
 *   cached    = Cached + SReclaimable          (free's "buff/cache" minus Buffers)
 *   usage %   = used / MemTotal * 100
 *   swap used = SwapTotal - SwapFree; swap usage % = 0 without swap
 * Values are bytes (the file's kB are KiB).
 */
#ifndef NODELINK_COLLECTOR_MEMINFO_H
#define NODELINK_COLLECTOR_MEMINFO_H

#include <stddef.h>

#include "nodelink.pb-c.h"

/* Parses /proc/meminfo text into m (every field set). -1 when MemTotal is
 * missing. */
int meminfo_parse(const char *text, size_t len, Nodelink__MemoryMetrics *m);

#endif
