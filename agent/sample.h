/*
 * sample.h - one metrics sample, built in place without allocation.
 *
 * A sample_t embeds the protobuf-c structs of a MetricsDataResponse whose
 * sub-messages have a single instance (cpu, memory, processes, load). The
 * repeated parts (per-core usage, disks, interfaces, task processes) point
 * into arrays owned by the collector that filled them; those stay valid until
 * that collector runs again or is destroyed. So a steady-state sample costs
 * no allocation: sample_reset() only clears presence, and collectors reuse
 * their arrays.
 *
 * A sub-message is attached to the response (data.cpu = &cpu, ...) only when
 * some collector filled it, so a disabled group is absent from the frame.
 */
#ifndef NODELINK_SAMPLE_H
#define NODELINK_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "nodelink.pb-c.h"

typedef struct {
    Nodelink__MetricsDataResponse data;
    Nodelink__CpuMetrics cpu;
    Nodelink__MemoryMetrics memory;
    Nodelink__ProcessMetrics processes;
    Nodelink__LoadMetrics load;
    /* Not on the wire: the kernel's runnable task count, read with the load
     * averages from the same /proc/loadavg line by the load collector, so
     * the process counts (which need it) do not read the file again. */
    bool has_runnable;
    uint32_t runnable;
} sample_t;

/* Clears every field and detaches every sub-message; timestamp_ms (Unix ms)
 * and interval_ms are set on the response. */
void sample_reset(sample_t *s, uint64_t timestamp_ms, uint32_t interval_ms);

/* Attach and return a sub-message (idempotent within one sample). */
Nodelink__CpuMetrics *sample_cpu(sample_t *s);
Nodelink__MemoryMetrics *sample_memory(sample_t *s);
Nodelink__ProcessMetrics *sample_processes(sample_t *s);
Nodelink__LoadMetrics *sample_load(sample_t *s);

/* The per-second rate of a counter that went from prev to cur in elapsed_s
 * seconds. A counter that went backwards (reset, wrap, a device replaced) or
 * an elapsed time <= 0 gives 0: never a negative or absurd rate. */
uint64_t sample_rate(uint64_t prev, uint64_t cur, double elapsed_s);

#endif
