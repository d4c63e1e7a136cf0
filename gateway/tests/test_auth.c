/*
 * Bearer tokens: the tokens file (hashes only), checking a presented token,
 * agent scopes, and the errors a bad file gets.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"

#define S_OPS "k3Jv0qL8x2fM5nR7tW9yB4cE6gH1jA3sD5fG7hJ9kL0"
#define S_WEB "Zq1Wx2Ec3Rv4Tb5Yn6Um7Ik8Ol9Pa0Sd1Fg2Hj3Kl4"
#define S_DB "Mn8Bv7Cx6Zl5Kj4Hg3Fd2Sa1Qw0Er9Ty8Ui7Op6As5"

/* "blake2b:<hex>" of token, in one of a few static slots. */
static const char *s_hash(const char *token)
{
    static char slots[8][AUTH_HASH_TEXT_MAX];
    static int next;
    char *out = slots[next++ % 8];
    cr_assert_eq(auth_hash(token, out, AUTH_HASH_TEXT_MAX), 0);
    return out;
}

/* Writes text to a new temporary file; the caller unlinks and frees it. */
static char *s_write(const char *text)
{
    const char *dir = getenv("TMPDIR");
    char *path = NULL;
    cr_assert(asprintf(&path, "%s/nodelink-tokens-XXXXXX", dir && *dir ? dir : "/tmp") > 0);
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* Loads a tokens file of the given text; err gets the reason on failure. */
static auth_t *s_load(const char *text, char *err, size_t errlen)
{
    char *path = s_write(text);
    err[0] = '\0';
    auth_t *a = auth_load(path, err, errlen);
    unlink(path);
    free(path);
    return a;
}

/* Loads text that must fail, returning the error in err. */
static void s_refused(const char *text, char *err, size_t errlen)
{
    auth_t *a = s_load(text, err, errlen);
    cr_assert_null(a, "loaded a bad file:\n%s", text);
    cr_assert(err[0], "no reason given for:\n%s", text);
}

/* ops (admin), team-web (web-01, web-02), and an unnamed db-01 token. */
static auth_t *s_three(void)
{
    char text[1024], err[256];
    snprintf(text, sizeof text,
             "tokens:\n"
             "  - name: ops\n"
             "    hash: %s\n"
             "    role: admin\n"
             "  - name: team-web\n"
             "    hash: %s\n"
             "    agents: [web-01, web-02]\n"
             "  - hash: %s\n"
             "    role: agents\n"
             "    agents:\n"
             "      - db-01\n",
             s_hash(S_OPS), s_hash(S_WEB), s_hash(S_DB));
    auth_t *a = s_load(text, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    return a;
}

/* ---------------------------------------------------------------- hashes and new tokens */

Test(auth, hash_is_blake2b_256_in_lower_case_hex_behind_its_prefix)
{
    char out[AUTH_HASH_TEXT_MAX];
    cr_assert_eq(auth_hash("abc", out, sizeof out), 0);
    cr_assert_str_eq(out, "blake2b:bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    cr_assert_eq(strlen(out) + 1, AUTH_HASH_TEXT_MAX, "AUTH_HASH_TEXT_MAX is exactly the text and its NUL");
}

Test(auth, hash_refuses_a_buffer_too_small_for_the_text)
{
    char out[AUTH_HASH_TEXT_MAX];
    memset(out, 'x', sizeof out);
    cr_assert_eq(auth_hash("abc", out, sizeof out - 1), -1);
    cr_assert_eq(out[0], 'x', "nothing written");
}

Test(auth, new_tokens_are_43_url_safe_characters_and_never_repeat)
{
    char seen[64][64];
    for (int i = 0; i < 64; i++) {
        cr_assert_eq(auth_token_generate(seen[i], sizeof seen[i]), 0);
        cr_assert_eq(strlen(seen[i]), 43, "'%s'", seen[i]);
        cr_assert_eq(strspn(seen[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43,
                     "'%s' is not url-safe base64 without padding", seen[i]);
        for (int k = 0; k < i; k++)
            cr_assert_str_neq(seen[i], seen[k]);
    }
    char small[63];
    cr_assert_eq(auth_token_generate(small, sizeof small), -1);
}

Test(auth, a_generated_token_matches_the_hash_made_of_it)
{
    char token[64], text[256], err[256];
    cr_assert_eq(auth_token_generate(token, sizeof token), 0);
    snprintf(text, sizeof text, "tokens:\n  - name: fresh\n    hash: %s\n    role: admin\n", s_hash(token));
    auth_t *a = s_load(text, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    const auth_token_t *t = auth_check(a, token);
    cr_assert_not_null(t);
    cr_assert_str_eq(t->name, "fresh");
    auth_destroy(&a);
    cr_assert_null(a);
}

/* ---------------------------------------------------------------- loading */

Test(auth, the_example_tokens_file_loads)
{
    const char *src = getenv("NODELINK_SOURCE_DIR");
    char path[4096], err[256] = "";
    snprintf(path, sizeof path, "%s/deploy/config/tokens.example.yaml", src ? src : "../..");
    auth_t *a = auth_load(path, err, sizeof err);
    cr_assert_not_null(a, "%s (set NODELINK_SOURCE_DIR or run through ctest)", err);
    cr_assert_null(auth_check(a, S_OPS), "its placeholder hashes match no real token");
    auth_destroy(&a);
}

Test(auth, each_token_finds_its_own_entry_with_name_role_and_agents)
{
    auth_t *a = s_three();
    const auth_token_t *ops = auth_check(a, S_OPS), *web = auth_check(a, S_WEB), *db = auth_check(a, S_DB);
    cr_assert_not_null(ops);
    cr_assert_not_null(web);
    cr_assert_not_null(db);
    cr_assert_str_eq(ops->name, "ops");
    cr_assert(ops->admin);
    cr_assert_str_eq(web->name, "team-web");
    cr_assert_not(web->admin);
    cr_assert_eq(web->n_agents, 2);
    cr_assert_str_eq(web->agents[0], "web-01");
    cr_assert_str_eq(web->agents[1], "web-02");
    cr_assert_not(db->admin);
    cr_assert_eq(db->n_agents, 1);
    cr_assert_str_eq(db->agents[0], "db-01");
    auth_destroy(&a);
}

Test(auth, an_unnamed_entry_is_named_after_its_position)
{
    auth_t *a = s_three();
    cr_assert_str_eq(auth_check(a, S_DB)->name, "token3");
    auth_destroy(&a);
}

Test(auth, a_name_of_64_characters_is_kept_whole_and_65_are_refused)
{
    char name[66], text[512], err[256];
    memset(name, 'n', 64);
    name[64] = '\0';
    snprintf(text, sizeof text, "tokens:\n  - name: %s\n    hash: %s\n    role: admin\n", name,
             s_hash(S_OPS));
    auth_t *a = s_load(text, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    cr_assert_str_eq(auth_check(a, S_OPS)->name, name);
    auth_destroy(&a);
    strcat(name, "n");
    snprintf(text, sizeof text, "tokens:\n  - name: %s\n    hash: %s\n    role: admin\n", name,
             s_hash(S_OPS));
    s_refused(text, err, sizeof err);
}

Test(auth, hash_hex_digits_may_be_upper_case)
{
    char upper[AUTH_HASH_TEXT_MAX], text[256], err[256];
    snprintf(upper, sizeof upper, "%s", s_hash(S_OPS));
    for (char *p = upper + strlen(AUTH_HASH_PREFIX); *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    snprintf(text, sizeof text, "tokens:\n  - name: ops\n    hash: %s\n    role: admin\n", upper);
    auth_t *a = s_load(text, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    cr_assert_not_null(auth_check(a, S_OPS));
    auth_destroy(&a);
}

/* ---------------------------------------------------------------- checking */

Test(auth, wrong_empty_and_missing_tokens_match_nothing)
{
    auth_t *a = s_three();
    cr_assert_null(auth_check(a, "not-a-token"));
    cr_assert_null(auth_check(a, ""));
    cr_assert_null(auth_check(a, NULL));
    auth_destroy(&a);
}

Test(auth, a_prefix_or_an_extension_of_a_token_matches_nothing)
{
    auth_t *a = s_three();
    char buf[128];
    for (size_t n = 1; n < strlen(S_OPS); n++) {
        snprintf(buf, sizeof buf, "%.*s", (int)n, S_OPS);
        cr_assert_null(auth_check(a, buf), "prefix of %zu characters", n);
    }
    snprintf(buf, sizeof buf, "%sx", S_OPS);
    cr_assert_null(auth_check(a, buf));
    snprintf(buf, sizeof buf, "x%s", S_OPS);
    cr_assert_null(auth_check(a, buf));
    auth_destroy(&a);
}

Test(auth, tokens_are_compared_exactly_case_and_spaces_included)
{
    auth_t *a = s_three();
    char buf[128];
    snprintf(buf, sizeof buf, "%s", S_OPS);
    buf[0] = (char)(buf[0] - 'a' + 'A'); /* 'k' -> 'K' */
    cr_assert_null(auth_check(a, buf));
    snprintf(buf, sizeof buf, " %s", S_OPS);
    cr_assert_null(auth_check(a, buf));
    snprintf(buf, sizeof buf, "%s\n", S_OPS);
    cr_assert_null(auth_check(a, buf));
    snprintf(buf, sizeof buf, "Bearer %s", S_OPS);
    cr_assert_null(auth_check(a, buf));
    auth_destroy(&a);
}

Test(auth, tokens_longer_than_the_maximum_are_refused_even_when_listed)
{
    char longest[AUTH_TOKEN_MAX + 2], text[512], err[256];
    memset(longest, 'a', AUTH_TOKEN_MAX);
    longest[AUTH_TOKEN_MAX] = '\0';
    char too_long[AUTH_TOKEN_MAX + 2];
    memcpy(too_long, longest, AUTH_TOKEN_MAX);
    too_long[AUTH_TOKEN_MAX] = 'a';
    too_long[AUTH_TOKEN_MAX + 1] = '\0';
    snprintf(text, sizeof text,
             "tokens:\n  - name: longest\n    hash: %s\n    role: admin\n"
             "  - name: too-long\n    hash: %s\n    role: admin\n",
             s_hash(longest), s_hash(too_long));
    auth_t *a = s_load(text, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    cr_assert_not_null(auth_check(a, longest));
    cr_assert_null(auth_check(a, too_long));
    char *huge = malloc(1 << 20);
    memset(huge, 'a', (1 << 20) - 1);
    huge[(1 << 20) - 1] = '\0';
    cr_assert_null(auth_check(a, huge));
    free(huge);
    auth_destroy(&a);
}

Test(auth, the_first_middle_and_last_entries_are_all_found)
{
    /* every entry is compared, whatever its position (the loop does not
     * stop early, so that the time taken does not tell which matched) */
    char text[8192], err[256], tok[32];
    size_t len = (size_t)snprintf(text, sizeof text, "tokens:\n");
    for (int i = 0; i < 50; i++) {
        snprintf(tok, sizeof tok, "token-number-%02d", i);
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "  - name: n%02d\n    hash: %s\n    role: admin\n", i, s_hash(tok));
    }
    auth_t *a = s_load(text, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    for (int i = 0; i < 50; i++) {
        char name[8];
        snprintf(tok, sizeof tok, "token-number-%02d", i);
        snprintf(name, sizeof name, "n%02d", i);
        const auth_token_t *t = auth_check(a, tok);
        cr_assert_not_null(t, "%s", tok);
        cr_assert_str_eq(t->name, name);
    }
    auth_destroy(&a);
}

/* ---------------------------------------------------------------- scopes */

Test(auth, without_authentication_every_agent_is_allowed)
{
    cr_assert(auth_allows(NULL, "web-01"));
    cr_assert(auth_allows(NULL, "anything"));
}

Test(auth, an_admin_token_sees_every_agent)
{
    auth_t *a = s_three();
    const auth_token_t *ops = auth_check(a, S_OPS);
    cr_assert(auth_allows(ops, "web-01"));
    cr_assert(auth_allows(ops, "db-01"));
    cr_assert(auth_allows(ops, "never-listed"));
    auth_destroy(&a);
}

Test(auth, a_listed_token_sees_exactly_its_agents)
{
    auth_t *a = s_three();
    const auth_token_t *web = auth_check(a, S_WEB);
    cr_assert(auth_allows(web, "web-01"));
    cr_assert(auth_allows(web, "web-02"));
    cr_assert_not(auth_allows(web, "db-01"));
    cr_assert_not(auth_allows(web, "web-0"), "a prefix of a listed id");
    cr_assert_not(auth_allows(web, "web-010"), "a listed id as prefix");
    cr_assert_not(auth_allows(web, "WEB-01"), "ids are case-sensitive");
    cr_assert_not(auth_allows(web, ""));
    auth_destroy(&a);
}

Test(auth, admin_with_a_list_of_agents_is_still_admin)
{
    char text[256], err[256];
    snprintf(text, sizeof text,
             "tokens:\n  - name: ops\n    hash: %s\n    role: admin\n    agents: [web-01]\n", s_hash(S_OPS));
    auth_t *a = s_load(text, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    cr_assert(auth_allows(auth_check(a, S_OPS), "db-01"));
    auth_destroy(&a);
}

Test(auth, wildcards_in_agent_lists_are_refused_not_taken_literally)
{
    char text[256], err[256];
    snprintf(text, sizeof text, "tokens:\n  - name: team-web\n    hash: %s\n    agents: [\"web-*\"]\n",
             s_hash(S_WEB));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, "tokens[0] (team-web)"), "%s", err);
    cr_assert(strstr(err, "'web-*' is not a valid agent id"), "%s", err);
}

/* ---------------------------------------------------------------- bad files */

Test(auth, a_missing_file_is_an_error_naming_it)
{
    char err[256] = "";
    cr_assert_null(auth_load("/nonexistent/nodelink/tokens.yaml", err, sizeof err));
    cr_assert(strstr(err, "/nonexistent/nodelink/tokens.yaml"), "%s", err);
}

Test(auth, an_empty_file_is_an_error_not_a_crash)
{
    char err[256];
    s_refused("", err, sizeof err);
    cr_assert(strstr(err, "no tokens"), "%s", err);
    s_refused("# nothing but a comment\n", err, sizeof err);
    cr_assert(strstr(err, "no tokens"), "%s", err);
}

Test(auth, an_empty_list_of_tokens_is_an_error)
{
    char err[256];
    s_refused("tokens: []\n", err, sizeof err);
    cr_assert(strstr(err, "no tokens"), "%s", err);
}

Test(auth, text_that_is_not_the_expected_yaml_is_an_error_showing_the_shape)
{
    static const char *bad[] = {
        "tokens: [unclosed\n",     /* not YAML */
        "- name: ops\n",           /* a list at the top */
        "tokens:\n  name: ops\n",  /* tokens not a list */
        "token:\n  - name: ops\n", /* misspelt key */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[512];
        s_refused(bad[i], err, sizeof err);
        cr_assert(strstr(err, "expected tokens:"), "%s", err);
    }
}

Test(auth, a_misspelt_entry_key_is_an_error_naming_entry_and_key)
{
    char text[256], err[512];
    /* "agent" for "agents": ignoring it would leave the entry unscoped */
    snprintf(text, sizeof text, "tokens:\n  - name: team-web\n    hash: %s\n    agent: [web-01]\n",
             s_hash(S_WEB));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, ": tokens[0]: Unexpected key: agent"), "%s", err);
}

Test(auth, an_entry_without_hash_is_an_error_saying_so)
{
    char err[512];
    s_refused("tokens:\n  - name: ops\n    hash: blake2b:00\n  - name: web\n    role: admin\n", err,
              sizeof err);
    cr_assert(strstr(err, ": tokens[1]: Missing required mapping field: hash"), "%s", err);
}

Test(auth, a_hash_that_is_not_blake2b_hex_is_refused_naming_the_entry)
{
    char hex64[65];
    snprintf(hex64, sizeof hex64, "%s", s_hash(S_OPS) + strlen(AUTH_HASH_PREFIX));
    char bad[6][128];
    snprintf(bad[0], sizeof bad[0], "%s", hex64);             /* no prefix */
    snprintf(bad[1], sizeof bad[1], "sha256:%s", hex64);      /* another algorithm */
    snprintf(bad[2], sizeof bad[2], "blake2b:%.63s", hex64);  /* a digit short */
    snprintf(bad[3], sizeof bad[3], "blake2b:%s0", hex64);    /* a digit more */
    snprintf(bad[4], sizeof bad[4], "blake2b:g%.63s", hex64); /* not hex */
    snprintf(bad[5], sizeof bad[5], "%s", S_OPS);             /* the token itself */
    for (size_t i = 0; i < 6; i++) {
        char text[1024], err[512];
        snprintf(text, sizeof text,
                 "tokens:\n  - name: ops\n    hash: %s\n    role: admin\n"
                 "  - name: broken\n    hash: \"%s\"\n    role: admin\n",
                 s_hash(S_OPS), bad[i]);
        s_refused(text, err, sizeof err);
        cr_assert(strstr(err, "tokens[1] (broken): hash must be blake2b:<64 hex digits>"), "'%s': %s", bad[i],
                  err);
    }
}

Test(auth, an_unknown_role_is_refused)
{
    static const char *roles[] = {"Admin", "root", "agent"};
    for (size_t i = 0; i < 3; i++) {
        char text[512], err[512];
        snprintf(text, sizeof text,
                 "tokens:\n  - name: x\n    hash: %s\n    role: %s\n    agents: [web-01]\n", s_hash(S_OPS),
                 roles[i]);
        s_refused(text, err, sizeof err);
        cr_assert(strstr(err, "tokens[0] (x): role must be admin or agents"), "%s: %s", roles[i], err);
    }
}

Test(auth, a_token_without_admin_role_needs_a_list_of_agents)
{
    char text[512], err[512];
    snprintf(text, sizeof text, "tokens:\n  - name: x\n    hash: %s\n", s_hash(S_OPS));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, "tokens[0] (x): needs role: admin or a list of agents"), "%s", err);
    snprintf(text, sizeof text, "tokens:\n  - name: x\n    hash: %s\n    role: agents\n    agents: []\n",
             s_hash(S_OPS));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, "needs role: admin or a list of agents"), "%s", err);
}

Test(auth, an_error_in_a_later_entry_names_that_entry)
{
    char text[512], err[512];
    snprintf(text, sizeof text,
             "tokens:\n  - name: ops\n    hash: %s\n    role: admin\n"
             "  - hash: %s\n    agents: [web-01, \"bad id\"]\n",
             s_hash(S_OPS), s_hash(S_WEB));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, "tokens[1] (token2): 'bad id' is not a valid agent id"), "%s", err);
}

Test(auth, two_entries_with_one_hash_are_refused)
{
    /* one secret, two scopes: which one a request got would depend on the
     * order of the file */
    char text[512], err[512];
    snprintf(text, sizeof text,
             "tokens:\n  - name: ops\n    hash: %s\n    role: admin\n"
             "  - name: team-web\n    hash: %s\n    agents: [web-01]\n",
             s_hash(S_OPS), s_hash(S_OPS));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, "tokens[1] (team-web)"), "%s", err);
    cr_assert(strstr(err, "same hash as tokens[0] (ops)"), "%s", err);
}

Test(auth, two_entries_with_one_name_are_refused)
{
    /* the name is the rate-limit key and what logs show: two tokens under
     * one name would share a budget and be told apart nowhere */
    char text[512], err[512];
    snprintf(text, sizeof text,
             "tokens:\n  - name: ops\n    hash: %s\n    role: admin\n"
             "  - name: ops\n    hash: %s\n    agents: [web-01]\n",
             s_hash(S_OPS), s_hash(S_WEB));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, "tokens[1] (ops): name already used by tokens[0]"), "%s", err);
    /* a given name may not collide with a position name either */
    snprintf(text, sizeof text,
             "tokens:\n  - hash: %s\n    role: admin\n"
             "  - name: token1\n    hash: %s\n    agents: [web-01]\n",
             s_hash(S_OPS), s_hash(S_WEB));
    s_refused(text, err, sizeof err);
    cr_assert(strstr(err, "tokens[1] (token1): name already used by tokens[0]"), "%s", err);
}

Test(auth, destroy_accepts_null_and_nulls_the_pointer)
{
    auth_destroy(NULL);
    auth_t *a = NULL;
    auth_destroy(&a);
    a = s_three();
    auth_destroy(&a);
    cr_assert_null(a);
}
