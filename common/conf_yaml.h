/*
 * conf_yaml.h - writing the configuration as YAML with libcyaml, through
 * the schema that loads it (conf_load_file() of config.h is the other half
 * of conf_yaml.c). Private to common/.
 */
#ifndef NODELINK_CONF_YAML_H
#define NODELINK_CONF_YAML_H

#include <stdint.h>

#include "config.h"

/* One option's value as text: str for a scalar, seq[0..seq_count) for a
 * list (seq not NULL, even for an empty list). Borrowed. */
typedef struct {
    char *str;
    char **seq;
    uint32_t seq_count;
} conf_slot_t;

/* Writes slots (one per option of schema, in table order) as one YAML
 * document: nested by the keys' dots, other services' keys left out,
 * strings and list items double-quoted, other values plain, lists in flow
 * style. 0 with *out (malloc'd, free() it) and *len, or -1 with err. */
int conf_yaml_save(const conf_schema_t *schema, const conf_slot_t *slots, char **out, size_t *len, char *err,
                   size_t errlen);

/* Can a YAML string hold text? (Only not when it is not valid UTF-8.) */
bool conf_yaml_can_hold(const char *text);

#endif
