/*
 * worker.c - the sampling thread. See worker.h.
 */
#include "worker.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "clock.h"
#include "cmdpipe.h"
#include "curvekey.h"
#include "log.h"
#include "memtrim.h"
#include "requests.h"
#include "sampler.h"
#include "sysinfo/sysinfo.h"
#include "sysinfo/watch.h"
#include "taskreg.h"
#include "wire.h"

struct worker_t {
    void *ctx;
    void *pipe; /* main thread's end */
    char endpoint[64];
    worker_args_t args;
    pthread_t thread;
    bool started;
    _Atomic uint64_t sequence;
    _Atomic uint32_t interval_ms;
    _Atomic int64_t last_frame_ms; /* wall clock of the wake-up that last published */
};

/* The thread's own state; nothing here is touched by the main thread. */
typedef struct {
    worker_t *shared;
    void *pipe;
    void *pub;
    sampler_t *sampler;
    taskreg_t *registry;
    sysinfo_env_t sys;
    requests_ctx_t req;
    uint64_t sys_fingerprint;
    int64_t sys_check_ms;   /* interval */
    int64_t sys_next_check; /* monotonic ms */
    sysinfo_watch_t *watch; /* kernel notifications of likely changes */
    bool watch_pending;     /* one fired: a check is scheduled, stop polling them */
    int64_t trim_ms;        /* agent.trim_interval, 0 = never */
    int64_t trim_next;      /* monotonic ms of the next working-set trim */
} state_t;

static void s_publish_sysinfo(state_t *w)
{
    arena_t *a = arena_new();
    Nodelink__SystemInfoResponse *si =
        a ? sysinfo_build(&w->sys, (sysinfo_parts_t){true, true, true}, a) : NULL;
    if (si) {
        Nodelink__MetricsResponse mr = NODELINK__METRICS_RESPONSE__INIT;
        mr.response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_SYSTEM_INFO;
        mr.system_info = si;
        Nodelink__TaskResponse tr = NODELINK__TASK_RESPONSE__INIT;
        tr.response_case = NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE;
        tr.metrics_response = &mr;
        if (sampler_publish(w->sampler, TOPIC_SYSTEM, &tr) == 0)
            log_debug("published system information");
    } else {
        log_warn("system information could not be built (out of memory)");
    }
    arena_destroy(&a);
    /* Building it (the package list above all) is the agent's largest
     * allocation; give the freed pages back rather than keep them resident
     * until the next time, and unmap the code it ran (parsers of package
     * databases, YAML, ...) at the next wake-up. */
    malloc_trim(0);
    int64_t soon = clock_mono_ms() + 1;
    if (w->trim_ms > 0 && w->trim_next > soon)
        w->trim_next = soon;
}

/* Unmaps the code pages not used since the last trim (memtrim.h), when
 * due. Runs on a wake-up the thread has anyway: it never adds one. */
static void s_trim(state_t *w)
{
    int64_t now = clock_mono_ms();
    if (w->trim_ms <= 0 || now < w->trim_next)
        return;
    w->trim_next = now + w->trim_ms;
    bool debug = log_enabled(LOG_LEVEL_DEBUG);
    long before = debug ? memtrim_rss_bytes() : 0;
    struct timespec t0 = {0, 0}, t1 = {0, 0};
    if (debug)
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    memtrim_stats_t st;
    if (memtrim_code(&st) != 0)
        log_warn("working-set trim: madvise: %s", strerror(errno));
    if (debug) {
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        log_debug("working-set trim: %zu objects, %zu segments, %zu KB of code unmapped in %ld us; "
                  "RSS %ld -> %ld KB",
                  st.objects, st.segments, st.bytes / 1024,
                  (long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000), before / 1024,
                  memtrim_rss_bytes() / 1024);
    }
}

