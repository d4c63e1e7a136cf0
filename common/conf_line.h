/*
 * conf_line.h - where a dotted key is in a YAML file. Private to common/.
 *
 * libcyaml loads a file into values but keeps no positions; an error about
 * a value found after loading still names its line, found here by reading
 * the file as block-style YAML and tracking the indentation of its keys.
 * That is how configuration files are written, and what --print-config
 * writes; a key inside a flow mapping ({a: 1}) is not found, and then the
 * message has no line. The same reading tells an explicitly empty list
 * (`key: []`) from a missing key, which libcyaml loads alike.
 */
#ifndef NODELINK_CONF_LINE_H
#define NODELINK_CONF_LINE_H

#include <stdbool.h>

typedef struct {
    long line;       /* 1-based line of the key */
    bool empty_list; /* its value is [] on the same line */
} conf_line_t;

/* Finds the dotted key in the YAML file at path. 0 with *where filled, or
 * -1 when the key is not found or the file cannot be read. The first
 * occurrence wins. */
int conf_line_find(const char *path, const char *key, conf_line_t *where);

#endif
