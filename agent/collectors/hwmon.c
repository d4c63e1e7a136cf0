/*
 * hwmon.c - the temperature collector. See hwmon.h.
 */
#include "collector.h"
#include "hwmon.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../procfile.h"
#include "../scan.h"

static const char *const s_chips[] = {"coretemp",          "k10temp",      "zenpower", "cpu_thermal",
                                      "cpu-thermal",       "soc_thermal",  "k8temp",   "via_cputemp",
                                      "fam15h_power_temp", "x86_pkg_temp", "cpu"};

bool hwmon_cpu_chip(const char *name)
{
    for (size_t i = 0; i < sizeof s_chips / sizeof s_chips[0]; i++)
        if (strcmp(name, s_chips[i]) == 0)
            return true;
    return false;
}

/* snprintf that reports truncation (paths longer than the buffers are
 * skipped rather than read truncated). */
__attribute__((format(printf, 3, 4))) static bool s_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < size;
}

/* Rank of a temp label as "the package temperature"; 0 = not one. */
static int s_label_rank(const char *label)
{
    if (strncmp(label, "Package id", 10) == 0 || strcmp(label, "Tdie") == 0)
        return 3;
    if (strcmp(label, "Tctl") == 0)
        return 2;
    return 0;
}

/* Picks the package input of one hwmon chip directory. */
static bool s_chip_input(const char *dir, char (*paths)[512], size_t *n, size_t max)
{
    char path[600], label[64];
    int best = 0;
    bool found = false;
    for (int i = 1; i <= 64 && *n < max; i++) {
        s_fmt(path, sizeof path, "%s/temp%d_label", dir, i);
        if (procfile_slurp(path, label, sizeof label) < 0)
            continue;
        int rank = s_label_rank(label);
        if (rank == 3) { /* every package of the chip counts */
            s_fmt(paths[(*n)++], 512, "%s/temp%d_input", dir, i);
            best = 3;
            found = true;
        } else if (rank > best) {
            best = rank;
            s_fmt(paths[*n], 512, "%s/temp%d_input", dir, i);
        }
    }
    if (!found && best == 2 && *n < max) {
        (*n)++;
        return true;
    }
    if (!found && *n < max) {
        s_fmt(path, sizeof path, "%s/temp1_input", dir);
        char v[32];
        if (procfile_slurp(path, v, sizeof v) > 0) {
            s_fmt(paths[(*n)++], 512, "%s", path);
            found = true;
        }
    }
    return found;
}

static int s_cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Sorted directory names matching prefix (hwmon0, hwmon1, ...). */
static size_t s_list(const char *dir, const char *prefix, char (*names)[64], size_t max)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strlen(e->d_name) < 64)
            strcpy(names[n++], e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, s_cmp_name);
    return n;
}

size_t hwmon_find_sensors(const char *sys_root, char (*paths)[512], size_t max)
{
    char dir[512], path[600], name[64];
    char entries[64][64];
    size_t n = 0;
    s_fmt(dir, sizeof dir, "%s/class/hwmon", sys_root);
    size_t ne = s_list(dir, "hwmon", entries, 64);
    for (size_t i = 0; i < ne && n < max; i++) {
        s_fmt(path, sizeof path, "%s/%s/name", dir, entries[i]);
        if (procfile_slurp(path, name, sizeof name) > 0 && hwmon_cpu_chip(name)) {
            s_fmt(path, sizeof path, "%s/%s", dir, entries[i]);
            s_chip_input(path, paths, &n, max);
        }
    }
    if (n)
        return n;
    s_fmt(dir, sizeof dir, "%s/class/thermal", sys_root);
    ne = s_list(dir, "thermal_zone", entries, 64);
    for (size_t i = 0; i < ne && n < max; i++) {
        s_fmt(path, sizeof path, "%s/%s/type", dir, entries[i]);
        if (procfile_slurp(path, name, sizeof name) > 0 && hwmon_cpu_chip(name))
            s_fmt(paths[n++], 512, "%s/%s/temp", dir, entries[i]);
    }
    return n;
}

typedef struct {
    procfile_t *inputs[HWMON_MAX_SENSORS];
    size_t n;
} hwmon_collector_t;

static void s_destroy(void **self_p)
{
    hwmon_collector_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++)
        procfile_destroy(&self->inputs[i]);
    free(self);
    *self_p = NULL;
}

static void *s_create(const collector_env_t *env)
{
    hwmon_collector_t *self = calloc(1, sizeof *self);
    char paths[HWMON_MAX_SENSORS][512];
    if (!self)
        return NULL;
    size_t n = hwmon_find_sensors(env->sys_root, paths, HWMON_MAX_SENSORS);
    for (size_t i = 0; i < n; i++)
        if ((self->inputs[self->n] = procfile_new(paths[i])))
            self->n++;
    return self;
}

static int s_collect(void *vself, sample_t *sample, int64_t now_ns)
{
    (void)now_ns;
    hwmon_collector_t *self = vself;
    bool any = false;
    double hottest = 0;
    for (size_t i = 0; i < self->n; i++) {
        const char *text;
        long len = procfile_read(self->inputs[i], &text);
        scan_t s = scan_init(text, len > 0 ? (size_t)len : 0);
        double milli;
        if (len <= 0 || !scan_double(&s, &milli) || milli < -50000 || milli > 200000)
            continue;
        if (!any || milli / 1000.0 > hottest)
            hottest = milli / 1000.0;
        any = true;
    }
    if (any) {
        Nodelink__CpuMetrics *m = sample_cpu(sample);
        m->has_temperature_celsius = 1;
        m->temperature_celsius = hottest;
    }
    return self->n && !any ? -1 : 0;
}

const collector_def_t collector_hwmon = {"hwmon",  "cpu",     "cpu.temperature_celsius",
                                         s_create, s_collect, s_destroy};
