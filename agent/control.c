/*
 * control.c - hello/heartbeat/goodbye and request forwarding. See control.h.
 */
#include "control.h"

#include "clock.h"
#include "curve.h"
#include "log.h"
#include "wire.h"

struct _control_t {
    const agent_config_t *cfg;
    uint64_t epoch;
    zactor_t *worker;
    zloop_t *loop;
    zsock_t *dealer;
    int timer;
    int hello_timer;   /* pending hello retry, -1 when none */
    int64_t hello_delay;
    bool registered;
    bool refused_logged;
    uint64_t last_sequence; /* from the worker's latest STATE */
    uint32_t interval_ms;
    log_limit_t bad_limit;
};

static void s_send(control_t *self, Nodelink__ControlMessage *cm)
{
    /* DONTWAIT: with ZMQ_IMMEDIATE a disconnected DEALER refuses at once
     * rather than queueing stale hellos and heartbeats. */
    wire_send_control(zsock_resolve(self->dealer), cm, ZMQ_DONTWAIT);
}

static void s_hello(control_t *self)
{
    Nodelink__AgentHello h = NODELINK__AGENT_HELLO__INIT;
    h.agent_id = self->cfg->id;
    h.version = NODELINK_VERSION;
    h.has_interval_ms = h.has_heartbeat_ms = h.has_epoch = 1;
    h.interval_ms = self->interval_ms;
    h.heartbeat_ms = (uint32_t)self->cfg->heartbeat_ms;
    h.epoch = self->epoch;
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_HELLO;
    cm.hello = &h;
    s_send(self, &cm);
}

static void s_heartbeat(control_t *self)
{
    Nodelink__Heartbeat hb = NODELINK__HEARTBEAT__INIT;
    hb.agent_id = self->cfg->id;
    hb.has_last_sequence = hb.has_timestamp_ms = 1;
    hb.last_sequence = self->last_sequence;
    hb.timestamp_ms = (uint64_t)clock_now_ms();
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_HEARTBEAT;
    cm.heartbeat = &hb;
    s_send(self, &cm);
}

static int s_on_hello_timer(zloop_t *loop, int timer_id, void *arg);

/* While unregistered, hello is repeated with a back-off from 100 ms up to
 * the heartbeat interval: quick when the connection is just coming up (a
 * DEALER with ZMQ_IMMEDIATE drops what is sent before), gentle while the
 * broker keeps refusing the id. */
static void s_schedule_hello(control_t *self, bool reset)
{
    if (reset)
        self->hello_delay = 100;
    if (self->hello_timer >= 0)
        return;
    self->hello_timer = zloop_timer(self->loop, (size_t)self->hello_delay, 1, s_on_hello_timer, self);
    self->hello_delay *= 2;
    if (self->hello_delay > self->cfg->heartbeat_ms)
        self->hello_delay = self->cfg->heartbeat_ms;
}

static int s_on_hello_timer(zloop_t *loop, int timer_id, void *arg)
{
    (void)loop;
    (void)timer_id;
    control_t *self = arg;
    self->hello_timer = -1;
    if (!self->registered) {
        s_hello(self);
        s_schedule_hello(self, false);
    }
    return 0;
}

static int s_on_timer(zloop_t *loop, int timer_id, void *arg)
{
    (void)loop;
    (void)timer_id;
    control_t *self = arg;
    zstr_send(self->worker, "STATE");
    if (self->registered)
        s_heartbeat(self);
    return 0;
}

static void s_on_hello_reply(control_t *self, const Nodelink__HelloReply *r)
{
    bool accepted = r->has_accepted && r->accepted;
    if (accepted) {
        if (!self->registered)
            log_info("registered with the broker");
        self->registered = true;
        self->refused_logged = false;
        zstr_send(self->worker, "SYSINFO");
    } else {
        if (self->registered)
            log_warn("broker no longer knows this agent; registering again");
        else if (!self->refused_logged)
            log_warn("broker refused registration: %s (retrying every %lld ms)",
                     r->reason ? r->reason : "no reason given", (long long)self->cfg->heartbeat_ms);
        self->refused_logged = !self->registered;
        self->registered = false;
        s_schedule_hello(self, r->reason == NULL || !*r->reason);
    }
}

