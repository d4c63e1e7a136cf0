/*
 * disk.c - the disk collector: one DiskMetrics per real filesystem.
 *
 * Sources: <proc_root>/self/mountinfo for the filesystems (mountinfo.h),
 * statvfs(3) for sizes, <proc_root>/diskstats for I/O of the device behind
 * each mount (diskstats.h). The mount table is re-parsed only when the kernel
 * flags mountinfo as changed (poll POLLPRI), so steady state costs one
 * diskstats read plus one statvfs per filesystem.
 *
 * Sizes as df(1) shows them:
 *   total = f_blocks * f_frsize, available = f_bavail * f_frsize,
 *   used = (f_blocks - f_bfree) * f_frsize, usage % = used / (used + available) * 100.
 * Rates are counter deltas over the elapsed time; io_util = io_ticks delta /
 * elapsed ms * 100, capped at 100. A device seen for the first time (or whose
 * counters went backwards) reports its rates from the next sample on.
 *
 * When proc_root is not "/proc" (a container reading the host's /proc), the
 * filesystems are those of the host's PID 1 (<proc_root>/1/mountinfo) and
 * statvfs goes through <proc_root>/1/root<mount point>.
 */
#include "collector.h"
#include "diskstats.h"
#include "mountinfo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "../procfile.h"
#include "clock.h"

#define DISK_MAX 128

typedef struct {
    mount_entry_t m;
    diskstats_counters_t prev;
    int64_t prev_ns;
    bool have_prev;
    Nodelink__DiskMetrics pb;
} disk_t;

typedef struct {
    procfile_t *mountinfo;
    procfile_t *diskstats;
    const char *proc_root;
    bool host_view;
    disk_t *disks;
    size_t n;
    mount_entry_t *scratch;
    Nodelink__DiskMetrics **ptrs;
} disk_collector_t;

static void s_destroy(void **self_p)
{
    disk_collector_t *self = *self_p;
    if (!self)
        return;
    procfile_destroy(&self->mountinfo);
    procfile_destroy(&self->diskstats);
    free(self->disks);
    free(self->scratch);
    free(self->ptrs);
    free(self);
    *self_p = NULL;
}

/* Re-reads the mount table, keeping the counters of devices still mounted. */
static int s_reload_mounts(disk_collector_t *self)
{
    const char *text;
    long len = procfile_read(self->mountinfo, &text);
    if (len < 0)
        return -1;
    size_t n = mountinfo_parse(text, (size_t)len, self->scratch, DISK_MAX);
    disk_t next[DISK_MAX];
    for (size_t i = 0; i < n; i++) {
        memset(&next[i], 0, sizeof next[i]);
        next[i].m = self->scratch[i];
        for (size_t j = 0; j < self->n; j++) {
            const mount_entry_t *o = &self->disks[j].m;
            if (o->major == next[i].m.major && o->minor == next[i].m.minor &&
                strcmp(o->mount_point, next[i].m.mount_point) == 0) {
                next[i].prev = self->disks[j].prev;
                next[i].prev_ns = self->disks[j].prev_ns;
                next[i].have_prev = self->disks[j].have_prev;
            }
        }
    }
    memcpy(self->disks, next, n * sizeof *next);
    self->n = n;
    return 0;
}

static void s_sizes(disk_collector_t *self, disk_t *d)
{
    char path[4096];
    if (self->host_view)
        snprintf(path, sizeof path, "%s/1/root%s", self->proc_root, d->m.mount_point);
    else
        snprintf(path, sizeof path, "%s", d->m.mount_point);
    struct statvfs st;
    if (statvfs(path, &st) != 0 || st.f_blocks == 0)
        return;
    Nodelink__DiskMetrics *m = &d->pb;
    uint64_t fr = st.f_frsize ? st.f_frsize : st.f_bsize;
    m->has_total_bytes = m->has_used_bytes = m->has_available_bytes = m->has_usage_percent = 1;
    m->total_bytes = (uint64_t)st.f_blocks * fr;
    m->available_bytes = (uint64_t)st.f_bavail * fr;
    m->used_bytes = (uint64_t)(st.f_blocks - (st.f_bfree < st.f_blocks ? st.f_bfree : st.f_blocks)) * fr;
    uint64_t denom = m->used_bytes + m->available_bytes;
    m->usage_percent = denom ? 100.0 * (double)m->used_bytes / (double)denom : 0;
}

