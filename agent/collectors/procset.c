/*
 * procset.c - processes followed by events. See procset.h.
 */
#include "procset.h"
#include "pidset.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../scan.h"

typedef enum { EXITED_PENDING, EXITED_ZOMBIE, EXITED_EXITING } exited_state_t;

typedef struct {
    uint32_t pid;
    exited_state_t state;
} exited_t;

struct procset_t {
    DIR *dir;          /* proc_root, kept open: dirfd() anchors every openat */
    pidset_t *live;    /* alive when last seen */
    pidset_t *is_gone; /* membership of the exited list */
    exited_t *gone;    /* the exited list */
    size_t n_gone, cap_gone;
    uint32_t zombies, exiting; /* resolved entries of the list, last check */
    bool lost;
};

/* ------------------------------------------------------------ /proc/PID/stat */

bool procset_parse_stat(const char *text, size_t len, char *state, uint32_t *flags)
{
    size_t i = len;
    while (i > 0 && text[i - 1] != ')')
        i--;
    if (i == 0)
        return false;
    scan_t s = scan_init(text + i, len - i);
    scan_blanks(&s);
    if (scan_eof(&s) || *s.p < 'A' || *s.p > 'z')
        return false;
    *state = *s.p++;
    const char *w;
    size_t n;
    /* ppid pgrp session tty_nr tpgid (the last two may be negative) */
    for (int f = 0; f < 5; f++)
        if (!scan_word(&s, "", &w, &n))
            return false;
    uint64_t v;
    if (!scan_u64(&s, &v) || v > UINT32_MAX)
        return false;
    *flags = (uint32_t)v;
    return true;
}

/* Reads <dir>/<pid>/stat. false when the process is gone or the text bad. */
static bool s_read_stat(int dfd, uint32_t pid, char *state, uint32_t *flags)
{
    char path[32], buf[512];
    snprintf(path, sizeof path, "%u/stat", pid);
    int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    /* The fields needed follow the comm (at most 64 bytes): 512 holds them. */
    return n > 0 && procset_parse_stat(buf, (size_t)n, state, flags);
}

void procset_walk(DIR *dir, procset_visit_fn fn, void *ctx)
{
    rewinddir(dir);
    int dfd = dirfd(dir);
    struct dirent *e;
    while ((e = readdir(dir))) {
        char *end;
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        unsigned long pid = strtoul(e->d_name, &end, 10);
        char state;
        uint32_t flags;
        if (*end || pid > UINT32_MAX || !s_read_stat(dfd, (uint32_t)pid, &state, &flags))
            continue; /* not a process, or exited since readdir */
        fn(ctx, (uint32_t)pid, state, flags);
    }
}

/* ------------------------------------------------------------ the exited list */

static void s_gone_add(procset_t *self, uint32_t pid, exited_state_t state)
{
    if (self->n_gone == self->cap_gone) {
        size_t cap = self->cap_gone ? self->cap_gone * 2 : 64;
        exited_t *g = realloc(self->gone, cap * sizeof *g);
        if (!g) {
            self->lost = true;
            return;
        }
        self->gone = g;
        self->cap_gone = cap;
    }
    if (pidset_insert(self->is_gone, pid) != 1) {
        self->lost = true; /* out of memory (callers never add a listed pid) */
        return;
    }
    self->gone[self->n_gone++] = (exited_t){pid, state};
}

/* Removes entry i (the last one takes its place). */
static void s_gone_drop(procset_t *self, size_t i)
{
    pidset_remove(self->is_gone, self->gone[i].pid);
    self->gone[i] = self->gone[--self->n_gone];
}

static void s_live_add(procset_t *self, uint32_t pid)
{
    if (pidset_insert(self->live, pid) < 0)
        self->lost = true;
}

/* ------------------------------------------------------------ public */

procset_t *procset_new(const char *proc_root)
{
    procset_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->dir = opendir(proc_root);
    self->live = pidset_new();
    self->is_gone = pidset_new();
    if (!self->dir || !self->live || !self->is_gone)
        procset_destroy(&self);
    return self;
}

void procset_destroy(procset_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    procset_t *self = *self_p;
    if (self->dir)
        closedir(self->dir);
    pidset_destroy(&self->live);
    pidset_destroy(&self->is_gone);
    free(self->gone);
    free(self);
    *self_p = NULL;
}

static void s_scan_one(void *ctx, uint32_t pid, char state, uint32_t flags)
{
    procset_t *self = ctx;
    if (state == 'Z')
        s_gone_add(self, pid, EXITED_ZOMBIE);
    else if (state == 'X')
        return; /* being reaped */
    else if (flags & PROCSET_PF_EXITING)
        s_gone_add(self, pid, EXITED_EXITING);
    else
        s_live_add(self, pid);
}

static void s_recount(procset_t *self)
{
    self->zombies = self->exiting = 0;
    for (size_t i = 0; i < self->n_gone; i++) {
        self->zombies += self->gone[i].state == EXITED_ZOMBIE;
        self->exiting += self->gone[i].state == EXITED_EXITING;
    }
}

int procset_scan(procset_t *self)
{
    pidset_clear(self->live);
    pidset_clear(self->is_gone);
    self->n_gone = 0;
    self->lost = false;
    procset_walk(self->dir, s_scan_one, self);
    s_recount(self);
    return self->lost ? -1 : 0;
}

void procset_fork(procset_t *self, uint32_t pid)
{
    if (pid == 0)
        return;
    if (pidset_contains(self->is_gone, pid)) { /* the pid was reaped and reused */
        for (size_t i = 0; i < self->n_gone; i++) {
            if (self->gone[i].pid == pid) {
                s_gone_drop(self, i);
                break;
            }
        }
    }
    s_live_add(self, pid);
}

void procset_exit(procset_t *self, uint32_t pid)
{
    if (pid == 0)
        return;
    pidset_remove(self->live, pid);
    /* Unknown pids are listed too: procset_check finds out what they are. */
    if (!pidset_contains(self->is_gone, pid))
        s_gone_add(self, pid, EXITED_PENDING);
}

void procset_check(procset_t *self)
{
    int dfd = dirfd(self->dir);
    for (size_t i = 0; i < self->n_gone;) {
        exited_t *g = &self->gone[i];
        char state;
        uint32_t flags;
        if (!s_read_stat(dfd, g->pid, &state, &flags) || state == 'X') {
            s_gone_drop(self, i);
        } else if (state == 'Z') {
            g->state = EXITED_ZOMBIE;
            i++;
        } else if (flags & PROCSET_PF_EXITING) {
            g->state = EXITED_EXITING;
            i++;
        } else {
            s_live_add(self, g->pid);
            s_gone_drop(self, i);
        }
    }
    s_recount(self);
}

uint32_t procset_total(const procset_t *self)
{
    return (uint32_t)pidset_count(self->live) + self->zombies + self->exiting;
}

uint32_t procset_zombies(const procset_t *self)
{
    return self->zombies;
}

size_t procset_exited(const procset_t *self)
{
    return self->n_gone;
}

bool procset_lost(const procset_t *self)
{
    return self->lost;
}
