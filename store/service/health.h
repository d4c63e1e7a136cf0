/*
 * health.h - the store's own health: a ServiceHealth frame on topic
 * "health.store:" (published through the broker's frontend so the gateway
 * and nodelinkctl can show it) and one log line, every
 * store.health_interval.
 *
 * Counters (all cumulative except *_depth, *_bytes, write_lag_ms, agents):
 *   received, invalid, duplicates, gaps, dropped, buffer_depth, buffer_bytes,
 *   write_lag_ms, stored, system_stored, rollups, already_stored, late,
 *   batches, redis_errors, reconnects, agents, redis_connected
 * `ready` is true while Redis is connected; `detail` holds the last Redis
 * error while it is not.
 */
#ifndef NODELINK_HEALTH_H
#define NODELINK_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEALTH_SERVICE "store"
#define HEALTH_MAX 32

typedef struct {
    const char *name;
    uint64_t value;
} health_counter_t;

typedef struct {
    health_counter_t counters[HEALTH_MAX];
    size_t n;
    bool ready;
    const char *detail;
} health_t;

/* Adds a counter (ignored beyond HEALTH_MAX). */
void health_add(health_t *h, const char *name, uint64_t value);

/* Publishes h on socket (raw libzmq PUB). 0 or -1 (errno from zmq). */
int health_publish(void *socket, const health_t *h, int64_t now_ms);

/* Writes "key=value key=value ..." into buf. */
void health_format(const health_t *h, char *buf, size_t size);

#endif
