/*
 * config.c - declarative configuration. See config.h.
 *
 * The YAML file is loaded with libcyaml through a schema generated from the
 * option table: every dotted key becomes a path of nested mappings whose leaf
 * is an optional string (or sequence of strings). All leaves are loaded as
 * text into a scratch array of slots and then parsed by the same typed setter
 * the command line uses, so both accept exactly the same values. libcyaml
 * rejects unknown keys itself and reports their line; for bad values the line
 * is recovered by s_find_line().
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cyaml/cyaml.h>

/* ------------------------------------------------------------ parsers */

int conf_parse_int(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    long long x = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

int conf_parse_bool(const char *s, bool *b)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *b = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *b = false;
            return 0;
        }
    }
    return -1;
}

static int s_parse_scaled(const char *s, const char *const *units, const int64_t *scale, size_t n_units,
                          int64_t bare_scale, int64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno)
        return -1;
    int64_t mult = -1;
    if (*end == '\0') {
        mult = bare_scale;
    } else {
        for (size_t i = 0; i < n_units; i++)
            if (strcasecmp(end, units[i]) == 0)
                mult = scale[i];
    }
    if (mult < 0 || x > (unsigned long long)(INT64_MAX / mult))
        return -1;
    *out = (int64_t)x * mult;
    return 0;
}

int conf_parse_duration_ms(const char *s, int64_t *ms)
{
    static const char *const units[] = {"ms", "s", "m", "h", "d", "w"};
    static const int64_t scale[] = {1, 1000, 60000, 3600000, 86400000, 604800000};
    return s_parse_scaled(s, units, scale, 6, 1000, ms);
}

int conf_parse_size(const char *s, int64_t *bytes)
{
    static const char *const units[] = {"b", "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib"};
    static const int64_t scale[] = {1,       1024,    1024,    1024,    1 << 20,
                                    1 << 20, 1 << 20, 1 << 30, 1 << 30, 1 << 30};
    return s_parse_scaled(s, units, scale, 10, 1, bytes);
}

