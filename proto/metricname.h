/*
 * metricname.h - the metric namespace: one dotted name per scalar.
 *
 * Every scalar of a MetricsDataResponse has exactly one name, used alike by
 * Redis stream fields, the history API, metric selection (agent config and
 * MetricsStreamRequest.metrics), SSE filters and Prometheus export:
 *
 *     cpu.usage_percent            cpu.core.<n>.usage_percent
 *     memory.used_bytes            load.load1
 *     disk.<device>.read_bytes_per_sec
 *     net.<iface>.bytes_recv_per_sec
 *     processes.total              task.<task_id>.cpu_percent
 *
 * The table metric_defs[] is the single definition; docs/metrics.md lists it.
 * Instances (<device>, <iface>, <task_id>) may contain dots; the last
 * component is always the field, so names stay unambiguous.
 */
#ifndef NODELINK_METRICNAME_H
#define NODELINK_METRICNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "nodelink.pb-c.h"

#define METRIC_NAME_MAX 160
#define METRIC_INSTANCE_MAX 64

typedef enum {
    METRIC_SRC_CPU = 0,   /* CpuMetrics scalar */
    METRIC_SRC_CPU_CORE,  /* CpuMetrics.core_usage[n] */
    METRIC_SRC_MEMORY,    /* MemoryMetrics */
    METRIC_SRC_DISK,      /* DiskMetrics, instance = device */
    METRIC_SRC_NET,       /* NetworkMetrics, instance = interface */
    METRIC_SRC_PROCESSES, /* ProcessMetrics counts */
    METRIC_SRC_LOAD,      /* LoadMetrics */
    METRIC_SRC_TASK,      /* TaskProcessMetrics summed per task, instance = task id */
} metric_source_t;

typedef enum { METRIC_DOUBLE, METRIC_U64, METRIC_U32, METRIC_DERIVED } metric_ctype_t;

typedef struct {
    const char *group;       /* first name component: "cpu", "disk", ... */
    const char *pattern;     /* documented form, e.g. "disk.<device>.read_bytes_per_sec" */
    const char *field;       /* last component, e.g. "read_bytes_per_sec", "running" */
    const char *proto_field; /* protobuf field it reads ("running_processes"); NULL if derived */
    metric_source_t source;
    metric_ctype_t ctype;
    size_t offset;     /* of the value in its protobuf-c struct */
    size_t has_offset; /* of its has_ flag; (size_t)-1 when none */
    bool integer;      /* value is integral: stored without decimals */
    bool counter;      /* monotonically increasing count (Prometheus counter) */
    const char *unit;
    const char *help;
} metric_def_t;

extern const metric_def_t metric_defs[];
extern const size_t metric_defs_count;

/* Called once per scalar present in a sample. name and instance (NULL for
 * metrics without one) are valid only during the call. */
typedef void (*metric_visit_fn)(void *ctx, const metric_def_t *def, const char *instance, const char *name,
                                double value);

/* Visits every scalar present in m, in table order. Absent fields (has_ = 0)
 * are skipped. Returns the number of scalars visited. */
size_t metric_flatten(const Nodelink__MetricsDataResponse *m, metric_visit_fn fn, void *ctx);

/* Finds the definition of a full metric name ("disk.sda.read_bytes_per_sec").
 * Copies the instance (or "") into instance (METRIC_INSTANCE_MAX + 1 bytes)
 * when non-NULL. NULL when the name is not in the namespace. */
const metric_def_t *metric_lookup(const char *name, char *instance);

/* Writes the name of def for instance into buf. Returns its length or -1. */
int metric_name_build(const metric_def_t *def, const char *instance, char *buf, size_t size);

/* Replaces every character outside [A-Za-z0-9_.-] of a device/interface name
 * with '_', truncating to METRIC_INSTANCE_MAX. "/dev/sda1" becomes "sda1"
 * (only the basename is kept). */
void metric_instance_from(const char *raw, char *out);

/* A selector matches a name when it equals the name or is a prefix of it
 * followed by '.' or '_': "cpu" matches every cpu.* metric, "net.lo" the
 * loopback's, "cpu.temperature" cpu.temperature_celsius. The aliases
 * "network", "disks", "tasks", "process" stand for "net", "disk", "task",
 * "processes". */
bool metric_selector_matches(const char *selector, const char *name);

/* True when selector is syntactically valid and can match at least one name
 * of the namespace. */
bool metric_selector_valid(const char *selector);

/* A selection: an include list (empty = everything) minus an exclude list. */
typedef struct {
    char **include;
    size_t n_include;
    char **exclude;
    size_t n_exclude;
} metric_selection_t;

/* True when name passes the selection. */
bool metric_selection_allows(const metric_selection_t *sel, const char *name);

/* True when some metric of group ("cpu", "disk", ...) may pass the selection:
 * collectors of a group that cannot pass need not run. */
bool metric_selection_wants_group(const metric_selection_t *sel, const char *group);

#endif
