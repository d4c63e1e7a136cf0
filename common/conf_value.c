/*
 * conf_value.c - value syntax: parsers, formatting, lists, and the typed
 * setter every source of values goes through. See conf_value.h.
 */
#include "conf_value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

static int s_parse_double(const char *s, double *d)
{
    char *end;
    errno = 0;
    *d = strtod(s, &end);
    return !*s || *end || errno || !isfinite(*d) ? -1 : 0;
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

/* The shortest of %.6g (what people write) to %.17g (always exact) that
 * reads back as the same double. */
static void s_format_double(double d, char *buf, size_t size)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
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

/* ------------------------------------------------------------ scalars */

typedef union {
    int64_t i;
    bool b;
    double d;
} scalar_t;

static int s_check_range(const conf_option_t *o, int64_t v, const char *text, char *err, size_t errlen)
{
    if (o->max <= o->min || (v >= o->min && v <= o->max))
        return 0;
    if (o->type == CONF_DURATION) {
        char lo[32], hi[32];
        conf_format_duration(o->min, lo, sizeof lo);
        conf_format_duration(o->max, hi, sizeof hi);
        snprintf(err, errlen, "%s: '%s' is out of range (%s .. %s)", o->key, text, lo, hi);
    } else {
        snprintf(err, errlen, "%s: '%s' is out of range (%" PRId64 " .. %" PRId64 ")", o->key, text, o->min,
                 o->max);
    }
    return -1;
}

/* How each type is named in the message of a bad value, with the syntax
 * shown where people often get it wrong. */
static const struct {
    const char *what, *hint;
} s_syntax[] = {
    [CONF_INT] = {"integer", ""},
    [CONF_BOOL] = {"boolean", " (use true or false)"},
    [CONF_DURATION] = {"duration", " (use e.g. 500ms, 5s, 24h, 7d)"},
    [CONF_SIZE] = {"size", " (use e.g. 4096, 64KB, 16MB, 1GB)"},
    [CONF_DOUBLE] = {"number", ""},
};

/* Parses text as o's type into v, and checks the range of the integer
 * types. A string needs no parsing. */
static int s_parse(const conf_option_t *o, const char *text, scalar_t *v, char *err, size_t errlen)
{
    int rc;
    switch (o->type) {
    case CONF_STRING:
        return 0;
    case CONF_INT:
        rc = conf_parse_int(text, &v->i);
        break;
    case CONF_BOOL:
        rc = conf_parse_bool(text, &v->b);
        break;
    case CONF_DURATION:
        rc = conf_parse_duration_ms(text, &v->i);
        break;
    case CONF_SIZE:
        rc = conf_parse_size(text, &v->i);
        break;
    case CONF_DOUBLE:
        rc = s_parse_double(text, &v->d);
        break;
    default:
        snprintf(err, errlen, "%s: internal error: not a scalar", o->key);
        return -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s: invalid %s '%s'%s", o->key, s_syntax[o->type].what, text,
                 s_syntax[o->type].hint);
        return -1;
    }
    if (o->type == CONF_BOOL || o->type == CONF_DOUBLE)
        return 0;
    return s_check_range(o, v->i, text, err, errlen);
}

/* Runs the option's own check, if any, on a parsed value (a string's is
 * its text). */
static int s_check(const conf_option_t *o, const void *value, char *err, size_t errlen)
{
    char why[256] = "";
    if (!o->check || o->check(value, why, sizeof why) == 0)
        return 0;
    snprintf(err, errlen, "%s: %s", o->key, why);
    return -1;
}

static int s_parse_checked(const conf_option_t *o, const char *text, scalar_t *v, char *err, size_t errlen)
{
    if (s_parse(o, text, v, err, errlen) != 0)
        return -1;
    return s_check(o, o->type == CONF_STRING ? (const void *)text : (const void *)v, err, errlen);
}

