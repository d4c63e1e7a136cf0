/*
 * http.c - server set-up, request life cycle and dispatch. See http.h.
 */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "clock.h"
#include "errbody.h"
#include "httpparse.h"
#include "log.h"
#include "wirejson.h"

/* Descriptors besides connections: sockets of ZeroMQ and Redis, files. */
#define S_SPARE_FDS 256

struct http_server_t {
    struct MHD_Daemon *daemon;
    gateway_t *gw;
    const route_table_t *table;
    char *tls_key, *tls_cert;
};

/* ---------------------------------------------------------------- replies */

static void s_cors(http_req_t *req, struct MHD_Response *r)
{
    const conf_list_t *origins = &req->gw->cfg->cors_origins;
    const char *origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Origin");
    if (!origin || !origins->count)
        return;
    for (size_t i = 0; i < origins->count; i++) {
        if (strcmp(origins->items[i], "*") == 0 || strcmp(origins->items[i], origin) == 0) {
            MHD_add_response_header(r, "Access-Control-Allow-Origin",
                                    strcmp(origins->items[i], "*") == 0 ? "*" : origin);
            MHD_add_response_header(r, "Vary", "Origin");
            MHD_add_response_header(r, "Access-Control-Expose-Headers", "Retry-After");
            return;
        }
    }
}

enum MHD_Result http_reply(http_req_t *req, unsigned status, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    s_cors(req, r);
    stats_inc(&req->gw->stats, STAT_HTTP_REQUESTS);
    if (status >= 500)
        stats_inc(&req->gw->stats, STAT_HTTP_5XX);
    else if (status >= 400)
        stats_inc(&req->gw->stats, STAT_HTTP_4XX);
    enum MHD_Result ret = MHD_queue_response(req->conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void s_blob_free(void *cls)
{
    blob_t *b = cls;
    blob_unref(&b);
}

enum MHD_Result http_reply_blob(http_req_t *req, unsigned status, blob_t *b, const char *ctype)
{
    blob_ref(b);
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
        blob_len(b), (void *)blob_data(b), s_blob_free, b);
    if (!r) {
        blob_unref(&b);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (status >= 400 || strncmp(ctype, "application/json", 16) == 0)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return http_reply(req, status, r);
}

enum MHD_Result http_reply_json(http_req_t *req, unsigned status, json_t *body)
{
    char *text = wirejson_dumps(body);
    json_decref(body);
    blob_t *b = text ? blob_take(text, strlen(text)) : NULL;
    if (!b)
        return MHD_NO;
    enum MHD_Result ret = http_reply_blob(req, status, b, "application/json");
    blob_unref(&b);
    return ret;
}

static enum MHD_Result s_error_v(http_req_t *req, unsigned status, const char *code, int64_t retry_after,
                                 const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    struct MHD_Response *r = errbody_response(status, code, msg);
    if (!r)
        return MHD_NO;
    if (retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"nodelink\"");
    if (status == MHD_HTTP_UNAUTHORIZED || status == MHD_HTTP_FORBIDDEN)
        stats_inc(&req->gw->stats, STAT_AUTH_FAILURES);
    if (status == MHD_HTTP_TOO_MANY_REQUESTS)
        stats_inc(&req->gw->stats, STAT_RATE_LIMITED);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED && req->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, req->allow);
    return http_reply(req, status, r);
}

enum MHD_Result http_error(http_req_t *req, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum MHD_Result r = s_error_v(req, status, NULL, 0, fmt, ap);
    va_end(ap);
    return r;
}

enum MHD_Result http_error_retry(http_req_t *req, unsigned status, int64_t retry_after_s, const char *fmt,
                                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum MHD_Result r = s_error_v(req, status, NULL, retry_after_s, fmt, ap);
    va_end(ap);
    return r;
}

enum MHD_Result http_error_coded(http_req_t *req, unsigned status, const char *code, int64_t retry_after_s,
                                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum MHD_Result r = s_error_v(req, status, code, retry_after_s, fmt, ap);
    va_end(ap);
    return r;
}

/* ---------------------------------------------------------------- route state */

void http_req_set_state(http_req_t *req, void *state, http_state_free_fn free_fn)
{
    if (req->state && req->state_free)
        req->state_free(req, req->state);
    req->state = state;
    req->state_free = free_fn;
}

void *http_req_state(const http_req_t *req, http_state_free_fn free_fn)
{
    return req->state_free == free_fn ? req->state : NULL;
}

/* ---------------------------------------------------------------- arguments */

const char *http_arg(http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_arg_int(http_req_t *req, const char *name, int64_t min, int64_t max, int64_t *out,
                 enum MHD_Result *result)
{
    const char *v = http_arg(req, name);
    if (!v)
        return 0;
    int64_t n;
    if (*v == '\0' || conf_parse_int(v, &n) != 0 || n < min || n > max) {
        *result = http_error(req, MHD_HTTP_BAD_REQUEST, "%s: expected an integer in [%lld, %lld]", name,
                             (long long)min, (long long)max);
        return -1;
    }
    *out = n;
    return 1;
}

int http_arg_bool(http_req_t *req, const char *name, bool *out, enum MHD_Result *result)
{
    const char *v = http_arg(req, name);
    if (!v)
        return 0;
    if (httpparse_bool(v, out) != 0) {
        *result = http_error(req, MHD_HTTP_BAD_REQUEST, "%s: expected true or false", name);
        return -1;
    }
    return 1;
}

/* ---------------------------------------------------------------- routing */

static enum MHD_Result s_preflight(http_req_t *req)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    return http_reply(req, MHD_HTTP_NO_CONTENT, r);
}

static enum MHD_Result s_size_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static enum MHD_Result s_check_sizes(http_req_t *req, const char *url, bool *answered)
{
    const gw_config_t *cfg = req->gw->cfg;
    size_t headers = 0, uri = strlen(url);
    *answered = true;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, s_size_cb, &headers);
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, s_size_cb, &uri);
    if (uri > (size_t)cfg->max_uri)
        return http_error(req, MHD_HTTP_URI_TOO_LONG, "request URI longer than %lld bytes",
                          (long long)cfg->max_uri);
    if (headers > (size_t)cfg->max_header_bytes)
        return http_error(req, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
                          "request headers larger than %lld bytes", (long long)cfg->max_header_bytes);
    if (req->body_too_large)
        return http_error(req, MHD_HTTP_CONTENT_TOO_LARGE, "request body larger than %lld bytes",
                          (long long)cfg->max_body);
    *answered = false;
    return MHD_YES;
}

