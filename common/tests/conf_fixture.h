/*
 * conf_fixture.h - what the configuration tests share: a schema with an
 * option of every type, and temporary files.
 */
#ifndef NODELINK_CONF_FIXTURE_H
#define NODELINK_CONF_FIXTURE_H

#include <stdio.h>

#include "config.h"

/* A service's config struct with one field of every type. */
typedef struct {
    char *name;
    char *label;
    int64_t count;
    bool enabled;
    int64_t interval_ms;
    int64_t buffer;
    double ratio;
    conf_list_t tags;
    conf_list_t extra;
} fixture_cfg_t;

/* Options of every type, in two sections and a nested one:
 *   app.name (string, default "svc"), app.label (string, no default),
 *   app.count (integer 0 .. 1000000), app.enabled (boolean, true),
 *   timing.interval (duration 100ms .. 1h, 5s), timing.buffer (size, 64KB),
 *   timing.limits.ratio (number, 0.5), app.tags (list, "cpu,memory"),
 *   app.extra (list, no default).
 * app.tags is deliberately after the timing section: a table may come back
 * to a section. */
extern const conf_schema_t fixture_schema;

/* Writes text to a new temporary file; returns its malloc'd path. */
char *fixture_write(const char *text);

/* Removes and frees a path from fixture_write(). */
void fixture_remove(char *path);

/* conf_print() into a malloc'd string; asserts success. */
char *fixture_print(const conf_schema_t *schema, const void *cfg);

/* Loads cfg (zeroed here) from defaults and the YAML file text, as
 * `program --config FILE` would; returns conf_load()'s result, err holds
 * its message (512 bytes). */
conf_result_t fixture_load_text(const conf_schema_t *schema, void *cfg, size_t cfg_size, const char *text,
                                char *err);

#endif