static void s_check_sysinfo(state_t *w)
{
    int64_t now = clock_mono_ms();
    if (now < w->sys_next_check)
        return;
    w->sys_next_check = now + w->sys_check_ms;
    w->watch_pending = false;
    uint64_t fp = sysinfo_fingerprint(&w->sys);
    if (fp != w->sys_fingerprint) {
        if (w->sys_fingerprint)
            log_info("system information changed; republishing");
        w->sys_fingerprint = fp;
        s_publish_sysinfo(w);
    }
}

static void s_handle_request(state_t *w, zmq_msg_t *frame)
{
    size_t size = zmq_msg_size(frame);
    Nodelink__TaskRequest *req = size > 0 && size <= WIRE_FRAME_MAX
                                     ? nodelink__task_request__unpack(NULL, size, zmq_msg_data(frame))
                                     : NULL;
    if (!req)
        return; /* main decoded it already; cannot happen short of memory */
    arena_t *a = arena_new();
    uint8_t *buf = NULL;
    size_t len = 0;
    if (a) {
        Nodelink__TaskResponse resp;
        requests_handle(&w->req, req, a, &resp);
        Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
        cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE;
        cm.task_response = &resp;
        buf = wire_pack(&cm.base, &len);
    }
    if (buf) {
        cmdpipe_send(w->pipe, "RESP", buf, len);
    } else {
        /* out of memory: still a final answer, so the client is not left
         * waiting for its timeout */
        uint8_t small[REQUESTS_FAILURE_MAX];
        len = requests_pack_failure(w->req.agent_id, req->task_id,
                                    NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED,
                                    "the agent is out of memory", small, sizeof small);
        if (len)
            cmdpipe_send(w->pipe, "RESP", small, len);
    }
    free(buf);
    arena_destroy(&a);
    nodelink__task_request__free_unpacked(req, NULL);
}

/* Handles every command waiting on the pipe. Returns -1 on $TERM. */
static int s_drain(state_t *w)
{
    while (cmdpipe_readable(w->pipe)) {
        char cmd[CMDPIPE_NAME_MAX];
        zmq_msg_t body;
        zmq_msg_init(&body);
        int rc = cmdpipe_recv(w->pipe, cmd, &body, ZMQ_DONTWAIT);
        if (rc == 0 && strcmp(cmd, "REQ") == 0) {
            s_handle_request(w, &body);
        } else if (rc == 0 && strcmp(cmd, "SYSINFO") == 0) {
            w->sys_fingerprint = sysinfo_fingerprint(&w->sys);
            s_publish_sysinfo(w);
        }
        zmq_msg_close(&body);
        if (rc == 0 && strcmp(cmd, "$TERM") == 0)
            return -1;
        if (rc != 0 && errno != EAGAIN && errno != EINTR)
            return -1;
    }
    return 0;
}

static void *s_socket(void *ctx, int type, int sndhwm, int linger)
{
    void *s = zmq_socket(ctx, type);
    if (s) {
        zmq_setsockopt(s, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm);
        zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    }
    return s;
}

