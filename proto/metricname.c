/*
 * metricname.c - the metric namespace table and its walkers. See metricname.h.
 */
#include "metricname.h"
#include "topic.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NO_HAS ((size_t)-1)

#define D(grp, pat, leaf, src, type, fld, isint, cnt, unit_, help_)                                          \
    {                                                                                                        \
        .group = grp, .pattern = pat, .field = leaf, .proto_field = #fld, .source = src, .ctype = type,      \
        .offset = offsetof(STRUCT, fld), .has_offset = offsetof(STRUCT, has_##fld), .integer = isint,        \
        .counter = cnt, .unit = unit_, .help = help_                                                         \
    }

const metric_def_t metric_defs[] = {
#define STRUCT Nodelink__CpuMetrics
    D("cpu", "cpu.usage_percent", "usage_percent", METRIC_SRC_CPU, METRIC_DOUBLE, usage_percent, false, false,
      "percent", "CPU busy time over the interval, all cores (0-100)"),
    D("cpu", "cpu.user_percent", "user_percent", METRIC_SRC_CPU, METRIC_DOUBLE, user_percent, false, false,
      "percent", "User-space CPU time (user + nice)"),
    D("cpu", "cpu.system_percent", "system_percent", METRIC_SRC_CPU, METRIC_DOUBLE, system_percent, false,
      false, "percent", "Kernel CPU time (system + irq + softirq + steal)"),
    D("cpu", "cpu.idle_percent", "idle_percent", METRIC_SRC_CPU, METRIC_DOUBLE, idle_percent, false, false,
      "percent", "Idle CPU time"),
    D("cpu", "cpu.iowait_percent", "iowait_percent", METRIC_SRC_CPU, METRIC_DOUBLE, iowait_percent, false,
      false, "percent", "CPU time idle while waiting for I/O"),
    D("cpu", "cpu.temperature_celsius", "temperature_celsius", METRIC_SRC_CPU, METRIC_DOUBLE,
      temperature_celsius, false, false, "celsius", "CPU package temperature; absent without a sensor"),
    {.group = "cpu",
     .pattern = "cpu.core.<n>.usage_percent",
     .field = "usage_percent",
     .proto_field = "core_usage",
     .source = METRIC_SRC_CPU_CORE,
     .ctype = METRIC_DOUBLE,
     .offset = offsetof(Nodelink__CpuMetrics, core_usage),
     .has_offset = NO_HAS,
     .unit = "percent",
     .help = "Busy time of one logical CPU"},
#undef STRUCT
#define STRUCT Nodelink__MemoryMetrics
    D("memory", "memory.total_bytes", "total_bytes", METRIC_SRC_MEMORY, METRIC_U64, total_bytes, true, false,
      "bytes", "MemTotal"),
    D("memory", "memory.used_bytes", "used_bytes", METRIC_SRC_MEMORY, METRIC_U64, used_bytes, true, false,
      "bytes", "MemTotal - MemAvailable (as free(1) shows 'used')"),
    D("memory", "memory.available_bytes", "available_bytes", METRIC_SRC_MEMORY, METRIC_U64, available_bytes,
      true, false, "bytes", "MemAvailable"),
    D("memory", "memory.free_bytes", "free_bytes", METRIC_SRC_MEMORY, METRIC_U64, free_bytes, true, false,
      "bytes", "MemFree"),
    D("memory", "memory.cached_bytes", "cached_bytes", METRIC_SRC_MEMORY, METRIC_U64, cached_bytes, true,
      false, "bytes", "Cached + SReclaimable (as free(1) shows in buff/cache)"),
    D("memory", "memory.buffers_bytes", "buffers_bytes", METRIC_SRC_MEMORY, METRIC_U64, buffers_bytes, true,
      false, "bytes", "Buffers"),
    D("memory", "memory.usage_percent", "usage_percent", METRIC_SRC_MEMORY, METRIC_DOUBLE, usage_percent,
      false, false, "percent", "used_bytes / total_bytes * 100"),
    D("memory", "memory.swap_total_bytes", "swap_total_bytes", METRIC_SRC_MEMORY, METRIC_U64,
      swap_total_bytes, true, false, "bytes", "SwapTotal"),
    D("memory", "memory.swap_used_bytes", "swap_used_bytes", METRIC_SRC_MEMORY, METRIC_U64, swap_used_bytes,
      true, false, "bytes", "SwapTotal - SwapFree"),
    D("memory", "memory.swap_free_bytes", "swap_free_bytes", METRIC_SRC_MEMORY, METRIC_U64, swap_free_bytes,
      true, false, "bytes", "SwapFree"),
    D("memory", "memory.swap_usage_percent", "swap_usage_percent", METRIC_SRC_MEMORY, METRIC_DOUBLE,
      swap_usage_percent, false, false, "percent",
      "swap_used_bytes / swap_total_bytes * 100 (0 without swap)"),
#undef STRUCT
#define STRUCT Nodelink__DiskMetrics
    D("disk", "disk.<device>.total_bytes", "total_bytes", METRIC_SRC_DISK, METRIC_U64, total_bytes, true,
      false, "bytes", "Filesystem size (df 'Size')"),
    D("disk", "disk.<device>.used_bytes", "used_bytes", METRIC_SRC_DISK, METRIC_U64, used_bytes, true, false,
      "bytes", "Used space (df 'Used')"),
    D("disk", "disk.<device>.available_bytes", "available_bytes", METRIC_SRC_DISK, METRIC_U64,
      available_bytes, true, false, "bytes", "Space available to unprivileged users (df 'Avail')"),
    D("disk", "disk.<device>.usage_percent", "usage_percent", METRIC_SRC_DISK, METRIC_DOUBLE, usage_percent,
      false, false, "percent", "used / (used + available) * 100, as df 'Use%'"),
    D("disk", "disk.<device>.read_bytes_per_sec", "read_bytes_per_sec", METRIC_SRC_DISK, METRIC_U64,
      read_bytes_per_sec, true, false, "bytes/s", "Bytes read from the device per second"),
    D("disk", "disk.<device>.write_bytes_per_sec", "write_bytes_per_sec", METRIC_SRC_DISK, METRIC_U64,
      write_bytes_per_sec, true, false, "bytes/s", "Bytes written to the device per second"),
    D("disk", "disk.<device>.read_ops_per_sec", "read_ops_per_sec", METRIC_SRC_DISK, METRIC_U64,
      read_ops_per_sec, true, false, "ops/s", "Completed reads per second"),
    D("disk", "disk.<device>.write_ops_per_sec", "write_ops_per_sec", METRIC_SRC_DISK, METRIC_U64,
      write_ops_per_sec, true, false, "ops/s", "Completed writes per second"),
    D("disk", "disk.<device>.io_util_percent", "io_util_percent", METRIC_SRC_DISK, METRIC_DOUBLE,
      io_util_percent, false, false, "percent", "Time the device was busy over the interval"),
#undef STRUCT
#define STRUCT Nodelink__NetworkMetrics
    D("net", "net.<iface>.bytes_sent_per_sec", "bytes_sent_per_sec", METRIC_SRC_NET, METRIC_U64,
      bytes_sent_per_sec, true, false, "bytes/s", "Bytes transmitted per second"),
    D("net", "net.<iface>.bytes_recv_per_sec", "bytes_recv_per_sec", METRIC_SRC_NET, METRIC_U64,
      bytes_recv_per_sec, true, false, "bytes/s", "Bytes received per second"),
    D("net", "net.<iface>.packets_sent_per_sec", "packets_sent_per_sec", METRIC_SRC_NET, METRIC_U64,
      packets_sent_per_sec, true, false, "packets/s", "Packets transmitted per second"),
    D("net", "net.<iface>.packets_recv_per_sec", "packets_recv_per_sec", METRIC_SRC_NET, METRIC_U64,
      packets_recv_per_sec, true, false, "packets/s", "Packets received per second"),
    D("net", "net.<iface>.errors_in", "errors_in", METRIC_SRC_NET, METRIC_U64, errors_in, true, true,
      "packets", "Receive errors since the interface appeared"),
    D("net", "net.<iface>.errors_out", "errors_out", METRIC_SRC_NET, METRIC_U64, errors_out, true, true,
      "packets", "Transmit errors since the interface appeared"),
    D("net", "net.<iface>.drops_in", "drops_in", METRIC_SRC_NET, METRIC_U64, drops_in, true, true, "packets",
      "Received packets dropped since the interface appeared"),
    D("net", "net.<iface>.drops_out", "drops_out", METRIC_SRC_NET, METRIC_U64, drops_out, true, true,
      "packets", "Transmitted packets dropped since the interface appeared"),
#undef STRUCT
#define STRUCT Nodelink__ProcessMetrics
    D("processes", "processes.total", "total", METRIC_SRC_PROCESSES, METRIC_U32, total_processes, true, false,
      "processes", "Processes on the host"),
    D("processes", "processes.running", "running", METRIC_SRC_PROCESSES, METRIC_U32, running_processes, true,
      false, "processes", "Processes in state R"),
    D("processes", "processes.sleeping", "sleeping", METRIC_SRC_PROCESSES, METRIC_U32, sleeping_processes,
      true, false, "processes", "Processes in state S or D"),
    D("processes", "processes.zombie", "zombie", METRIC_SRC_PROCESSES, METRIC_U32, zombie_processes, true,
      false, "processes", "Processes in state Z"),
#undef STRUCT
#define STRUCT Nodelink__LoadMetrics
    D("load", "load.load1", "load1", METRIC_SRC_LOAD, METRIC_DOUBLE, load1, false, false, "",
      "1-minute load average"),
    D("load", "load.load5", "load5", METRIC_SRC_LOAD, METRIC_DOUBLE, load5, false, false, "",
      "5-minute load average"),
    D("load", "load.load15", "load15", METRIC_SRC_LOAD, METRIC_DOUBLE, load15, false, false, "",
      "15-minute load average"),
#undef STRUCT
#define STRUCT Nodelink__TaskProcessMetrics
    {.group = "task",
     .pattern = "task.<task_id>.processes",
     .field = "processes",
     .proto_field = NULL,
     .source = METRIC_SRC_TASK,
     .ctype = METRIC_DERIVED,
     .offset = 0,
     .has_offset = NO_HAS,
     .integer = true,
     .unit = "processes",
     .help = "Processes attributed to the task"},
    D("task", "task.<task_id>.cpu_percent", "cpu_percent", METRIC_SRC_TASK, METRIC_DOUBLE, cpu_percent, false,
      false, "percent", "CPU of the task's processes (100 = one core)"),
    D("task", "task.<task_id>.memory_bytes", "memory_bytes", METRIC_SRC_TASK, METRIC_U64, memory_bytes, true,
      false, "bytes", "Resident memory of the task's processes"),
    D("task", "task.<task_id>.virtual_memory_bytes", "virtual_memory_bytes", METRIC_SRC_TASK, METRIC_U64,
      virtual_memory_bytes, true, false, "bytes", "Virtual memory of the task's processes"),
    D("task", "task.<task_id>.threads", "threads", METRIC_SRC_TASK, METRIC_U32, threads, true, false,
      "threads", "Threads of the task's processes"),
    D("task", "task.<task_id>.read_bytes", "read_bytes", METRIC_SRC_TASK, METRIC_U64, read_bytes, true, true,
      "bytes", "Bytes read from storage by the task's live processes (/proc/PID/io)"),
    D("task", "task.<task_id>.write_bytes", "write_bytes", METRIC_SRC_TASK, METRIC_U64, write_bytes, true,
      true, "bytes", "Bytes written to storage by the task's live processes (/proc/PID/io)"),
#undef STRUCT
};
const size_t metric_defs_count = sizeof metric_defs / sizeof metric_defs[0];

/* ------------------------------------------------------------ values */

static bool s_present(const metric_def_t *d, const void *s)
{
    if (d->has_offset == NO_HAS)
        return true;
    return *(const protobuf_c_boolean *)((const char *)s + d->has_offset) != 0;
}

static double s_value(const metric_def_t *d, const void *s)
{
    const char *p = (const char *)s + d->offset;
    switch (d->ctype) {
    case METRIC_DOUBLE:
        return *(const double *)p;
    case METRIC_U64:
        return (double)*(const uint64_t *)p;
    case METRIC_U32:
        return (double)*(const uint32_t *)p;
    default:
        return 0;
    }
}

static bool s_has_instance(metric_source_t src)
{
    return src == METRIC_SRC_CPU_CORE || src == METRIC_SRC_DISK || src == METRIC_SRC_NET ||
           src == METRIC_SRC_TASK;
}

/* Joins parts with '.' into buf (no snprintf: names are built for every
 * scalar of every sample, and formatting dominated subscribers' CPU). */
static int s_join(char *buf, size_t size, const char *const *parts, int n)
{
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(parts[i]);
        if (off + len + (i ? 1 : 0) >= size)
            return -1;
        if (i)
            buf[off++] = '.';
        memcpy(buf + off, parts[i], len);
        off += len;
    }
    buf[off] = '\0';
    return (int)off;
}

