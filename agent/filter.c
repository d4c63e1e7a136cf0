/*
 * filter.c - field-level metric selection. See filter.h.
 */
#include "filter.h"

#include <stdio.h>
#include <string.h>

static bool s_is_group(const char *sel)
{
    static const char *const groups[] = {"cpu",       "memory",  "disk", "disks", "net",  "network",
                                         "processes", "process", "load", "task",  "tasks"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (strcmp(sel, groups[i]) == 0)
            return true;
    return false;
}

bool filter_needed(const metric_selection_t *sel)
{
    for (size_t i = 0; i < sel->n_include; i++)
        if (!s_is_group(sel->include[i]))
            return true;
    for (size_t i = 0; i < sel->n_exclude; i++)
        if (!s_is_group(sel->exclude[i]))
            return true;
    return false;
}

/* Clears the fields of struct s (one sub-message) that sel rejects, for the
 * table rows of source src. Returns how many fields remain present. */
static size_t s_filter_struct(const metric_selection_t *sel, metric_source_t src, void *s,
                              const char *instance)
{
    size_t kept = 0;
    char name[METRIC_NAME_MAX + 1];
    for (size_t i = 0; i < metric_defs_count; i++) {
        const metric_def_t *d = &metric_defs[i];
        if (d->source != src || d->has_offset == (size_t)-1)
            continue;
        protobuf_c_boolean *has = (protobuf_c_boolean *)((char *)s + d->has_offset);
        if (!*has)
            continue;
        if (metric_name_build(d, instance, name, sizeof name) < 0 || !metric_selection_allows(sel, name))
            *has = 0;
        else
            kept++;
    }
    return kept;
}

/* Filters an array of sub-messages with an instance name, compacting it. */
static size_t s_filter_array(const metric_selection_t *sel, metric_source_t src, void **items, size_t n,
                             const char *(*instance_of)(const void *))
{
    size_t out = 0;
    char inst[METRIC_INSTANCE_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        const char *raw = instance_of(items[i]);
        if (!raw)
            continue;
        metric_instance_from(raw, inst);
        if (s_filter_struct(sel, src, items[i], inst) > 0)
            items[out++] = items[i];
    }
    return out;
}

static const char *s_disk_name(const void *p)
{
    return ((const Nodelink__DiskMetrics *)p)->device;
}

static const char *s_net_name(const void *p)
{
    return ((const Nodelink__NetworkMetrics *)p)->interface;
}

static const char *s_task_name(const void *p)
{
    return ((const Nodelink__TaskProcessMetrics *)p)->task_id;
}

void filter_apply(const metric_selection_t *sel, Nodelink__MetricsDataResponse *m)
{
    if (m->cpu) {
        s_filter_struct(sel, METRIC_SRC_CPU, m->cpu, NULL);
        if (m->cpu->n_core_usage) {
            bool any = false;
            char name[METRIC_NAME_MAX + 1];
            for (size_t i = 0; i < m->cpu->n_core_usage && !any; i++) {
                snprintf(name, sizeof name, "cpu.core.%zu.usage_percent", i);
                any = metric_selection_allows(sel, name);
            }
            if (!any)
                m->cpu->n_core_usage = 0;
        }
    }
    if (m->memory)
        s_filter_struct(sel, METRIC_SRC_MEMORY, m->memory, NULL);
    if (m->load)
        s_filter_struct(sel, METRIC_SRC_LOAD, m->load, NULL);
    if (m->processes) {
        s_filter_struct(sel, METRIC_SRC_PROCESSES, m->processes, NULL);
        m->processes->n_task_processes =
            s_filter_array(sel, METRIC_SRC_TASK, (void **)m->processes->task_processes,
                           m->processes->n_task_processes, s_task_name);
    }
    m->n_disks = s_filter_array(sel, METRIC_SRC_DISK, (void **)m->disks, m->n_disks, s_disk_name);
    m->n_network_interfaces = s_filter_array(sel, METRIC_SRC_NET, (void **)m->network_interfaces,
                                             m->n_network_interfaces, s_net_name);
}
