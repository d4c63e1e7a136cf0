/*
 * procs.c - the processes collector (counts). See procs.h.
 */
#include "collector.h"
#include "procs.h"
#include "loadavg.h"
#include "procset.h"
#include "proctrack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../procfile.h"
#include "../scan.h"
#include "clock.h"
#include "log.h"

/* Inode numbers of the initial namespaces (PROC_PID_INIT_INO and
 * PROC_USER_INIT_INO of the kernel: fixed constants). */
#define PROCS_INIT_PID_NS_INO 0xEFFFFFFCu
#define PROCS_INIT_USER_NS_INO 0xEFFFFFFDu

/* ------------------------------------------------------------ parsing */

char procs_state(const char *text, size_t len)
{
    for (size_t i = len; i > 0; i--) {
        if (text[i - 1] == ')') {
            if (i + 1 < len && text[i] == ' ')
                return text[i + 1];
            return 0;
        }
    }
    return 0;
}

bool procs_parse_running(const char *text, size_t len, uint32_t *nr_running)
{
    return loadavg_parse_runnable(text, len, nr_running);
}

procs_counts_t procs_derive(uint32_t total, uint32_t zombie, uint32_t nr_running)
{
    if (zombie > total)
        zombie = total;
    uint32_t alive = total - zombie;
    uint32_t running = nr_running > 0 ? nr_running - 1 : 0; /* not the reader itself */
    if (running > alive)
        running = alive;
    return (procs_counts_t){total, running, alive - running, zombie};
}

static void s_count_one(void *ctx, uint32_t pid, char state, uint32_t flags)
{
    (void)pid;
    (void)flags;
    procs_counts_t *c = ctx;
    if (state == 'X')
        return; /* being reaped */
    c->total++;
    c->running += state == 'R';
    c->zombie += state == 'Z';
}

int procs_count(const char *proc_root, procs_counts_t *out)
{
    DIR *d = opendir(proc_root);
    if (!d)
        return -1;
    int rc = procs_count_dir(d, out);
    closedir(d);
    return rc;
}

int procs_count_dir(DIR *d, procs_counts_t *out)
{
    memset(out, 0, sizeof *out);
    procset_walk(d, s_count_one, out);
    out->sleeping = out->total - out->running - out->zombie;
    return 0;
}

/* ------------------------------------------------------------ collector */

typedef struct {
    procfile_t *loadavg; /* nr_running, every sample */
    int64_t every_ns;    /* scan_interval: the bound on full scans */
    int64_t last_scan_ns;
    bool have;                             /* total and zombie hold a scan's result */
    uint32_t total, zombie, state_running; /* the last good counts */
    /* connector mode */
    proctrack_t *nl;
    procset_t *set;
    bool resync; /* events were lost: rebuild the set when a scan is allowed */
    log_limit_t lost_log;
    /* scan mode */
    DIR *dir;
} procs_collector_t;

static void s_ignore(void *ctx, proctrack_event_t ev, uint32_t pid, uint32_t parent)
{
    (void)ctx, (void)ev, (void)pid, (void)parent;
}

static void s_on_event(void *ctx, proctrack_event_t ev, uint32_t pid, uint32_t parent)
{
    (void)parent;
    procs_collector_t *self = ctx;
    if (ev == PROCTRACK_FORK)
        procset_fork(self->set, pid);
    else if (ev == PROCTRACK_EXIT)
        procset_exit(self->set, pid);
}

static bool s_scan_due(const procs_collector_t *self, int64_t now_ns)
{
    /* A tenth of the interval of slack: samples land on aligned slots, and
     * a scan due at the slot must not slip to the next one by jitter. */
    return !self->have || now_ns - self->last_scan_ns >= self->every_ns - self->every_ns / 10;
}

/* Connector mode: rebuilds the set. The subscription is live throughout, so
 * every change after the scan read a process is in the queue behind it. */
static void s_resync(procs_collector_t *self, int64_t now_ns)
{
    proctrack_drain(self->nl, s_ignore, NULL); /* superseded by the scan */
    int rc = procset_scan(self->set);
    int events = proctrack_drain(self->nl, s_on_event, self);
    procset_check(self->set);
    self->last_scan_ns = now_ns;
    self->resync = rc != 0 || events < 0 || procset_lost(self->set);
    if (rc == 0) {
        self->total = procset_total(self->set);
        self->zombie = procset_zombies(self->set);
        self->have = true;
    }
}

