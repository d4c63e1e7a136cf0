/*
 * replay.c - flat stored samples back to messages. See replay.h.
 */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "metricname.h"

#define S_MAX_CORES 4096

/* Allocates *ptr and runs its protobuf-c init; evaluates to the pointer. */
#define S_NEW(ptr, init) (((ptr) = malloc(sizeof *(ptr))) ? (init(ptr), (ptr)) : NULL)

static void s_set(const metric_def_t *d, void *msg, double v)
{
    char *base = msg;
    if (d->has_offset != (size_t)-1)
        *(protobuf_c_boolean *)(base + d->has_offset) = 1;
    switch (d->ctype) {
    case METRIC_DOUBLE:
        *(double *)(base + d->offset) = v;
        break;
    case METRIC_U64:
        *(uint64_t *)(base + d->offset) = v > 0 ? (uint64_t)v : 0;
        break;
    case METRIC_U32:
        *(uint32_t *)(base + d->offset) = v > 0 && v < 4294967296.0 ? (uint32_t)v : 0;
        break;
    case METRIC_DERIVED:
        break;
    }
}

/* The disk entry for instance inst, created (named after latest) if needed. */
static Nodelink__DiskMetrics *s_disk(Nodelink__MetricsDataResponse *m, const char *inst,
                                     const Nodelink__MetricsDataResponse *latest)
{
    char buf[METRIC_INSTANCE_MAX + 1];
    for (size_t i = 0; i < m->n_disks; i++) {
        metric_instance_from(m->disks[i]->device, buf);
        if (strcmp(buf, inst) == 0)
            return m->disks[i];
    }
    Nodelink__DiskMetrics **grown = realloc(m->disks, (m->n_disks + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    m->disks = grown;
    Nodelink__DiskMetrics *d;
    if (!S_NEW(d, nodelink__disk_metrics__init))
        return NULL;
    m->disks[m->n_disks++] = d;
    for (size_t i = 0; latest && i < latest->n_disks; i++) {
        if (!latest->disks[i]->device)
            continue;
        metric_instance_from(latest->disks[i]->device, buf);
        if (strcmp(buf, inst) == 0) {
            d->device = strdup(latest->disks[i]->device);
            if (latest->disks[i]->mount_point)
                d->mount_point = strdup(latest->disks[i]->mount_point);
        }
    }
    if (!d->device)
        d->device = strdup(inst);
    return d->device ? d : NULL;
}

static Nodelink__NetworkMetrics *s_net(Nodelink__MetricsDataResponse *m, const char *inst)
{
    char buf[METRIC_INSTANCE_MAX + 1];
    for (size_t i = 0; i < m->n_network_interfaces; i++) {
        metric_instance_from(m->network_interfaces[i]->interface, buf);
        if (strcmp(buf, inst) == 0)
            return m->network_interfaces[i];
    }
    Nodelink__NetworkMetrics **grown =
        realloc(m->network_interfaces, (m->n_network_interfaces + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    m->network_interfaces = grown;
    Nodelink__NetworkMetrics *n;
    if (!S_NEW(n, nodelink__network_metrics__init))
        return NULL;
    m->network_interfaces[m->n_network_interfaces++] = n;
    n->interface = strdup(inst);
    return n->interface ? n : NULL;
}

static int s_core(Nodelink__CpuMetrics *c, const char *inst, double v)
{
    long n = strtol(inst, NULL, 10);
    if (n < 0 || n >= S_MAX_CORES)
        return 0;
    if ((size_t)n >= c->n_core_usage) {
        double *grown = realloc(c->core_usage, (size_t)(n + 1) * sizeof *grown);
        if (!grown)
            return -1;
        for (size_t i = c->n_core_usage; i <= (size_t)n; i++)
            grown[i] = 0;
        c->core_usage = grown;
        c->n_core_usage = (size_t)n + 1;
    }
    c->core_usage[n] = v;
    return 0;
}

#define S_GROUP(field, type, init) (m->field ? (void *)m->field : (void *)S_NEW(m->field, init))

static int s_apply(Nodelink__MetricsDataResponse *m, const query_pair_t *p,
                   const Nodelink__MetricsDataResponse *latest)
{
    char inst[METRIC_INSTANCE_MAX + 1];
    const metric_def_t *d = metric_lookup(p->name, inst);
    void *target = NULL;
    if (!d)
        return 0; /* a name this build does not know: skip */
    switch (d->source) {
    case METRIC_SRC_CPU:
        target = S_GROUP(cpu, Nodelink__CpuMetrics, nodelink__cpu_metrics__init);
        break;
    case METRIC_SRC_CPU_CORE:
        target = S_GROUP(cpu, Nodelink__CpuMetrics, nodelink__cpu_metrics__init);
        return target ? s_core(target, inst, p->value) : -1;
    case METRIC_SRC_MEMORY:
        target = S_GROUP(memory, Nodelink__MemoryMetrics, nodelink__memory_metrics__init);
        break;
    case METRIC_SRC_LOAD:
        target = S_GROUP(load, Nodelink__LoadMetrics, nodelink__load_metrics__init);
        break;
    case METRIC_SRC_PROCESSES:
        target = S_GROUP(processes, Nodelink__ProcessMetrics, nodelink__process_metrics__init);
        break;
    case METRIC_SRC_DISK:
        target = s_disk(m, inst, latest);
        break;
    case METRIC_SRC_NET:
        target = s_net(m, inst);
        break;
    case METRIC_SRC_TASK:
        return 0;
    }
    if (!target)
        return -1;
    s_set(d, target, p->value);
    return 0;
}

Nodelink__MetricsDataResponse *replay_sample(const query_sample_t *s,
                                             const Nodelink__MetricsDataResponse *latest)
{
    Nodelink__MetricsDataResponse *m;
    if (!S_NEW(m, nodelink__metrics_data_response__init))
        return NULL;
    m->has_timestamp = 1;
    m->timestamp = s->timestamp_ms > 0 ? (uint64_t)s->timestamp_ms : 0;
    if (latest && latest->has_interval_ms) {
        m->has_interval_ms = 1;
        m->interval_ms = latest->interval_ms;
    }
    for (size_t i = 0; i < s->n_values; i++) {
        if (s_apply(m, &s->values[i], latest) != 0) {
            protobuf_c_message_free_unpacked(&m->base, NULL);
            return NULL;
        }
    }
    return m;
}
