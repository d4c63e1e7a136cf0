/*
 * qpool.h - query contexts (store/query/include/query.h) lent to HTTP threads.
 *
 * A query context is one Redis connection and is not thread-safe; HTTP
 * requests run on several threads. The pool lends each request a context
 * of its own and keeps idle ones for reuse (one per concurrently querying
 * thread, in practice http.threads).
 */
#ifndef NODELINK_QPOOL_H
#define NODELINK_QPOOL_H

#include <stdint.h>

#include "query.h"

typedef struct qpool_t qpool_t;

/* NULL with err when redis_url is malformed. */
qpool_t *qpool_new(const char *redis_url, int64_t timeout_ms, query_error_t *err);
void qpool_destroy(qpool_t **self);

/* An idle (or new) context for the caller's exclusive use; NULL on
 * allocation failure. Give it back with qpool_put. */
query_ctx_t *qpool_get(qpool_t *self);
void qpool_put(qpool_t *self, query_ctx_t *ctx);

#endif
