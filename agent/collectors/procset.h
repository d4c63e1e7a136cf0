/*
 * procset.h - the processes under a proc_root, kept up to date by process
 * start and exit events, so that counting them costs nothing per process.
 *
 * The set is built once by procset_scan() (one read of /proc/PID/stat per
 * process) and then follows events (procset_fork / procset_exit, fed from
 * the kernel's process connector by the caller). Every process it knows is
 * in exactly one of two places:
 *
 *   live    a pidset of processes that were alive (any state but Z) when
 *           last seen: their state is not tracked, so keeping them costs
 *           nothing between events;
 *   exited  a short list of pids whose EXIT event arrived, or that a scan
 *           found dead or dying. procset_check() re-reads each one's
 *           <proc_root>/<pid>/stat (one openat + read):
 *             gone (or state X)       dropped: the parent reaped it;
 *             state Z                 a zombie, kept until reaped;
 *             flag PF_EXITING         still on its way out, kept;
 *             anything else           alive after all, back into live: a
 *                                     multithreaded exec (the old leader's
 *                                     exit is reported, the pid lives on).
 *
 * A FORK of a pid still in the exited list is pid reuse after reaping: the
 * old entry goes and the new process is live. So the cost of keeping the
 * counts is proportional to the events and to the zombies, never to the
 * number of processes. Threads are not processes: callers pass only
 * thread-group events (proctrack filters the others).
 *
 * Ordering: subscribe to events first, then scan, then apply the events
 * queued meanwhile; every operation is idempotent, so an event the scan
 * already reflects changes nothing.
 *
 * Counts (procset_total / procset_zombies) are those of the last scan or
 * check: call procset_check() after applying a batch of events.
 */
#ifndef NODELINK_COLLECTOR_PROCSET_H
#define NODELINK_COLLECTOR_PROCSET_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PF_EXITING of the flags field (9) of /proc/PID/stat: set early in exit,
 * before the process becomes a zombie. */
#define PROCSET_PF_EXITING 0x4u

typedef struct procset_t procset_t;

/* An empty set over proc_root (borrowed for the set's life), whose
 * directory stays open. NULL when it cannot be opened or on allocation
 * failure. */
procset_t *procset_new(const char *proc_root);

/* Frees everything and NULLs *self. Safe on NULL. */
void procset_destroy(procset_t **self);

/* Forgets everything and rebuilds the set from a listing of proc_root.
 * -1 when proc_root cannot be listed or memory ran out (procset_lost). */
int procset_scan(procset_t *self);

/* Event: pid started (the child of a fork). */
void procset_fork(procset_t *self, uint32_t pid);

/* Event: pid exited (its leader thread did). */
void procset_exit(procset_t *self, uint32_t pid);

/* Resolves the exited list (one stat read per entry) and updates counts. */
void procset_check(procset_t *self);

/* Processes under proc_root (live, zombies and exiting ones), as of the
 * last scan or check. */
uint32_t procset_total(const procset_t *self);

/* Zombies, as of the last scan or check. */
uint32_t procset_zombies(const procset_t *self);

/* Entries of the exited list (zombies, exiting, not yet checked). */
size_t procset_exited(const procset_t *self);

/* True when memory ran out since the last scan: the set may miss processes
 * and must be rebuilt by a scan. */
bool procset_lost(const procset_t *self);

/* Reads the state letter and flags of a /proc/PID/stat line (the comm may
 * hold spaces and parentheses: parsing starts after its last ')'). false
 * when malformed. */
bool procset_parse_stat(const char *text, size_t len, char *state, uint32_t *flags);

/* Called by procset_walk for each process whose stat could be read. */
typedef void (*procset_visit_fn)(void *ctx, uint32_t pid, char state, uint32_t flags);

/* Rewinds dir (a proc_root) and visits every numeric entry whose stat reads
 * and parses (processes that exit meanwhile are skipped). One openat + read
 * per process. */
void procset_walk(DIR *dir, procset_visit_fn fn, void *ctx);

#endif
