#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

typedef struct {
    char *id;
    int64_t interval_ms;
    int64_t retention_ms;
    int64_t max_points;
    int64_t buffer;
    bool enabled;
    double ratio;
    conf_list_t metrics;
    conf_list_t exclude;
} test_cfg_t;

static int s_check_id(const void *v, char *err, size_t len)
{
    if (strchr((const char *)v, ' ')) {
        snprintf(err, len, "must not contain spaces");
        return -1;
    }
    return 0;
}

static const conf_option_t s_opts[] = {
    CONF_OPT_CHECK("agent.id", CONF_STRING, test_cfg_t, id, "host", s_check_id, "id"),
    CONF_OPT_RANGE("metrics.collection_interval", CONF_DURATION, test_cfg_t, interval_ms, "5s", 100, 3600000,
                   "interval"),
    CONF_OPT("metrics.retention_period", CONF_DURATION, test_cfg_t, retention_ms, "24h", "retention"),
    CONF_OPT_RANGE("metrics.storage.max_points_per_query", CONF_INT, test_cfg_t, max_points, "10000", 1,
                   1000000, "max points"),
    CONF_OPT("store.buffer", CONF_SIZE, test_cfg_t, buffer, "64MB", "buffer"),
    CONF_OPT("metrics.enabled", CONF_BOOL, test_cfg_t, enabled, "true", "enabled"),
    CONF_OPT("metrics.ratio", CONF_DOUBLE, test_cfg_t, ratio, "0.5", "ratio"),
    CONF_OPT("metrics.collected_metrics", CONF_LIST, test_cfg_t, metrics, "cpu,memory", "metrics"),
    CONF_OPT("metrics.exclude_metrics", CONF_LIST, test_cfg_t, exclude, NULL, "exclude"),
};
static const conf_schema_t s_schema = {"test", "test program", s_opts, sizeof s_opts / sizeof s_opts[0]};