/* The rate-limit key: the token's name, or none when auth is off. */
static enum MHD_Result s_authenticate(http_req_t *req, bool *answered)
{
    gateway_t *gw = req->gw;
    *answered = true;
    if (gw->auth) {
        const char *h =
            MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        const char *tok = NULL;
        if (h && strncasecmp(h, "Bearer ", 7) == 0)
            tok = h + 7;
        else if (!h && (req->route->flags & ROUTE_QUERY_TOKEN))
            tok = http_arg(req, "token");
        if (!tok)
            return http_error(req, MHD_HTTP_UNAUTHORIZED, "missing bearer token");
        req->token = auth_check(gw->auth, tok);
        if (!req->token)
            return http_error(req, MHD_HTTP_UNAUTHORIZED, "invalid token");
        int64_t retry;
        if (!ratelimit_take(gw->limiter, req->token->name, clock_mono_ms(), &retry))
            return http_error_retry(req, MHD_HTTP_TOO_MANY_REQUESTS, retry,
                                    "rate limit of %lld requests per minute exceeded",
                                    (long long)gw->cfg->requests_per_minute);
    }
    if (req->agent_id[0] && !auth_allows(req->token, req->agent_id))
        return http_error(req, MHD_HTTP_FORBIDDEN, "token '%s' may not access agent '%s'", req->token->name,
                          req->agent_id);
    *answered = false;
    return MHD_YES;
}

/* Sets req->route (and agent_id) to the route of req's method and path;
 * collects the methods of the path's other routes into req->allow. */
static void s_route(http_req_t *req, const route_table_t *table)
{
    bool head = strcmp(req->method, "HEAD") == 0;
    char id[TOPIC_ID_MAX + 1];
    for (size_t i = 0; i < table->count; i++) {
        const route_t *r = &table->routes[i];
        if (!httpparse_match(r->pattern, req->path, id))
            continue;
        if (strcmp(r->method, req->method) == 0 || (head && strcmp(r->method, "GET") == 0)) {
            req->route = r;
            memcpy(req->agent_id, id, sizeof id);
        } else if (strlen(req->allow) + strlen(r->method) + 3 < sizeof req->allow) {
            if (req->allow[0])
                strcat(req->allow, ", ");
            strcat(req->allow, r->method);
        }
    }
}

