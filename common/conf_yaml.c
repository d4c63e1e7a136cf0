/*
 * conf_yaml.c - the YAML file through libcyaml: conf_load_file() of
 * config.h, and conf_yaml_save() for --print-config.
 *
 * One libcyaml schema, built from the option tree (conf_tree.h), both
 * loads and saves: every section is an optional mapping, every leaf an
 * optional string (or sequence of strings for a list) in an array of slots,
 * one per option. Loading reads every value as text and gives it to the
 * same typed setter the command line uses (conf_value.h), so both accept
 * exactly the same values. libcyaml rejects unknown keys and bad nesting
 * itself and explains in a multi-line log, summarised here into one line;
 * for a bad value the line is found by conf_line_find(). Saving writes
 * what conf_print.c formatted into the slots, with the styles the schema's
 * flags ask for (they mean nothing to loading).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cyaml/cyaml.h>

#include "conf_line.h"
#include "conf_tree.h"
#include "conf_value.h"
#include "conf_yaml.h"

/* ------------------------------------------------------------ schema */

static const cyaml_schema_value_t s_string_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER | CYAML_FLAG_SCALAR_QUOTE_DOUBLE, char, 0, CYAML_UNLIMITED),
};

static void s_fields_free(cyaml_schema_field_t *fields)
{
    if (!fields)
        return;
    for (cyaml_schema_field_t *f = fields; f->key; f++)
        if (f->value.type == CYAML_MAPPING)
            s_fields_free((cyaml_schema_field_t *)f->value.mapping.fields);
    free(fields);
}

/* A section: a mapping inline at offset 0, so that its fields address the
 * slot array directly. */
static void s_field_section(cyaml_schema_field_t *f, const cyaml_schema_field_t *sub, size_t total)
{
    f->value.type = CYAML_MAPPING;
    f->value.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_BLOCK;
    f->value.data_size = (uint32_t)total;
    f->value.mapping.fields = sub;
    f->data_offset = 0;
}

static void s_field_list(cyaml_schema_field_t *f, size_t slot)
{
    f->value.type = CYAML_SEQUENCE;
    f->value.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER | CYAML_FLAG_FLOW;
    f->value.data_size = sizeof(char *);
    f->value.sequence.entry = &s_string_entry;
    f->value.sequence.min = 0;
    f->value.sequence.max = CYAML_UNLIMITED;
    f->data_offset = (uint32_t)(slot + offsetof(conf_slot_t, seq));
    f->count_offset = (uint32_t)(slot + offsetof(conf_slot_t, seq_count));
    f->count_size = sizeof(uint32_t);
}

/* A scalar: a string double-quoted, so that no text is taken for a
 * boolean, a number, a null or YAML syntax by any reader; any other type
 * plain, as its syntax is ("5s", "true"). */
static void s_field_scalar(cyaml_schema_field_t *f, size_t slot, conf_type_t type)
{
    cyaml_flag_e style = type == CONF_STRING ? CYAML_FLAG_SCALAR_QUOTE_DOUBLE : CYAML_FLAG_SCALAR_PLAIN;
    f->value.type = CYAML_STRING;
    f->value.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER | style;
    f->value.data_size = sizeof(char);
    f->value.string.min = 0;
    f->value.string.max = CYAML_UNLIMITED;
    f->data_offset = (uint32_t)(slot + offsetof(conf_slot_t, str));
}

/* The libcyaml fields of section n (recursively), ended by one with a NULL
 * key; their keys borrow the tree's names. NULL when memory runs out. */
static cyaml_schema_field_t *s_fields_new(const conf_node_t *n, size_t total)
{
    cyaml_schema_field_t *fields = calloc(n->n_children + 1, sizeof *fields);
    if (!fields)
        return NULL;
    for (size_t i = 0; i < n->n_children; i++) {
        const conf_node_t *c = &n->children[i];
        cyaml_schema_field_t *f = &fields[i];
        if (!c->option) {
            cyaml_schema_field_t *sub = s_fields_new(c, total);
            if (!sub) {
                s_fields_free(fields);
                return NULL;
            }
            s_field_section(f, sub, total);
        } else if (c->option->type == CONF_LIST) {
            s_field_list(f, c->index * sizeof(conf_slot_t));
        } else {
            s_field_scalar(f, c->index * sizeof(conf_slot_t), c->option->type);
        }
        f->key = c->name; /* last: s_fields_free() stops at an entry without one */
    }
    return fields;
}

/* ------------------------------------------------------------ libcyaml's log */

typedef struct {
    char *buf;
    size_t size;
    size_t len;
} logbuf_t;

static void s_cyaml_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    logbuf_t *lb = ctx;
    if (level < CYAML_LOG_ERROR || lb->len >= lb->size - 1)
        return;
    int n = vsnprintf(lb->buf + lb->len, lb->size - lb->len, fmt, args);
    if (n > 0)
        lb->len += (size_t)n < lb->size - lb->len ? (size_t)n : lb->size - lb->len - 1;
}

