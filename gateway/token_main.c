/*
 * token_main.c - nodelink-gateway-token: makes API tokens and the hashes the
 * gateway's tokens file stores, so no plaintext token is ever written down.
 *
 *     nodelink-gateway-token new            # prints a new token and its hash
 *     nodelink-gateway-token hash TOKEN     # prints the hash of TOKEN
 *     nodelink-gateway-token hash -         # reads the token from stdin
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"

static int s_usage(void)
{
    fprintf(stderr, "usage: nodelink-gateway-token new | hash TOKEN | hash -\n");
    return 2;
}

int main(int argc, char **argv)
{
    char token[256], hash[AUTH_HASH_TEXT_MAX];
    if (argc == 2 && strcmp(argv[1], "new") == 0) {
        if (auth_token_generate(token, sizeof token) != 0 || auth_hash(token, hash, sizeof hash) != 0)
            return 1;
        printf("token: %s\nhash:  %s\n", token, hash);
        return 0;
    }
    if (argc != 3 || strcmp(argv[1], "hash") != 0)
        return s_usage();
    if (strcmp(argv[2], "-") == 0) {
        if (!fgets(token, sizeof token, stdin))
            return s_usage();
        token[strcspn(token, "\r\n")] = '\0';
    } else {
        snprintf(token, sizeof token, "%s", argv[2]);
    }
    if (!*token || auth_hash(token, hash, sizeof hash) != 0)
        return s_usage();
    printf("%s\n", hash);
    return 0;
}
