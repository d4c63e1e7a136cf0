/*
 * procs.c - the processes collector (counts). See procs.h.
 */
#include "collector.h"
#include "procs.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static bool s_is_pid(const char *name)
{
    if (!*name)
        return false;
    for (; *name; name++)
        if (*name < '0' || *name > '9')
            return false;
    return true;
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
    rewinddir(d);
    int dfd = dirfd(d);
    struct dirent *e;
    char path[300], buf[512];
    while ((e = readdir(d))) {
        if (!s_is_pid(e->d_name))
            continue;
        snprintf(path, sizeof path, "%s/stat", e->d_name);
        int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue; /* exited since readdir */
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        /* The state follows the comm, which fits in the first 512 bytes. */
        char st = procs_state(buf, (size_t)n);
        if (!st)
            continue;
        out->total++;
        if (st == 'R')
            out->running++;
        else if (st == 'S' || st == 'D')
            out->sleeping++;
        else if (st == 'Z')
            out->zombie++;
    }
    return 0;
}

typedef struct {
    DIR *dir;         /* proc_root, kept open between scans */
    int64_t every_ns; /* scan_interval */
    int64_t last_ns;  /* monotonic time of the last scan */
    bool have;        /* counts holds a scan */
    procs_counts_t counts;
} procs_collector_t;

static void *s_create(const collector_env_t *env)
{
    procs_collector_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->dir = opendir(env->proc_root);
    self->every_ns = env->task_scan_ms * 1000000;
    if (!self->dir) {
        free(self);
        return NULL;
    }
    return self;
}

static int s_collect(void *vself, sample_t *sample, int64_t now_ns)
{
    procs_collector_t *self = vself;
    /* A tenth of the interval of slack: samples land on aligned slots, and
     * a scan due at the slot must not slip to the next one by jitter. */
    if (!self->have || now_ns - self->last_ns >= self->every_ns - self->every_ns / 10) {
        procs_counts_t c;
        if (procs_count_dir(self->dir, &c) != 0)
            return -1;
        self->counts = c;
        self->last_ns = now_ns;
        self->have = true;
    }
    const procs_counts_t c = self->counts;
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
    if (self && self->dir)
        closedir(self->dir);
    free(self);
    *vself = NULL;
}

const collector_def_t collector_procs = {"procs", "processes", NULL, s_create, s_collect, s_destroy};
