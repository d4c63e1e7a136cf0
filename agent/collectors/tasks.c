/*
 * tasks.c - the task processes collector. See tasks.h.
 */
#include "collector.h"
#include "pidstat.h"
#include "proctrack.h"
#include "tasks.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../procfile.h"
#include "../scan.h"
#include "clock.h"
#include "log.h"
#include "topic.h"

#define TASKS_PENDING_MAX 4096
#define TASKS_ENV_MAX (1u << 20)

typedef struct {
    uint32_t pid;
    uint64_t start;
    char task_id[TOPIC_ID_MAX + 1];
    bool registered; /* came from a TaskRegistration */
    procfile_t *stat, *io;
    uint64_t prev_ticks;
    int64_t prev_ns;
    bool have_prev;
    Nodelink__TaskProcessMetrics pb;
} tracked_t;

typedef struct {
    const collector_env_t *env_src;
    const char *proc_root;
    taskreg_t *registry;
    proctrack_t *nl;
    int64_t scan_ms, next_scan_ms;
    bool rescan; /* events were lost */
    tracked_t *t;
    size_t n;
    Nodelink__TaskProcessMetrics **ptrs;
    uint32_t *pending; /* exec'd pids whose environment is to be checked */
    size_t n_pending;
    uint32_t *known, *scan; /* sorted pids of the last scan, and the scan being built */
    size_t n_known, cap_known;
    char *envbuf;
    size_t envcap;
    double ticks_per_s;
    uint64_t page;
    log_limit_t limit;
} tasks_t;

bool tasks_env_id(const char *env, size_t len, char *id)
{
    const size_t kl = sizeof TASKS_ENV - 1;
    for (size_t i = 0; i < len;) {
        const char *e = memchr(env + i, '\0', len - i);
        size_t n = e ? (size_t)(e - (env + i)) : len - i;
        if (n > kl && memcmp(env + i, TASKS_ENV, kl) == 0) {
            size_t vl = n - kl;
            if (vl <= TOPIC_ID_MAX && topic_id_valid_n(env + i + kl, vl)) {
                memcpy(id, env + i + kl, vl);
                id[vl] = '\0';
                return true;
            }
            return false;
        }
        i += n + 1;
    }
    return false;
}

bool tasks_io_parse(const char *text, size_t len, uint64_t *rb, uint64_t *wb)
{
    scan_t s = scan_init(text, len);
    int found = 0;
    for (; !scan_eof(&s); scan_next_line(&s)) {
        if (scan_lit(&s, "read_bytes:") && scan_u64(&s, rb))
            found |= 1;
        else if (scan_lit(&s, "write_bytes:") && scan_u64(&s, wb))
            found |= 2;
    }
    return found == 3;
}

/* ------------------------------------------------------------ tracked set */

static tracked_t *s_find(tasks_t *self, uint32_t pid)
{
    for (size_t i = 0; i < self->n; i++)
        if (self->t[i].pid == pid)
            return &self->t[i];
    return NULL;
}

static void s_untrack(tasks_t *self, tracked_t *t)
{
    procfile_destroy(&t->stat);
    procfile_destroy(&t->io);
    *t = self->t[--self->n];
}

static void s_track(tasks_t *self, uint32_t pid, uint64_t start, const char *task_id, bool registered)
{
    tracked_t *t = s_find(self, pid);
    if (t && t->start == start) {
        if (registered) { /* a registration overrides inheritance */
            snprintf(t->task_id, sizeof t->task_id, "%s", task_id);
            t->registered = true;
        }
        return;
    }
    if (t)
        s_untrack(self, t);
    if (self->n == TASKS_MAX) {
        log_ratelimited(&self->limit, LOG_LEVEL_WARN, "tasks: more than %d task processes; pid %u ignored",
                        TASKS_MAX, pid);
        return;
    }
    char rel[64];
    t = &self->t[self->n];
    memset(t, 0, sizeof *t);
    t->pid = pid;
    t->start = start;
    t->registered = registered;
    snprintf(t->task_id, sizeof t->task_id, "%s", task_id);
    snprintf(rel, sizeof rel, "%u/stat", pid);
    t->stat = procfile_new_at(self->proc_root, rel);
    snprintf(rel, sizeof rel, "%u/io", pid);
    t->io = procfile_new_at(self->proc_root, rel);
    if (!t->stat || !t->io) {
        procfile_destroy(&t->stat);
        procfile_destroy(&t->io);
        return;
    }
    self->n++;
}