int metric_name_build(const metric_def_t *d, const char *instance, char *buf, size_t size)
{
    if (d->source == METRIC_SRC_CPU_CORE) {
        const char *parts[] = {"cpu", "core", instance, d->field};
        return s_join(buf, size, parts, 4);
    }
    if (s_has_instance(d->source)) {
        const char *parts[] = {d->group, instance, d->field};
        return s_join(buf, size, parts, 3);
    }
    const char *parts[] = {d->pattern};
    return s_join(buf, size, parts, 1);
}

static void s_emit(const metric_def_t *d, const char *instance, double v, metric_visit_fn fn, void *ctx)
{
    char name[METRIC_NAME_MAX + 1];
    if (metric_name_build(d, instance, name, sizeof name) < 0)
        return;
    fn(ctx, d, instance, name, v);
}

static size_t s_flatten_one(const metric_def_t *d, const void *s, const char *instance, metric_visit_fn fn,
                            void *ctx)
{
    if (!s || !s_present(d, s))
        return 0;
    s_emit(d, instance, s_value(d, s), fn, ctx);
    return 1;
}

/* Sums the task's processes (entries [first, n) with the same task id) for
 * one field. Returns false when no process has the field. */
static bool s_task_sum(const metric_def_t *d, Nodelink__TaskProcessMetrics *const *t, size_t first, size_t n,
                       double *sum)
{
    bool any = false;
    *sum = 0;
    for (size_t i = first; i < n; i++) {
        if (!t[i]->task_id || strcmp(t[i]->task_id, t[first]->task_id) != 0)
            continue;
        if (d->ctype == METRIC_DERIVED) {
            *sum += 1;
            any = true;
        } else if (s_present(d, t[i])) {
            *sum += s_value(d, t[i]);
            any = true;
        }
    }
    return any;
}

