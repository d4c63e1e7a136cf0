/*
 * worker.c - the sampling thread. See worker.h.
 */
#include "worker.h"

#include <inttypes.h>

#include "arena.h"
#include "clock.h"
#include "curve.h"
#include "log.h"
#include "requests.h"
#include "sampler.h"
#include "sysinfo/sysinfo.h"
#include "taskreg.h"
#include "wire.h"

typedef struct {
    zsock_t *pipe;
    zsock_t *pub;
    sampler_t *sampler;
    taskreg_t *registry;
    sysinfo_env_t sys;
    requests_ctx_t req;
    uint64_t sys_fingerprint;
    int64_t sys_check_ms;   /* interval */
    int64_t sys_next_check; /* monotonic ms */
} worker_t;

static void s_publish_sysinfo(worker_t *w)
{
    arena_t *a = arena_new();
    Nodelink__SystemInfoResponse *si = a ? sysinfo_build(&w->sys, (sysinfo_parts_t){true, true, true}, a) : NULL;
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
}

static void s_check_sysinfo(worker_t *w)
{
    int64_t now = clock_mono_ms();
    if (now < w->sys_next_check)
        return;
    w->sys_next_check = now + w->sys_check_ms;
    uint64_t fp = sysinfo_fingerprint(&w->sys);
    if (fp != w->sys_fingerprint) {
        if (w->sys_fingerprint)
            log_info("system information changed; republishing");
        w->sys_fingerprint = fp;
        s_publish_sysinfo(w);
    }
}

static void s_handle_request(worker_t *w, zframe_t *frame)
{
    wire_err_t err = WIRE_OK;
    Nodelink__TaskRequest *req =
        zframe_size(frame) <= WIRE_FRAME_MAX
            ? nodelink__task_request__unpack(NULL, zframe_size(frame), zframe_data(frame))
            : NULL;
    (void)err;
    if (!req)
        return; /* main decoded it already; cannot happen short of memory */
    arena_t *a = arena_new();
    if (a) {
        Nodelink__TaskResponse resp;
        requests_handle(&w->req, req, a, &resp);
        Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
        cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE;
        cm.task_response = &resp;
        size_t len;
        uint8_t *buf = wire_pack(&cm.base, &len);
        if (buf)
            zsock_send(w->pipe, "sb", "RESP", buf, len);
        free(buf);
    }
    arena_destroy(&a);
    nodelink__task_request__free_unpacked(req, NULL);
}

/* Handles one pipe command. Returns -1 on $TERM. */
static int s_on_pipe(worker_t *w)
{
    zmsg_t *msg = zmsg_recv(w->pipe);
    if (!msg)
        return -1;
    char *cmd = zmsg_popstr(msg);
    int rc = 0;
    if (!cmd || streq(cmd, "$TERM")) {
        rc = -1;
    } else if (streq(cmd, "REQ")) {
        zframe_t *f = zmsg_pop(msg);
        if (f)
            s_handle_request(w, f);
        zframe_destroy(&f);
    } else if (streq(cmd, "STATE")) {
        zmsg_t *reply = zmsg_new();
        zmsg_addstr(reply, "STATE");
        zmsg_addstrf(reply, "%" PRIu64, sampler_sequence(w->sampler));
        zmsg_addstrf(reply, "%u", sampler_interval(w->sampler));
        zmsg_send(&reply, w->pipe);
    } else if (streq(cmd, "SYSINFO")) {
        w->sys_fingerprint = sysinfo_fingerprint(&w->sys);
        s_publish_sysinfo(w);
    }
    free(cmd);
    zmsg_destroy(&msg);
    return rc;
}

static int s_setup(worker_t *w, const worker_args_t *args)
{
    const agent_config_t *cfg = args->cfg;
    w->pub = zsock_new(ZMQ_PUB);
    w->registry = taskreg_new();
    if (!w->pub || !w->registry)
        return -1;
    zsock_set_sndhwm(w->pub, 1000);
    zsock_set_linger(w->pub, 200);
    char err[256];
    if (cfg->curve && curve_client_apply(w->pub, cfg->certificate, cfg->broker_certificate, err, sizeof err) != 0) {
        log_error("security: %s", err);
        return -1;
    }
    if (zsock_connect(w->pub, "%s", cfg->publish_endpoint) != 0) {
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
    w->sampler = sampler_new(&o, zsock_resolve(w->pub));
    if (!w->sampler)
        return -1;
    w->sys = (sysinfo_env_t){cfg->proc_root, cfg->sys_root, args->rootfs};
    w->req = (requests_ctx_t){w->sampler, &w->sys, cfg->id};
    w->sys_check_ms = cfg->sysinfo_check_ms;
    w->sys_next_check = clock_mono_ms() + w->sys_check_ms;
    w->sys_fingerprint = sysinfo_fingerprint(&w->sys);
    return 0;
}

static void s_teardown(worker_t *w)
{
    sampler_destroy(&w->sampler);
    taskreg_destroy(&w->registry);
    zsock_destroy(&w->pub);
}

/* Milliseconds to wait: until the next sample or system-information check. */
static long s_timeout(worker_t *w)
{
    int64_t wait = w->sys_next_check - clock_mono_ms();
    int64_t due = sampler_due_ms(w->sampler);
    if (due >= 0 && due - clock_now_ms() < wait)
        wait = due - clock_now_ms();
    return wait < 0 ? 0 : (long)wait;
}

void worker_actor(zsock_t *pipe, void *vargs)
{
    worker_t w = {.pipe = pipe};
    if (s_setup(&w, vargs) != 0) {
        s_teardown(&w);
        zsock_signal(pipe, 0);
        zstr_send(pipe, "FAILED");
        return;
    }
    zsock_signal(pipe, 0);
    zstr_send(pipe, "READY");
    zmq_pollitem_t item = {zsock_resolve(pipe), 0, ZMQ_POLLIN, 0};
    for (;;) {
        int n = zmq_poll(&item, 1, s_timeout(&w));
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (item.revents & ZMQ_POLLIN) && s_on_pipe(&w) != 0)
            break;
        sampler_run_due(w.sampler, clock_now_ms());
        s_check_sysinfo(&w);
    }
    s_teardown(&w);
}
