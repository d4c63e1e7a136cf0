/*
 * sample.c - in-place metrics sample. See sample.h.
 */
#include "sample.h"

#include <math.h>

void sample_reset(sample_t *s, uint64_t timestamp_ms, uint32_t interval_ms)
{
    nodelink__metrics_data_response__init(&s->data);
    nodelink__cpu_metrics__init(&s->cpu);
    nodelink__memory_metrics__init(&s->memory);
    nodelink__process_metrics__init(&s->processes);
    nodelink__load_metrics__init(&s->load);
    s->has_runnable = false;
    s->runnable = 0;
    s->data.has_timestamp = 1;
    s->data.timestamp = timestamp_ms;
    s->data.has_interval_ms = 1;
    s->data.interval_ms = interval_ms;
}

Nodelink__CpuMetrics *sample_cpu(sample_t *s)
{
    s->data.cpu = &s->cpu;
    return &s->cpu;
}

Nodelink__MemoryMetrics *sample_memory(sample_t *s)
{
    s->data.memory = &s->memory;
    return &s->memory;
}

Nodelink__ProcessMetrics *sample_processes(sample_t *s)
{
    s->data.processes = &s->processes;
    return &s->processes;
}

Nodelink__LoadMetrics *sample_load(sample_t *s)
{
    s->data.load = &s->load;
    return &s->load;
}

uint64_t sample_rate(uint64_t prev, uint64_t cur, double elapsed_s)
{
    if (cur < prev || !(elapsed_s > 0))
        return 0;
    double r = (double)(cur - prev) / elapsed_s;
    return (uint64_t)llround(r);
}
