/*
 * main.c - nodelink-agent: configuration, logging, signals, then wiring of
 * the sampling worker thread and the control connection (main thread).
 *
 * The agent uses libzmq directly, not czmq: its resident memory is mostly
 * the pages of the libraries it maps, and czmq with its dependencies
 * (libsystemd, libgcrypt, liblz4, ...) was most of them.
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <zmq.h>

#include "agent_config.h"
#include "clock.h"
#include "control.h"
#include "log.h"
#include "signals.h"
#include "worker.h"

static uint64_t s_epoch(void)
{
    uint64_t e = 0;
    if (getrandom(&e, sizeof e, 0) != sizeof e || e == 0)
        e = (uint64_t)clock_now_ms() ^ ((uint64_t)getpid() << 40);
    return e;
}

static int s_run(const agent_config_t *cfg, const sigset_t *wait_mask)
{
    void *ctx = zmq_ctx_new();
    if (!ctx)
        return 1;
    uint64_t epoch = s_epoch();
    worker_args_t wargs = {cfg, epoch, "/"};
    worker_t *worker = worker_start(ctx, &wargs);
    control_t *control = worker ? control_new(cfg, epoch, ctx, worker) : NULL;
    int rc = 1;
    if (control) {
        log_info("agent %s started (interval %lld ms, publishing to %s, control %s)", cfg->id,
                 (long long)cfg->interval_ms, cfg->publish_endpoint, cfg->control_endpoint);
        rc = control_run(control, wait_mask) == 0 ? 0 : 1;
    }
    control_destroy(&control);
    worker_stop(&worker);
    zmq_ctx_term(ctx);
    log_info("agent %s stopped", cfg->id);
    return rc;
}

int main(int argc, char **argv)
{
    /* One malloc arena for the threads that allocate: the agent allocates
     * little after start-up, and each extra arena keeps its own resident
     * pages. Blocks of 32 KB and more get their own mappings: the
     * collectors' tables are sized for the largest hosts (512 interfaces,
     * 128 filesystems) and only the pages of the entries in use become
     * resident. */
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 32 * 1024);
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
    /* The stop signals are blocked in every thread (threads inherit the
     * mask) and unblocked only while the main thread waits in ppoll. */
    sigset_t stop, wait_mask;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, &wait_mask);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);
    sigdelset(&wait_mask, SIGHUP);
    int rc = s_run(&cfg, &wait_mask);
    conf_free(&agent_config_schema, &cfg);
    return rc;
}