void conf_format_duration(int64_t ms, char *buf, size_t size)
{
    static const struct {
        int64_t scale;
        const char *unit;
    } u[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
    for (size_t i = 0; i < 4; i++) {
        if (ms != 0 && ms % u[i].scale == 0) {
            snprintf(buf, size, "%" PRId64 "%s", ms / u[i].scale, u[i].unit);
            return;
        }
    }
    snprintf(buf, size, "%" PRId64 "ms", ms);
}

/* ------------------------------------------------------------ lists */

void conf_list_clear(conf_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

int conf_list_copy(conf_list_t *dst, const conf_list_t *src)
{
    conf_list_t tmp = {calloc(src->count ? src->count : 1, sizeof(char *)), 0};
    if (!tmp.items)
        return -1;
    for (size_t i = 0; i < src->count; i++) {
        if (!(tmp.items[i] = strdup(src->items[i]))) {
            conf_list_clear(&tmp);
            return -1;
        }
        tmp.count++;
    }
    conf_list_clear(dst);
    *dst = tmp;
    return 0;
}

/* ------------------------------------------------------------ typed set */

static void s_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void s_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const conf_option_t *s_find(const conf_schema_t *schema, const char *key, size_t keylen)
{
    for (size_t i = 0; i < schema->n_options; i++) {
        const char *k = schema->options[i].key;
        if (strlen(k) == keylen && strncmp(k, key, keylen) == 0)
            return &schema->options[i];
    }
    return NULL;
}

static const char *s_type_name(conf_type_t t)
{
    static const char *const names[] = {"string", "integer", "boolean", "duration", "size", "number", "list"};
    return names[t];
}

static int s_check_range(const conf_option_t *o, int64_t v, const char *text, char *err, size_t errlen)
{
    if (o->max > o->min && (v < o->min || v > o->max)) {
        if (o->type == CONF_DURATION) {
            char lo[32], hi[32];
            conf_format_duration(o->min, lo, sizeof lo);
            conf_format_duration(o->max, hi, sizeof hi);
            s_err(err, errlen, "%s: '%s' is out of range (%s .. %s)", o->key, text, lo, hi);
        } else {
            s_err(err, errlen, "%s: '%s' is out of range (%" PRId64 " .. %" PRId64 ")", o->key, text, o->min,
                  o->max);
        }
        return -1;
    }
    return 0;
}

/* Parses text into a temporary, runs checks, and only then stores it, so a
 * bad value never leaves the config half-changed. */
static int s_assign_scalar(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen)
{
    void *field = (char *)cfg + o->offset;
    union {
        int64_t i;
        bool b;
        double d;
        char *s;
    } v;
    char *end;
    switch (o->type) {
    case CONF_STRING:
        v.s = (char *)text;
        break;
    case CONF_INT:
        if (conf_parse_int(text, &v.i) != 0) {
            s_err(err, errlen, "%s: invalid integer '%s'", o->key, text);
            return -1;
        }
        if (s_check_range(o, v.i, text, err, errlen) != 0)
            return -1;
        break;
    case CONF_BOOL:
        if (conf_parse_bool(text, &v.b) != 0) {
            s_err(err, errlen, "%s: invalid boolean '%s' (use true or false)", o->key, text);
            return -1;
        }
        break;
    case CONF_DURATION:
        if (conf_parse_duration_ms(text, &v.i) != 0) {
            s_err(err, errlen, "%s: invalid duration '%s' (use e.g. 500ms, 5s, 24h, 7d)", o->key, text);
            return -1;
        }
        if (s_check_range(o, v.i, text, err, errlen) != 0)
            return -1;
        break;
    case CONF_SIZE:
        if (conf_parse_size(text, &v.i) != 0) {
            s_err(err, errlen, "%s: invalid size '%s' (use e.g. 4096, 64KB, 16MB, 1GB)", o->key, text);
            return -1;
        }
        if (s_check_range(o, v.i, text, err, errlen) != 0)
            return -1;
        break;
    case CONF_DOUBLE:
        errno = 0;
        v.d = strtod(text, &end);
        if (!*text || *end || errno || !isfinite(v.d)) {
            s_err(err, errlen, "%s: invalid number '%s'", o->key, text);
            return -1;
        }
        break;
    default:
        s_err(err, errlen, "%s: internal error: not a scalar", o->key);
        return -1;
    }
    if (o->check) {
        char why[256] = "";
        const void *p = o->type == CONF_STRING ? (const void *)text : (const void *)&v;
        if (o->check(p, why, sizeof why) != 0) {
            s_err(err, errlen, "%s: %s", o->key, why);
            return -1;
        }
    }
    switch (o->type) {
    case CONF_STRING: {
        char *copy = strdup(text);
        if (!copy) {
            s_err(err, errlen, "%s: out of memory", o->key);
            return -1;
        }
        free(*(char **)field);
        *(char **)field = copy;
        break;
    }
    case CONF_INT:
    case CONF_DURATION:
    case CONF_SIZE:
        *(int64_t *)field = v.i;
        break;
    case CONF_BOOL:
        *(bool *)field = v.b;
        break;
    case CONF_DOUBLE:
        *(double *)field = v.d;
        break;
    default:
        break;
    }
    return 0;
}

static int s_assign_list(const conf_option_t *o, void *cfg, char *const *items, size_t n, char *err,
                         size_t errlen)
{
    conf_list_t src = {(char **)items, n};
    for (size_t i = 0; i < n; i++) {
        if (!items[i][0]) {
            s_err(err, errlen, "%s: empty list item", o->key);
            return -1;
        }
        if (o->check) {
            char why[256] = "";
            if (o->check(items[i], why, sizeof why) != 0) {
                s_err(err, errlen, "%s: %s", o->key, why);
                return -1;
            }
        }
    }
    if (conf_list_copy((conf_list_t *)((char *)cfg + o->offset), &src) != 0) {
        s_err(err, errlen, "%s: out of memory", o->key);
        return -1;
    }
    return 0;
}

/* A command-line or default list: comma-separated, blanks trimmed; "" = empty. */
static int s_assign_list_text(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen)
{
    char *copy = strdup(text);
    char **items = calloc(strlen(text) / 2 + 2, sizeof(char *));
    size_t n = 0;
    int rc = -1;
    if (!copy || !items) {
        s_err(err, errlen, "%s: out of memory", o->key);
        goto done;
    }
    if (*copy) {
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (isspace((unsigned char)*tok))
                tok++;
            char *e = tok + strlen(tok);
            while (e > tok && isspace((unsigned char)e[-1]))
                *--e = '\0';
            items[n++] = tok;
        }
    }
    rc = s_assign_list(o, cfg, items, n, err, errlen);
done:
    free(items);
    free(copy);
    return rc;
}

static int s_assign_text(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen)
{
    if (o->offset == CONF_FOREIGN) {
        s_err(err, errlen,
              "%s is a setting of %s: accepted in a shared configuration file, it does nothing here", o->key,
              o->help);
        return -1;
    }
    if (o->type == CONF_LIST)
        return s_assign_list_text(o, cfg, text, err, errlen);
    return s_assign_scalar(o, cfg, text, err, errlen);
}

int conf_set(const conf_schema_t *schema, void *cfg, const char *key, const char *value, char *err,
             size_t errlen)
{
    const conf_option_t *o = s_find(schema, key, strlen(key));
    if (!o) {
        s_err(err, errlen, "unknown option '%s' (see --help)", key);
        return -1;
    }
    return s_assign_text(o, cfg, value, err, errlen);
}

/* ------------------------------------------------------------ YAML file */

typedef struct {
    char *str;
    char **seq;
    uint32_t seq_count;
} slot_t;

typedef struct node {
    char *name;
    int option; /* index into options, -1 for a mapping */
    struct node *children;
    size_t n_children;
    cyaml_schema_field_t *fields; /* built for mappings */
} node_t;

static const cyaml_schema_value_t s_string_entry = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static void s_node_free(node_t *n)
{
    for (size_t i = 0; i < n->n_children; i++)
        s_node_free(&n->children[i]);
    free(n->children);
    free(n->fields);
    free(n->name);
}

static node_t *s_node_child(node_t *n, const char *name, size_t len)
{
    for (size_t i = 0; i < n->n_children; i++)
        if (strlen(n->children[i].name) == len && strncmp(n->children[i].name, name, len) == 0)
            return &n->children[i];
    node_t *c = realloc(n->children, (n->n_children + 1) * sizeof *c);
    if (!c)
        return NULL;
    n->children = c;
    c = &n->children[n->n_children++];
    memset(c, 0, sizeof *c);
    c->option = -1;
    c->name = strndup(name, len);
    return c->name ? c : NULL;
}

static int s_tree_add(node_t *root, const char *key, int option)
{
    node_t *n = root;
    const char *p = key;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (!(n = s_node_child(n, p, len)))
            return -1;
        if (!dot)
            break;
        p = dot + 1;
    }
    n->option = option;
    return 0;
}