/* Reads /proc/PID/environ into the reusable buffer. -1 when unreadable. */
static long s_read_environ(tasks_t *self, uint32_t pid)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%u/environ", self->proc_root, pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    for (;;) {
        if (len == self->envcap) {
            size_t ncap = self->envcap ? self->envcap * 2 : 16384;
            char *b = ncap <= TASKS_ENV_MAX ? realloc(self->envbuf, ncap) : NULL;
            if (!b)
                break; /* larger than any sane environment: look at the prefix */
            self->envbuf = b;
            self->envcap = ncap;
        }
        ssize_t n = read(fd, self->envbuf + len, self->envcap - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    return (long)len;
}

/* Decides whether a process newly seen belongs to a task. */
static void s_consider(tasks_t *self, uint32_t pid)
{
    pidstat_t ps;
    if (s_find(self, pid) || pidstat_read(self->proc_root, pid, &ps) != 0)
        return;
    const char *reg = taskreg_lookup(self->registry, pid, ps.starttime);
    if (reg) {
        s_track(self, pid, ps.starttime, reg, true);
        return;
    }
    tracked_t *parent = ps.ppid ? s_find(self, ps.ppid) : NULL;
    if (parent) {
        char id[TOPIC_ID_MAX + 1];
        snprintf(id, sizeof id, "%s", parent->task_id);
        s_track(self, pid, ps.starttime, id, false);
        return;
    }
    char id[TOPIC_ID_MAX + 1];
    long len = s_read_environ(self, pid);
    if (len > 0 && tasks_env_id(self->envbuf, (size_t)len, id))
        s_track(self, pid, ps.starttime, id, false);
}

/* ------------------------------------------------------------ discovery */

static int s_cmp_pid(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static bool s_known(const tasks_t *self, uint32_t pid)
{
    return self->known && bsearch(&pid, self->known, self->n_known, sizeof pid, s_cmp_pid) != NULL;
}

/* Lists proc_root; considers every pid the previous scan did not see. */
static void s_scan(tasks_t *self)
{
    DIR *d = opendir(self->proc_root);
    if (!d)
        return;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        unsigned long pid = strtoul(e->d_name, &end, 10);
        if (*end || pid == 0 || pid > UINT32_MAX)
            continue;
        if (n == self->cap_known) {
            size_t ncap = self->cap_known ? self->cap_known * 2 : 1024;
            uint32_t *k = realloc(self->known, ncap * sizeof *k);
            uint32_t *s = k ? realloc(self->scan, ncap * sizeof *s) : NULL;
            if (k)
                self->known = k;
            if (!s)
                break;
            self->scan = s;
            self->cap_known = ncap;
        }
        self->scan[n++] = (uint32_t)pid;
    }
    closedir(d);
    qsort(self->scan, n, sizeof *self->scan, s_cmp_pid);
    for (size_t i = 0; i < n; i++)
        if (!s_known(self, self->scan[i]))
            s_consider(self, self->scan[i]);
    uint32_t *t = self->known;
    self->known = self->scan;
    self->scan = t;
    self->n_known = n;
}

static void s_on_event(void *ctx, proctrack_event_t ev, uint32_t pid, uint32_t parent)
{
    tasks_t *self = ctx;
    tracked_t *t;
    switch (ev) {
    case PROCTRACK_FORK:
        if ((t = s_find(self, parent))) {
            pidstat_t ps;
            char id[TOPIC_ID_MAX + 1];
            snprintf(id, sizeof id, "%s", t->task_id);
            if (pidstat_read(self->proc_root, pid, &ps) == 0)
                s_track(self, pid, ps.starttime, id, false);
        }
        break;
    case PROCTRACK_EXEC:
        if (self->n_pending < TASKS_PENDING_MAX)
            self->pending[self->n_pending++] = pid;
        else
            self->rescan = true;
        break;
    case PROCTRACK_EXIT:
        if ((t = s_find(self, pid)))
            s_untrack(self, t);
        break;
    }
}

/* Brings the tracked set up to date with events (or a scan) and the registry. */
static void s_discover(tasks_t *self)
{
    int64_t now = clock_mono_ms();
    if (self->nl && proctrack_drain(self->nl, s_on_event, self) < 0)
        self->rescan = true;
    for (size_t i = 0; i < self->n_pending; i++)
        s_consider(self, self->pending[i]);
    self->n_pending = 0;
    if ((!self->nl || self->rescan) && now >= self->next_scan_ms) {
        s_scan(self);
        self->rescan = false;
        self->next_scan_ms = now + self->scan_ms;
    }
    for (size_t i = 0; i < taskreg_count(self->registry);) {
        uint32_t pid = taskreg_pid(self->registry, i);
        pidstat_t ps;
        tracked_t *t = s_find(self, pid);
        if (t && t->registered) {
            i++;
        } else if (pidstat_read(self->proc_root, pid, &ps) != 0) {
            taskreg_remove(self->registry, pid); /* exited */
        } else {
            const char *id = taskreg_lookup(self->registry, pid, ps.starttime);
            if (id)
                s_track(self, pid, ps.starttime, id, true);
            else
                taskreg_remove(self->registry, pid); /* the pid was reused */
            i++;
        }
    }
    for (size_t i = 0; i < self->n;) {
        tracked_t *t = &self->t[i];
        if (t->registered && !taskreg_lookup(self->registry, t->pid, t->start))
            s_untrack(self, t); /* unregistered */
        else
            i++;
    }
}