static char *s_write(const char *text)
{
    char *path = strdup("/tmp/nodelink-conf-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

static conf_result_t s_load(test_cfg_t *cfg, int argc, char **argv, char *err)
{
    memset(cfg, 0, sizeof *cfg);
    return conf_load(&s_schema, cfg, argc, argv, err, 512);
}

Test(config, applies_defaults_without_a_file)
{
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test"};
    cr_assert_eq(s_load(&cfg, 1, argv, err), CONF_LOADED, "%s", err);
    cr_assert_str_eq(cfg.id, "host");
    cr_assert_eq(cfg.interval_ms, 5000);
    cr_assert_eq(cfg.retention_ms, 86400000);
    cr_assert_eq(cfg.buffer, 64 << 20);
    cr_assert(cfg.enabled);
    cr_assert_eq(cfg.metrics.count, 2);
    cr_assert_str_eq(cfg.metrics.items[1], "memory");
    cr_assert_eq(cfg.exclude.count, 0);
    conf_free(&s_schema, &cfg);
}

Test(config, loads_a_good_file_with_nested_keys_and_lists)
{
    char *path = s_write("agent:\n  id: web-01\nmetrics:\n  collection_interval: 500ms\n"
                         "  enabled: no\n  collected_metrics:\n    - cpu\n    - disk\n    - load\n"
                         "  storage:\n    max_points_per_query: 50\n");
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test", "--config", path};
    cr_assert_eq(s_load(&cfg, 3, argv, err), CONF_LOADED, "%s", err);
    cr_assert_str_eq(cfg.id, "web-01");
    cr_assert_eq(cfg.interval_ms, 500);
    cr_assert_not(cfg.enabled);
    cr_assert_eq(cfg.metrics.count, 3);
    cr_assert_str_eq(cfg.metrics.items[2], "load");
    cr_assert_eq(cfg.max_points, 50);
    conf_free(&s_schema, &cfg);
    unlink(path);
    free(path);
}

Test(config, rejects_an_unknown_key_with_its_line)
{
    char *path = s_write("agent:\n  id: a\nmetrics:\n  collection_intervall: 5s\n");
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test", "--config", path};
    cr_assert_eq(s_load(&cfg, 3, argv, err), CONF_ERROR);
    cr_assert(strstr(err, "collection_intervall"), "%s", err);
    cr_assert(strstr(err, ":4:"), "no line in: %s", err);
    conf_free(&s_schema, &cfg);
    unlink(path);
    free(path);
}

Test(config, rejects_a_bad_value_naming_key_and_line)
{
    char *path = s_write("agent:\n  id: a\nmetrics:\n  enabled: true\n  collection_interval: fast\n");
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test", "--config", path};
    cr_assert_eq(s_load(&cfg, 3, argv, err), CONF_ERROR);
    cr_assert(strstr(err, "metrics.collection_interval"), "%s", err);
    cr_assert(strstr(err, ":5:"), "no line in: %s", err);
    cr_assert(strstr(err, "'fast'"), "%s", err);
    conf_free(&s_schema, &cfg);
    unlink(path);
    free(path);
}

Test(config, rejects_out_of_range_and_failed_checks)
{
    test_cfg_t cfg;
    char err[512] = "";
    char *a1[] = {"test", "--metrics.collection_interval=50ms"};
    cr_assert_eq(s_load(&cfg, 2, a1, err), CONF_ERROR);
    cr_assert(strstr(err, "out of range"), "%s", err);
    conf_free(&s_schema, &cfg);
    char *a2[] = {"test", "--agent.id", "a b"};
    cr_assert_eq(s_load(&cfg, 3, a2, err), CONF_ERROR);
    cr_assert(strstr(err, "agent.id: must not contain spaces"), "%s", err);
    conf_free(&s_schema, &cfg);
    char *a3[] = {"test", "--no.such.key=1"};
    cr_assert_eq(s_load(&cfg, 2, a3, err), CONF_ERROR);
    cr_assert(strstr(err, "unknown option '--no.such.key'"), "%s", err);
    conf_free(&s_schema, &cfg);
}

Test(config, command_line_overrides_the_file)
{
    char *path = s_write("agent:\n  id: from-file\nmetrics:\n  collection_interval: 10s\n");
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test",        "--agent.id=from-cli", "--config", path, "--metrics.collected_metrics",
                    "cpu, net.lo", "--metrics.enabled"};
    cr_assert_eq(s_load(&cfg, 7, argv, err), CONF_LOADED, "%s", err);
    cr_assert_str_eq(cfg.id, "from-cli");
    cr_assert_eq(cfg.interval_ms, 10000);
    cr_assert_eq(cfg.metrics.count, 2);
    cr_assert_str_eq(cfg.metrics.items[1], "net.lo");
    cr_assert(cfg.enabled);
    conf_free(&s_schema, &cfg);
    unlink(path);
    free(path);
}

Test(config, reports_a_missing_file)
{
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test", "--config", "/nonexistent/nodelink.yaml"};
    cr_assert_eq(s_load(&cfg, 3, argv, err), CONF_ERROR);
    cr_assert(strstr(err, "No such file"), "%s", err);
    conf_free(&s_schema, &cfg);
}

Test(config, parses_durations_and_sizes)
{
    int64_t v;
    cr_assert_eq(conf_parse_duration_ms("500ms", &v), 0);
    cr_assert_eq(v, 500);
    cr_assert_eq(conf_parse_duration_ms("7d", &v), 0);
    cr_assert_eq(v, 604800000);
    cr_assert_eq(conf_parse_duration_ms("30", &v), 0);
    cr_assert_eq(v, 30000);
    cr_assert_eq(conf_parse_duration_ms("5 s", &v), -1);
    cr_assert_eq(conf_parse_duration_ms("-5s", &v), -1);
    cr_assert_eq(conf_parse_duration_ms("5x", &v), -1);
    cr_assert_eq(conf_parse_size("16MB", &v), 0);
    cr_assert_eq(v, 16 << 20);
    char buf[32];
    conf_format_duration(86400000, buf, sizeof buf);
    cr_assert_str_eq(buf, "1d");
    conf_format_duration(1500, buf, sizeof buf);
    cr_assert_str_eq(buf, "1500ms");
}

/* ------------------------------------------------------------ foreign keys */

static const conf_option_t s_shared_opts[] = {
    CONF_OPT("agent.id", CONF_STRING, test_cfg_t, id, "host", "id"),
    CONF_OPT_FOREIGN("metrics.api.max_concurrent_streams", CONF_INT, "nodelink-gateway"),
    CONF_OPT_FOREIGN("metrics.api.label", CONF_STRING, "nodelink-gateway"),
    CONF_OPT_FOREIGN("metrics.api.origins", CONF_LIST, "nodelink-gateway"),
    CONF_OPT("metrics.retention_period", CONF_DURATION, test_cfg_t, retention_ms, "24h", "retention"),
};
static const conf_schema_t s_shared = {"test", "test program", s_shared_opts,
                                       sizeof s_shared_opts / sizeof s_shared_opts[0]};

Test(config, accepts_and_checks_keys_of_other_services_in_a_shared_file)
{
    char *path = s_write("agent:\n  id: web-02\nmetrics:\n  retention_period: 3d\n  api:\n"
                         "    max_concurrent_streams: 7\n    label: x\n    origins: [a, b]\n");
    test_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512] = "";
    char *argv[] = {"test", "--config", path};
    cr_assert_eq(conf_load(&s_shared, &cfg, 3, argv, err, sizeof err), CONF_LOADED, "%s", err);
    cr_assert_str_eq(cfg.id, "web-02");
    cr_assert_eq(cfg.retention_ms, 3LL * 86400000, "the keys around them still apply");
    /* --print-config and --help do not show them as this program's keys */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_eq(conf_print(&s_shared, &cfg, out, err, sizeof err), 0, "%s", err);
    fclose(out);
    cr_assert_null(strstr(buf, "max_concurrent_streams"), "%s", buf);
    free(buf);
    out = open_memstream(&buf, &len);
    conf_print_help(&s_shared, out);
    fclose(out);
    cr_assert(strstr(buf, "checked and ignored"), "%s", buf);
    cr_assert(strstr(buf, "metrics.api.max_concurrent_streams"), "%s", buf);
    cr_assert(strstr(buf, "(nodelink-gateway)"), "%s", buf);
    free(buf);
    conf_free(&s_shared, &cfg);
    unlink(path);
    free(path);
}

