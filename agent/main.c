/*
 * main.c - nodelink-agent: configuration, logging, signals, then wiring of
 * the sampling worker thread and the control connection on one zloop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <czmq.h>

#include "agent_config.h"
#include "control.h"
#include "log.h"
#include "signals.h"
#include "worker.h"

static uint64_t s_epoch(void)
{
    uint64_t e = 0;
    if (getrandom(&e, sizeof e, 0) != sizeof e || e == 0)
        e = (uint64_t)zclock_time() ^ ((uint64_t)getpid() << 40);
    return e;
}

static int s_on_tick(zloop_t *loop, int timer_id, void *arg)
{
    (void)loop;
    (void)timer_id;
    (void)arg;
    return signals_stop_requested() ? -1 : 0;
}

static int s_run(const agent_config_t *cfg)
{
    uint64_t epoch = s_epoch();
    worker_args_t wargs = {cfg, epoch, "/"};
    zactor_t *worker = zactor_new(worker_actor, &wargs);
    if (!worker)
        return 1;
    char *ready = zstr_recv(worker);
    bool ok = ready && streq(ready, "READY");
    free(ready);
    if (!ok) {
        zactor_destroy(&worker);
        return 1;
    }
    zloop_t *loop = zloop_new();
    control_t *control = loop ? control_new(cfg, epoch, worker, loop) : NULL;
    int rc = 1;
    if (control && zloop_timer(loop, 250, 0, s_on_tick, NULL) >= 0) {
        log_info("agent %s started (interval %lld ms, publishing to %s, control %s)", cfg->id,
                 (long long)cfg->interval_ms, cfg->publish_endpoint, cfg->control_endpoint);
        zloop_start(loop);
        rc = 0;
    }
    control_destroy(&control);
    zloop_destroy(&loop);
    zactor_destroy(&worker);
    log_info("agent %s stopped", cfg->id);
    return rc;
}

int main(int argc, char **argv)
{
    agent_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[512] = "";
    conf_result_t r = conf_load(&agent_config_schema, &cfg, argc, argv, err, sizeof err);
    if (r == CONF_LOADED && agent_config_finish(&cfg, err, sizeof err) != 0)
        r = CONF_ERROR;
    if (r != CONF_LOADED) {
        if (r == CONF_ERROR)
            fprintf(stderr, "nodelink-agent: %s\n", err);
        conf_free(&agent_config_schema, &cfg);
        return r == CONF_EXIT_OK ? 0 : CONF_EXIT_USAGE;
    }
    log_level_t level = LOG_LEVEL_INFO;
    log_level_parse(cfg.log_level, &level);
    log_init("nodelink-agent", level);
    signals_init();
    zsys_set_linger(0);
    int rc = s_run(&cfg);
    conf_free(&agent_config_schema, &cfg);
    return rc;
}