/* Errors only, into lb. */
static cyaml_config_t s_cyaml_config(logbuf_t *lb)
{
    return (cyaml_config_t){
        .log_fn = s_cyaml_log,
        .log_ctx = lb,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_DEFAULT,
    };
}

/* What the log tells: its first message, the dotted key of the backtrace
 * and the first line number. */
typedef struct {
    char first[256];
    char key[256];
    long line;
} summary_t;

/* Puts name[0..len) in front of the dotted key: the backtrace is innermost
 * first. */
static void s_prepend(char *key, size_t size, const char *name, size_t len)
{
    size_t klen = strlen(key);
    if (len + 1 + klen >= size)
        return;
    memmove(key + len + (klen ? 1 : 0), key, klen + 1);
    memcpy(key, name, len);
    if (klen)
        key[len] = '.';
}

/* Reads one line of the log, p[0..len). */
static void s_read_line(summary_t *s, const char *p, size_t len)
{
    const char *l = memmem(p, len, "line: ", 6);
    if (l && s->line < 0)
        s->line = strtol(l + 6, NULL, 10);
    const char *field = memmem(p, len, "in mapping field '", 18);
    if (field) {
        field += 18;
        const char *q = memchr(field, '\'', len - (size_t)(field - p));
        if (q)
            s_prepend(s->key, sizeof s->key, field, (size_t)(q - field));
    } else if (!s->first[0] && len && !memmem(p, len, "Backtrace", 9)) {
        if (strncmp(p, "Load: ", 6) == 0) {
            p += 6;
            len -= 6;
        }
        snprintf(s->first, sizeof s->first, "%.*s", (int)len, p);
    }
}

/* libcyaml's event names in words. */
static const char *s_yaml_kind(const char *event)
{
    if (strncmp(event, "MAPPING", 7) == 0)
        return "nested keys";
    if (strncmp(event, "SEQUENCE", 8) == 0)
        return "a list";
    if (strcmp(event, "SCALAR") == 0 || strcmp(event, "STRING") == 0 || strcmp(event, "INT") == 0)
        return "a single value";
    return "something else";
}

/* The line of an unknown key, from the file itself: libcyaml's log gives
 * the line of the mapping the key is in, or at the top level the line where
 * its parser stands (often the previous section's last). */
static void s_locate_unknown(const char *path, summary_t *s)
{
    char dotted[512];
    conf_line_t where;
    snprintf(dotted, sizeof dotted, "%s%s%s", s->key, s->key[0] ? "." : "", s->first + 16);
    if (conf_line_find(path, dotted, &where) == 0)
        s->line = where.line;
}

/* Turns libcyaml's multi-line log into one line. The log reads
 *   Load: Unexpected key: foo
 *   Load: Backtrace:
 *     in mapping field 'bar' (line: 3, column: 5)
 *     in mapping (line: 1, column: 1)
 * innermost first; the field names give the dotted key, the first line
 * number the position. */
static void s_summarise(const char *path, const char *log, cyaml_err_t rc, char *err, size_t errlen)
{
    summary_t s = {.line = -1};
    for (const char *p = log; *p;) {
        const char *eol = strchr(p, '\n');
        s_read_line(&s, p, eol ? (size_t)(eol - p) : strlen(p));
        if (!eol)
            break;
        p = eol + 1;
    }
    char expected[32], got[32];
    if (sscanf(s.first, "Expecting %31[A-Z_], got event: %31[A-Z_]", expected, got) == 2)
        snprintf(s.first, sizeof s.first, "expected %s, found %s", s_yaml_kind(expected), s_yaml_kind(got));
    const char *dot = s.key[0] ? "." : "", *colon = s.key[0] ? ": " : "";
    bool unknown = strncmp(s.first, "Unexpected key: ", 16) == 0;
    if (unknown)
        s_locate_unknown(path, &s);
    char where[32] = "";
    if (s.line > 0)
        snprintf(where, sizeof where, ":%ld", s.line);
    if (unknown)
        snprintf(err, errlen, "%s%s: unknown key '%s%s%s' (see --help)", path, where, s.key, dot,
                 s.first + 16);
    else if (!s.first[0])
        snprintf(err, errlen, "%s%s: %s", path, where, cyaml_strerror(rc));
    else
        snprintf(err, errlen, "%s%s: %s%s%s", path, where, s.key, colon, s.first);
}

/* ------------------------------------------------------------ values */

/* Applies what the file says for option o (nothing when it says nothing).
 * A key of another service is only checked. */
static int s_apply_slot(const conf_option_t *o, void *cfg, const conf_slot_t *slot, const char *path,
                        char *err, size_t errlen)
{
    if (o->offset == CONF_FOREIGN && o->type == CONF_LIST)
        return slot->seq ? conf_value_check_list(o, slot->seq, slot->seq_count, err, errlen) : 0;
    if (o->offset == CONF_FOREIGN)
        return slot->str ? conf_value_check_scalar(o, slot->str, err, errlen) : 0;
    if (o->type != CONF_LIST)
        return slot->str ? conf_value_set_scalar(o, cfg, slot->str, err, errlen) : 0;
    if (slot->seq)
        return conf_value_set_list(o, cfg, slot->seq, slot->seq_count, err, errlen);
    /* libcyaml loads `key: []` as no array at all, like a missing key; the
     * file tells which (so an empty list printed by --print-config loads
     * back as one). */
    conf_line_t where;
    if (conf_line_find(path, o->key, &where) == 0 && where.empty_list)
        return conf_value_set_list(o, cfg, NULL, 0, err, errlen);
    return 0;
}