static bool s_task_seen_before(Nodelink__TaskProcessMetrics *const *t, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (t[j]->task_id && strcmp(t[j]->task_id, t[i]->task_id) == 0)
            return true;
    return false;
}

static size_t s_flatten_def(const metric_def_t *d, const Nodelink__MetricsDataResponse *m, metric_visit_fn fn,
                            void *ctx)
{
    char inst[METRIC_INSTANCE_MAX + 1];
    size_t count = 0;
    switch (d->source) {
    case METRIC_SRC_CPU:
        return s_flatten_one(d, m->cpu, NULL, fn, ctx);
    case METRIC_SRC_CPU_CORE:
        if (!m->cpu)
            return 0;
        for (size_t i = 0; i < m->cpu->n_core_usage; i++) {
            snprintf(inst, sizeof inst, "%zu", i);
            s_emit(d, inst, m->cpu->core_usage[i], fn, ctx);
            count++;
        }
        return count;
    case METRIC_SRC_MEMORY:
        return s_flatten_one(d, m->memory, NULL, fn, ctx);
    case METRIC_SRC_LOAD:
        return s_flatten_one(d, m->load, NULL, fn, ctx);
    case METRIC_SRC_PROCESSES:
        return s_flatten_one(d, m->processes, NULL, fn, ctx);
    case METRIC_SRC_DISK:
        for (size_t i = 0; i < m->n_disks; i++) {
            if (!m->disks[i]->device)
                continue;
            metric_instance_from(m->disks[i]->device, inst);
            count += s_flatten_one(d, m->disks[i], inst, fn, ctx);
        }
        return count;
    case METRIC_SRC_NET:
        for (size_t i = 0; i < m->n_network_interfaces; i++) {
            if (!m->network_interfaces[i]->interface)
                continue;
            metric_instance_from(m->network_interfaces[i]->interface, inst);
            count += s_flatten_one(d, m->network_interfaces[i], inst, fn, ctx);
        }
        return count;
    case METRIC_SRC_TASK: {
        if (!m->processes)
            return 0;
        Nodelink__TaskProcessMetrics *const *t = m->processes->task_processes;
        size_t n = m->processes->n_task_processes;
        for (size_t i = 0; i < n; i++) {
            double sum;
            if (!t[i]->task_id || !topic_id_valid(t[i]->task_id) || s_task_seen_before(t, i))
                continue;
            if (s_task_sum(d, t, i, n, &sum)) {
                s_emit(d, t[i]->task_id, sum, fn, ctx);
                count++;
            }
        }
        return count;
    }
    }
    return 0;
}

