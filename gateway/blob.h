/*
 * blob.h - immutable, reference-counted byte buffers.
 *
 * A rendered JSON body or SSE event is made once by the thread that receives
 * a sample and then read by any number of HTTP threads and streams, each
 * holding a reference. The bytes never change after blob_new*; the count is
 * atomic, so references may be taken and dropped on any thread.
 */
#ifndef NODELINK_BLOB_H
#define NODELINK_BLOB_H

#include <stddef.h>

typedef struct blob_t blob_t;

/* Copies len bytes of data. NULL on allocation failure. */
blob_t *blob_new(const void *data, size_t len);

/* Takes ownership of malloc'd data (freed with the blob). On failure frees
 * data and returns NULL. */
blob_t *blob_take(char *data, size_t len);

/* printf into a new blob. */
blob_t *blob_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Adds a reference; returns b. */
blob_t *blob_ref(blob_t *b);

/* Drops a reference (frees on the last) and NULLs *b. Safe on NULL. */
void blob_unref(blob_t **b);

const char *blob_data(const blob_t *b);
size_t blob_len(const blob_t *b);

#endif
