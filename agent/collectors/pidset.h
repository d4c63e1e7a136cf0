/*
 * pidset.h - a set of process ids: open addressing with linear probing.
 *
 * Insert, remove and lookup cost O(1) on average whatever the number of
 * pids, which is what lets the process counts follow starts and exits one
 * event at a time instead of rescanning /proc.
 *
 * Layout: a power-of-two array of uint32 slots, 0 meaning empty (pid 0 is
 * the idle task, never a process under /proc, and is refused). The table
 * doubles when an insert would fill it past a half, so probe sequences stay
 * short; it never shrinks. Removal shifts the following entries of the
 * probe run back into the hole (no tombstones), so a set that sees millions
 * of inserts and removals keeps its probe runs as short as a freshly built
 * one and never needs rebuilding. Steady state allocates nothing: only an
 * insert past the half-full mark allocates (the doubled table).
 */
#ifndef NODELINK_COLLECTOR_PIDSET_H
#define NODELINK_COLLECTOR_PIDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pidset_t pidset_t;

/* An empty set. NULL on allocation failure. */
pidset_t *pidset_new(void);

/* Frees the set and NULLs *self. Safe on NULL. */
void pidset_destroy(pidset_t **self);

/* Adds pid. 1 when added, 0 when already there, -1 when pid is 0 or the
 * table could not grow (the set is unchanged then). */
int pidset_insert(pidset_t *self, uint32_t pid);

/* Removes pid. true when it was there. */
bool pidset_remove(pidset_t *self, uint32_t pid);

bool pidset_contains(const pidset_t *self, uint32_t pid);

/* Number of pids in the set. */
size_t pidset_count(const pidset_t *self);

/* Number of slots (a power of two, at least twice the count). */
size_t pidset_capacity(const pidset_t *self);

/* Empties the set, keeping its table. */
void pidset_clear(pidset_t *self);

#endif