size_t metric_flatten(const Nodelink__MetricsDataResponse *m, metric_visit_fn fn, void *ctx)
{
    size_t count = 0;
    if (!m)
        return 0;
    for (size_t i = 0; i < metric_defs_count; i++)
        count += s_flatten_def(&metric_defs[i], m, fn, ctx);
    return count;
}

/* ------------------------------------------------------------ names */

void metric_instance_from(const char *raw, char *out)
{
    const char *base = strrchr(raw, '/');
    base = base ? base + 1 : raw;
    size_t n = 0;
    for (; *base && n < METRIC_INSTANCE_MAX; base++, n++) {
        char c = *base;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-';
        out[n] = ok ? c : '_';
    }
    if (n == 0)
        out[n++] = '_';
    out[n] = '\0';
}

static bool s_all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

const metric_def_t *metric_lookup(const char *name, char *instance)
{
    if (!name)
        return NULL;
    size_t len = strnlen(name, METRIC_NAME_MAX + 1);
    if (len > METRIC_NAME_MAX)
        return NULL;
    for (size_t i = 0; i < metric_defs_count; i++) {
        const metric_def_t *d = &metric_defs[i];
        if (!s_has_instance(d->source)) {
            if (strcmp(name, d->pattern) == 0) {
                if (instance)
                    instance[0] = '\0';
                return d;
            }
            continue;
        }
        char prefix[32];
        int plen =
            snprintf(prefix, sizeof prefix, d->source == METRIC_SRC_CPU_CORE ? "cpu.core." : "%s.", d->group);
        size_t flen = strlen(d->field);
        if (len <= (size_t)plen + flen + 1 || strncmp(name, prefix, (size_t)plen) != 0)
            continue;
        const char *suffix = name + len - flen;
        if (strcmp(suffix, d->field) != 0 || suffix[-1] != '.')
            continue;
        const char *inst = name + plen;
        size_t ilen = (size_t)(suffix - 1 - inst);
        if (d->source == METRIC_SRC_CPU_CORE ? !s_all_digits(inst, ilen) : !topic_id_valid_n(inst, ilen))
            continue;
        if (instance) {
            memcpy(instance, inst, ilen);
            instance[ilen] = '\0';
        }
        return d;
    }
    return NULL;
}

