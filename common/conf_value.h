/*
 * conf_value.h - typed values of the option table: text in, field out.
 * Private to common/ (services include config.h only).
 *
 * Every value reaches a service's config struct through here, whether it
 * comes from a default, the command line or the YAML file, so all three
 * accept exactly the same syntax (see config.h) and give the same errors.
 * A value is parsed into a temporary and checked (range, the option's check
 * function) before it is stored: a bad value never leaves the config
 * half-changed.
 *
 * Error messages start with the option's key ("metrics.collection_interval:
 * invalid duration 'fast' (use e.g. 500ms, 5s, 24h, 7d)"); callers add the
 * file and line.
 *
 * Includes run one way: config.c, conf_yaml.c and conf_print.c use this
 * layer; it uses nothing of theirs.
 */
#ifndef NODELINK_CONF_VALUE_H
#define NODELINK_CONF_VALUE_H

#include "config.h"

/* Sets option o in cfg from text as the command line gives it: a list is
 * comma-separated with blanks trimmed ("" is the empty list); a key of
 * another service (CONF_FOREIGN) is refused. 0, or -1 with err. */
int conf_value_set(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen);

/* Sets a scalar option (any type but CONF_LIST) from one text value.
 * 0, or -1 with err. */
int conf_value_set_scalar(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen);

/* Sets a CONF_LIST option to a copy of items[0..n). Items are borrowed;
 * an empty item is an error. 0, or -1 with err. */
int conf_value_set_list(const conf_option_t *o, void *cfg, char *const *items, size_t n, char *err,
                        size_t errlen);

/* Parse and check without storing: how a key of another service is checked
 * in a shared file. 0, or -1 with err. The option's offset is not used. */
int conf_value_check_scalar(const conf_option_t *o, const char *text, char *err, size_t errlen);
int conf_value_check_list(const conf_option_t *o, char *const *items, size_t n, char *err, size_t errlen);

/* Formats a scalar option's value of a type other than CONF_STRING and
 * CONF_LIST as text that the same option parses back to the same value:
 * "42", "true", "5s", "0.25". */
void conf_value_format(const conf_option_t *o, const void *cfg, char *buf, size_t size);

/* Frees the string or list that option o holds in cfg; nothing for the
 * other types and for keys of other services. */
void conf_value_clear(const conf_option_t *o, void *cfg);

#endif
