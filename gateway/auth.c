/*
 * auth.c - the tokens file and token checks. See auth.h.
 */
#include "auth.h"

#include <cyaml/cyaml.h>
#include <sodium.h>
#include <stdarg.h>
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

/* libcyaml's error log, kept to explain a refused file (it says which key
 * and which line; its return code alone says only "Invalid key"). */
typedef struct {
    char text[1024];
    size_t len;
} s_log_t;

static void s_cyaml_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    s_log_t *log = ctx;
    if (level < CYAML_LOG_ERROR || log->len >= sizeof log->text - 1)
        return;
    int n = vsnprintf(log->text + log->len, sizeof log->text - log->len, fmt, args);
    if (n > 0)
        log->len += (size_t)n < sizeof log->text - log->len ? (size_t)n : sizeof log->text - log->len - 1;
}

/* "<path>: [tokens[i]: ]<what libcyaml found>" from its log, whose first
 * line is the problem ("Load: Unexpected key: agent") and whose backtrace
 * runs innermost first, so that its last "in sequence entry 'N'" (1-based)
 * is the entry of tokens. */
static void s_yaml_error(const char *path, const s_log_t *log, cyaml_err_t rc, char *err, size_t errlen)
{
    static const char entry_mark[] = "in sequence entry '";
    const char *what = log->text, *entry = NULL;
    for (const char *p = log->text; (p = strstr(p, entry_mark)); p++)
        entry = p + sizeof entry_mark - 1;
    size_t wlen = strcspn(what, "\n");
    if (strncmp(what, "Load: ", 6) == 0)
        what += 6, wlen -= wlen >= 6 ? 6 : wlen;
    if (!wlen)
        what = cyaml_strerror(rc), wlen = strlen(what);
    char where[48] = "";
    long n = entry ? strtol(entry, NULL, 10) : 0;
    if (n > 0)
        snprintf(where, sizeof where, "tokens[%ld]: ", n - 1);
    snprintf(err, errlen, "%s: %s%.*s (expected tokens: [{name, hash, role: admin | agents: [...]}])", path,
             where, (int)wlen, what);
}

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
        if (!(t->agents[t->n_agents] = strdup(e->agents[k])))
            break;
        t->n_agents++;
    }
    if (!t->agents || t->n_agents != e->agents_count) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* Two entries with one hash (one secret, two scopes: which one a request
 * got would depend on the file's order) or one name (the rate-limit key and
 * the name in logs) are refused. */
static int s_check_unique(const auth_t *self, char *err, size_t errlen)
{
    for (size_t i = 1; i < self->n_tokens; i++) {
        const auth_token_t *t = &self->tokens[i];
        for (size_t k = 0; k < i; k++) {
            const auth_token_t *o = &self->tokens[k];
            if (memcmp(t->hash, o->hash, sizeof t->hash) == 0) {
                snprintf(err, errlen, "tokens[%zu] (%s): same hash as tokens[%zu] (%s)", i, t->name, k,
                         o->name);
                return -1;
            }
            if (strcmp(t->name, o->name) == 0) {
                snprintf(err, errlen, "tokens[%zu] (%s): name already used by tokens[%zu]", i, t->name, k);
                return -1;
            }
        }
    }
    return 0;
}

auth_t *auth_load(const char *path, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot initialise");
        return NULL;
    }
    s_log_t log = {.len = 0};
    const cyaml_config_t config = {
        .log_fn = s_cyaml_log,
        .log_ctx = &log,
        .mem_fn = cyaml_mem,
        .log_level = CYAML_LOG_ERROR,
        .flags = CYAML_CFG_DEFAULT,
    };
    s_file_t *file = NULL;
    cyaml_err_t rc = cyaml_load_file(path, &config, &s_top, (cyaml_data_t **)&file, NULL);
    if (rc != CYAML_OK) {
        s_yaml_error(path, &log, rc, err, errlen);
        return NULL;
    }
    if (!file || file->tokens_count == 0) { /* an empty document, or tokens: [] */
        snprintf(err, errlen, "%s: no tokens", path);
        cyaml_free(&config, &s_top, file, 0);
        return NULL;
    }
    char why[256] = "out of memory";
    auth_t *self = calloc(1, sizeof *self);
    if (self)
        self->tokens = calloc(file->tokens_count, sizeof *self->tokens);
    int status = self && self->tokens ? 0 : -1;
    for (unsigned i = 0; status == 0 && i < file->tokens_count; i++) {
        status = s_convert(&file->tokens[i], i, &self->tokens[i], why, sizeof why);
        self->n_tokens = i + 1;
    }
    if (status == 0)
        status = s_check_unique(self, why, sizeof why);
    cyaml_free(&config, &s_top, file, 0);
    if (status != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        auth_destroy(&self);
    }
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
    if (!token || !*token || strnlen(token, AUTH_TOKEN_MAX + 1) > AUTH_TOKEN_MAX)
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
