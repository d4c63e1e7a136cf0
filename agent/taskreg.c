/*
 * taskreg.c - registered task processes. See taskreg.h.
 *
 * A flat array: registrations are few (each is one control request), and a
 * lookup happens once per new process, not per sample.
 */
#include "taskreg.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t pid;
    uint64_t start;
    char *task_id;
} reg_t;

struct taskreg_t {
    reg_t *regs;
    size_t n, cap;
};

taskreg_t *taskreg_new(void)
{
    return calloc(1, sizeof(taskreg_t));
}

void taskreg_destroy(taskreg_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    taskreg_t *self = *self_p;
    for (size_t i = 0; i < self->n; i++)
        free(self->regs[i].task_id);
    free(self->regs);
    free(self);
    *self_p = NULL;
}

static reg_t *s_find(const taskreg_t *self, uint32_t pid)
{
    for (size_t i = 0; i < self->n; i++)
        if (self->regs[i].pid == pid)
            return &self->regs[i];
    return NULL;
}

int taskreg_add(taskreg_t *self, uint32_t pid, uint64_t start_ticks, const char *task_id)
{
    char *copy = strdup(task_id);
    if (!copy)
        return -1;
    reg_t *r = s_find(self, pid);
    if (!r) {
        if (self->n == TASKREG_MAX) {
            free(copy);
            return -1;
        }
        if (self->n == self->cap) {
            size_t ncap = self->cap ? self->cap * 2 : 8;
            reg_t *regs = realloc(self->regs, ncap * sizeof *regs);
            if (!regs) {
                free(copy);
                return -1;
            }
            self->regs = regs;
            self->cap = ncap;
        }
        r = &self->regs[self->n++];
        r->task_id = NULL;
    }
    free(r->task_id);
    r->pid = pid;
    r->start = start_ticks;
    r->task_id = copy;
    return 0;
}

bool taskreg_remove(taskreg_t *self, uint32_t pid)
{
    reg_t *r = s_find(self, pid);
    if (!r)
        return false;
    free(r->task_id);
    *r = self->regs[--self->n];
    return true;
}

const char *taskreg_lookup(const taskreg_t *self, uint32_t pid, uint64_t start_ticks)
{
    const reg_t *r = s_find(self, pid);
    return r && r->start == start_ticks ? r->task_id : NULL;
}

size_t taskreg_count(const taskreg_t *self)
{
    return self->n;
}

uint32_t taskreg_pid(const taskreg_t *self, size_t i)
{
    return i < self->n ? self->regs[i].pid : 0;
}