/* Builds the cyaml field array of a mapping node (recursively). */
static int s_tree_schema(node_t *n, const conf_schema_t *schema, size_t total)
{
    n->fields = calloc(n->n_children + 1, sizeof *n->fields);
    if (!n->fields)
        return -1;
    for (size_t i = 0; i < n->n_children; i++) {
        node_t *c = &n->children[i];
        cyaml_schema_field_t *f = &n->fields[i];
        f->key = c->name;
        if (c->option < 0) {
            if (s_tree_schema(c, schema, total) != 0)
                return -1;
            /* Inline mapping at offset 0: its fields address the slot array directly. */
            f->value.type = CYAML_MAPPING;
            f->value.flags = CYAML_FLAG_OPTIONAL;
            f->value.data_size = (uint32_t)total;
            f->value.mapping.fields = c->fields;
            f->data_offset = 0;
        } else if (schema->options[c->option].type == CONF_LIST) {
            size_t base = (size_t)c->option * sizeof(slot_t);
            f->value.type = CYAML_SEQUENCE;
            f->value.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER;
            f->value.data_size = sizeof(char *);
            f->value.sequence.entry = &s_string_entry;
            f->value.sequence.min = 0;
            f->value.sequence.max = CYAML_UNLIMITED;
            f->data_offset = (uint32_t)(base + offsetof(slot_t, seq));
            f->count_offset = (uint32_t)(base + offsetof(slot_t, seq_count));
            f->count_size = sizeof(uint32_t);
        } else {
            size_t base = (size_t)c->option * sizeof(slot_t);
            f->value.type = CYAML_STRING;
            f->value.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER;
            f->value.data_size = sizeof(char);
            f->value.string.min = 0;
            f->value.string.max = CYAML_UNLIMITED;
            f->data_offset = (uint32_t)(base + offsetof(slot_t, str));
        }
    }
    return 0;
}

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