static int s_setup(state_t *w, const worker_args_t *args)
{
    const agent_config_t *cfg = args->cfg;
    w->pub = s_socket(w->shared->ctx, ZMQ_PUB, 1000, 200);
    w->registry = taskreg_new();
    if (!w->pub || !w->registry)
        return -1;
    char err[256];
    if (cfg->curve &&
        curvekey_client_apply(w->pub, cfg->certificate, cfg->broker_certificate, err, sizeof err) != 0) {
        log_error("security: %s", err);
        return -1;
    }
    if (zmq_connect(w->pub, cfg->publish_endpoint) != 0) {
        log_error("broker.publish_endpoint: cannot connect to '%s'", cfg->publish_endpoint);
        return -1;
    }
    sampler_opts_t o = {
        .agent_id = cfg->id,
        .epoch = args->epoch,
        .env = {cfg->proc_root, cfg->sys_root, cfg->track_task_processes, cfg->task_scan_ms, w->registry},
        .selection = agent_config_selection(cfg),
        .tracking_enabled = cfg->tracking_enabled,
        .interval_ms = (uint32_t)cfg->interval_ms,
        .streaming = cfg->metrics_enabled,
        .retention_ms = cfg->retention_ms,
        .history_bytes = (size_t)cfg->history_max_bytes,
    };
    w->sampler = sampler_new(&o, w->pub);
    if (!w->sampler)
        return -1;
    w->sys = (sysinfo_env_t){cfg->proc_root, cfg->sys_root, args->rootfs};
    w->req = (requests_ctx_t){w->sampler, &w->sys, cfg->id};
    w->sys_check_ms = cfg->sysinfo_check_ms;
    w->sys_next_check = clock_mono_ms() + w->sys_check_ms;
    w->sys_fingerprint = sysinfo_fingerprint(&w->sys);
    w->watch = sysinfo_watch_new(&w->sys);
    if (!w->watch)
        return -1;
    log_info("system information: republished on change, checked every %lld s%s%s",
             (long long)(w->sys_check_ms / 1000),
             *sysinfo_watch_sources(w->watch) ? " and at once on kernel events: " : "",
             sysinfo_watch_sources(w->watch));
    /* The first trim comes after three samples: start-up code is done, and
     * what the first samples and the first exchanges with the broker touch
     * once (discovery, handshakes) goes with it. */
    w->trim_ms = cfg->trim_ms;
    int64_t first = 3 * cfg->interval_ms < w->trim_ms ? 3 * cfg->interval_ms : w->trim_ms;
    w->trim_next = clock_mono_ms() + first;
    return 0;
}

static void s_teardown(state_t *w)
{
    sampler_destroy(&w->sampler);
    taskreg_destroy(&w->registry);
    sysinfo_watch_destroy(&w->watch);
    if (w->pub)
        zmq_close(w->pub);
    if (w->pipe)
        zmq_close(w->pipe);
}

static int64_t s_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Time to wait: until the next sample or system-information check. To the
 * nanosecond, so the thread wakes exactly on the sample's slot, the same
 * instant as the control thread's heartbeats when the slots coincide (one
 * wake-up of the machine, and of ZeroMQ's I/O thread, serves both). */
static struct timespec s_timeout(state_t *w)
{
    int64_t wait = (w->sys_next_check - clock_mono_ms()) * 1000000;
    int64_t due = sampler_due_ms(w->sampler);
    if (due >= 0 && due * 1000000 - s_now_ns() < wait)
        wait = due * 1000000 - s_now_ns();
    if (wait < 0)
        wait = 0;
    if (wait > (int64_t)3600 * 1000000000)
        wait = (int64_t)3600 * 1000000000;
    return (struct timespec){(time_t)(wait / 1000000000), (long)(wait % 1000000000)};
}

static void s_share_state(state_t *w)
{
    uint64_t seq = sampler_sequence(w->sampler);
    if (seq != atomic_load_explicit(&w->shared->sequence, memory_order_relaxed))
        atomic_store_explicit(&w->shared->last_frame_ms, clock_now_ms(), memory_order_relaxed);
    atomic_store_explicit(&w->shared->sequence, seq, memory_order_relaxed);
    atomic_store_explicit(&w->shared->interval_ms, sampler_interval(w->sampler), memory_order_relaxed);
}

/* After a change notification, the check waits this long for the rest of
 * the burst (an interface coming up brings link and address events). */
#define WORKER_SYSINFO_SETTLE_MS 250

