/*
 * blob.c - reference-counted immutable buffers. See blob.h.
 */
#include "blob.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blob_t {
    atomic_int refs;
    size_t len;
    char *data; /* points at inline_data or at a taken buffer */
    char inline_data[];
};

blob_t *blob_new(const void *data, size_t len)
{
    blob_t *b = malloc(sizeof *b + len + 1);
    if (!b)
        return NULL;
    atomic_init(&b->refs, 1);
    b->len = len;
    b->data = b->inline_data;
    if (len)
        memcpy(b->data, data, len);
    b->data[len] = '\0';
    return b;
}

blob_t *blob_take(char *data, size_t len)
{
    blob_t *b = data ? malloc(sizeof *b) : NULL;
    if (!b) {
        free(data);
        return NULL;
    }
    atomic_init(&b->refs, 1);
    b->len = len;
    b->data = data;
    return b;
}

blob_t *blob_printf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    return blob_take(s, (size_t)n);
}

blob_t *blob_ref(blob_t *b)
{
    if (b)
        atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
    return b;
}

void blob_unref(blob_t **b)
{
    if (!b || !*b)
        return;
    if (atomic_fetch_sub_explicit(&(*b)->refs, 1, memory_order_acq_rel) == 1) {
        if ((*b)->data != (*b)->inline_data)
            free((*b)->data);
        free(*b);
    }
    *b = NULL;
}

const char *blob_data(const blob_t *b)
{
    return b->data;
}

size_t blob_len(const blob_t *b)
{
    return b->len;
}