/* Turns libcyaml's multi-line log into one line. The log reads
 *   Load: Unexpected key: foo
 *   Load: Backtrace:
 *     in mapping field 'bar' (line: 3, column: 5)
 *     in mapping (line: 1, column: 1)
 * innermost first; the field names give the dotted key, the first line number
 * the position. */
static void s_summarise_cyaml(const char *path, const char *log, cyaml_err_t rc, char *err, size_t errlen)
{
    char first[256] = "", key[256] = "";
    long line = -1;
    const char *p = log;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *l = memmem(p, len, "line: ", 6);
        if (l && line < 0)
            line = strtol(l + 6, NULL, 10);
        const char *field = memmem(p, len, "in mapping field '", 18);
        if (field) {
            field += 18;
            const char *q = memchr(field, '\'', len - (size_t)(field - p));
            if (q) { /* prepend: the backtrace is innermost first */
                size_t flen = (size_t)(q - field), klen = strlen(key);
                if (flen + 1 + klen < sizeof key) {
                    memmove(key + flen + (klen ? 1 : 0), key, klen + 1);
                    memcpy(key, field, flen);
                    if (klen)
                        key[flen] = '.';
                }
            }
        } else if (!first[0] && len && !memmem(p, len, "Backtrace", 9)) {
            const char *msg = p;
            if (strncmp(msg, "Load: ", 6) == 0)
                msg += 6, len -= 6;
            snprintf(first, sizeof first, "%.*s", (int)len, msg);
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    char expected[32], got[32];
    if (sscanf(first, "Expecting %31[A-Z_], got event: %31[A-Z_]", expected, got) == 2)
        snprintf(first, sizeof first, "expected %s, found %s", s_yaml_kind(expected), s_yaml_kind(got));
    char where[32] = "";
    if (line > 0)
        snprintf(where, sizeof where, ":%ld", line);
    if (strncmp(first, "Unexpected key: ", 16) == 0)
        s_err(err, errlen, "%s%s: unknown key '%s%s%s' (see --help)", path, where, key, key[0] ? "." : "",
              first + 16);
    else if (!first[0])
        s_err(err, errlen, "%s%s: %s", path, where, cyaml_strerror(rc));
    else
        s_err(err, errlen, "%s%s: %s%s%s", path, where, key, key[0] ? ": " : "", first);
}

/* Finds the 1-based line of a dotted key in a block-style YAML text by
 * tracking indentation; 0 when not found. Used only for error messages. */
static long s_find_line(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[1024];
    char *stack[16] = {0};
    int indent[16];
    int depth = 0;
    long lineno = 0, found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line;
        while (*s == ' ')
            s++;
        if (!*s || *s == '#' || *s == '\n' || *s == '-')
            continue;
        char *colon = strchr(s, ':');
        if (!colon)
            continue;
        int ind = (int)(s - line);
        while (depth > 0 && indent[depth - 1] >= ind)
            free(stack[--depth]);
        if (depth == 16)
            break;
        stack[depth] = strndup(s, (size_t)(colon - s));
        indent[depth++] = ind;
        char dotted[512] = "";
        for (int i = 0; i < depth; i++) {
            if (!stack[i])
                continue;
            strncat(dotted, stack[i], sizeof dotted - strlen(dotted) - 2);
            if (i + 1 < depth)
                strcat(dotted, ".");
        }
        if (strcmp(dotted, key) == 0)
            found = lineno;
    }
    while (depth > 0)
        free(stack[--depth]);
    fclose(f);
    return found;
}

/* A foreign key's value from a file: parsed into a scratch value (so a bad
 * one is still reported) and dropped. */
static int s_check_foreign(const conf_option_t *o, const slot_t *slot, char *err, size_t errlen)
{
    union {
        int64_t i;
        bool b;
        double d;
        char *s;
        conf_list_t l;
    } scratch;
    memset(&scratch, 0, sizeof scratch);
    conf_option_t tmp = *o;
    tmp.offset = 0;
    int r = 0;
    if (o->type == CONF_LIST && slot->seq)
        r = s_assign_list(&tmp, &scratch, slot->seq, slot->seq_count, err, errlen);
    else if (o->type != CONF_LIST && slot->str)
        r = s_assign_scalar(&tmp, &scratch, slot->str, err, errlen);
    if (o->type == CONF_STRING)
        free(scratch.s);
    else if (o->type == CONF_LIST)
        conf_list_clear(&scratch.l);
    return r;
}

