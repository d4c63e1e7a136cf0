/*
 * config.c - the command line: conf_load(), conf_set() and conf_free() of
 * config.h.
 *
 * The configuration code is split by job, its includes running one way:
 *
 *   config.c      the command line, the order of the sources -> conf_value
 *   conf_print.c  --help, --print-config                      -> conf_value, conf_yaml
 *   conf_yaml.c   the file through libcyaml, load and save    -> conf_value, conf_tree, conf_line
 *   conf_line.c   a key's line in a file
 *   conf_tree.c   the option table as nested mappings
 *   conf_value.c  value syntax: parsers, the typed setter
 *
 * conf_value.h, conf_tree.h, conf_line.h and conf_yaml.h are private to
 * common/; services include config.h only.
 */
#include "config.h"

#include <string.h>

#include "conf_value.h"

static const conf_option_t *s_find(const conf_schema_t *schema, const char *key, size_t keylen)
{
    for (size_t i = 0; i < schema->n_options; i++) {
        const char *k = schema->options[i].key;
        if (strlen(k) == keylen && strncmp(k, key, keylen) == 0)
            return &schema->options[i];
    }
    return NULL;
}

int conf_set(const conf_schema_t *schema, void *cfg, const char *key, const char *value, char *err,
             size_t errlen)
{
    const conf_option_t *o = s_find(schema, key, strlen(key));
    if (!o) {
        snprintf(err, errlen, "unknown option '%s' (see --help)", key);
        return -1;
    }
    return conf_value_set(o, cfg, value, err, errlen);
}

void conf_free(const conf_schema_t *schema, void *cfg)
{
    for (size_t i = 0; i < schema->n_options; i++)
        conf_value_clear(&schema->options[i], cfg);
}

static int s_apply_defaults(const conf_schema_t *schema, void *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->def && conf_value_set(o, cfg, o->def, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static bool s_is(const char *a, const char *long_name, const char *short_name)
{
    return strcmp(a, long_name) == 0 || (short_name && strcmp(a, short_name) == 0);
}

/* What the first pass over argv found. */
typedef struct {
    const char *config_path; /* --config FILE, or NULL */
    bool print_config;       /* --print-config */
} actions_t;

/* First pass: the actions and --config, so that the file applies before the
 * overrides wherever they stand. --help and --version act at once. */
static conf_result_t s_scan_actions(const conf_schema_t *schema, int argc, char **argv, actions_t *act,
                                    char *err, size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (s_is(a, "--help", "-h")) {
            conf_print_help(schema, stdout);
            return CONF_EXIT_OK;
        }
        if (s_is(a, "--version", "-V")) {
            printf("%s %s\n", schema->program, NODELINK_VERSION);
            return CONF_EXIT_OK;
        }
        if (s_is(a, "--print-config", NULL)) {
            act->print_config = true;
        } else if (s_is(a, "--config", "-c")) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "%s needs a file name", a);
                return CONF_ERROR;
            }
            act->config_path = argv[++i];
        } else if (strncmp(a, "--config=", 9) == 0) {
            act->config_path = a + 9;
        }
    }
    return CONF_LOADED;
}

/* Applies the override at argv[*i], --key=value or --key value (which
 * moves *i past the value); a boolean given alone is true. */
static int s_apply_override(const conf_schema_t *schema, void *cfg, int argc, char **argv, int *i, char *err,
                            size_t errlen)
{
    const char *a = argv[*i];
    if (strncmp(a, "--", 2) != 0) {
        snprintf(err, errlen, "unexpected argument '%s' (see --help)", a);
        return -1;
    }
    const char *key = a + 2;
    const char *eq = strchr(key, '=');
    size_t keylen = eq ? (size_t)(eq - key) : strlen(key);
    const conf_option_t *o = s_find(schema, key, keylen);
    if (!o) {
        snprintf(err, errlen, "unknown option '--%.*s' (see --help)", (int)keylen, key);
        return -1;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (o->type == CONF_BOOL && (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)) {
            value = "true";
        } else if (*i + 1 < argc) {
            value = argv[++*i];
        } else {
            snprintf(err, errlen, "--%s needs a value", o->key);
            return -1;
        }
    }
    return conf_value_set(o, cfg, value, err, errlen);
}

/* Second pass: every argument but the actions is an override. */
static int s_apply_overrides(const conf_schema_t *schema, void *cfg, int argc, char **argv, char *err,
                             size_t errlen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (s_is(a, "--config", "-c")) {
            i++;
            continue;
        }
        if (strncmp(a, "--config=", 9) == 0 || s_is(a, "--print-config", NULL))
            continue;
        if (s_apply_override(schema, cfg, argc, argv, &i, err, errlen) != 0)
            return -1;
    }
    return 0;
}

conf_result_t conf_load(const conf_schema_t *schema, void *cfg, int argc, char **argv, char *err,
                        size_t errlen)
{
    actions_t act = {NULL, false};
    if (s_apply_defaults(schema, cfg, err, errlen) != 0)
        return CONF_ERROR;
    conf_result_t r = s_scan_actions(schema, argc, argv, &act, err, errlen);
    if (r != CONF_LOADED)
        return r;
    if (act.config_path && conf_load_file(schema, cfg, act.config_path, err, errlen) != 0)
        return CONF_ERROR;
    if (s_apply_overrides(schema, cfg, argc, argv, err, errlen) != 0)
        return CONF_ERROR;
    if (!act.print_config)
        return CONF_LOADED;
    return conf_print(schema, cfg, stdout, err, errlen) == 0 ? CONF_EXIT_OK : CONF_ERROR;
}
