/*
 * conf_line.c - where a dotted key is in a YAML file. See conf_line.h.
 *
 * Each line that holds a key ("  name: value") puts the key on a stack of
 * the keys around it: the entries indented as much or more are popped
 * first, so the stack always spells the dotted path of the current key.
 * Blank lines, comments and list items hold no key.
 */
#include "conf_line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DEPTH 16
#define S_NAME 128

/* The keys around the current line, outermost first. */
typedef struct {
    char names[S_DEPTH][S_NAME];
    int indent[S_DEPTH];
    int depth;
} keypath_t;

/* The key of a line: its indentation, its name s[0..*len) and what follows
 * its colon. false for a line without a key. */
static bool s_key_of(const char *line, int *indent, const char **name, size_t *len, const char **rest)
{
    const char *s = line + strspn(line, " ");
    if (!*s || *s == '#' || *s == '\n' || *s == '\r' || *s == '-')
        return false;
    const char *colon = strchr(s, ':');
    if (!colon)
        return false;
    *indent = (int)(s - line);
    *name = s;
    *len = (size_t)(colon - s);
    *rest = colon + 1;
    return true;
}

/* Makes the key the innermost of the path. false when nested too deep. */
static bool s_enter(keypath_t *kp, int indent, const char *name, size_t len)
{
    while (kp->depth > 0 && kp->indent[kp->depth - 1] >= indent)
        kp->depth--;
    if (kp->depth == S_DEPTH)
        return false;
    snprintf(kp->names[kp->depth], S_NAME, "%.*s", (int)len, name);
    kp->indent[kp->depth++] = indent;
    return true;
}

static bool s_is(const keypath_t *kp, const char *key)
{
    for (int i = 0; i < kp->depth; i++) {
        size_t n = strlen(kp->names[i]);
        if (strncmp(key, kp->names[i], n) != 0)
            return false;
        key += n;
        if (i + 1 < kp->depth && *key++ != '.')
            return false;
    }
    return *key == '\0';
}

/* Is rest, what follows a key's colon, an empty flow sequence ("[ ]",
 * maybe with a comment)? */
static bool s_empty_list(const char *rest)
{
    rest += strspn(rest, " \t");
    if (*rest++ != '[')
        return false;
    rest += strspn(rest, " \t");
    if (*rest++ != ']')
        return false;
    rest += strspn(rest, " \t\r\n");
    return *rest == '\0' || *rest == '#';
}

int conf_line_find(const char *path, const char *key, conf_line_t *where)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    keypath_t *kp = calloc(1, sizeof *kp);
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = -1;
    while (kp && rc != 0 && getline(&line, &cap, f) >= 0) {
        int indent;
        const char *name, *rest;
        size_t len;
        lineno++;
        if (!s_key_of(line, &indent, &name, &len, &rest))
            continue;
        if (!s_enter(kp, indent, name, len))
            break;
        if (s_is(kp, key)) {
            where->line = lineno;
            where->empty_list = s_empty_list(rest);
            rc = 0;
        }
    }
    free(line);
    free(kp);
    fclose(f);
    return rc;
}
