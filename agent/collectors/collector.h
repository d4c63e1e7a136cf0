/*
 * collector.h - the collector interface and the one table of collectors.
 *
 * A collector reads one kernel source (/proc/stat, /proc/meminfo, ...) and
 * fills its part of a sample_t. Adding a collector means one new file under
 * agent/collectors/ and one row in collector_table (registry.c).
 *
 * Life cycle: create() opens what it needs and takes a baseline (so the
 * first sample already has rates); collect() runs once per sample; destroy()
 * frees everything. A collector keeps all per-sample storage between runs so
 * steady-state collection allocates nothing.
 *
 * Selection: the sampler creates a collector only when the metric selection
 * can pass something it produces: metric_selection_wants_group(group) and,
 * when probe is set, metric_selection_allows(probe). Field-level filtering of
 * what a running collector produced is done afterwards by the sampler.
 *
 * Errors: collect() returns -1 when its source could not be read this time
 * (the sampler rate-limits the log line); the sample simply lacks that part.
 */
#ifndef NODELINK_COLLECTOR_H
#define NODELINK_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sample.h"
#include "../taskreg.h"

/* What every collector may need to know; borrowed for the collector's life. */
typedef struct {
    const char *proc_root;     /* "/proc", or the host's /proc seen from a container */
    const char *sys_root;      /* "/sys" */
    bool track_task_processes; /* per-task process attribution wanted */
    int64_t task_scan_ms;      /* minimum interval between fallback /proc scans */
    taskreg_t *registry;       /* registered task pids (owned by the agent worker) */
} collector_env_t;

typedef struct {
    const char *name;  /* for logs: "cpu", "meminfo", ... */
    const char *group; /* metric namespace group it fills: "cpu", "memory", ... */
    const char *probe; /* a metric name that must pass the selection, or NULL */
    void *(*create)(const collector_env_t *env);
    /* now_ns: CLOCK_MONOTONIC of this sample, for rates. */
    int (*collect)(void *self, sample_t *sample, int64_t now_ns);
    void (*destroy)(void **self);
} collector_def_t;

/* The table (registry.c): pointers to each collector's definition. */
extern const collector_def_t *const collector_table[];
extern const size_t collector_table_count;

/* Each collector file defines one of these. */
extern const collector_def_t collector_cpu;
extern const collector_def_t collector_meminfo;
extern const collector_def_t collector_loadavg;
extern const collector_def_t collector_hwmon;
extern const collector_def_t collector_disk;
extern const collector_def_t collector_netdev;
extern const collector_def_t collector_procs;
extern const collector_def_t collector_tasks;

#endif
