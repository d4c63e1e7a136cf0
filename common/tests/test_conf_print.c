/*
 * --print-config: YAML that --config loads back to the same configuration,
 * whatever the strings hold, and the same bytes when printed again.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conf_fixture.h"
#include "config.h"

static fixture_cfg_t s_cfg, s_back;
static char s_err[512];

static void s_defaults(void)
{
    char *argv[] = {"fixture"};
    memset(&s_cfg, 0, sizeof s_cfg);
    memset(&s_back, 0, sizeof s_back);
    cr_assert_eq(conf_load(&fixture_schema, &s_cfg, 1, argv, s_err, sizeof s_err), CONF_LOADED, "%s", s_err);
}

static void s_free(void)
{
    conf_free(&fixture_schema, &s_cfg);
    conf_free(&fixture_schema, &s_back);
}

TestSuite(conf_print, .init = s_defaults, .fini = s_free);

/* Strings YAML would misread if printed as they are. */
static const char *const s_hostile[] = {
    "say \"hi\"",
    "back\\slash \\n not a newline",
    "two\nlines",
    "ends with a newline\n",
    "\ttab first",
    "\r\ncarriage return",
    "key: value",
    "a #comment",
    "# all comment",
    "- leading dash",
    "-",
    "--- document",
    "...",
    "&anchor",
    "*alias",
    "!tag",
    "!!str",
    "{brace",
    "[bracket",
    "]",
    "}",
    "a, b, c",
    "",
    " ",
    "  padded  ",
    "yes",
    "no",
    "on",
    "null",
    "~",
    "true",
    "0x1F",
    "1e3",
    "0777",
    ".inf",
    "'single quoted'",
    "\"double quoted\"",
    "%percent",
    "@at",
    "`backtick",
    "|pipe",
    ">fold",
    "? question",
    ": colon",
    "h\xc3\xa9llo \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac",
    "\x01\x7f control",
    "line\xe2\x80\xa8separator \xc2\x85 next line",
    "\xef\xbb\xbf byte order mark",
};
#define S_N_HOSTILE (sizeof s_hostile / sizeof s_hostile[0])

/* Prints from, loads the output into s_back, prints that and checks that
 * the two prints are the same bytes. Returns the first print (free it). */
static char *s_round_trip(const fixture_cfg_t *from)
{
    char *first = fixture_print(&fixture_schema, from);
    conf_free(&fixture_schema, &s_back);
    conf_result_t r = fixture_load_text(&fixture_schema, &s_back, sizeof s_back, first, s_err);
    cr_assert_eq(r, CONF_LOADED, "the printed configuration does not load: %s\n%s", s_err, first);
    char *second = fixture_print(&fixture_schema, &s_back);
    cr_assert_str_eq(second, first, "printed again differently");
    free(second);
    return first;
}

static void s_set(const char *key, const char *value)
{
    cr_assert_eq(conf_set(&fixture_schema, &s_cfg, key, value, s_err, sizeof s_err), 0, "%s", s_err);
}

static void s_set_list(conf_list_t *list, const char *const *items, size_t n)
{
    conf_list_t src = {(char **)items, n};
    cr_assert_eq(conf_list_copy(list, &src), 0);
}

static void s_assert_same_list(const conf_list_t *a, const conf_list_t *b)
{
    cr_assert_eq(a->count, b->count);
    for (size_t i = 0; i < a->count; i++)
        cr_assert_str_eq(a->items[i], b->items[i], "item %zu", i);
}

Test(conf_print, a_string_with_a_quote_loads_back_unchanged)
{
    s_set("app.name", "say \"hi\" and \"bye");
    free(s_round_trip(&s_cfg));
    cr_assert_str_eq(s_back.name, "say \"hi\" and \"bye");
}

Test(conf_print, a_string_with_a_backslash_loads_back_unchanged)
{
    s_set("app.name", "C:\\temp\\new \\\"");
    free(s_round_trip(&s_cfg));
    cr_assert_str_eq(s_back.name, "C:\\temp\\new \\\"");
}

Test(conf_print, every_hostile_string_loads_back_unchanged_as_a_string_and_as_a_list_item)
{
    for (size_t i = 0; i < S_N_HOSTILE; i++) {
        const char *h = s_hostile[i];
        s_set("app.name", h);
        s_set("app.label", h);
        const char *items[] = {h[0] ? h : "not empty", "plain", h[0] ? h : "x"};
        s_set_list(&s_cfg.tags, items, 3);
        free(s_round_trip(&s_cfg));
        cr_assert_str_eq(s_back.name, h, "hostile string %zu", i);
        cr_assert_str_eq(s_back.label, h, "hostile string %zu", i);
        s_assert_same_list(&s_back.tags, &s_cfg.tags);
    }
}

Test(conf_print, all_hostile_strings_in_one_list_load_back_as_the_same_items)
{
    const char *items[S_N_HOSTILE];
    size_t n = 0;
    for (size_t i = 0; i < S_N_HOSTILE; i++)
        if (s_hostile[i][0]) /* an empty item is refused on input */
            items[n++] = s_hostile[i];
    s_set_list(&s_cfg.extra, items, n);
    free(s_round_trip(&s_cfg));
    s_assert_same_list(&s_back.extra, &s_cfg.extra);
}

