/*
 * The YAML file: nesting, lists, and errors that name the key and its line
 * however the file is written.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "conf_fixture.h"
#include "config.h"

static fixture_cfg_t s_cfg;
static char s_err[512];

static void s_free(void)
{
    conf_free(&fixture_schema, &s_cfg);
}

TestSuite(conf_yaml, .fini = s_free);

/* Loads text into s_cfg, freeing what an earlier load left there. */
static conf_result_t s_load(const char *text)
{
    conf_free(&fixture_schema, &s_cfg);
    return fixture_load_text(&fixture_schema, &s_cfg, sizeof s_cfg, text, s_err);
}

/* Loading text must fail with a message that holds ":line: " and then
 * message. */
static void s_fails_at(const char *text, long line, const char *message)
{
    cr_assert_eq(s_load(text), CONF_ERROR, "accepted:\n%s", text);
    char want[512];
    snprintf(want, sizeof want, ":%ld: %s", line, message);
    cr_assert(strstr(s_err, want), "wanted '%s' in: %s", want, s_err);
}

Test(conf_yaml, a_file_sets_every_type_through_nested_sections)
{
    cr_assert_eq(s_load("app:\n  name: web\n  count: 7\n  enabled: off\n  tags: [a, b c]\n"
                        "timing:\n  interval: 250ms\n  buffer: 1MB\n  limits:\n    ratio: 0.125\n"),
                 CONF_LOADED, "%s", s_err);
    cr_assert_str_eq(s_cfg.name, "web");
    cr_assert_eq(s_cfg.count, 7);
    cr_assert_not(s_cfg.enabled);
    cr_assert_eq(s_cfg.tags.count, 2);
    cr_assert_str_eq(s_cfg.tags.items[1], "b c");
    cr_assert_eq(s_cfg.interval_ms, 250);
    cr_assert_eq(s_cfg.buffer, 1 << 20);
    cr_assert_float_eq(s_cfg.ratio, 0.125, 0);
}

Test(conf_yaml, keys_the_file_does_not_name_keep_their_defaults)
{
    cr_assert_eq(s_load("app:\n  count: 3\n"), CONF_LOADED, "%s", s_err);
    cr_assert_str_eq(s_cfg.name, "svc");
    cr_assert_null(s_cfg.label);
    cr_assert_eq(s_cfg.tags.count, 2, "a list the file does not name keeps its default");
    cr_assert_eq(s_cfg.interval_ms, 5000);
}

Test(conf_yaml, an_explicitly_empty_list_empties_a_list_with_a_default)
{
    cr_assert_eq(s_load("app:\n  tags: []\n"), CONF_LOADED, "%s", s_err);
    cr_assert_eq(s_cfg.tags.count, 0);
    cr_assert_eq(s_load("app:\n  tags: [ ]   # none\n  extra: [x]\n"), CONF_LOADED, "%s", s_err);
    cr_assert_eq(s_cfg.tags.count, 0, "spaces and a comment");
    cr_assert_eq(s_cfg.extra.count, 1);
}

Test(conf_yaml, a_list_named_without_a_value_is_still_an_error)
{
    s_fails_at("app:\n  tags:\n", 2, "app.tags: expected a list, found a single value");
}

Test(conf_yaml, an_empty_file_or_one_of_comments_changes_nothing)
{
    cr_assert_eq(s_load(""), CONF_LOADED, "%s", s_err);
    cr_assert_str_eq(s_cfg.name, "svc");
    cr_assert_eq(s_load("# nothing here\n"), CONF_LOADED, "%s", s_err);
    cr_assert_eq(s_cfg.count, 10);
}

Test(conf_yaml, a_bad_value_names_its_dotted_key_and_line)
{
    s_fails_at("app:\n  name: a\ntiming:\n  buffer: 1MB\n  interval: fast\n", 5,
               "timing.interval: invalid duration 'fast' (use e.g. 500ms, 5s, 24h, 7d)");
    s_fails_at("timing:\n  limits:\n\n    ratio: lots\n", 4, "timing.limits.ratio: invalid number 'lots'");
}

Test(conf_yaml, a_bad_value_in_a_flow_mapping_is_still_named_without_a_line)
{
    /* lines are found in block style, as files are written and printed */
    cr_assert_eq(s_load("# settings\napp: {name: x, count: many}\n"), CONF_ERROR);
    const char *tail = ": app.count: invalid integer 'many'";
    size_t n = strlen(s_err), t = strlen(tail);
    cr_assert(n > t && strcmp(s_err + n - t, tail) == 0, "%s", s_err);
    cr_assert_null(strstr(s_err, ":2:"), "%s", s_err);
}

Test(conf_yaml, lines_are_counted_past_long_lines_and_block_strings)
{
    size_t n = 5000;
    char *text = malloc(n + 200);
    cr_assert_not_null(text);
    strcpy(text, "app:\n  name: \"");
    memset(text + strlen(text), 'x', n);
    strcpy(text + 14 + n, "\"\n  label: |\n    count: 1\n    more\n  count: ten\n");
    s_fails_at(text, 6, "app.count: invalid integer 'ten'");
    free(text);
}

Test(conf_yaml, a_bad_list_item_names_the_list_and_its_line)
{
    s_fails_at("app:\n  name: a\n  tags:\n    - cpu\n    - \"\"\n", 3, "app.tags: empty list item");
}

Test(conf_yaml, an_unknown_key_names_its_full_path_and_line)
{
    s_fails_at("app:\n  name: a\ntiming:\n  limits:\n    ratoi: 1\n", 5,
               "unknown key 'timing.limits.ratoi' (see --help)");
    s_fails_at("app:\n  name: a\napq: 1\n", 3, "unknown key 'apq' (see --help)");
    s_fails_at("timing:\n  limits:\n    ratio: 1\n\n  nope: 1\n", 5,
               "unknown key 'timing.nope' (see --help)");
}

Test(conf_yaml, the_wrong_kind_of_value_is_explained_in_words)
{
    s_fails_at("app:\n  name: [a, b]\n", 2, "app.name: expected a single value, found a list");
    s_fails_at("app:\n  tags: cpu\n", 2, "app.tags: expected a list, found a single value");
    s_fails_at("app: 5\n", 1, "app: expected nested keys, found a single value");
    s_fails_at("app:\n  count:\n    n: 1\n", 3, "app.count: expected a single value, found nested keys");
}

Test(conf_yaml, a_syntax_error_gives_a_line)
{
    cr_assert_eq(s_load("app:\n  name: \"unterminated\n"), CONF_ERROR);
    cr_assert(strstr(s_err, ":2: app.name: "), "%s", s_err);
}

Test(conf_yaml, a_missing_file_is_named_with_the_reason)
{
    char *argv[] = {"fixture", "--config", "/nonexistent/nodelink.yaml"};
    memset(&s_cfg, 0, sizeof s_cfg);
    cr_assert_eq(conf_load(&fixture_schema, &s_cfg, 3, argv, s_err, sizeof s_err), CONF_ERROR);
    cr_assert_str_eq(s_err, "/nonexistent/nodelink.yaml: No such file or directory");
}