int conf_load_file(const conf_schema_t *schema, void *cfg, const char *path, char *err, size_t errlen)
{
    size_t total = schema->n_options * sizeof(slot_t);
    node_t root = {.option = -1};
    slot_t *slots = NULL;
    char logtext[2048] = "";
    logbuf_t lb = {logtext, sizeof logtext, 0};
    int rc = -1;

    FILE *probe = fopen(path, "r");
    if (!probe) {
        s_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fclose(probe);

    for (size_t i = 0; i < schema->n_options; i++)
        if (s_tree_add(&root, schema->options[i].key, (int)i) != 0)
            goto oom;
    if (s_tree_schema(&root, schema, total) != 0)
        goto oom;

    cyaml_schema_value_t top = {
        .type = CYAML_MAPPING,
        .flags = CYAML_FLAG_POINTER,
        .data_size = (uint32_t)total,
        .mapping.fields = root.fields,
    };
    cyaml_config_t cc = {
        .log_fn = s_cyaml_log,
        .log_ctx = &lb,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_DEFAULT,
    };
    cyaml_err_t cerr = cyaml_load_file(path, &cc, &top, (cyaml_data_t **)&slots, NULL);
    if (cerr != CYAML_OK) {
        s_summarise_cyaml(path, logtext, cerr, err, errlen);
        slots = NULL;
        goto out;
    }
    if (!slots) { /* an empty document: nothing to apply */
        rc = 0;
        goto out;
    }
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        char why[512];
        int r = 0;
        if (o->offset == CONF_FOREIGN)
            r = s_check_foreign(o, &slots[i], why, sizeof why);
        else if (o->type == CONF_LIST && slots[i].seq)
            r = s_assign_list(o, cfg, slots[i].seq, slots[i].seq_count, why, sizeof why);
        else if (o->type != CONF_LIST && slots[i].str)
            r = s_assign_scalar(o, cfg, slots[i].str, why, sizeof why);
        if (r != 0) {
            long line = s_find_line(path, o->key);
            if (line > 0)
                s_err(err, errlen, "%s:%ld: %s", path, line, why);
            else
                s_err(err, errlen, "%s: %s", path, why);
            goto out;
        }
    }
    rc = 0;
    goto out;
oom:
    s_err(err, errlen, "%s: out of memory", path);
out:
    if (slots)
        cyaml_free(&cc, &top, slots, 0);
    s_node_free(&root);
    return rc;
}

/* ------------------------------------------------------------ entry point */

void conf_free(const conf_schema_t *schema, void *cfg)
{
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->offset == CONF_FOREIGN)
            continue;
        void *field = (char *)cfg + o->offset;
        if (o->type == CONF_STRING) {
            free(*(char **)field);
            *(char **)field = NULL;
        } else if (o->type == CONF_LIST) {
            conf_list_clear(field);
        }
    }
}

static int s_apply_defaults(const conf_schema_t *schema, void *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->def && s_assign_text(o, cfg, o->def, err, errlen) != 0)
            return -1;
    }
    return 0;
}