static void s_loop(state_t *w)
{
    int fd = cmdpipe_fd(w->pipe);
    bool check = true; /* the pipe may hold commands: look before sleeping */
    for (;;) {
        if (check && s_drain(w) != 0)
            return;
        s_share_state(w);
        struct pollfd p[1 + SYSINFO_WATCH_FDS] = {{fd, POLLIN, 0}};
        int nfds = 1 + (w->watch_pending ? 0 : sysinfo_watch_pollfds(w->watch, p + 1));
        struct timespec ts = s_timeout(w);
        int n = ppoll(p, (nfds_t)nfds, &ts, NULL);
        if (n < 0 && errno != EINTR)
            return;
        check = n > 0 && p[0].revents;
        if (n > 0 && nfds > 1 && sysinfo_watch_fired(w->watch, p + 1, nfds - 1)) {
            w->watch_pending = true;
            int64_t due = clock_mono_ms() + WORKER_SYSINFO_SETTLE_MS;
            if (due < w->sys_next_check)
                w->sys_next_check = due;
        }
        sampler_run_due(w->sampler, clock_now_ms());
        s_check_sysinfo(w);
        s_trim(w);
    }
}

static void *s_thread(void *arg)
{
    state_t w = {.shared = arg};
    w.pipe = s_socket(w.shared->ctx, ZMQ_PAIR, 0, 0);
    bool ok = w.pipe && zmq_connect(w.pipe, w.shared->endpoint) == 0 && s_setup(&w, &w.shared->args) == 0;
    if (ok)
        s_share_state(&w);
    if (w.pipe)
        cmdpipe_send(w.pipe, ok ? "READY" : "FAILED", NULL, 0);
    if (ok)
        s_loop(&w);
    s_teardown(&w);
    return NULL;
}

worker_t *worker_start(void *zmq_ctx, const worker_args_t *args)
{
    worker_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->ctx = zmq_ctx;
    self->args = *args;
    atomic_init(&self->sequence, 0);
    atomic_init(&self->last_frame_ms, 0);
    atomic_init(&self->interval_ms, (uint32_t)args->cfg->interval_ms);
    snprintf(self->endpoint, sizeof self->endpoint, "inproc://nodelink-worker-%p", (void *)self);
    self->pipe = s_socket(zmq_ctx, ZMQ_PAIR, 0, 0);
    if (!self->pipe || zmq_bind(self->pipe, self->endpoint) != 0) {
        worker_stop(&self);
        return NULL;
    }
    if (pthread_create(&self->thread, NULL, s_thread, self) != 0) {
        log_error("cannot start the sampling thread");
        worker_stop(&self);
        return NULL;
    }
    self->started = true;
    pthread_setname_np(self->thread, "nodelink-sample"); /* top -H, and the benchmark's per-thread figures */
    char cmd[CMDPIPE_NAME_MAX] = "";
    zmq_msg_t body;
    zmq_msg_init(&body);
    int rc;
    do
        rc = cmdpipe_recv(self->pipe, cmd, &body, 0);
    while (rc != 0 && errno == EINTR);
    zmq_msg_close(&body);
    if (rc != 0 || strcmp(cmd, "READY") != 0)
        worker_stop(&self); /* the thread has returned after FAILED */
    return self;
}

void worker_stop(worker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    worker_t *self = *self_p;
    if (self->started) {
        /* DONTWAIT: after FAILED the thread is gone and nothing would read. */
        zmq_send(self->pipe, "$TERM", 5, ZMQ_DONTWAIT);
        pthread_join(self->thread, NULL);
    }
    if (self->pipe)
        zmq_close(self->pipe);
    free(self);
    *self_p = NULL;
}

void *worker_pipe(worker_t *self)
{
    return self->pipe;
}

uint64_t worker_sequence(const worker_t *self)
{
    return atomic_load_explicit(&((worker_t *)self)->sequence, memory_order_relaxed);
}

int64_t worker_last_frame_ms(const worker_t *self)
{
    return atomic_load_explicit(&((worker_t *)self)->last_frame_ms, memory_order_relaxed);
}

uint32_t worker_interval(const worker_t *self)
{
    return atomic_load_explicit(&((worker_t *)self)->interval_ms, memory_order_relaxed);
}