Test(config, still_rejects_a_bad_value_of_another_service_with_its_line)
{
    char *path = s_write("agent:\n  id: a\nmetrics:\n  api:\n    max_concurrent_streams: lots\n");
    test_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512] = "";
    char *argv[] = {"test", "--config", path};
    cr_assert_eq(conf_load(&s_shared, &cfg, 3, argv, err, sizeof err), CONF_ERROR);
    cr_assert(strstr(err, ":5:") && strstr(err, "max_concurrent_streams") && strstr(err, "lots"), "%s", err);
    conf_free(&s_shared, &cfg);
    unlink(path);
    free(path);
}

Test(config, refuses_another_service_key_on_the_command_line)
{
    test_cfg_t cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512] = "";
    char *argv[] = {"test", "--metrics.api.max_concurrent_streams=5"};
    cr_assert_eq(conf_load(&s_shared, &cfg, 2, argv, err, sizeof err), CONF_ERROR);
    cr_assert(strstr(err, "setting of nodelink-gateway"), "%s", err);
    conf_free(&s_shared, &cfg);
}

/* ------------------------------------------------------------ command line */

static void s_usage_error(int argc, char **argv, const char *message)
{
    test_cfg_t cfg;
    char err[512] = "";
    cr_assert_eq(s_load(&cfg, argc, argv, err), CONF_ERROR, "accepted");
    cr_assert_str_eq(err, message);
    conf_free(&s_schema, &cfg);
}

Test(config, command_line_mistakes_are_named)
{
    char *a1[] = {"test", "--config"};
    s_usage_error(2, a1, "--config needs a file name");
    char *a2[] = {"test", "-c"};
    s_usage_error(2, a2, "-c needs a file name");
    char *a3[] = {"test", "stray"};
    s_usage_error(2, a3, "unexpected argument 'stray' (see --help)");
    char *a4[] = {"test", "--agent.id"};
    s_usage_error(2, a4, "--agent.id needs a value");
    char *a5[] = {"test", "--metrics.enabled=perhaps"};
    s_usage_error(2, a5, "metrics.enabled: invalid boolean 'perhaps' (use true or false)");
}

Test(config, a_boolean_alone_is_true_and_takes_no_value_from_the_next_option)
{
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test", "--metrics.enabled=false", "--metrics.enabled", "--agent.id", "x"};
    cr_assert_eq(s_load(&cfg, 5, argv, err), CONF_LOADED, "%s", err);
    cr_assert(cfg.enabled);
    cr_assert_str_eq(cfg.id, "x");
    conf_free(&s_schema, &cfg);
}

Test(config, the_file_applies_before_every_override_wherever_it_stands)
{
    char *path = s_write("agent:\n  id: from-file\nmetrics:\n  ratio: 2\n");
    char *with_eq = malloc(strlen(path) + 10);
    cr_assert_not_null(with_eq);
    sprintf(with_eq, "--config=%s", path);
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test", "--agent.id", "from-cli", with_eq};
    cr_assert_eq(s_load(&cfg, 4, argv, err), CONF_LOADED, "%s", err);
    cr_assert_str_eq(cfg.id, "from-cli");
    cr_assert_float_eq(cfg.ratio, 2.0, 0);
    conf_free(&s_schema, &cfg);
    free(with_eq);
    unlink(path);
    free(path);
}

Test(config, help_and_version_end_the_load_before_any_file_is_read)
{
    test_cfg_t cfg;
    char err[512] = "";
    char *argv[] = {"test", "--config", "/nonexistent.yaml", "-V"};
    cr_redirect_stdout();
    cr_assert_eq(s_load(&cfg, 4, argv, err), CONF_EXIT_OK, "%s", err);
    conf_free(&s_schema, &cfg);
    argv[3] = "--help";
    cr_assert_eq(s_load(&cfg, 4, argv, err), CONF_EXIT_OK, "%s", err);
    conf_free(&s_schema, &cfg);
}
