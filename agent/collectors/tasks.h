/*
 * tasks.h - per-task process metrics (TaskProcessMetrics).
 *
 * A process belongs to task T when
 *   - it was started with NODELINK_TASK_ID=T in its environment, or
 *   - a TaskRegistration request registered it under T (taskreg.h), or
 *   - its parent belonged to T when it was forked (so children are
 *     attributed even when they clear their environment).
 *
 * Finding processes incrementally: when the kernel's process connector is
 * available (proctrack.h; root in the initial namespaces and proc_root
 * "/proc"), fork events attribute children, exec events trigger one read of
 * the new program's environment, exit events drop processes, so the
 * steady-state cost depends on the tracked processes and the host's exec
 * rate, not on how many processes exist. Otherwise (or after lost events)
 * /proc is scanned, at most every metrics.process_tracking.scan_interval,
 * reading the stat and environment of pids not seen in the previous scan
 * only. One scan at start finds the task processes already running.
 *
 * Each sample reads /proc/PID/stat and /proc/PID/io of each tracked process
 * through descriptors kept open (pread). A process that exited, or whose
 * pid now belongs to another process (start time differs), is dropped.
 *
 *   cpu_percent   (utime + stime) delta / elapsed * 100 (100 = one core)
 *   memory_bytes  RSS (stat field 24 * page size)
 *   virtual_memory_bytes  stat field 23
 *   read_bytes / write_bytes  /proc/PID/io read_bytes / write_bytes (storage I/O
 *                 since the process started; absent when io is unreadable)
 */
#ifndef NODELINK_COLLECTOR_TASKS_H
#define NODELINK_COLLECTOR_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TASKS_MAX 1024
#define TASKS_ENV "NODELINK_TASK_ID="

/* Finds NODELINK_TASK_ID in NUL-separated environ text. Copies a valid id
 * (topic_id_valid) into id (65 bytes) and returns true; false when absent or
 * invalid. */
bool tasks_env_id(const char *environ, size_t len, char *id);

/* Parses read_bytes and write_bytes of /proc/PID/io text. */
bool tasks_io_parse(const char *text, size_t len, uint64_t *read_bytes, uint64_t *write_bytes);

#endif