static void s_follow(procs_collector_t *self, int64_t now_ns)
{
    int events = proctrack_drain(self->nl, self->resync ? s_ignore : s_on_event, self);
    if (!self->resync && (events < 0 || procset_lost(self->set))) {
        log_ratelimited(
            &self->lost_log, LOG_LEVEL_INFO,
            "process counts: process events were lost (%s); rescanning /proc, at most every %lld ms",
            events < 0 ? "queue overflow" : "out of memory", (long long)(self->every_ns / 1000000));
        self->resync = true;
    }
    if (self->resync) {
        if (s_scan_due(self, now_ns))
            s_resync(self, now_ns);
        return; /* otherwise the last good counts stand */
    }
    procset_check(self->set);
    self->total = procset_total(self->set);
    self->zombie = procset_zombies(self->set);
}

static int s_scan(procs_collector_t *self, int64_t now_ns)
{
    if (!s_scan_due(self, now_ns))
        return 0;
    procs_counts_t c;
    if (procs_count_dir(self->dir, &c) != 0)
        return -1;
    self->total = c.total;
    self->zombie = c.zombie;
    self->state_running = c.running;
    self->last_scan_ns = now_ns;
    self->have = true;
    return 0;
}

static int s_collect(void *vself, sample_t *sample, int64_t now_ns)
{
    procs_collector_t *self = vself;
    if (self->nl)
        s_follow(self, now_ns);
    else if (s_scan(self, now_ns) != 0)
        return -1;
    if (!self->have)
        return -1;
    /* The load collector, which runs first, read the runnable count with
     * the averages; read it here only when the load group is not collected. */
    uint32_t nr = sample->runnable;
    const char *text;
    long len;
    if (!sample->has_runnable &&
        ((len = procfile_read(self->loadavg, &text)) <= 0 || !procs_parse_running(text, (size_t)len, &nr)))
        nr = self->state_running + 1;
    procs_counts_t c = procs_derive(self->total, self->zombie, nr);
    Nodelink__ProcessMetrics *m = sample_processes(sample);
    m->has_total_processes = m->has_running_processes = 1;
    m->has_sleeping_processes = m->has_zombie_processes = 1;
    m->total_processes = c.total;
    m->running_processes = c.running;
    m->sleeping_processes = c.sleeping;
    m->zombie_processes = c.zombie;
    return 0;
}

static void s_destroy(void **vself)
{
    procs_collector_t *self = *vself;
    if (!self)
        return;
    proctrack_destroy(&self->nl);
    procset_destroy(&self->set);
    if (self->dir)
        closedir(self->dir);
    procfile_destroy(&self->loadavg);
    free(self);
    *vself = NULL;
}

static bool s_initial_namespace(const char *link, unsigned long ino)
{
    struct stat st;
    return stat(link, &st) == 0 && (unsigned long)st.st_ino == ino;
}

/* Subscribes to process events when they can describe proc_root. NULL with
 * the reason in *why otherwise. */
static proctrack_t *s_subscribe(const char *proc_root, const char **why)
{
    if (strcmp(proc_root, "/proc") != 0) {
        *why = "agent.proc_root is not /proc";
        return NULL;
    }
    /* The kernel silently ignores subscriptions from other namespaces. */
    if (!s_initial_namespace("/proc/self/ns/pid", PROCS_INIT_PID_NS_INO) ||
        !s_initial_namespace("/proc/self/ns/user", PROCS_INIT_USER_NS_INO)) {
        *why = "not in the initial PID and user namespaces";
        return NULL;
    }
    proctrack_t *nl = proctrack_new();
    if (!nl)
        *why = errno == EPERM || errno == EACCES ? "not permitted (needs CAP_NET_ADMIN)" : strerror(errno);
    return nl;
}

static void *s_create(const collector_env_t *env)
{
    procs_collector_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->every_ns = env->task_scan_ms * 1000000;
    self->loadavg = procfile_new_at(env->proc_root, "loadavg");
    const char *why = NULL;
    self->nl = self->loadavg ? s_subscribe(env->proc_root, &why) : NULL;
    if (self->nl && !(self->set = procset_new(env->proc_root))) {
        proctrack_destroy(&self->nl);
        why = "out of memory";
    }
    if (self->nl) {
        s_resync(self, clock_mono_ns());
        log_info("process counts: kernel process connector, incremental (%u processes at start; "
                 "a rescan at most every %lld ms if events are lost)",
                 self->total, (long long)env->task_scan_ms);
        return self;
    }
    self->dir = opendir(env->proc_root);
    if (!self->loadavg || !self->dir) {
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    log_info("process counts: scanning %s at most every %lld ms (process connector not used: %s)",
             env->proc_root, (long long)env->task_scan_ms, why ? why : "unavailable");
    return self;
}

const collector_def_t collector_procs = {"procs", "processes", NULL, s_create, s_collect, s_destroy};