/* ------------------------------------------------------------ selection */

static const char *s_alias(const char *selector, size_t *skip)
{
    static const struct {
        const char *alias, *group;
    } aliases[] = {{"network", "net"}, {"disks", "disk"}, {"tasks", "task"}, {"process", "processes"}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        size_t n = strlen(aliases[i].alias);
        if (strncmp(selector, aliases[i].alias, n) == 0 && (selector[n] == '\0' || selector[n] == '.')) {
            *skip = n;
            return aliases[i].group;
        }
    }
    *skip = 0;
    return "";
}

bool metric_selector_matches(const char *selector, const char *name)
{
    size_t skip;
    const char *group = s_alias(selector, &skip);
    size_t glen = strlen(group);
    if (glen) {
        if (strncmp(name, group, glen) != 0)
            return false;
        name += glen;
        selector += skip;
    }
    size_t n = strlen(selector);
    if (strncmp(name, selector, n) != 0)
        return false;
    return name[n] == '\0' || name[n] == '.' || name[n] == '_';
}

static bool s_selector_chars(const char *s)
{
    if (!*s || strlen(s) > METRIC_NAME_MAX)
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-'))
            return false;
    }
    return true;
}

bool metric_selector_valid(const char *selector)
{
    if (!selector || !s_selector_chars(selector))
        return false;
    size_t skip;
    const char *group = s_alias(selector, &skip);
    char canon[METRIC_NAME_MAX + 16];
    snprintf(canon, sizeof canon, "%s%s", group, selector + skip);
    /* Valid when it can match a metric: fixed names are checked against the
     * table; names with an instance accept any instance under their group. */
    for (size_t i = 0; i < metric_defs_count; i++) {
        const metric_def_t *d = &metric_defs[i];
        size_t gl = strlen(d->group);
        if (s_has_instance(d->source) && d->source != METRIC_SRC_CPU_CORE) {
            if (strncmp(canon, d->group, gl) == 0 && (canon[gl] == '\0' || canon[gl] == '.'))
                return true;
        } else if (metric_selector_matches(canon, d->pattern)) {
            return true;
        } else if (d->source == METRIC_SRC_CPU_CORE && strncmp(canon, "cpu.core", 8) == 0 &&
                   (canon[8] == '\0' || canon[8] == '.')) {
            return true;
        }
    }
    return false;
}

