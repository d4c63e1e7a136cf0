/*
 * ratelimit.h - requests per minute per key (a token's name), as token
 * buckets.
 *
 * Each key's bucket holds up to `per_minute` requests and refills at
 * per_minute/60 per second, exactly (integer arithmetic). Thread-safe (one
 * mutex; the critical section is a hash lookup and some arithmetic). Idle
 * buckets are pruned once full again, which changes no answer.
 */
#ifndef NODELINK_RATELIMIT_H
#define NODELINK_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit_t ratelimit_t;

/* per_minute 0 = unlimited (every call allowed). */
ratelimit_t *ratelimit_new(int64_t per_minute);
void ratelimit_destroy(ratelimit_t **self);

/* Takes one request for key (copied) at now_ms (monotonic; a time older
 * than one already seen for key counts as no time elapsed: it neither
 * refills nor costs). true = allowed; false = limited, *retry_after_s (when
 * not NULL) set to the seconds until one is available, rounded up (>= 1). */
bool ratelimit_take(ratelimit_t *self, const char *key, int64_t now_ms, int64_t *retry_after_s);

#endif
