/*
 * conf_tree.h - the option table as a tree of YAML mappings. Private to
 * common/.
 *
 * A dotted key is a path of nested mappings: "metrics.storage.retention"
 * is the leaf "retention" in the mapping "storage" in the mapping
 * "metrics". Sections and leaves keep the order in which the table first
 * names them, so a table grouped by section prints as it reads, and one
 * that comes back to a section still gives each mapping once.
 *
 * The loader (conf_yaml.c) builds its libcyaml schema from this tree; the
 * printer (conf_print.c) walks it to emit YAML.
 */
#ifndef NODELINK_CONF_TREE_H
#define NODELINK_CONF_TREE_H

#include "config.h"

typedef struct conf_node {
    char *name;                  /* this part of the key ("storage"); "" at the root */
    const conf_option_t *option; /* a leaf's option; NULL for a section */
    size_t index;                /* a leaf's index in the option table */
    struct conf_node *children;  /* a section's entries, in table order */
    size_t n_children;
} conf_node_t;

/* Builds the tree of schema's options; keys of other services
 * (CONF_FOREIGN) only when with_foreign. Returns the root (a section), or
 * NULL with err when memory runs out or the table names a key twice or
 * makes a key both a value and a section (a mistake in the table). */
conf_node_t *conf_tree_new(const conf_schema_t *schema, bool with_foreign, char *err, size_t errlen);

/* Frees the tree and nulls *root. */
void conf_tree_destroy(conf_node_t **root);

#endif
