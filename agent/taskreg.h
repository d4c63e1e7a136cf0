/*
 * taskreg.h - pids registered under task ids by control requests.
 *
 * A TaskRegistration request attributes a process (and, through the tasks
 * collector, its descendants) to a task without the NODELINK_TASK_ID
 * environment variable. Registrations are keyed by pid and start time, so a
 * registration never carries over to an unrelated process that reuses the
 * pid; the tasks collector drops the registrations of exited processes.
 */
#ifndef NODELINK_TASKREG_H
#define NODELINK_TASKREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TASKREG_MAX 4096

typedef struct taskreg_t taskreg_t;

taskreg_t *taskreg_new(void);
void taskreg_destroy(taskreg_t **self);

/* Registers pid (started at start_ticks, field 22 of /proc/PID/stat) under
 * task_id (copied), replacing an earlier registration of the pid. 0, or -1
 * when the registry is full (TASKREG_MAX) or out of memory. */
int taskreg_add(taskreg_t *self, uint32_t pid, uint64_t start_ticks, const char *task_id);

/* Removes pid's registration. true when there was one. */
bool taskreg_remove(taskreg_t *self, uint32_t pid);

/* The task id registered for (pid, start_ticks), borrowed; NULL when none. */
const char *taskreg_lookup(const taskreg_t *self, uint32_t pid, uint64_t start_ticks);

/* Number of registrations, and the i-th pid (for pruning exited ones). */
size_t taskreg_count(const taskreg_t *self);
uint32_t taskreg_pid(const taskreg_t *self, size_t i);

#endif
