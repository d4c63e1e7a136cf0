/*
 * conf_tree.c - the option table as a tree of mappings. See conf_tree.h.
 */
#include "conf_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_node_free(conf_node_t *n)
{
    for (size_t i = 0; i < n->n_children; i++)
        s_node_free(&n->children[i]);
    free(n->children);
    free(n->name);
}

/* The section's entry called name[0..len), added at the end when new. */
static conf_node_t *s_child(conf_node_t *n, const char *name, size_t len)
{
    for (size_t i = 0; i < n->n_children; i++)
        if (strlen(n->children[i].name) == len && strncmp(n->children[i].name, name, len) == 0)
            return &n->children[i];
    conf_node_t *c = realloc(n->children, (n->n_children + 1) * sizeof *c);
    if (!c)
        return NULL;
    n->children = c;
    c = &n->children[n->n_children++];
    memset(c, 0, sizeof *c);
    c->name = strndup(name, len);
    return c->name ? c : NULL;
}

#define S_CLASH (-2)

/* Adds o as a leaf: 0, -1 when memory runs out, S_CLASH when its key
 * collides with another. */
static int s_add(conf_node_t *root, const conf_option_t *o, size_t index)
{
    conf_node_t *n = root;
    const char *p = o->key;
    for (;;) {
        if (n->option) /* a value cannot also hold keys */
            return S_CLASH;
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (!(n = s_child(n, p, len)))
            return -1;
        if (!dot)
            break;
        p = dot + 1;
    }
    if (n->option || n->n_children) /* the same key twice, or a section */
        return S_CLASH;
    n->option = o;
    n->index = index;
    return 0;
}

conf_node_t *conf_tree_new(const conf_schema_t *schema, bool with_foreign, char *err, size_t errlen)
{
    conf_node_t *root = calloc(1, sizeof *root);
    if (!root || !(root->name = strdup(""))) {
        free(root);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < schema->n_options; i++) {
        const conf_option_t *o = &schema->options[i];
        if (o->offset == CONF_FOREIGN && !with_foreign)
            continue;
        int rc = s_add(root, o, i);
        if (rc != 0) {
            if (rc == S_CLASH)
                snprintf(err, errlen, "option table: '%s' is named twice, or is both a value and a section",
                         o->key);
            else
                snprintf(err, errlen, "out of memory");
            conf_tree_destroy(&root);
            return NULL;
        }
    }
    return root;
}

void conf_tree_destroy(conf_node_t **root)
{
    if (!*root)
        return;
    s_node_free(*root);
    free(*root);
    *root = NULL;
}
