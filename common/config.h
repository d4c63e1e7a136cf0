/*
 * config.h - declarative configuration: YAML file, command-line overrides,
 * defaults, --help, all from one option table per service.
 *
 * A service describes each setting once:
 *
 *     static const conf_option_t opts[] = {
 *         CONF_OPT("agent.id", CONF_STRING, agent_config_t, id, NULL, "Agent id (default: hostname)"),
 *         CONF_OPT_RANGE("metrics.collection_interval", CONF_DURATION, agent_config_t,
 *                        interval_ms, "5s", 100, 3600000, "Sampling interval"),
 *         ...
 *     };
 *
 * conf_load() applies, in order: the defaults, the YAML file given with
 * --config FILE (loaded with libcyaml through a schema built from the same
 * table, so the file's nesting is the dotted key's), then every
 * --dotted.key=value (or --dotted.key value) argument, as redis-server takes
 * any directive as a flag. An unknown key or a bad value is an error naming
 * the key and, for the file, its line. --print-config writes YAML that
 * --config loads back to the same configuration.
 *
 * Value syntax (file and command line alike):
 *   CONF_STRING    any text
 *   CONF_INT       decimal integer, checked against [min, max] when max > min
 *   CONF_BOOL      true/false, yes/no, on/off, 1/0
 *   CONF_DURATION  integer with unit ms, s, m, h, d ("500ms", "5s", "24h", "7d");
 *                  a bare number means seconds; stored in milliseconds
 *   CONF_SIZE      integer with optional unit B, KB, MB, GB (powers of 1024); bytes
 *   CONF_DOUBLE    decimal number
 *   CONF_LIST      YAML sequence in the file; comma-separated on the command line
 *
 * The implementation is split by job (see the top of config.c): value
 * syntax (conf_value.c), the file (conf_yaml.c, conf_line.c), the command
 * line (config.c), and --help and --print-config (conf_print.c).
 */
#ifndef NODELINK_CONFIG_H
#define NODELINK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    CONF_STRING = 0, /* char * (owned by the config; freed by conf_free) */
    CONF_INT,        /* int64_t */
    CONF_BOOL,       /* bool */
    CONF_DURATION,   /* int64_t milliseconds */
    CONF_SIZE,       /* int64_t bytes */
    CONF_DOUBLE,     /* double */
    CONF_LIST,       /* conf_list_t */
} conf_type_t;

typedef struct {
    char **items;
    size_t count;
} conf_list_t;

/* Optional extra check of a parsed value (e.g. an agent id's characters).
 * Returns 0, or -1 after writing the reason into err. */
typedef int (*conf_check_fn)(const void *value, char *err, size_t errlen);

typedef struct {
    const char *key; /* dotted: "metrics.collection_interval" */
    conf_type_t type;
    size_t offset;    /* of the value in the service's config struct */
    const char *def;  /* default as text (value syntax above); NULL = empty/0 */
    int64_t min, max; /* inclusive bounds for INT/DURATION/SIZE when max > min */
    conf_check_fn check;
    const char *help;
} conf_option_t;

#define CONF_OPT(key, type, st, field, def, help)                                                            \
    {                                                                                                        \
        key, type, offsetof(st, field), def, 0, 0, NULL, help                                                \
    }
#define CONF_OPT_RANGE(key, type, st, field, def, lo, hi, help)                                              \
    {                                                                                                        \
        key, type, offsetof(st, field), def, lo, hi, NULL, help                                              \
    }
#define CONF_OPT_CHECK(key, type, st, field, def, check, help)                                               \
    {                                                                                                        \
        key, type, offsetof(st, field), def, 0, 0, check, help                                               \
    }

/* A key another nodelink service owns (help = its program name), accepted
 * in this service's YAML file so that one file can configure several
 * services - the specification's server block holds both the store's
 * metrics.storage.* and the gateway's metrics.api.* settings. Its value is
 * type-checked and then ignored; on the command line it is an error (it
 * would do nothing). --help lists these keys apart. */
#define CONF_FOREIGN SIZE_MAX
#define CONF_OPT_FOREIGN(key, type, owner)                                                                   \
    {                                                                                                        \
        key, type, CONF_FOREIGN, NULL, 0, 0, NULL, owner                                                     \
    }

typedef struct {
    const char *program; /* "nodelink-agent" */
    const char *summary; /* one line for --help */
    const conf_option_t *options;
    size_t n_options;
} conf_schema_t;

typedef enum {
    CONF_LOADED = 0, /* configuration ready: run */
    CONF_EXIT_OK,    /* --help or --version was printed: exit 0 */
    CONF_ERROR,      /* error written into err: exit CONF_EXIT_USAGE */
} conf_result_t;

#define CONF_EXIT_USAGE 2

/* Fills cfg (zeroed by the caller) from defaults, --config FILE and
 * command-line overrides. --help and --version print to stdout. On
 * CONF_ERROR, err holds one line such as
 *   "agent.yaml:7: metrics.collection_interval: invalid duration 'fast' (use e.g. 500ms, 5s, 24h, 7d)".
 * The caller must conf_free() cfg in every case. */
conf_result_t conf_load(const conf_schema_t *schema, void *cfg, int argc, char **argv, char *err,
                        size_t errlen);

/* Loads only a YAML file on top of what cfg holds. Used by conf_load and tests. */
int conf_load_file(const conf_schema_t *schema, void *cfg, const char *path, char *err, size_t errlen);

/* Sets one key from text, as the command line would. 0, or -1 with err. */
int conf_set(const conf_schema_t *schema, void *cfg, const char *key, const char *value, char *err,
             size_t errlen);

/* Frees every string and list held by cfg. */
void conf_free(const conf_schema_t *schema, void *cfg);

/* Prints usage and every key with its type, default and help. */
void conf_print_help(const conf_schema_t *schema, FILE *out);

/* Prints the effective configuration as YAML (for --print-config): every
 * key of the service, nested by its dots; strings and list items
 * double-quoted and escaped, so that the output loads back with --config
 * to the same values. Writes nothing unless the whole document can be
 * made. 0, or -1 with err (a string that is not valid UTF-8, out of
 * memory, a failed write). */
int conf_print(const conf_schema_t *schema, const void *cfg, FILE *out, char *err, size_t errlen);

/* Parsers, exposed for tools and tests. 0 or -1. */
int conf_parse_duration_ms(const char *s, int64_t *ms);
int conf_parse_size(const char *s, int64_t *bytes);
int conf_parse_bool(const char *s, bool *b);
int conf_parse_int(const char *s, int64_t *v);

/* Formats a duration compactly ("5s", "500ms", "7d"). */
void conf_format_duration(int64_t ms, char *buf, size_t size);

/* Duplicates a list (deep). 0 or -1. */
int conf_list_copy(conf_list_t *dst, const conf_list_t *src);
void conf_list_clear(conf_list_t *list);

#endif
