/*
 * main.c - nodelink-gateway: wires the components and runs until SIGINT or
 * SIGTERM. See gateway.h for the threads and what they share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gateway.h"
#include "http.h"
#include "routes.h"
#include "log.h"
#include "signals.h"

typedef struct {
    gw_config_t cfg;
    gateway_t gw;
    http_server_t *http;
} s_app_t;

/* 0, CONF_EXIT_USAGE for a configuration problem, 1 for anything else. */
static int s_start(s_app_t *app, char *err, size_t errlen)
{
    gateway_t *gw = &app->gw;
    query_error_t qerr;
    gw->cfg = &app->cfg;
    gw->started_ms = clock_now_ms();
    if (app->cfg.auth_enabled && !(gw->auth = auth_load(app->cfg.tokens_file, err, errlen)))
        return CONF_EXIT_USAGE;
    gw->qpool = qpool_new(app->cfg.redis_url, app->cfg.redis_timeout_ms, &qerr);
    if (!gw->qpool) {
        snprintf(err, errlen, "redis.url: %s", qerr.message);
        return CONF_EXIT_USAGE;
    }
    gw->agents = roster_new();
    gw->limiter = ratelimit_new(app->cfg.requests_per_minute);
    gw->privacy = privacy_new(&app->cfg);
    gw->hub = sse_hub_new((size_t)app->cfg.max_streams, (size_t)app->cfg.sse_queue_events,
                          app->cfg.sse_keepalive_ms, &gw->stats);
    if (!gw->agents || !gw->limiter || !gw->privacy || !gw->hub) {
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    if (!(gw->feed = feed_new(&app->cfg, gw->agents, gw->hub, &gw->stats, err, errlen)))
        return 1;
    if (!(app->http = http_server_new(gw, &routes_table, err, errlen)))
        return 1;
    return 0;
}

/* Order matters: streams end and pending control requests are answered
 * (resuming their connections) while the HTTP server still runs. */
static void s_stop(s_app_t *app)
{
    gateway_t *gw = &app->gw;
    if (gw->hub)
        sse_hub_shutdown(gw->hub);
    feed_destroy(&gw->feed);
    if (app->http)
        clock_sleep_ms(100); /* let resumed connections finish */
    http_server_destroy(&app->http);
    sse_hub_destroy(&gw->hub);
    privacy_destroy(&gw->privacy);
    ratelimit_destroy(&gw->limiter);
    roster_destroy(&gw->agents);
    qpool_destroy(&gw->qpool);
    auth_destroy(&gw->auth);
}

int main(int argc, char **argv)
{
    s_app_t app;
    char err[512] = "";
    memset(&app, 0, sizeof app);
    conf_result_t cr = conf_load(&gw_config_schema, &app.cfg, argc, argv, err, sizeof err);
    if (cr == CONF_LOADED && gw_config_finish(&app.cfg, err, sizeof err) != 0)
        cr = CONF_ERROR;
    if (cr != CONF_LOADED) {
        if (cr == CONF_ERROR)
            fprintf(stderr, "nodelink-gateway: %s\n", err);
        conf_free(&gw_config_schema, &app.cfg);
        return cr == CONF_EXIT_OK ? 0 : CONF_EXIT_USAGE;
    }
    log_level_t level = LOG_LEVEL_INFO;
    log_level_parse(app.cfg.log_level, &level);
    log_init("nodelink-gateway", level);
    signals_init();
    int status = 0;
    if ((status = s_start(&app, err, sizeof err)) != 0) {
        log_error("%s", err);
    } else {
        log_info("serving HTTP on %s%s (auth %s)", app.cfg.listen, *app.cfg.tls_cert ? " (TLS)" : "",
                 app.cfg.auth_enabled ? "on" : "off");
        while (!signals_stop_requested())
            clock_sleep_ms(100);
        log_info("stopping");
    }
    s_stop(&app);
    conf_free(&gw_config_schema, &app.cfg);
    return status;
}