bool metric_selection_allows(const metric_selection_t *sel, const char *name)
{
    if (!sel)
        return true;
    for (size_t i = 0; i < sel->n_exclude; i++)
        if (metric_selector_matches(sel->exclude[i], name))
            return false;
    if (sel->n_include == 0)
        return true;
    for (size_t i = 0; i < sel->n_include; i++)
        if (metric_selector_matches(sel->include[i], name))
            return true;
    return false;
}

bool metric_selection_wants_group(const metric_selection_t *sel, const char *group)
{
    if (!sel)
        return true;
    size_t gl = strlen(group);
    for (size_t i = 0; i < sel->n_exclude; i++) {
        size_t skip;
        const char *g = s_alias(sel->exclude[i], &skip);
        const char *rest = sel->exclude[i] + skip;
        if ((*g ? strcmp(g, group) == 0 && *rest == '\0' : strcmp(sel->exclude[i], group) == 0))
            return false;
    }
    if (sel->n_include == 0)
        return true;
    for (size_t i = 0; i < sel->n_include; i++) {
        size_t skip;
        const char *g = s_alias(sel->include[i], &skip);
        const char *s = *g ? g : sel->include[i];
        if (strncmp(s, group, gl) == 0 && (s[gl] == '\0' || s[gl] == '.' || s[gl] == '_'))
            return true;
    }
    return false;
}
