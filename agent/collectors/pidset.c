/*
 * pidset.c - a set of process ids. See pidset.h.
 */
#include "pidset.h"

#include <stdlib.h>
#include <string.h>

#define PIDSET_MIN_SLOTS 256

struct pidset_t {
    uint32_t *slot; /* 0 = empty */
    size_t mask;    /* slots - 1; slots is a power of two */
    size_t count;
};

/* Fibonacci hashing: consecutive pids (the common case) spread evenly. */
static size_t s_home(const pidset_t *self, uint32_t pid)
{
    return (size_t)(pid * 2654435761u) & self->mask;
}

pidset_t *pidset_new(void)
{
    pidset_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->slot = calloc(PIDSET_MIN_SLOTS, sizeof *self->slot);
    if (!self->slot) {
        free(self);
        return NULL;
    }
    self->mask = PIDSET_MIN_SLOTS - 1;
    return self;
}

void pidset_destroy(pidset_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->slot);
    free(*self_p);
    *self_p = NULL;
}

/* The slot holding pid, or the empty slot ending its probe run. */
static size_t s_find(const pidset_t *self, uint32_t pid)
{
    size_t i = s_home(self, pid);
    while (self->slot[i] && self->slot[i] != pid)
        i = (i + 1) & self->mask;
    return i;
}

static int s_grow(pidset_t *self)
{
    size_t slots = (self->mask + 1) * 2;
    uint32_t *old = self->slot;
    size_t old_slots = self->mask + 1;
    uint32_t *fresh = calloc(slots, sizeof *fresh);
    if (!fresh)
        return -1;
    self->slot = fresh;
    self->mask = slots - 1;
    for (size_t i = 0; i < old_slots; i++)
        if (old[i])
            self->slot[s_find(self, old[i])] = old[i];
    free(old);
    return 0;
}

int pidset_insert(pidset_t *self, uint32_t pid)
{
    if (pid == 0)
        return -1;
    size_t i = s_find(self, pid);
    if (self->slot[i] == pid)
        return 0;
    if ((self->count + 1) * 2 > self->mask + 1) {
        if (s_grow(self) != 0)
            return -1;
        i = s_find(self, pid);
    }
    self->slot[i] = pid;
    self->count++;
    return 1;
}

bool pidset_remove(pidset_t *self, uint32_t pid)
{
    if (pid == 0)
        return false;
    size_t hole = s_find(self, pid);
    if (self->slot[hole] != pid)
        return false;
    /* Backward-shift deletion: move every later entry of the run whose home
     * does not lie cyclically in (hole, j] into the hole, so lookups never
     * stop early at the emptied slot. */
    for (size_t j = (hole + 1) & self->mask; self->slot[j]; j = (j + 1) & self->mask) {
        size_t home = s_home(self, self->slot[j]);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            self->slot[hole] = self->slot[j];
            hole = j;
        }
    }
    self->slot[hole] = 0;
    self->count--;
    return true;
}

bool pidset_contains(const pidset_t *self, uint32_t pid)
{
    return pid != 0 && self->slot[s_find(self, pid)] == pid;
}

size_t pidset_count(const pidset_t *self)
{
    return self->count;
}

size_t pidset_capacity(const pidset_t *self)
{
    return self->mask + 1;
}

void pidset_clear(pidset_t *self)
{
    memset(self->slot, 0, (self->mask + 1) * sizeof *self->slot);
    self->count = 0;
}
