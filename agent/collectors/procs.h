/*
 * procs.h - process counts: total, running, sleeping, zombie.
 *
 *   total     every process (thread group) under proc_root, kernel threads
 *             and zombies included; threads are not processes;
 *   zombie    processes in state Z (exited, not yet reaped by their parent);
 *   running   runnable tasks: nr_running of the kernel (the fourth field of
 *             <proc_root>/loadavg, "1/345", the same value as procs_running
 *             of /proc/stat at half the cost of formatting /proc/stat),
 *             minus one for the agent's own sampling thread, which is
 *             running while it reads; clamped to [0, total - zombie] (the
 *             kernel counts runnable threads, so a few busy multithreaded
 *             processes could exceed the process count);
 *   sleeping  total - running - zombie: every other state (S, D, I, T...).
 * So running + sleeping + zombie == total, always.
 *
 * Two modes, chosen when the collector starts (logged once at info):
 *
 *   connector  proc_root is /proc, the agent is in the initial PID and user
 *              namespaces (the kernel ignores process-connector
 *              subscriptions from any other) and may subscribe (CAP_NET_ADMIN).
 *              One full scan at start builds a procset (procset.h); then each
 *              sample applies the queued FORK/EXIT events and re-reads the
 *              stat of the processes that exited since (or are zombies):
 *              the steady-state cost follows exits and zombies, not the
 *              number of processes. When the event queue overflowed, the set
 *              is rebuilt by a scan, at most once per scan_interval; the
 *              samples in between repeat the last good total and zombies.
 *   scan       otherwise (no permission, a container's own PID namespace, a
 *              proc_root other than /proc such as a host /proc mounted
 *              elsewhere or a fixture): total and zombie from a scan of
 *              proc_root at most once per metrics.process_tracking.
 *              scan_interval (10 s; the first sample always scans), repeated
 *              in between; running and sleeping derived each sample.
 *
 * When loadavg cannot be read or parsed, running is the number of processes
 * in state R at the last scan.
 */
#ifndef NODELINK_COLLECTOR_PROCS_H
#define NODELINK_COLLECTOR_PROCS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t total, running, sleeping, zombie;
} procs_counts_t;

/* The state letter of a /proc/PID/stat line, or 0 when malformed. */
char procs_state(const char *text, size_t len);

/* The runnable task count (nr_running) of a /proc/loadavg text
 * ("0.52 0.58 0.59 2/345 12345"). false when malformed. */
bool procs_parse_running(const char *text, size_t len, uint32_t *nr_running);

/* The four counts from total, zombies and the kernel's nr_running (which
 * includes the calling thread), as described above: running = nr_running - 1
 * clamped to [0, total - zombie]; sleeping the rest. zombie is clamped to
 * total. */
procs_counts_t procs_derive(uint32_t total, uint32_t zombie, uint32_t nr_running);

/* Scans proc_root: total, zombie, and running = processes in state R,
 * sleeping the rest. -1 when proc_root cannot be listed. */
int procs_count(const char *proc_root, procs_counts_t *out);

/* As procs_count, through an open directory of proc_root (rewound here),
 * so repeated scans do not reopen it. */
int procs_count_dir(DIR *proc_dir, procs_counts_t *out);

#endif