static int s_store(const conf_option_t *o, void *cfg, const char *text, const scalar_t *v, char *err,
                   size_t errlen)
{
    void *field = (char *)cfg + o->offset;
    if (o->type == CONF_STRING) {
        char *copy = strdup(text);
        if (!copy) {
            snprintf(err, errlen, "%s: out of memory", o->key);
            return -1;
        }
        free(*(char **)field);
        *(char **)field = copy;
    } else if (o->type == CONF_BOOL) {
        *(bool *)field = v->b;
    } else if (o->type == CONF_DOUBLE) {
        *(double *)field = v->d;
    } else {
        *(int64_t *)field = v->i;
    }
    return 0;
}

int conf_value_check_scalar(const conf_option_t *o, const char *text, char *err, size_t errlen)
{
    scalar_t v;
    return s_parse_checked(o, text, &v, err, errlen);
}

int conf_value_set_scalar(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen)
{
    scalar_t v;
    if (s_parse_checked(o, text, &v, err, errlen) != 0)
        return -1;
    return s_store(o, cfg, text, &v, err, errlen);
}

/* ------------------------------------------------------------ list values */

int conf_value_check_list(const conf_option_t *o, char *const *items, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (!items[i][0]) {
            snprintf(err, errlen, "%s: empty list item", o->key);
            return -1;
        }
        if (s_check(o, items[i], err, errlen) != 0)
            return -1;
    }
    return 0;
}

int conf_value_set_list(const conf_option_t *o, void *cfg, char *const *items, size_t n, char *err,
                        size_t errlen)
{
    if (conf_value_check_list(o, items, n, err, errlen) != 0)
        return -1;
    conf_list_t src = {(char **)items, n};
    if (conf_list_copy((conf_list_t *)((char *)cfg + o->offset), &src) != 0) {
        snprintf(err, errlen, "%s: out of memory", o->key);
        return -1;
    }
    return 0;
}

/* Cuts a command-line list in place into items: comma-separated, blanks
 * trimmed; "" has none. items has room for strlen(text) / 2 + 2. */
static size_t s_split_list(char *text, char **items)
{
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(text, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *e = tok + strlen(tok);
        while (e > tok && isspace((unsigned char)e[-1]))
            *--e = '\0';
        items[n++] = tok;
    }
    return n;
}

static int s_set_list_text(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen)
{
    char *copy = strdup(text);
    char **items = calloc(strlen(text) / 2 + 2, sizeof(char *));
    int rc = -1;
    if (copy && items)
        rc = conf_value_set_list(o, cfg, items, s_split_list(copy, items), err, errlen);
    else
        snprintf(err, errlen, "%s: out of memory", o->key);
    free(items);
    free(copy);
    return rc;
}

int conf_value_set(const conf_option_t *o, void *cfg, const char *text, char *err, size_t errlen)
{
    if (o->offset == CONF_FOREIGN) {
        snprintf(err, errlen,
                 "%s is a setting of %s: accepted in a shared configuration file, it does nothing here",
                 o->key, o->help);
        return -1;
    }
    if (o->type == CONF_LIST)
        return s_set_list_text(o, cfg, text, err, errlen);
    return conf_value_set_scalar(o, cfg, text, err, errlen);
}

/* ------------------------------------------------------------ output, cleanup */

void conf_value_format(const conf_option_t *o, const void *cfg, char *buf, size_t size)
{
    const void *field = (const char *)cfg + o->offset;
    switch (o->type) {
    case CONF_INT:
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
        s_format_double(*(const double *)field, buf, size);
        break;
    default:
        snprintf(buf, size, "%s", "");
        break;
    }
}

void conf_value_clear(const conf_option_t *o, void *cfg)
{
    if (o->offset == CONF_FOREIGN)
        return;
    void *field = (char *)cfg + o->offset;
    if (o->type == CONF_STRING) {
        free(*(char **)field);
        *(char **)field = NULL;
    } else if (o->type == CONF_LIST) {
        conf_list_clear(field);
    }
}
