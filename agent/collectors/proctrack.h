/*
 * proctrack.h - process start/exec/exit events from the kernel's netlink
 * process connector (CONFIG_PROC_EVENTS).
 *
 * Subscribing needs CAP_NET_ADMIN in the initial network and PID
 * namespaces; proctrack_new() returns NULL when that is not permitted, and
 * callers fall back to scanning /proc. Events queue in the socket between
 * drains; when the queue overflowed (ENOBUFS) events were lost and the
 * caller must resynchronise by scanning.
 */
#ifndef NODELINK_COLLECTOR_PROCTRACK_H
#define NODELINK_COLLECTOR_PROCTRACK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct proctrack_t proctrack_t;

typedef enum { PROCTRACK_FORK, PROCTRACK_EXEC, PROCTRACK_EXIT } proctrack_event_t;

/* For FORK: pid = the child process, parent = its parent process. For EXEC
 * and EXIT: pid = the process, parent = 0. Thread events are filtered out. */
typedef void (*proctrack_fn)(void *ctx, proctrack_event_t ev, uint32_t pid, uint32_t parent);

/* Subscribes to process events. NULL when not permitted or unsupported
 * (errno set). */
proctrack_t *proctrack_new(void);

void proctrack_destroy(proctrack_t **self);

/* Delivers every queued event to fn, without blocking. Returns the number of
 * events, or -1 when events were lost (overflow): the caller must rescan. */
int proctrack_drain(proctrack_t *self, proctrack_fn fn, void *ctx);

#endif
