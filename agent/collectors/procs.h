/*
 * procs.h - process counts by state, from a scan of /proc/PID/stat.
 *
 *   total     every process (thread group) under proc_root
 *   running   state R
 *   sleeping  states S and D
 *   zombie    state Z
 * Other states (I idle kernel threads, T stopped, t traced, X dead) count in
 * total only. Threads are not processes and are not counted.
 *
 * Cost: one open/read/close per process per sample (about 3-4 us each).
 * Counting needs every process's current state; no event stream provides it.
 */
#ifndef NODELINK_COLLECTOR_PROCS_H
#define NODELINK_COLLECTOR_PROCS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t total, running, sleeping, zombie;
} procs_counts_t;

/* The state letter of a /proc/PID/stat line, or 0 when malformed. */
char procs_state(const char *text, size_t len);

/* Scans proc_root and counts. -1 when proc_root cannot be listed. */
int procs_count(const char *proc_root, procs_counts_t *out);

#endif