static int s_on_dealer(zloop_t *loop, zsock_t *sock, void *arg)
{
    (void)loop;
    control_t *self = arg;
    zframe_t *f = zframe_recv(sock);
    if (!f)
        return 0;
    /* Consume (and ignore) any further parts of a malformed message. */
    while (zsock_rcvmore(sock)) {
        zframe_t *extra = zframe_recv(sock);
        zframe_destroy(&extra);
    }
    wire_err_t err;
    Nodelink__ControlMessage *cm = wire_decode_control(zframe_data(f), zframe_size(f), &err);
    zframe_destroy(&f);
    if (!cm) {
        log_ratelimited(&self->bad_limit, LOG_LEVEL_WARN, "control: dropped a %s frame", wire_err_name(err));
        return 0;
    }
    if (cm->body_case == NODELINK__CONTROL_MESSAGE__BODY_HELLO_REPLY) {
        s_on_hello_reply(self, cm->hello_reply);
    } else if (cm->body_case == NODELINK__CONTROL_MESSAGE__BODY_TASK_REQUEST) {
        size_t len;
        uint8_t *buf = wire_pack(&cm->task_request->base, &len);
        if (buf)
            zsock_send(self->worker, "sb", "REQ", buf, len);
        free(buf);
    } else {
        log_ratelimited(&self->bad_limit, LOG_LEVEL_WARN, "control: unexpected message (case %d)",
                        (int)cm->body_case);
    }
    wire_control_free(&cm);
    return 0;
}

static int s_on_worker(zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void)loop;
    control_t *self = arg;
    zmsg_t *msg = zmsg_recv(pipe);
    if (!msg)
        return 0;
    char *cmd = zmsg_popstr(msg);
    if (cmd && streq(cmd, "RESP")) {
        zframe_t *f = zmsg_pop(msg);
        if (f && zmq_send(zsock_resolve(self->dealer), zframe_data(f), zframe_size(f), ZMQ_DONTWAIT) < 0)
            log_warn("control: could not send a response (broker unreachable)");
        zframe_destroy(&f);
    } else if (cmd && streq(cmd, "STATE") && zmsg_size(msg) == 2) {
        char *seq = zmsg_popstr(msg), *iv = zmsg_popstr(msg);
        if (seq && iv) {
            self->last_sequence = strtoull(seq, NULL, 10);
            self->interval_ms = (uint32_t)strtoul(iv, NULL, 10);
        }
        free(seq);
        free(iv);
    }
    free(cmd);
    zmsg_destroy(&msg);
    return 0;
}

control_t *control_new(const agent_config_t *cfg, uint64_t epoch, zactor_t *worker, zloop_t *loop)
{
    control_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->epoch = epoch;
    self->worker = worker;
    self->loop = loop;
    self->interval_ms = (uint32_t)cfg->interval_ms;
    self->timer = -1;
    self->hello_timer = -1;
    self->dealer = zsock_new(ZMQ_DEALER);
    if (!self->dealer)
        goto fail;
    zsock_set_immediate(self->dealer, 1);
    zsock_set_linger(self->dealer, 500);
    zsock_set_sndhwm(self->dealer, 100);
    zsock_set_maxmsgsize(self->dealer, (int)WIRE_FRAME_MAX + 64);
    char err[256];
    if (cfg->curve &&
        curve_client_apply(self->dealer, cfg->certificate, cfg->broker_certificate, err, sizeof err) != 0) {
        log_error("security: %s", err);
        goto fail;
    }
    if (zsock_connect(self->dealer, "%s", cfg->control_endpoint) != 0) {
        log_error("broker.control_endpoint: cannot connect to '%s'", cfg->control_endpoint);
        goto fail;
    }
    if (zloop_reader(loop, self->dealer, s_on_dealer, self) != 0 ||
        zloop_reader(loop, zactor_sock(worker), s_on_worker, self) != 0)
        goto fail;
    self->timer = zloop_timer(loop, (size_t)cfg->heartbeat_ms, 0, s_on_timer, self);
    if (self->timer < 0)
        goto fail;
    s_hello(self); /* dropped if not yet connected; repeated until accepted */
    s_schedule_hello(self, true);
    return self;
fail:
    control_destroy(&self);
    return NULL;
}

void control_destroy(control_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    control_t *self = *self_p;
    if (self->dealer) {
        if (self->registered) {
            Nodelink__Goodbye g = NODELINK__GOODBYE__INIT;
            g.agent_id = self->cfg->id;
            Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
            cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_GOODBYE;
            cm.goodbye = &g;
            s_send(self, &cm);
        }
        zloop_reader_end(self->loop, self->dealer);
    }
    if (self->worker)
        zloop_reader_end(self->loop, zactor_sock(self->worker));
    if (self->timer >= 0)
        zloop_timer_end(self->loop, self->timer);
    if (self->hello_timer >= 0)
        zloop_timer_end(self->loop, self->hello_timer);
    zsock_destroy(&self->dealer);
    free(self);
    *self_p = NULL;
}
