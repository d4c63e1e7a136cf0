/*
 * conf_fixture.c - see conf_fixture.h.
 */
#include "conf_fixture.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const conf_option_t s_options[] = {
    CONF_OPT("app.name", CONF_STRING, fixture_cfg_t, name, "svc", "name"),
    CONF_OPT("app.label", CONF_STRING, fixture_cfg_t, label, NULL, "label"),
    CONF_OPT_RANGE("app.count", CONF_INT, fixture_cfg_t, count, "10", 0, 1000000, "count"),
    CONF_OPT("app.enabled", CONF_BOOL, fixture_cfg_t, enabled, "true", "enabled"),
    CONF_OPT_RANGE("timing.interval", CONF_DURATION, fixture_cfg_t, interval_ms, "5s", 100, 3600000,
                   "interval"),
    CONF_OPT("timing.buffer", CONF_SIZE, fixture_cfg_t, buffer, "64KB", "buffer"),
    CONF_OPT("timing.limits.ratio", CONF_DOUBLE, fixture_cfg_t, ratio, "0.5", "ratio"),
    CONF_OPT("app.tags", CONF_LIST, fixture_cfg_t, tags, "cpu,memory", "tags"),
    CONF_OPT("app.extra", CONF_LIST, fixture_cfg_t, extra, NULL, "extra"),
};

const conf_schema_t fixture_schema = {"fixture", "configuration test fixture", s_options,
                                      sizeof s_options / sizeof s_options[0]};

char *fixture_write(const char *text)
{
    char *path = strdup("/tmp/nodelink-conf-XXXXXX");
    cr_assert_not_null(path);
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

void fixture_remove(char *path)
{
    unlink(path);
    free(path);
}

char *fixture_print(const conf_schema_t *schema, const void *cfg)
{
    char *buf = NULL, err[512] = "";
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_assert_not_null(out);
    int rc = conf_print(schema, cfg, out, err, sizeof err);
    fclose(out);
    cr_assert_eq(rc, 0, "conf_print: %s", err);
    return buf;
}

conf_result_t fixture_load_text(const conf_schema_t *schema, void *cfg, size_t cfg_size, const char *text,
                                char *err)
{
    char *path = fixture_write(text);
    char *argv[] = {"fixture", "--config", path};
    memset(cfg, 0, cfg_size);
    err[0] = '\0';
    conf_result_t r = conf_load(schema, cfg, 3, argv, err, 512);
    fixture_remove(path);
    return r;
}