static void s_io(disk_t *d, const char *stats, size_t len, int64_t now_ns)
{
    const char *slash = strrchr(d->m.source, '/');
    diskstats_counters_t c;
    if (!diskstats_find(stats, len, d->m.major, d->m.minor, slash ? slash + 1 : d->m.source, &c))
        return;
    Nodelink__DiskMetrics *m = &d->pb;
    double el = (double)(now_ns - d->prev_ns) / 1e9;
    const diskstats_counters_t *p = &d->prev;
    bool sane = c.reads >= p->reads && c.writes >= p->writes && c.sectors_read >= p->sectors_read &&
                c.sectors_written >= p->sectors_written && c.io_ticks_ms >= p->io_ticks_ms;
    if (d->have_prev && sane && el > 0) {
        m->has_read_bytes_per_sec = m->has_write_bytes_per_sec = 1;
        m->has_read_ops_per_sec = m->has_write_ops_per_sec = m->has_io_util_percent = 1;
        m->read_bytes_per_sec = sample_rate(p->sectors_read * 512, c.sectors_read * 512, el);
        m->write_bytes_per_sec = sample_rate(p->sectors_written * 512, c.sectors_written * 512, el);
        m->read_ops_per_sec = sample_rate(p->reads, c.reads, el);
        m->write_ops_per_sec = sample_rate(p->writes, c.writes, el);
        double util = 100.0 * (double)(c.io_ticks_ms - p->io_ticks_ms) / (el * 1000.0);
        m->io_util_percent = util > 100 ? 100 : util;
    }
    d->prev = c;
    d->prev_ns = now_ns;
    d->have_prev = true;
}

static int s_collect(void *vself, sample_t *sample, int64_t now_ns)
{
    disk_collector_t *self = vself;
    if (procfile_changed(self->mountinfo) && s_reload_mounts(self) != 0)
        return -1;
    const char *stats;
    long slen = procfile_read(self->diskstats, &stats);
    for (size_t i = 0; i < self->n; i++) {
        disk_t *d = &self->disks[i];
        nodelink__disk_metrics__init(&d->pb);
        d->pb.device = d->m.source;
        d->pb.mount_point = d->m.mount_point;
        s_sizes(self, d);
        if (slen >= 0)
            s_io(d, stats, (size_t)slen, now_ns);
        self->ptrs[i] = &d->pb;
    }
    sample->data.disks = self->ptrs;
    sample->data.n_disks = self->n;
    return 0;
}

static void *s_create(const collector_env_t *env)
{
    disk_collector_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->proc_root = env->proc_root;
    self->host_view = strcmp(env->proc_root, "/proc") != 0;
    self->mountinfo = procfile_new_at(env->proc_root, self->host_view ? "1/mountinfo" : "self/mountinfo");
    self->diskstats = procfile_new_at(env->proc_root, "diskstats");
    self->disks = calloc(DISK_MAX, sizeof *self->disks);
    self->scratch = calloc(DISK_MAX, sizeof *self->scratch);
    self->ptrs = calloc(DISK_MAX, sizeof *self->ptrs);
    if (!self->mountinfo || !self->diskstats || !self->disks || !self->scratch || !self->ptrs) {
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    sample_t baseline; /* primes the counters so the first sample has rates */
    sample_reset(&baseline, 0, 0);
    s_collect(self, &baseline, clock_mono_ns());
    return self;
}

const collector_def_t collector_disk = {"disk", "disk", NULL, s_create, s_collect, s_destroy};
