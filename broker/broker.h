/*
 * broker.h - nodelink-broker: owns the four sockets, the zloop that drives
 * them on one thread, and the parts that handle them:
 *
 *   frontend XSUB  --fanout-->  backend XPUB     (fanout.c, checked frames)
 *   agents ROUTER  <-control->  clients ROUTER   (control.c, registry.c, pending.c)
 *   auth (auth.c)  CURVE + zauth when security.curve is on
 *
 * Timers: every 100 ms heartbeat expiry, request timeouts and the stop flag
 * (signals.h); every broker.health_interval the broker's own
 * health.broker: frame (ServiceHealth with every counter of stats.h).
 */
#ifndef NODELINK_BROKER_BROKER_H
#define NODELINK_BROKER_BROKER_H

#include <stddef.h>

#include "broker_config.h"

typedef struct broker_t broker_t;

/* Creates and binds everything. NULL with a reason in err (bad endpoint,
 * address in use, certificate problems). cfg is borrowed and must outlive
 * the broker. */
broker_t *broker_new(const broker_config_t *cfg, char *err, size_t errlen);
void broker_destroy(broker_t **self_p);

/* Runs until a stop is requested (SIGINT/SIGTERM). 0, or -1 on a fatal
 * loop error. */
int broker_run(broker_t *self);

#endif