/* ------------------------------------------------------------ collection */

/* Reads one tracked process. false when it is gone. */
static bool s_measure(tasks_t *self, tracked_t *t, int64_t now_ns)
{
    const char *text;
    long len = procfile_read(t->stat, &text);
    pidstat_t ps;
    if (len <= 0 || pidstat_parse(text, (size_t)len, &ps) != 0 || ps.starttime != t->start)
        return false;
    Nodelink__TaskProcessMetrics *m = &t->pb;
    nodelink__task_process_metrics__init(m);
    m->task_id = t->task_id;
    m->has_pid = m->has_memory_bytes = m->has_virtual_memory_bytes = m->has_threads = 1;
    m->pid = t->pid;
    m->memory_bytes = ps.rss_pages * self->page;
    m->virtual_memory_bytes = ps.vsize;
    m->threads = ps.threads;
    uint64_t ticks = ps.utime + ps.stime;
    double el = (double)(now_ns - t->prev_ns) / 1e9;
    if (t->have_prev && ticks >= t->prev_ticks && el > 0) {
        m->has_cpu_percent = 1;
        m->cpu_percent = 100.0 * (double)(ticks - t->prev_ticks) / self->ticks_per_s / el;
    }
    t->prev_ticks = ticks;
    t->prev_ns = now_ns;
    t->have_prev = true;
    uint64_t rb, wb;
    if ((len = procfile_read(t->io, &text)) > 0 && tasks_io_parse(text, (size_t)len, &rb, &wb)) {
        m->has_read_bytes = m->has_write_bytes = 1;
        m->read_bytes = rb;
        m->write_bytes = wb;
    }
    return true;
}

static int s_collect(void *vself, sample_t *sample, int64_t now_ns)
{
    tasks_t *self = vself;
    s_discover(self);
    size_t out = 0;
    for (size_t i = 0; i < self->n;) {
        if (!s_measure(self, &self->t[i], now_ns)) {
            s_untrack(self, &self->t[i]);
            continue;
        }
        i++;
    }
    /* Pointers are taken after the loop: s_untrack moves entries. */
    for (size_t i = 0; i < self->n; i++)
        self->ptrs[out++] = &self->t[i].pb;
    Nodelink__ProcessMetrics *pm = sample_processes(sample);
    pm->task_processes = self->ptrs;
    pm->n_task_processes = out;
    return 0;
}

static void s_destroy(void **self_p)
{
    tasks_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; self->t && i < self->n; i++) {
        procfile_destroy(&self->t[i].stat);
        procfile_destroy(&self->t[i].io);
    }
    proctrack_destroy(&self->nl);
    free(self->t);
    free(self->ptrs);
    free(self->pending);
    free(self->known);
    free(self->scan);
    free(self->envbuf);
    free(self);
    *self_p = NULL;
}

static void *s_create(const collector_env_t *env)
{
    tasks_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->proc_root = env->proc_root;
    self->registry = env->registry;
    self->scan_ms = env->task_scan_ms > 0 ? env->task_scan_ms : 10000;
    self->t = calloc(TASKS_MAX, sizeof *self->t);
    self->ptrs = calloc(TASKS_MAX, sizeof *self->ptrs);
    self->pending = calloc(TASKS_PENDING_MAX, sizeof *self->pending);
    long tck = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    self->ticks_per_s = tck > 0 ? (double)tck : 100.0;
    self->page = page > 0 ? (uint64_t)page : 4096;
    if (!self->t || !self->ptrs || !self->pending || !self->registry) {
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    /* Events only make sense when proc_root is our own PID namespace's. */
    if (strcmp(env->proc_root, "/proc") == 0)
        self->nl = proctrack_new();
    log_info("task processes: %s", self->nl ? "following the kernel's process events"
                                            : "scanning /proc (process connector unavailable)");
    s_scan(self); /* task processes already running */
    self->next_scan_ms = clock_mono_ms() + self->scan_ms;
    return self;
}

const collector_def_t collector_tasks = {"tasks", "task", NULL, s_create, s_collect, s_destroy};
