/*
 * redisconn.c - Redis URL parsing and connecting. See redisconn.h.
 */
#include "redisconn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static int s_parse_int(const char *s, size_t n, int lo, int hi, int *out)
{
    if (n == 0 || n > 9)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int s_parse_unix(const char *p, redisconn_url_t *out, char *err, size_t errlen)
{
    const char *q = strchr(p, '?');
    size_t n = q ? (size_t)(q - p) : strlen(p);
    if (n == 0 || p[0] != '/' || n >= sizeof out->host) {
        snprintf(err, errlen, "unix socket path must be absolute and shorter than %zu bytes",
                 sizeof out->host);
        return -1;
    }
    memcpy(out->host, p, n);
    out->host[n] = '\0';
    if (q) {
        if (strncmp(q, "?db=", 4) != 0 || s_parse_int(q + 4, strlen(q + 4), 0, 65535, &out->db)) {
            snprintf(err, errlen, "unix socket URL accepts only '?db=N'");
            return -1;
        }
    }
    out->is_unix = true;
    return 0;
}

/* [[user]:password@] */
static const char *s_parse_auth(const char *p, redisconn_url_t *out, char *err, size_t errlen)
{
    const char *at = strrchr(p, '@');
    if (!at)
        return p;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!colon) {
        snprintf(err, errlen, "credentials must be ':password@' or 'user:password@'");
        return NULL;
    }
    size_t n = (size_t)(at - colon - 1);
    if (n >= sizeof out->password) {
        snprintf(err, errlen, "password too long");
        return NULL;
    }
    memcpy(out->password, colon + 1, n);
    out->password[n] = '\0';
    return at + 1;
}

static int s_parse_tcp(const char *p, redisconn_url_t *out, char *err, size_t errlen)
{
    p = s_parse_auth(p, out, err, errlen);
    if (!p)
        return -1;
    const char *slash = strchr(p, '/');
    size_t hostport = slash ? (size_t)(slash - p) : strlen(p);
    const char *colon = memchr(p, ':', hostport);
    size_t hn = colon ? (size_t)(colon - p) : hostport;
    if (hn == 0 || hn >= sizeof out->host) {
        snprintf(err, errlen, "missing or overlong host");
        return -1;
    }
    memcpy(out->host, p, hn);
    out->host[hn] = '\0';
    out->port = 6379;
    if (colon && s_parse_int(colon + 1, hostport - hn - 1, 1, 65535, &out->port)) {
        snprintf(err, errlen, "port must be 1..65535");
        return -1;
    }
    if (slash && slash[1] && s_parse_int(slash + 1, strlen(slash + 1), 0, 65535, &out->db)) {
        snprintf(err, errlen, "database must be a number after '/'");
        return -1;
    }
    return 0;
}

int redisconn_parse(const char *url, redisconn_url_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!url || !*url) {
        snprintf(err, errlen, "empty Redis URL");
        return -1;
    }
    char why[128] = "";
    int rc;
    if (strncmp(url, "redis://", 8) == 0)
        rc = s_parse_tcp(url + 8, out, why, sizeof why);
    else if (strncmp(url, "unix://", 7) == 0)
        rc = s_parse_unix(url + 7, out, why, sizeof why);
    else {
        rc = -1;
        snprintf(why, sizeof why, "scheme must be redis:// or unix://");
    }
    if (rc)
        snprintf(err, errlen, "invalid Redis URL '%.100s': %s", url, why);
    return rc;
}

void redisconn_describe(const redisconn_url_t *url, char *buf, size_t size)
{
    if (url->is_unix)
        snprintf(buf, size, "%s", url->host);
    else
        snprintf(buf, size, "%s:%d", url->host, url->port);
}

/* Runs one setup command; 0 or -1 with err. */
static int s_setup(redisContext *c, const char *what, int argc, const char **argv, char *err, size_t errlen)
{
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    if (!r) {
        snprintf(err, errlen, "%s: %s", what, c->errstr[0] ? c->errstr : "no reply");
        return -1;
    }
    int rc = r->type == REDIS_REPLY_ERROR ? -1 : 0;
    if (rc)
        snprintf(err, errlen, "%s: %.*s", what, (int)r->len, r->str);
    freeReplyObject(r);
    return rc;
}

redisContext *redisconn_open(const redisconn_url_t *url, int64_t timeout_ms, char *err, size_t errlen)
{
    char where[300];
    redisconn_describe(url, where, sizeof where);
    if (timeout_ms <= 0)
        timeout_ms = 2000;
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    redisContext *c = url->is_unix ? redisConnectUnixWithTimeout(url->host, tv)
                                   : redisConnectWithTimeout(url->host, url->port, tv);
    if (!c) {
        snprintf(err, errlen, "redis %s: out of memory", where);
        return NULL;
    }
    if (c->err) {
        snprintf(err, errlen, "redis %s: %s", where, c->errstr);
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    redisEnableKeepAlive(c);
    char why[200];
    if (url->password[0]) {
        const char *argv[] = {"AUTH", url->password};
        if (s_setup(c, "AUTH", 2, argv, why, sizeof why))
            goto fail;
    }
    if (url->db) {
        char db[16];
        snprintf(db, sizeof db, "%d", url->db);
        const char *argv[] = {"SELECT", db};
        if (s_setup(c, "SELECT", 2, argv, why, sizeof why))
            goto fail;
    }
    return c;
fail:
    snprintf(err, errlen, "redis %s: %s", where, why);
    redisFree(c);
    return NULL;
}

bool redisconn_error_transient(const char *msg)
{
    static const char *const prefixes[] = {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(msg, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}
