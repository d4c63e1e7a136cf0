/*
 * privacy.h - hiding host names, addresses and package lists in API output.
 *
 * Applied to system information JSON (the only output that carries them)
 * just before it is sent, so the stored copy stays complete. Each of
 * hostname, IP addresses and MAC addresses is kept, anonymised or excluded;
 * package lists are kept or excluded. An anonymised value is
 * "anon-" + 16 hex digits of a BLAKE2b keyed with privacy.salt: stable (the
 * same host always gets the same name, so a dashboard can still tell hosts
 * apart) but not reversible without the salt. Immutable after creation.
 */
#ifndef NODELINK_PRIVACY_H
#define NODELINK_PRIVACY_H

#include <jansson.h>
#include <stdbool.h>

#include "gwconfig.h"

typedef struct privacy_t privacy_t;

privacy_t *privacy_new(const gw_config_t *cfg);
void privacy_destroy(privacy_t **self);

/* Rewrites a system information object in place. */
void privacy_apply(const privacy_t *self, json_t *sysinfo);

#endif
