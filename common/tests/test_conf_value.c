/*
 * Value syntax: the parsers, and the messages of conf_set() for every type
 * (the command line and the file give the same ones).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "conf_fixture.h"
#include "config.h"

static fixture_cfg_t s_cfg;
static char s_err[512];

static void s_defaults(void)
{
    char *argv[] = {"fixture"};
    memset(&s_cfg, 0, sizeof s_cfg);
    cr_assert_eq(conf_load(&fixture_schema, &s_cfg, 1, argv, s_err, sizeof s_err), CONF_LOADED, "%s", s_err);
}

static void s_free(void)
{
    conf_free(&fixture_schema, &s_cfg);
}

/* conf_set() must fail with exactly this message. */
static void s_rejects(const char *key, const char *value, const char *message)
{
    s_err[0] = '\0';
    cr_assert_eq(conf_set(&fixture_schema, &s_cfg, key, value, s_err, sizeof s_err), -1, "%s=%s accepted",
                 key, value);
    cr_assert_str_eq(s_err, message);
}

TestSuite(conf_value, .init = s_defaults, .fini = s_free);

Test(conf_value, integers_are_plain_decimal_within_int64)
{
    int64_t v;
    cr_assert_eq(conf_parse_int("-5", &v), 0);
    cr_assert_eq(v, -5);
    cr_assert_eq(conf_parse_int("9223372036854775807", &v), 0);
    cr_assert_eq(v, INT64_MAX);
    cr_assert_eq(conf_parse_int("-9223372036854775808", &v), 0);
    cr_assert_eq(v, INT64_MIN);
    const char *bad[] = {"", " 5", "5 ", "5.0", "1e3", "0x10", "9223372036854775808", "five"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(conf_parse_int(bad[i], &v), -1, "'%s' accepted", bad[i]);
}

Test(conf_value, booleans_take_four_spellings_each_in_any_case)
{
    const char *yes[] = {"true", "yes", "on", "1", "TRUE", "Yes"};
    const char *no[] = {"false", "no", "off", "0", "FALSE", "Off"};
    bool b;
    for (size_t i = 0; i < 6; i++) {
        b = false;
        cr_assert_eq(conf_parse_bool(yes[i], &b), 0, "%s", yes[i]);
        cr_assert(b, "%s", yes[i]);
        cr_assert_eq(conf_parse_bool(no[i], &b), 0, "%s", no[i]);
        cr_assert_not(b, "%s", no[i]);
    }
    cr_assert_eq(conf_parse_bool("y", &b), -1);
    cr_assert_eq(conf_parse_bool("", &b), -1);
    cr_assert_eq(conf_parse_bool("true ", &b), -1);
}

Test(conf_value, durations_take_units_from_milliseconds_to_weeks_and_a_bare_number_is_seconds)
{
    static const struct {
        const char *text;
        int64_t ms;
    } ok[] = {{"500ms", 500},    {"5s", 5000},      {"30", 30000}, {"10m", 600000}, {"24h", 86400000},
              {"7d", 604800000}, {"1w", 604800000}, {"5S", 5000},  {"0", 0}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        cr_assert_eq(conf_parse_duration_ms(ok[i].text, &v), 0, "%s", ok[i].text);
        cr_assert_eq(v, ok[i].ms, "%s", ok[i].text);
    }
    const char *bad[] = {
        "", "5 s", "-5s", "5x", "1.5s", "s", " 5s", "99999999999999999999", "9223372036854776s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        cr_assert_eq(conf_parse_duration_ms(bad[i], &v), -1, "'%s' accepted", bad[i]);
    }
}

Test(conf_value, sizes_take_binary_units_and_a_bare_number_is_bytes)
{
    static const struct {
        const char *text;
        int64_t bytes;
    } ok[] = {{"4096", 4096}, {"1B", 1},          {"64KB", 65536},    {"64k", 65536},
              {"2KiB", 2048}, {"16MB", 16 << 20}, {"1gb", 1LL << 30}, {"3GiB", 3LL << 30}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        cr_assert_eq(conf_parse_size(ok[i].text, &v), 0, "%s", ok[i].text);
        cr_assert_eq(v, ok[i].bytes, "%s", ok[i].text);
    }
    const char *bad[] = {"", "1TB", "-1", "1.5MB", "16 MB", "9223372036854775807KB"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        cr_assert_eq(conf_parse_size(bad[i], &v), -1, "'%s' accepted", bad[i]);
    }
}

Test(conf_value, durations_format_in_their_largest_whole_unit)
{
    static const struct {
        int64_t ms;
        const char *text;
    } cases[] = {{0, "0ms"},      {1500, "1500ms"}, {5000, "5s"},     {90000, "90s"},
                 {600000, "10m"}, {86400000, "1d"}, {604800000, "7d"}};
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        conf_format_duration(cases[i].ms, buf, sizeof buf);
        cr_assert_str_eq(buf, cases[i].text);
    }
}

