/*
 * cpu.c - the cpu collector: /proc/stat deltas. See cpu.h.
 */
#include "cpu.h"
#include "collector.h"

#include <stdlib.h>
#include <string.h>

#include "../procfile.h"
#include "../scan.h"

/* Hosts with more logical CPUs are reported up to this many cores. */
#define CPU_MAX_CORES 4096

typedef struct {
    procfile_t *file;
    cpu_times_t prev_total, cur_total;
    cpu_times_t *prev, *cur; /* cap entries each, grown when CPUs appear */
    size_t cap;
    size_t n_cores;
    double *usage; /* core_usage array handed to the sample */
} cpu_collector_t;

static bool s_parse_line(scan_t *s, cpu_times_t *t)
{
    uint64_t *f[] = {&t->user, &t->nice, &t->system, &t->idle, &t->iowait, &t->irq, &t->softirq, &t->steal};
    memset(t, 0, sizeof *t);
    /* Old kernels have fewer columns (no steal); at least four are needed. */
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!scan_u64(s, f[i])) {
            if (i < 4)
                return false;
            break;
        }
    }
    t->present = true;
    return true;
}

int cpu_stat_parse(const char *text, size_t len, cpu_times_t *total, cpu_times_t *cores, size_t max_cores,
                   size_t *n_cores, uint64_t *running, uint64_t *blocked)
{
    scan_t s = scan_init(text, len);
    bool have_total = false;
    uint64_t v;
    *n_cores = 0;
    for (size_t i = 0; i < max_cores; i++)
        cores[i].present = false;
    if (running)
        *running = 0;
    if (blocked)
        *blocked = 0;
    for (; !scan_eof(&s); scan_next_line(&s)) {
        if (scan_lit(&s, "cpu")) {
            if (s.p < s.end && (*s.p == ' ' || *s.p == '\t')) {
                have_total = s_parse_line(&s, total);
            } else if (scan_u64(&s, &v) && v < CPU_MAX_CORES) {
                cpu_times_t scratch;
                cpu_times_t *t = v < max_cores ? &cores[v] : &scratch;
                if (s_parse_line(&s, t) && v + 1 > *n_cores)
                    *n_cores = (size_t)v + 1;
            }
        } else if (scan_lit(&s, "procs_running")) {
            if (running && scan_u64(&s, &v))
                *running = v;
        } else if (scan_lit(&s, "procs_blocked")) {
            if (blocked && scan_u64(&s, &v))
                *blocked = v;
        }
    }
    return have_total ? 0 : -1;
}

static uint64_t s_delta(uint64_t prev, uint64_t cur)
{
    return cur > prev ? cur - prev : 0;
}

bool cpu_times_percent(const cpu_times_t *prev, const cpu_times_t *cur, cpu_percent_t *out)
{
    memset(out, 0, sizeof *out);
    if (!prev->present || !cur->present)
        return false;
    double user = (double)(s_delta(prev->user, cur->user) + s_delta(prev->nice, cur->nice));
    double sys = (double)(s_delta(prev->system, cur->system) + s_delta(prev->irq, cur->irq) +
                          s_delta(prev->softirq, cur->softirq) + s_delta(prev->steal, cur->steal));
    double idle = (double)s_delta(prev->idle, cur->idle);
    double iowait = (double)s_delta(prev->iowait, cur->iowait);
    double total = user + sys + idle + iowait;
    if (total <= 0)
        return false;
    out->user = 100.0 * user / total;
    out->system = 100.0 * sys / total;
    out->idle = 100.0 * idle / total;
    out->iowait = 100.0 * iowait / total;
    out->usage = 100.0 - out->idle - out->iowait;
    if (out->usage < 0)
        out->usage = 0;
    return true;
}

/* ------------------------------------------------------------ collector */

static void s_destroy(void **self_p)
{
    cpu_collector_t *self = *self_p;
    if (!self)
        return;
    procfile_destroy(&self->file);
    free(self->prev);
    free(self->cur);
    free(self->usage);
    free(self);
    *self_p = NULL;
}

/* Grows the per-core arrays to n entries (new entries zeroed, "absent"). */
static int s_grow(cpu_collector_t *self, size_t n)
{
    cpu_times_t *prev = realloc(self->prev, n * sizeof *prev);
    if (prev)
        self->prev = prev;
    cpu_times_t *cur = realloc(self->cur, n * sizeof *cur);
    if (cur)
        self->cur = cur;
    double *usage = realloc(self->usage, n * sizeof *usage);
    if (usage)
        self->usage = usage;
    if (!prev || !cur || !usage)
        return -1;
    memset(self->prev + self->cap, 0, (n - self->cap) * sizeof *prev);
    memset(self->cur + self->cap, 0, (n - self->cap) * sizeof *cur);
    self->cap = n;
    return 0;
}

static int s_read(cpu_collector_t *self)
{
    const char *text;
    long len = procfile_read(self->file, &text);
    if (len < 0)
        return -1;
    int rc =
        cpu_stat_parse(text, (size_t)len, &self->cur_total, self->cur, self->cap, &self->n_cores, NULL, NULL);
    if (rc == 0 && self->n_cores > self->cap) { /* CPUs came online: grow, parse again */
        if (s_grow(self, self->n_cores) != 0)
            return -1;
        rc = cpu_stat_parse(text, (size_t)len, &self->cur_total, self->cur, self->cap, &self->n_cores, NULL,
                            NULL);
    }
    return rc;
}

static void *s_create(const collector_env_t *env)
{
    cpu_collector_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->file = procfile_new_at(env->proc_root, "stat");
    if (!self->file || s_grow(self, 1) != 0) {
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    if (s_read(self) == 0) { /* baseline for the first sample's deltas */
        self->prev_total = self->cur_total;
        memcpy(self->prev, self->cur, self->n_cores * sizeof *self->prev);
    }
    return self;
}

static int s_collect(void *vself, sample_t *sample, int64_t now_ns)
{
    (void)now_ns;
    cpu_collector_t *self = vself;
    if (s_read(self) != 0)
        return -1;
    cpu_percent_t pc;
    if (cpu_times_percent(&self->prev_total, &self->cur_total, &pc)) {
        Nodelink__CpuMetrics *m = sample_cpu(sample);
        m->has_usage_percent = m->has_user_percent = m->has_system_percent = 1;
        m->has_idle_percent = m->has_iowait_percent = 1;
        m->usage_percent = pc.usage;
        m->user_percent = pc.user;
        m->system_percent = pc.system;
        m->idle_percent = pc.idle;
        m->iowait_percent = pc.iowait;
        for (size_t i = 0; i < self->n_cores; i++) {
            cpu_percent_t c;
            cpu_times_percent(&self->prev[i], &self->cur[i], &c);
            self->usage[i] = c.usage;
        }
        m->n_core_usage = self->n_cores;
        m->core_usage = self->usage;
    }
    self->prev_total = self->cur_total;
    /* swap rather than copy: cur is fully rewritten by the next parse */
    cpu_times_t *t = self->prev;
    self->prev = self->cur;
    self->cur = t;
    return 0;
}

const collector_def_t collector_cpu = {"cpu", "cpu", NULL, s_create, s_collect, s_destroy};