conf_result_t conf_load(const conf_schema_t *schema, void *cfg, int argc, char **argv, char *err,
                        size_t errlen)
{
    const char *config_path = NULL;
    bool print_config = false;
    if (s_apply_defaults(schema, cfg, err, errlen) != 0)
        return CONF_ERROR;
    /* First pass: actions and --config, so the file applies before overrides. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            conf_print_help(schema, stdout);
            return CONF_EXIT_OK;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("%s %s\n", schema->program, NODELINK_VERSION);
            return CONF_EXIT_OK;
        }
        if (strcmp(a, "--print-config") == 0) {
            print_config = true;
        } else if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                s_err(err, errlen, "%s needs a file name", a);
                return CONF_ERROR;
            }
            config_path = argv[++i];
        } else if (strncmp(a, "--config=", 9) == 0) {
            config_path = a + 9;
        }
    }
    if (config_path && conf_load_file(schema, cfg, config_path, err, errlen) != 0)
        return CONF_ERROR;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--config=", 9) == 0 || strcmp(a, "--print-config") == 0)
            continue;
        if (strncmp(a, "--", 2) != 0) {
            s_err(err, errlen, "unexpected argument '%s' (see --help)", a);
            return CONF_ERROR;
        }
        const char *key = a + 2;
        const char *eq = strchr(key, '=');
        size_t keylen = eq ? (size_t)(eq - key) : strlen(key);
        const conf_option_t *o = s_find(schema, key, keylen);
        if (!o) {
            s_err(err, errlen, "unknown option '--%.*s' (see --help)", (int)keylen, key);
            return CONF_ERROR;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (o->type == CONF_BOOL && (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)) {
                value = "true"; /* --flag alone turns a boolean on */
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                s_err(err, errlen, "--%s needs a value", o->key);
                return CONF_ERROR;
            }
        }
        if (s_assign_text(o, cfg, value, err, errlen) != 0)
            return CONF_ERROR;
    }
    if (print_config) {
        conf_print(schema, cfg, stdout);
        return CONF_EXIT_OK;
    }
    return CONF_LOADED;
}

/* ------------------------------------------------------------ output */

static void s_format_value(const conf_option_t *o, const void *cfg, char *buf, size_t size)
{
    const void *field = (const char *)cfg + o->offset;
    switch (o->type) {
    case CONF_STRING: {
        const char *s = *(char *const *)field;
        snprintf(buf, size, "\"%s\"", s ? s : "");
        break;
    }
    case CONF_INT:
        snprintf(buf, size, "%" PRId64, *(const int64_t *)field);
        break;
    case CONF_SIZE:
        snprintf(buf, size, "%" PRId64, *(const int64_t *)field);
        break;
    case CONF_DURATION:
        conf_format_duration(*(const int64_t *)field, buf, size);
        break;
    case CONF_BOOL:
        snprintf(buf, size, "%s", *(const bool *)field ? "true" : "false");
        break;
    case CONF_DOUBLE:
        snprintf(buf, size, "%g", *(const double *)field);
        break;
    case CONF_LIST: {
        const conf_list_t *l = field;
        size_t n = (size_t)snprintf(buf, size, "[");
        for (size_t i = 0; i < l->count && n < size; i++)
            n += (size_t)snprintf(buf + n, size - n, "%s\"%s\"", i ? ", " : "", l->items[i]);
        if (n < size)
            snprintf(buf + n, size - n, "]");
        break;
    }
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
    if (foreign) {
        fprintf(out,
                "\nAlso accepted in the file, checked and ignored (settings of other nodelink services,\n"
                "so that one file can configure several):\n");
        for (size_t i = 0; i < schema->n_options; i++) {
            const conf_option_t *o = &schema->options[i];
            if (o->offset == CONF_FOREIGN)
                fprintf(out, "  %-36s %-8s (%s)\n", o->key, s_type_name(o->type), o->help);
        }
    }
    fprintf(out, "\nDurations: 500ms, 5s, 10m, 24h, 7d. Sizes: 4096, 64KB, 16MB, 1GB.\n"
                 "Exit status: 0 ok, 1 runtime failure, 2 bad configuration or usage.\n");
}

void conf_print(const conf_schema_t *schema, const void *cfg, FILE *out)
{
    /* Options are grouped by their sections in table order; print each key
     * with its full path of parents that differ from the previous key. */
    const char *prev = "";
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->offset == CONF_FOREIGN)
            continue;
        const char *k = o->key;
        /* length of the common section prefix with prev */
        size_t common = 0, j = 0;
        while (k[j] && prev[j] && k[j] == prev[j]) {
            if (k[j] == '.')
                common = j + 1;
            j++;
        }
        int depth = 0;
        for (size_t p = 0; p < common; p++)
            if (k[p] == '.')
                depth++;
        const char *seg = k + common;
        const char *dot;
        while ((dot = strchr(seg, '.'))) {
            fprintf(out, "%*s%.*s:\n", depth * 2, "", (int)(dot - seg), seg);
            depth++;
            seg = dot + 1;
        }
        char val[1024];
        s_format_value(o, cfg, val, sizeof val);
        fprintf(out, "%*s%s: %s\n", depth * 2, "", seg, val);
        prev = k;
    }
}