static enum MHD_Result s_dispatch(http_req_t *req, const route_table_t *table, const char *url)
{
    bool answered;
    enum MHD_Result ret = s_check_sizes(req, url, &answered);
    if (answered)
        return ret;
    req->path = httpparse_strip_api(url);
    s_route(req, table);
    if (!req->route && strcmp(req->method, "OPTIONS") == 0 && req->allow[0])
        return s_preflight(req);
    if (!req->route && req->allow[0])
        return http_error(req, MHD_HTTP_METHOD_NOT_ALLOWED, "method %s not allowed on %s (allowed: %s)",
                          req->method, req->path, req->allow);
    if (!req->route) {
        bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
        if (table->fallback && get && req->path == url) /* not under /api */
            return table->fallback(req);
        return http_error(req, MHD_HTTP_NOT_FOUND, "no route %s %s", req->method, req->path);
    }
    if (!(req->route->flags & ROUTE_PUBLIC)) {
        ret = s_authenticate(req, &answered);
        if (answered)
            return ret;
    }
    return req->route->fn(req);
}

/* ---------------------------------------------------------------- life cycle */

static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                const char *version, const char *upload_data, size_t *upload_data_size,
                                void **con_cls)
{
    (void)version;
    http_server_t *server = cls;
    gateway_t *gw = server->gw;
    http_req_t *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->gw = gw, req->conn = conn, req->method = method;
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (req->body_too_large || req->body_len + n > (size_t)gw->cfg->max_body) {
            req->body_too_large = true;
            return MHD_YES;
        }
        char *nb = realloc(req->body, req->body_len + n + 1);
        if (!nb)
            return MHD_NO;
        memcpy(nb + req->body_len, upload_data, n);
        req->body = nb;
        req->body_len += n;
        req->body[req->body_len] = '\0';
        return MHD_YES;
    }
    if (req->dispatched) /* resumed after a suspension: the route continues */
        return req->route ? req->route->fn(req) : MHD_NO;
    req->dispatched = true;
    return s_dispatch(req, server->table, url);
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    http_req_t *req = *con_cls;
    if (!req)
        return;
    http_req_set_state(req, NULL, NULL);
    free(req->body);
    free(req);
    *con_cls = NULL;
}

static void s_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_debug("http: %s", line);
}

/* ---------------------------------------------------------------- server */

static char *s_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* Each connection is a file descriptor: raises the soft open-file limit
 * towards http.connection_limit (up to the hard limit) and says so when
 * the limit, not the setting, will refuse connections. */
static void s_raise_nofile(const gw_config_t *cfg)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)cfg->connection_limit + S_SPARE_FDS;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < want)
        log_warn("http.connection_limit is %lld but the open-file limit is %llu: about %llu "
                 "connections at most (raise ulimit -n)",
                 (long long)cfg->connection_limit, (unsigned long long)rl.rlim_cur,
                 (unsigned long long)(rl.rlim_cur > S_SPARE_FDS ? rl.rlim_cur - S_SPARE_FDS : 0));
}

http_server_t *http_server_new(gateway_t *gw, const route_table_t *table, char *err, size_t errlen)
{
    const gw_config_t *cfg = gw->cfg;
    struct sockaddr_storage addr;
    bool v6;
    if (httpparse_listen(cfg->listen, &addr, &v6) != 0) {
        snprintf(err, errlen, "http.listen: '%s' is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080)",
                 cfg->listen);
        return NULL;
    }
    http_server_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->gw = gw;
    self->table = table;
    s_raise_nofile(cfg);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                     MHD_USE_TURBO | (v6 ? MHD_USE_IPv6 : 0);
    if (*cfg->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errlen, "http.tls_cert: libmicrohttpd was built without TLS");
            goto fail;
        }
        self->tls_cert = s_read_file(cfg->tls_cert);
        self->tls_key = s_read_file(cfg->tls_key);
        if (!self->tls_cert || !self->tls_key) {
            snprintf(err, errlen, "cannot read %s", !self->tls_cert ? cfg->tls_cert : cfg->tls_key);
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)s_mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->connection_limit, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)cfg->connection_memory, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)(cfg->connection_timeout_ms / 1000), NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)s_completed, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, NULL},
        {cfg->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_ARRAY, (intptr_t)cfg->threads, NULL},
        {self->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, self->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, self->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    if (opts[7].option == MHD_OPTION_ARRAY) /* single thread: drop the pool entry */
        opts[7] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, NULL};
    self->daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, s_access, self, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!self->daemon) {
        snprintf(err, errlen, "cannot listen on %s (address in use or not available)", cfg->listen);
        goto fail;
    }
    return self;
fail:
    http_server_destroy(&self);
    return NULL;
}

void http_server_destroy(http_server_t **self)
{
    if (!self || !*self)
        return;
    if ((*self)->daemon)
        MHD_stop_daemon((*self)->daemon);
    free((*self)->tls_cert);
    free((*self)->tls_key);
    free(*self);
    *self = NULL;
}
