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
    memset(out, 0, sizeof *out);
    DIR *d = opendir(proc_root);
    if (!d)
        return -1;
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
    closedir(d);
    return 0;
}

static void *s_create(const collector_env_t *env)
{
    return strdup(env->proc_root);
}

static int s_collect(void *self, sample_t *sample, int64_t now_ns)
{
    (void)now_ns;
    procs_counts_t c;
    if (procs_count(self, &c) != 0)
        return -1;
    Nodelink__ProcessMetrics *m = sample_processes(sample);
    m->has_total_processes = m->has_running_processes = 1;
    m->has_sleeping_processes = m->has_zombie_processes = 1;
    m->total_processes = c.total;
    m->running_processes = c.running;
    m->sleeping_processes = c.sleeping;
    m->zombie_processes = c.zombie;
    return 0;
}

static void s_destroy(void **self)
{
    free(*self);
    *self = NULL;
}

const collector_def_t collector_procs = {"procs", "processes", NULL, s_create, s_collect, s_destroy};
