/*
 * registry.c - the one table of collectors, in the order they run.
 *
 * Each collector's definition lives in its own file; this table is the only
 * place that lists them. Order matters once: loadavg runs before procs,
 * which takes the runnable count from the line loadavg read (sample.h).
 */
#include "collector.h"

const collector_def_t *const collector_table[] = {
    &collector_cpu,  &collector_meminfo, &collector_loadavg, &collector_hwmon,
    &collector_disk, &collector_netdev,  &collector_procs,   &collector_tasks,
};
const size_t collector_table_count = sizeof collector_table / sizeof collector_table[0];
