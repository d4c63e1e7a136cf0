/*
 * diskstats.h - per-device I/O counters from /proc/diskstats.
 *
 * Line: major minor name reads merged sectors_read ms_reading writes merged
 * sectors_written ms_writing in_flight io_ticks weighted [discard... flush...]
 * Sectors are always 512 bytes here, whatever the device's block size.
 * io_ticks is the time (ms) the device had I/O in flight: its delta over the
 * elapsed time is the utilisation iostat calls %util.
 */
#ifndef NODELINK_COLLECTOR_DISKSTATS_H
#define NODELINK_COLLECTOR_DISKSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t reads, sectors_read, writes, sectors_written, io_ticks_ms;
} diskstats_counters_t;

/* Finds the line of device major:minor (or, when name is non-NULL and
 * major:minor is absent, of that device name) in /proc/diskstats text.
 * true and *out filled when found. */
bool diskstats_find(const char *text, size_t len, uint32_t major, uint32_t minor, const char *name,
                    diskstats_counters_t *out);

#endif
