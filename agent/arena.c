/*
 * arena.c - chunked region allocator. See arena.h.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 8192u
#define ARENA_ALIGN 16u

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} chunk_t;

struct arena_t {
    chunk_t *chunks;
    bool failed;
};

arena_t *arena_new(void)
{
    return calloc(1, sizeof(arena_t));
}

void arena_destroy(arena_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    chunk_t *c = (*self_p)->chunks;
    while (c) {
        chunk_t *next = c->next;
        free(c);
        c = next;
    }
    free(*self_p);
    *self_p = NULL;
}

void *arena_alloc(arena_t *self, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (size == 0)
        size = ARENA_ALIGN;
    chunk_t *c = self->chunks;
    if (!c || c->size - c->used < size) {
        size_t want = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = malloc(sizeof *c + want);
        if (!c) {
            self->failed = true;
            return NULL;
        }
        c->used = 0;
        c->size = want;
        c->next = self->chunks;
        self->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena_t *self, const char *s, size_t n)
{
    char *p = arena_alloc(self, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *arena_strdup(arena_t *self, const char *s)
{
    return s ? arena_strndup(self, s, strlen(s)) : NULL;
}

char *arena_printf(arena_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(self, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

bool arena_failed(const arena_t *self)
{
    return self->failed;
}
