#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metricname.h"

typedef struct {
    char names[64][METRIC_NAME_MAX + 1];
    double values[64];
    size_t n;
} seen_t;

static void s_collect(void *ctx, const metric_def_t *def, const char *instance, const char *name, double v)
{
    (void)def;
    (void)instance;
    seen_t *s = ctx;
    cr_assert_lt(s->n, 64);
    strcpy(s->names[s->n], name);
    s->values[s->n++] = v;
}

static double s_get(const seen_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return s->values[i];
    cr_assert_fail("metric %s not emitted", name);
    return -1;
}

static bool s_has(const seen_t *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return true;
    return false;
}

Test(metricname, flattens_every_group_with_instances)
{
    double cores[] = {1.5, 99};
    Nodelink__CpuMetrics cpu = NODELINK__CPU_METRICS__INIT;
    cpu.has_usage_percent = 1;
    cpu.usage_percent = 50.25;
    cpu.n_core_usage = 2;
    cpu.core_usage = cores;
    Nodelink__DiskMetrics d = NODELINK__DISK_METRICS__INIT, *disks[] = {&d};
    d.device = "/dev/nvme0n1p1";
    d.has_read_bytes_per_sec = 1;
    d.read_bytes_per_sec = 4096;
    Nodelink__NetworkMetrics n = NODELINK__NETWORK_METRICS__INIT, *nets[] = {&n};
    n.interface = "eth0.100";
    n.has_bytes_recv_per_sec = 1;
    n.bytes_recv_per_sec = 77;
    Nodelink__TaskProcessMetrics t1 = NODELINK__TASK_PROCESS_METRICS__INIT;
    Nodelink__TaskProcessMetrics t2 = NODELINK__TASK_PROCESS_METRICS__INIT;
    Nodelink__TaskProcessMetrics *tasks[] = {&t1, &t2};
    t1.task_id = t2.task_id = "build-7";
    t1.has_memory_bytes = t2.has_memory_bytes = 1;
    t1.memory_bytes = 100;
    t2.memory_bytes = 23;
    Nodelink__ProcessMetrics p = NODELINK__PROCESS_METRICS__INIT;
    p.has_total_processes = 1;
    p.total_processes = 321;
    p.n_task_processes = 2;
    p.task_processes = tasks;
    Nodelink__MetricsDataResponse m = NODELINK__METRICS_DATA_RESPONSE__INIT;
    m.cpu = &cpu;
    m.n_disks = 1;
    m.disks = disks;
    m.n_network_interfaces = 1;
    m.network_interfaces = nets;
    m.processes = &p;
    seen_t s = {0};
    size_t count = metric_flatten(&m, s_collect, &s);
    cr_assert_eq(count, s.n);
    cr_assert_float_eq(s_get(&s, "cpu.usage_percent"), 50.25, 1e-9);
    cr_assert_float_eq(s_get(&s, "cpu.core.1.usage_percent"), 99, 1e-9);
    cr_assert_float_eq(s_get(&s, "disk.nvme0n1p1.read_bytes_per_sec"), 4096, 1e-9);
    cr_assert_float_eq(s_get(&s, "net.eth0.100.bytes_recv_per_sec"), 77, 1e-9);
    cr_assert_float_eq(s_get(&s, "processes.total"), 321, 1e-9);
    cr_assert_float_eq(s_get(&s, "task.build-7.memory_bytes"), 123, 1e-9);
    cr_assert_float_eq(s_get(&s, "task.build-7.processes"), 2, 1e-9);
    cr_assert_not(s_has(&s, "cpu.temperature_celsius"), "absent fields must not be emitted");
    cr_assert_not(s_has(&s, "task.build-7.cpu_percent"));
}

Test(metricname, looks_up_names_with_instances)
{
    char inst[METRIC_INSTANCE_MAX + 1];
    const metric_def_t *d = metric_lookup("net.eth0.100.bytes_recv_per_sec", inst);
    cr_assert_not_null(d);
    cr_assert_str_eq(inst, "eth0.100");
    cr_assert_str_eq(d->field, "bytes_recv_per_sec");
    d = metric_lookup("cpu.core.12.usage_percent", inst);
    cr_assert_not_null(d);
    cr_assert_str_eq(inst, "12");
    cr_assert_not_null(metric_lookup("memory.used_bytes", inst));
    cr_assert_null(metric_lookup("memory.used", inst));
    cr_assert_null(metric_lookup("cpu.core.x.usage_percent", inst));
    cr_assert_null(metric_lookup("disk..read_bytes_per_sec", inst));
    cr_assert_null(metric_lookup("bogus", inst));
    for (size_t i = 0; i < metric_defs_count; i++)
        cr_assert(metric_defs[i].pattern && metric_defs[i].help && metric_defs[i].unit);
}

Test(metricname, selectors_match_by_component)
{
    cr_assert(metric_selector_matches("cpu", "cpu.core.3.usage_percent"));
    cr_assert(metric_selector_matches("cpu.temperature", "cpu.temperature_celsius"));
    cr_assert(metric_selector_matches("network", "net.lo.bytes_recv_per_sec"));
    cr_assert(metric_selector_matches("net.lo", "net.lo.bytes_recv_per_sec"));
    cr_assert_not(metric_selector_matches("net.lo", "net.lo2.bytes_recv_per_sec"));
    cr_assert_not(metric_selector_matches("cpu", "cpux.usage"));
    cr_assert(metric_selector_valid("disk"));
    cr_assert(metric_selector_valid("cpu.temperature"));
    cr_assert(metric_selector_valid("net.eth0"));
    cr_assert_not(metric_selector_valid("bogus"));
    cr_assert_not(metric_selector_valid("cpu.nonsense"));
    cr_assert_not(metric_selector_valid("cpu usage"));
    char *inc[] = {"cpu", "memory"}, *exc[] = {"cpu.temperature"};
    metric_selection_t sel = {inc, 2, exc, 1};
    cr_assert(metric_selection_allows(&sel, "cpu.usage_percent"));
    cr_assert_not(metric_selection_allows(&sel, "cpu.temperature_celsius"));
    cr_assert_not(metric_selection_allows(&sel, "load.load1"));
    cr_assert(metric_selection_wants_group(&sel, "cpu"));
    cr_assert_not(metric_selection_wants_group(&sel, "disk"));
    char *exc2[] = {"network"};
    metric_selection_t sel2 = {NULL, 0, exc2, 1};
    cr_assert_not(metric_selection_wants_group(&sel2, "net"));
    cr_assert(metric_selection_wants_group(&sel2, "disk"));
}

Test(metricname, sanitises_instances)
{
    char out[METRIC_INSTANCE_MAX + 1];
    metric_instance_from("/dev/mapper/vg0-root", out);
    cr_assert_str_eq(out, "vg0-root");
    metric_instance_from("wl@n 0", out);
    cr_assert_str_eq(out, "wl_n_0");
}

Test(metricname, every_name_is_documented_in_docs_metrics_md)
{
    const char *src = getenv("NODELINK_SOURCE_DIR");
    cr_assert_not_null(src, "NODELINK_SOURCE_DIR not set (run through ctest)");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/metrics.md", src);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    for (size_t i = 0; i < metric_defs_count; i++) {
        char quoted[METRIC_NAME_MAX + 3];
        snprintf(quoted, sizeof quoted, "`%s`", metric_defs[i].pattern);
        cr_assert(strstr(text, quoted), "%s is not documented in docs/metrics.md", metric_defs[i].pattern);
    }
}
