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
 * Cost: counting needs every process's current state, which no event
 * stream provides: one open/read/close of /proc/PID/stat per process (about
 * 10 us each on a small VM, the kernel formatting the line being most of
 * it). Keeping the files open would halve that but pins a page of kernel
 * memory per process (seq_file buffers), so they are not kept.
 *
 * Rate: the collector scans at most once per metrics.process_tracking.
 * scan_interval (10 s by default, the bound on every full /proc walk of the
 * agent) and repeats the last counts in the samples in between, so the
 * cost per sample does not grow with the sampling rate. The first sample
 * always scans; a scan_interval at or below the sampling interval scans
 * every sample.
 */
#ifndef NODELINK_COLLECTOR_PROCS_H
#define NODELINK_COLLECTOR_PROCS_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t total, running, sleeping, zombie;
} procs_counts_t;

/* The state letter of a /proc/PID/stat line, or 0 when malformed. */
char procs_state(const char *text, size_t len);

/* Scans proc_root and counts. -1 when proc_root cannot be listed. */
int procs_count(const char *proc_root, procs_counts_t *out);

/* As procs_count, through an open directory of proc_root (rewound here),
 * so repeated scans do not reopen it. */
int procs_count_dir(DIR *proc_dir, procs_counts_t *out);

#endif