Test(conf_value, every_type_names_a_bad_value_and_its_key)
{
    s_rejects("app.count", "ten", "app.count: invalid integer 'ten'");
    s_rejects("app.enabled", "maybe", "app.enabled: invalid boolean 'maybe' (use true or false)");
    s_rejects("timing.interval", "fast",
              "timing.interval: invalid duration 'fast' (use e.g. 500ms, 5s, 24h, 7d)");
    s_rejects("timing.buffer", "big", "timing.buffer: invalid size 'big' (use e.g. 4096, 64KB, 16MB, 1GB)");
    s_rejects("timing.limits.ratio", "half", "timing.limits.ratio: invalid number 'half'");
    s_rejects("timing.limits.ratio", "inf", "timing.limits.ratio: invalid number 'inf'");
    s_rejects("timing.limits.ratio", "", "timing.limits.ratio: invalid number ''");
}

Test(conf_value, out_of_range_values_show_the_range_in_the_syntax_of_their_type)
{
    s_rejects("app.count", "1000001", "app.count: '1000001' is out of range (0 .. 1000000)");
    s_rejects("app.count", "-1", "app.count: '-1' is out of range (0 .. 1000000)");
    s_rejects("timing.interval", "50ms", "timing.interval: '50ms' is out of range (100ms .. 1h)");
    s_rejects("timing.interval", "2h", "timing.interval: '2h' is out of range (100ms .. 1h)");
}

Test(conf_value, a_rejected_value_leaves_the_previous_one_in_place)
{
    cr_assert_eq(conf_set(&fixture_schema, &s_cfg, "app.count", "42", s_err, sizeof s_err), 0, "%s", s_err);
    s_rejects("app.count", "2000000", "app.count: '2000000' is out of range (0 .. 1000000)");
    cr_assert_eq(s_cfg.count, 42);
    s_rejects("app.tags", "a, ,b", "app.tags: empty list item");
    cr_assert_eq(s_cfg.tags.count, 2);
    cr_assert_str_eq(s_cfg.tags.items[0], "cpu");
}

Test(conf_value, a_command_line_list_is_split_at_commas_and_trimmed)
{
    cr_assert_eq(conf_set(&fixture_schema, &s_cfg, "app.tags", " a ,b\t, c d ", s_err, sizeof s_err), 0, "%s",
                 s_err);
    cr_assert_eq(s_cfg.tags.count, 3);
    cr_assert_str_eq(s_cfg.tags.items[0], "a");
    cr_assert_str_eq(s_cfg.tags.items[1], "b");
    cr_assert_str_eq(s_cfg.tags.items[2], "c d");
    cr_assert_eq(conf_set(&fixture_schema, &s_cfg, "app.tags", "", s_err, sizeof s_err), 0, "%s", s_err);
    cr_assert_eq(s_cfg.tags.count, 0, "an empty value is the empty list");
}

Test(conf_value, a_string_takes_any_text_as_it_is)
{
    const char *text = "  \"quoted\" \\ # not a comment: - & * ! { [ yes  ";
    cr_assert_eq(conf_set(&fixture_schema, &s_cfg, "app.name", text, s_err, sizeof s_err), 0, "%s", s_err);
    cr_assert_str_eq(s_cfg.name, text);
}

Test(conf_value, an_unknown_key_is_named)
{
    s_rejects("app.nmae", "x", "unknown option 'app.nmae' (see --help)");
}

Test(conf_value, lists_copy_deeply_and_clear_to_empty)
{
    char *items[] = {"a", "b"};
    conf_list_t src = {items, 2}, dst = {NULL, 0};
    cr_assert_eq(conf_list_copy(&dst, &src), 0);
    cr_assert_eq(dst.count, 2);
    cr_assert_neq(dst.items[0], items[0]);
    cr_assert_str_eq(dst.items[1], "b");
    conf_list_clear(&dst);
    cr_assert_null(dst.items);
    cr_assert_eq(dst.count, 0);
}