static int s_apply(const conf_schema_t *schema, void *cfg, const conf_slot_t *slots, const char *path,
                   char *err, size_t errlen)
{
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        char why[512];
        if (s_apply_slot(o, cfg, &slots[i], path, why, sizeof why) == 0)
            continue;
        conf_line_t where;
        if (conf_line_find(path, o->key, &where) == 0)
            snprintf(err, errlen, "%s:%ld: %s", path, where.line, why);
        else
            snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ loading */

static int s_load(const conf_schema_t *schema, void *cfg, const char *path,
                  const cyaml_schema_field_t *fields, char *err, size_t errlen)
{
    char logtext[2048] = "";
    logbuf_t lb = {logtext, sizeof logtext, 0};
    cyaml_schema_value_t top = {
        .type = CYAML_MAPPING,
        .flags = CYAML_FLAG_POINTER,
        .data_size = (uint32_t)(schema->n_options * sizeof(conf_slot_t)),
        .mapping.fields = fields,
    };
    cyaml_config_t cc = s_cyaml_config(&lb);
    conf_slot_t *slots = NULL;
    cyaml_err_t cerr = cyaml_load_file(path, &cc, &top, (cyaml_data_t **)&slots, NULL);
    if (cerr != CYAML_OK) {
        s_summarise(path, logtext, cerr, err, errlen);
        return -1;
    }
    if (!slots) /* an empty document: nothing to apply */
        return 0;
    int rc = s_apply(schema, cfg, slots, path, err, errlen);
    cyaml_free(&cc, &top, slots, 0);
    return rc;
}

int conf_load_file(const conf_schema_t *schema, void *cfg, const char *path, char *err, size_t errlen)
{
    FILE *probe = fopen(path, "r");
    if (!probe) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fclose(probe);
    char why[256];
    conf_node_t *root = conf_tree_new(schema, true, why, sizeof why);
    if (!root) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    int rc = -1;
    cyaml_schema_field_t *fields = s_fields_new(root, schema->n_options * sizeof(conf_slot_t));
    if (fields)
        rc = s_load(schema, cfg, path, fields, err, errlen);
    else
        snprintf(err, errlen, "%s: out of memory", path);
    s_fields_free(fields);
    conf_tree_destroy(&root);
    return rc;
}

/* ------------------------------------------------------------ saving */

static int s_save(const cyaml_schema_field_t *fields, size_t total, const conf_slot_t *slots, char **out,
                  size_t *len, char *err, size_t errlen)
{
    char logtext[512] = "";
    logbuf_t lb = {logtext, sizeof logtext, 0};
    cyaml_config_t cc = s_cyaml_config(&lb);
    cyaml_schema_value_t top = {
        .type = CYAML_MAPPING,
        .flags = CYAML_FLAG_POINTER | CYAML_FLAG_BLOCK,
        .data_size = (uint32_t)total,
        .mapping.fields = fields,
    };
    cyaml_err_t cerr = cyaml_save_data(out, len, &cc, &top, slots, 0);
    if (cerr != CYAML_OK) {
        snprintf(err, errlen, "cannot write the configuration as YAML (%s)", cyaml_strerror(cerr));
        return -1;
    }
    return 0;
}

int conf_yaml_save(const conf_schema_t *schema, const conf_slot_t *slots, char **out, size_t *len, char *err,
                   size_t errlen)
{
    conf_node_t *root = conf_tree_new(schema, false, err, errlen);
    if (!root)
        return -1;
    size_t total = schema->n_options * sizeof(conf_slot_t);
    int rc = -1;
    cyaml_schema_field_t *fields = s_fields_new(root, total);
    if (fields)
        rc = s_save(fields, total, slots, out, len, err, errlen);
    else
        snprintf(err, errlen, "out of memory");
    s_fields_free(fields);
    conf_tree_destroy(&root);
    return rc;
}

bool conf_yaml_can_hold(const char *text)
{
    static const cyaml_schema_value_t string = {
        CYAML_VALUE_STRING(CYAML_FLAG_POINTER | CYAML_FLAG_SCALAR_QUOTE_DOUBLE, char, 0, CYAML_UNLIMITED),
    };
    char logtext[512] = "";
    logbuf_t lb = {logtext, sizeof logtext, 0};
    cyaml_config_t cc = s_cyaml_config(&lb);
    char *out = NULL;
    size_t len = 0;
    if (cyaml_save_data(&out, &len, &cc, &string, text, 0) != CYAML_OK)
        return false;
    free(out);
    return true;
}
