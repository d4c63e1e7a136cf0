/*
 * store.h - nodelink-store: the subscriber loop that turns published frames
 * into buffered records and hands them to the writer.
 *
 * One thread. A SUB socket connected to broker.subscribe_endpoint receives
 * "metrics." and "system." frames; every frame is validated (wire.h), checked
 * for duplicates and sequence gaps (ledger.h), encoded (record.h) and queued.
 * The queue is written when it holds a batch or its oldest record has waited
 * store.flush_interval; while Redis is away the loop keeps receiving into the
 * bounded queue. A PUB socket connected to broker.publish_endpoint carries
 * the store's health (health.h).
 */
#ifndef NODELINK_STORE_H
#define NODELINK_STORE_H

#include "store_config.h"

typedef struct store_t store_t;

/* Creates sockets and state from cfg (borrowed; must outlive the store).
 * NULL with a reason in err (bad endpoint, bad Redis URL, CURVE files). */
store_t *store_new(const store_config_t *cfg, char *err, size_t errlen);

void store_destroy(store_t **self);

/* Runs until signals_stop_requested(); then writes what it can within
 * redis.timeout and returns 0. */
int store_run(store_t *self);

#endif
