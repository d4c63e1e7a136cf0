/*
 * conf_print.c - what the configuration shows of itself: conf_print_help()
 * (--help) and conf_print() (--print-config) of config.h.
 *
 * The effective configuration is written by libcyaml (conf_yaml_save())
 * through the schema that loads it, not by hand, so that any text - quotes,
 * backslashes, newlines, ": ", " #", a leading '-', '&', '*', '!', '{' or
 * '[', "yes" or "null", non-ASCII - comes out as YAML that reads back as
 * the same text: what --print-config writes, --config loads, and printing
 * it again gives the same bytes. Strings and list items are double-quoted,
 * so that a YAML reader of any version takes them as strings, never as
 * booleans, numbers or nulls; the other types are plain, in the syntax
 * their option parses ("5s", "true").
 *
 * libcyaml leaves libyaml's emitter at its defaults: a double-quoted
 * string longer than 80 columns is folded at a space onto the next line
 * (YAML joins it back), and non-ASCII characters are written as escapes
 * ("\xE9"). Both read back exactly.
 *
 * The document is made in memory and written only when it is whole: a
 * value that YAML cannot hold (a command-line string that is not valid
 * UTF-8) is an error naming its key, never half a document.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_value.h"
#include "conf_yaml.h"

/* ------------------------------------------------------------ --help */

static const char *s_type_name(conf_type_t t)
{
    static const char *const names[] = {"string", "integer", "boolean", "duration", "size", "number", "list"};
    return names[t];
}

static void s_help_foreign(const conf_schema_t *schema, FILE *out)
{
    fprintf(out, "\nAlso accepted in the file, checked and ignored (settings of other nodelink services,\n"
                 "so that one file can configure several):\n");
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->offset == CONF_FOREIGN)
            fprintf(out, "  %-36s %-8s (%s)\n", o->key, s_type_name(o->type), o->help);
    }
}

void conf_print_help(const conf_schema_t *schema, FILE *out)
{
    fprintf(out, "Usage: %s [--config FILE] [--KEY=VALUE ...]\n\n%s\n\n", schema->program, schema->summary);
    fprintf(out, "Options:\n"
                 "  -c, --config FILE   load settings from a YAML file (keys nest by their dots)\n"
                 "      --KEY=VALUE     set any key below; overrides the file (lists: comma-separated)\n"
                 "      --print-config  print the effective configuration as YAML and exit\n"
                 "  -h, --help          show this help and exit\n"
                 "  -V, --version       show the version and exit\n\n"
                 "Keys (type, default):\n");
    size_t foreign = 0;
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->offset == CONF_FOREIGN) {
            foreign++;
            continue;
        }
        fprintf(out, "  %-36s %-8s default: %s\n      %s\n", o->key, s_type_name(o->type),
                o->def && *o->def ? o->def : "(none)", o->help);
    }
    if (foreign)
        s_help_foreign(schema, out);
    fprintf(out, "\nDurations: 500ms, 5s, 10m, 24h, 7d. Sizes: 4096, 64KB, 16MB, 1GB.\n"
                 "Exit status: 0 ok, 1 runtime failure, 2 bad configuration or usage.\n");
}

/* ------------------------------------------------------------ --print-config */

/* Every option of the service as text in slots; the types other than
 * strings and lists are formatted into text[i]. Slots borrow from cfg. */
static void s_fill(const conf_schema_t *schema, const void *cfg, conf_slot_t *slots, char (*text)[64])
{
    static char *no_items[1]; /* an empty list needs an array: libcyaml leaves out a NULL one */
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->offset == CONF_FOREIGN)
            continue;
        const void *field = (const char *)cfg + o->offset;
        if (o->type == CONF_STRING) {
            char *s = *(char *const *)field;
            slots[i].str = s ? s : "";
        } else if (o->type == CONF_LIST) {
            const conf_list_t *l = field;
            slots[i].seq = l->items ? l->items : no_items;
            slots[i].seq_count = (uint32_t)l->count;
        } else {
            conf_value_format(o, cfg, text[i], sizeof text[i]);
            slots[i].str = text[i];
        }
    }
}

/* The first option with text that YAML cannot hold, or NULL. */
static const conf_option_t *s_unprintable(const conf_schema_t *schema, const conf_slot_t *slots)
{
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->offset == CONF_FOREIGN)
            continue;
        if (slots[i].str && !conf_yaml_can_hold(slots[i].str))
            return o;
        for (uint32_t j = 0; slots[i].seq && j < slots[i].seq_count; j++)
            if (!conf_yaml_can_hold(slots[i].seq[j]))
                return o;
    }
    return NULL;
}

/* The document of cfg in *yaml (malloc'd, *len bytes). */
static int s_render(const conf_schema_t *schema, const void *cfg, char **yaml, size_t *len, char *err,
                    size_t errlen)
{
    size_t n = schema->n_options ? schema->n_options : 1;
    conf_slot_t *slots = calloc(n, sizeof *slots);
    char(*text)[64] = calloc(n, sizeof *text);
    int rc = -1;
    if (!slots || !text) {
        snprintf(err, errlen, "out of memory");
    } else {
        s_fill(schema, cfg, slots, text);
        rc = conf_yaml_save(schema, slots, yaml, len, err, errlen);
        const conf_option_t *bad = rc != 0 ? s_unprintable(schema, slots) : NULL;
        if (bad)
            snprintf(err, errlen, "%s: cannot be written as YAML (not valid UTF-8)", bad->key);
    }
    free(text);
    free(slots);
    return rc;
}

int conf_print(const conf_schema_t *schema, const void *cfg, FILE *out, char *err, size_t errlen)
{
    char *yaml = NULL;
    size_t len = 0;
    if (s_render(schema, cfg, &yaml, &len, err, errlen) != 0)
        return -1;
    int rc = 0;
    if (fwrite(yaml, 1, len, out) != len || fflush(out) != 0) {
        snprintf(err, errlen, "cannot write the configuration: %s", strerror(errno));
        rc = -1;
    }
    free(yaml);
    return rc;
}
