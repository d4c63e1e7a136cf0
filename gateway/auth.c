/*
 * auth.c - the tokens file and token checks. See auth.h.
 */
#include "auth.h"

#include <cyaml/cyaml.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topic.h"

struct auth_t {
    auth_token_t *tokens;
    size_t n_tokens;
};

/* ---- file schema (libcyaml) */

typedef struct {
    char *name;
    char *hash;
    char *role;
    char **agents;
    unsigned agents_count;
} s_entry_t;

typedef struct {
    s_entry_t *tokens;
    unsigned tokens_count;
} s_file_t;

static const cyaml_schema_value_t s_string = {
    CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t s_entry_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, s_entry_t, name, 1, 64),
    CYAML_FIELD_STRING_PTR("hash", CYAML_FLAG_POINTER, s_entry_t, hash, 1, 200),
    CYAML_FIELD_STRING_PTR("role", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, s_entry_t, role, 1, 32),
    CYAML_FIELD_SEQUENCE("agents", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, s_entry_t, agents, &s_string, 0,
                         CYAML_UNLIMITED),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t s_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, s_entry_t, s_entry_fields),
};

static const cyaml_schema_field_t s_file_fields[] = {
    CYAML_FIELD_SEQUENCE("tokens", CYAML_FLAG_POINTER, s_file_t, tokens, &s_entry, 0, CYAML_UNLIMITED),
    CYAML_FIELD_END,
};

static const cyaml_schema_value_t s_top = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, s_file_t, s_file_fields),
};

static const cyaml_config_t s_cyaml = {
    .log_fn = NULL,
    .mem_fn = cyaml_mem,
    .log_level = CYAML_LOG_ERROR,
    .flags = CYAML_CFG_DEFAULT,
};

static int s_parse_hash(const char *text, unsigned char *out)
{
    size_t plen = strlen(AUTH_HASH_PREFIX), bin_len = 0;
    if (strncmp(text, AUTH_HASH_PREFIX, plen) != 0 || strlen(text + plen) != 2 * AUTH_HASH_BYTES)
        return -1;
    if (sodium_hex2bin(out, AUTH_HASH_BYTES, text + plen, 2 * AUTH_HASH_BYTES, NULL, &bin_len, NULL) != 0 ||
        bin_len != AUTH_HASH_BYTES)
        return -1;
    return 0;
}

static int s_convert(const s_entry_t *e, size_t i, auth_token_t *t, char *err, size_t errlen)
{
    snprintf(t->name, sizeof t->name, "%s", e->name ? e->name : "");
    if (!*t->name)
        snprintf(t->name, sizeof t->name, "token%zu", i + 1);
    if (s_parse_hash(e->hash, t->hash) != 0) {
        snprintf(err, errlen,
                 "tokens[%zu] (%s): hash must be blake2b:<64 hex digits> "
                 "(make one with nodelink-gateway-token)",
                 i, t->name);
        return -1;
    }
    t->admin = e->role && strcmp(e->role, "admin") == 0;
    if (e->role && !t->admin && strcmp(e->role, "agents") != 0) {
        snprintf(err, errlen, "tokens[%zu] (%s): role must be admin or agents", i, t->name);
        return -1;
    }
    if (!t->admin && e->agents_count == 0) {
        snprintf(err, errlen, "tokens[%zu] (%s): needs role: admin or a list of agents", i, t->name);
        return -1;
    }
    t->agents = calloc(e->agents_count ? e->agents_count : 1, sizeof *t->agents);
    for (unsigned k = 0; t->agents && k < e->agents_count; k++) {
        if (!topic_id_valid(e->agents[k])) {
            snprintf(err, errlen, "tokens[%zu] (%s): '%s' is not a valid agent id", i, t->name, e->agents[k]);
            return -1;
        }
        t->agents[t->n_agents++] = strdup(e->agents[k]);
    }
    return t->agents ? 0 : -1;
}

auth_t *auth_load(const char *path, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot initialise");
        return NULL;
    }
    s_file_t *file = NULL;
    cyaml_err_t rc = cyaml_load_file(path, &s_cyaml, &s_top, (cyaml_data_t **)&file, NULL);
    if (rc != CYAML_OK) {
        snprintf(err, errlen, "%s: %s (expected tokens: [{name, hash, role: admin | agents: [...]}])", path,
                 cyaml_strerror(rc));
        return NULL;
    }
    auth_t *self = calloc(1, sizeof *self);
    if (self)
        self->tokens = calloc(file->tokens_count ? file->tokens_count : 1, sizeof *self->tokens);
    int status = self && self->tokens ? 0 : -1;
    for (unsigned i = 0; status == 0 && i < file->tokens_count; i++) {
        status = s_convert(&file->tokens[i], i, &self->tokens[i], err, errlen);
        self->n_tokens = i + 1;
    }
    if (status == 0 && file->tokens_count == 0) {
        snprintf(err, errlen, "%s: no tokens", path);
        status = -1;
    }
    cyaml_free(&s_cyaml, &s_top, file, 0);
    if (status != 0)
        auth_destroy(&self);
    return self;
}

void auth_destroy(auth_t **self)
{
    if (!self || !*self)
        return;
    for (size_t i = 0; (*self)->tokens && i < (*self)->n_tokens; i++) {
        for (size_t k = 0; k < (*self)->tokens[i].n_agents; k++)
            free((*self)->tokens[i].agents[k]);
        free((*self)->tokens[i].agents);
    }
    free((*self)->tokens);
    free(*self);
    *self = NULL;
}

const auth_token_t *auth_check(const auth_t *self, const char *token)
{
    unsigned char h[AUTH_HASH_BYTES];
    const auth_token_t *found = NULL;
    if (!token || !*token || strlen(token) > 512)
        return NULL;
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    for (size_t i = 0; i < self->n_tokens; i++)
        if (sodium_memcmp(h, self->tokens[i].hash, sizeof h) == 0)
            found = &self->tokens[i];
    return found;
}

bool auth_allows(const auth_token_t *t, const char *agent_id)
{
    if (!t || t->admin)
        return true;
    for (size_t i = 0; i < t->n_agents; i++)
        if (strcmp(t->agents[i], agent_id) == 0)
            return true;
    return false;
}

int auth_hash(const char *token, char *out, size_t outlen)
{
    unsigned char h[AUTH_HASH_BYTES];
    if (sodium_init() < 0 || outlen < AUTH_HASH_TEXT_MAX)
        return -1;
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    size_t plen = strlen(AUTH_HASH_PREFIX);
    memcpy(out, AUTH_HASH_PREFIX, plen);
    sodium_bin2hex(out + plen, outlen - plen, h, sizeof h);
    return 0;
}

int auth_token_generate(char *out, size_t outlen)
{
    unsigned char raw[32];
    if (sodium_init() < 0 || outlen < 64)
        return -1;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, outlen, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}
