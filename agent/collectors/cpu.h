/*
 * cpu.h - CPU usage from /proc/stat.
 *
 * Percentages are deltas of the jiffy counters between two reads:
 *   user   = user + nice              (guest time is already inside user)
 *   system = system + irq + softirq + steal
 *   idle   = idle
 *   iowait = iowait
 *   usage  = 100 - idle - iowait
 * over total = the sum of the eight, so user + system + idle + iowait = 100
 * within rounding. A counter that went backwards (iowait does on some
 * kernels, a CPU brought back online restarts) contributes 0.
 * core_usage[n] is logical CPU n ("cpuN"); an offline CPU reads 0.
 */
#ifndef NODELINK_COLLECTOR_CPU_H
#define NODELINK_COLLECTOR_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
    bool present;
} cpu_times_t;

typedef struct {
    double usage, user, system, idle, iowait;
} cpu_percent_t;

/* Parses /proc/stat text: the aggregate "cpu" line into *total, each "cpuN"
 * line into cores[N] for N < max_cores. *n_cores receives the highest N
 * seen + 1, which may exceed max_cores: the caller then grows its array and
 * parses again. procs_running/procs_blocked go to *running and
 * *blocked when non-NULL (0 when absent). Returns 0, or -1 when there is no
 * aggregate line. */
int cpu_stat_parse(const char *text, size_t len, cpu_times_t *total, cpu_times_t *cores, size_t max_cores,
                   size_t *n_cores, uint64_t *running, uint64_t *blocked);

/* Percentages between two reads. Returns false when no time passed. */
bool cpu_times_percent(const cpu_times_t *prev, const cpu_times_t *cur, cpu_percent_t *out);

#endif
