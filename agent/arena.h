/*
 * arena.h - a region allocator for building protobuf-c response trees.
 *
 * Responses the agent builds on request (system information, history
 * queries) are trees of small structs and strings with one lifetime: built,
 * packed, sent, dropped. An arena hands out memory from chunks and frees it
 * all at once with arena_destroy, so building code needs no per-node free
 * and cannot leak on an error path. Allocation failure returns NULL; the
 * caller checks (or uses arena_failed() once at the end).
 */
#ifndef NODELINK_ARENA_H
#define NODELINK_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena_t arena_t;

arena_t *arena_new(void);

/* Frees every allocation of the arena and NULLs *self. Safe on NULL. */
void arena_destroy(arena_t **self);

/* size bytes, zeroed, aligned for any type. NULL on failure. */
void *arena_alloc(arena_t *self, size_t size);

/* A copy of s (NULL stays NULL). */
char *arena_strdup(arena_t *self, const char *s);

/* A copy of n bytes of s, NUL-terminated. */
char *arena_strndup(arena_t *self, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(arena_t *self, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True once any allocation of this arena failed. */
bool arena_failed(const arena_t *self);

#endif
