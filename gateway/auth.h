/*
 * auth.h - bearer tokens: the tokens file, verification and agent scope.
 *
 * The tokens file (YAML) never holds a token, only its hash:
 *
 *     tokens:
 *       - name: ops                 # shown in logs, used as the rate-limit key
 *         hash: blake2b:5d1f...     # nodelink-gateway-token hash <token>
 *         role: admin               # every agent
 *       - name: team-web
 *         hash: blake2b:9a0c...
 *         agents: [web-01, web-02]  # only these agents
 *
 * Tokens are random 256-bit secrets (nodelink-gateway-token new), so a fast
 * keyed-free BLAKE2b-256 (libsodium crypto_generichash) is a safe hash: there
 * is nothing to brute-force, and a request costs one hash, not an Argon2
 * run. Every entry is compared in constant time (sodium_memcmp).
 * Immutable after auth_load: shared by every HTTP thread without locking.
 */
#ifndef NODELINK_AUTH_H
#define NODELINK_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_HASH_PREFIX "blake2b:"
#define AUTH_HASH_BYTES 32
#define AUTH_HASH_TEXT_MAX (sizeof AUTH_HASH_PREFIX + 2 * AUTH_HASH_BYTES)
/* Longer presented tokens are refused unhashed (generated ones have 43). */
#define AUTH_TOKEN_MAX 512

typedef struct auth_t auth_t;

typedef struct {
    char name[65];
    bool admin;
    char **agents;
    size_t n_agents;
    unsigned char hash[AUTH_HASH_BYTES];
} auth_token_t;

/* Loads and checks the tokens file. NULL with a reason (naming the entry)
 * in err. */
auth_t *auth_load(const char *path, char *err, size_t errlen);
void auth_destroy(auth_t **self);

/* The token entry matching the presented secret exactly, or NULL (also for
 * NULL, empty, or longer than AUTH_TOKEN_MAX). */
const auth_token_t *auth_check(const auth_t *self, const char *token);

/* May t see agent_id? (admin: always; NULL t = auth disabled: always.) */
bool auth_allows(const auth_token_t *t, const char *agent_id);

/* Writes "blake2b:<64 hex>" of token into out (AUTH_HASH_TEXT_MAX bytes).
 * 0, or -1 when libsodium cannot initialise. */
int auth_hash(const char *token, char *out, size_t outlen);

/* A new random token (43 url-safe base64 characters) into out (>= 64 bytes). */
int auth_token_generate(char *out, size_t outlen);

#endif