Test(conf_print, a_long_string_with_spaces_loads_back_unchanged)
{
    /* libyaml folds a double-quoted string at a space past 80 columns;
     * the reader joins the lines back */
    char text[3001];
    for (size_t i = 0; i < sizeof text - 1; i++)
        text[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    text[sizeof text - 1] = '\0';
    text[100] = text[101] = ' '; /* two spaces where a fold may fall */
    s_set("app.label", text);
    free(s_round_trip(&s_cfg));
    cr_assert_str_eq(s_back.label, text);
}

Test(conf_print, an_empty_list_loads_back_empty_even_when_its_default_is_not)
{
    s_set("app.tags", "");
    char *out = s_round_trip(&s_cfg);
    cr_assert(strstr(out, "\n  tags: []\n"), "%s", out);
    cr_assert_eq(s_back.tags.count, 0);
    free(out);
}

Test(conf_print, an_unset_string_prints_empty_and_loads_back_empty)
{
    cr_assert_null(s_cfg.label);
    char *out = s_round_trip(&s_cfg);
    cr_assert(strstr(out, "\n  label: \"\"\n"), "%s", out);
    cr_assert_str_eq(s_back.label, "");
    free(out);
}

Test(conf_print, integers_durations_sizes_and_booleans_at_their_limits_load_back_unchanged)
{
    static const char *const sets[][4] = {
        {"0", "false", "100ms", "0"},
        {"1000000", "true", "1h", "9223372036854775807"},
        {"999999", "no", "1500ms", "1023"},
        {"1", "on", "61s", "1GB"},
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        s_set("app.count", sets[i][0]);
        s_set("app.enabled", sets[i][1]);
        s_set("timing.interval", sets[i][2]);
        s_set("timing.buffer", sets[i][3]);
        free(s_round_trip(&s_cfg));
        cr_assert_eq(s_back.count, s_cfg.count, "set %zu", i);
        cr_assert_eq(s_back.enabled, s_cfg.enabled, "set %zu", i);
        cr_assert_eq(s_back.interval_ms, s_cfg.interval_ms, "set %zu", i);
        cr_assert_eq(s_back.buffer, s_cfg.buffer, "set %zu", i);
    }
}

Test(conf_print, a_number_loads_back_exactly_and_prints_as_people_write_it)
{
    const double values[] = {0.1, 1.0 / 3, 1e-300, 123456789.0, -2.5, 1e300, 0, DBL_MAX, DBL_MIN, 0.1 + 0.2};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        s_cfg.ratio = values[i];
        free(s_round_trip(&s_cfg));
        cr_assert(s_back.ratio == values[i], "%.17g came back as %.17g", values[i], s_back.ratio);
    }
    s_cfg.ratio = 0.25;
    char *out = fixture_print(&fixture_schema, &s_cfg);
    cr_assert(strstr(out, "\n    ratio: 0.25\n"), "%s", out);
    free(out);
    s_cfg.ratio = 1234567;
    out = fixture_print(&fixture_schema, &s_cfg);
    cr_assert(strstr(out, "\n    ratio: 1234567\n"), "%s", out);
    free(out);
}

Test(conf_print, strings_and_list_items_are_double_quoted_and_other_values_plain)
{
    char *out = fixture_print(&fixture_schema, &s_cfg);
    cr_assert_str_eq(out, "app:\n"
                          "  name: \"svc\"\n"
                          "  label: \"\"\n"
                          "  count: 10\n"
                          "  enabled: true\n"
                          "  tags: [\"cpu\", \"memory\"]\n"
                          "  extra: []\n"
                          "timing:\n"
                          "  interval: 5s\n"
                          "  buffer: 65536\n"
                          "  limits:\n"
                          "    ratio: 0.5\n");
    free(out);
}

Test(conf_print, a_table_that_comes_back_to_a_section_prints_the_section_once)
{
    /* app.tags follows the timing section in the fixture's table */
    char *out = fixture_print(&fixture_schema, &s_cfg);
    cr_assert_eq(strstr(out, "\napp:"), NULL, "app printed twice:\n%s", out);
    cr_assert(strstr(out, "  tags: "), "%s", out);
    free(out);
}

Test(conf_print, a_section_of_only_other_services_keys_is_left_out)
{
    typedef struct {
        char *id;
    } one_t;
    static const conf_option_t opts[] = {
        CONF_OPT("agent.id", CONF_STRING, one_t, id, "a", "id"),
        CONF_OPT_FOREIGN("metrics.api.max_concurrent_streams", CONF_INT, "nodelink-gateway"),
    };
    static const conf_schema_t schema = {"one", "one", opts, 2};
    one_t cfg = {NULL};
    cr_assert_eq(conf_set(&schema, &cfg, "agent.id", "a", s_err, sizeof s_err), 0);
    char *out = fixture_print(&schema, &cfg);
    cr_assert_str_eq(out, "agent:\n  id: \"a\"\n");
    free(out);
    conf_free(&schema, &cfg);
}

Test(conf_print, a_string_that_is_not_utf8_is_an_error_and_nothing_is_printed)
{
    s_set("app.label", "caf\xe9");
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_eq(conf_print(&fixture_schema, &s_cfg, out, s_err, sizeof s_err), -1);
    fclose(out);
    cr_assert_eq(len, 0, "half a document: %s", buf);
    cr_assert_str_eq(s_err, "app.label: cannot be written as YAML (not valid UTF-8)");
    free(buf);
}

Test(conf_print, print_config_with_an_unprintable_value_is_a_configuration_error)
{
    char *argv[] = {"fixture", "--app.name=\xff\xfe", "--print-config"};
    conf_free(&fixture_schema, &s_cfg);
    memset(&s_cfg, 0, sizeof s_cfg);
    cr_assert_eq(conf_load(&fixture_schema, &s_cfg, 3, argv, s_err, sizeof s_err), CONF_ERROR);
    cr_assert_str_eq(s_err, "app.name: cannot be written as YAML (not valid UTF-8)");
}
