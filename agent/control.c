/*
 * control.c - hello/heartbeat/goodbye, request forwarding and the main
 * thread's loop. See control.h.
 */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "clock.h"
#include "cmdpipe.h"
#include "curvekey.h"
#include "log.h"
#include "requests.h"
#include "signals.h"
#include "wire.h"

struct control_t {
    const agent_config_t *cfg;
    uint64_t epoch;
    worker_t *worker;
    void *dealer;
    void *monitor;          /* PAIR: the DEALER's handshake events (a new connection) */
    int64_t next_heartbeat; /* wall-clock ms (Unix) of the next heartbeat slot */
    int64_t last_beat_ms;   /* wall-clock ms of the last heartbeat sent */
    bool frames_beat;       /* the broker counts our frames as heartbeats */
    int64_t next_hello;     /* monotonic ms of a pending hello retry, -1 when none */
    int64_t hello_delay;
    bool registered;
    bool refused_logged;
    log_limit_t bad_limit;
};

static void s_send(control_t *self, Nodelink__ControlMessage *cm)
{
    /* DONTWAIT: with ZMQ_IMMEDIATE a disconnected DEALER refuses at once
     * rather than queueing stale hellos and heartbeats. */
    wire_send_control(self->dealer, cm, ZMQ_DONTWAIT);
}

static void s_hello(control_t *self)
{
    Nodelink__AgentHello h = NODELINK__AGENT_HELLO__INIT;
    h.agent_id = self->cfg->id;
    h.version = NODELINK_VERSION;
    h.has_interval_ms = h.has_heartbeat_ms = h.has_epoch = 1;
    h.interval_ms = worker_interval(self->worker);
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
    hb.last_sequence = worker_sequence(self->worker);
    hb.timestamp_ms = (uint64_t)clock_now_ms();
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_HEARTBEAT;
    cm.heartbeat = &hb;
    s_send(self, &cm);
}

/* While unregistered, hello is repeated with a back-off from 100 ms up to
 * the heartbeat interval: quick when the connection is just coming up (a
 * DEALER with ZMQ_IMMEDIATE drops what is sent before), gentle while the
 * broker keeps refusing the id. */
static void s_schedule_hello(control_t *self, bool reset)
{
    if (reset)
        self->hello_delay = 100;
    if (self->next_hello >= 0)
        return;
    self->next_hello = clock_mono_ms() + self->hello_delay;
    self->hello_delay *= 2;
    if (self->hello_delay > self->cfg->heartbeat_ms)
        self->hello_delay = self->cfg->heartbeat_ms;
}

static int64_t s_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wall-clock ms of the last thing the broker heard from us that keeps the
 * registration alive: a heartbeat, or, when the broker counts them, a frame. */
static int64_t s_last_beat(const control_t *self)
{
    int64_t last = self->last_beat_ms;
    if (self->frames_beat && worker_last_frame_ms(self->worker) > last)
        last = worker_last_frame_ms(self->worker);
    return last;
}

/* Heartbeats go out on wall-clock multiples of the heartbeat interval, as
 * samples do on multiples of theirs: where the two coincide (every other
 * sample at 1 s, every fifth heartbeat at 5 s) both threads wake at
 * the same instant. The next slot is computed from the clock, so a stall
 * gives one heartbeat rather than a burst, and a clock stepped back
 * re-aligns.
 *
 * When the broker counts frames as heartbeats (HelloReply), a heartbeat is
 * due only 1.5 intervals after the last frame or heartbeat, and the thread
 * sleeps until the first slot at or after that: while samples go out at
 * least that often (1 s samples, 2 s heartbeats) no heartbeat is sent (the
 * thread still wakes on the slots to look); at 5 s samples two heartbeats
 * per 10 s remain of five. The broker's limit is 3 intervals of
 * silence; this keeps it under 2.5 (1.5 plus at most one slot). */
#define CONTROL_BEAT_DUE(hb) ((hb)*3 / 2)

static void s_schedule_heartbeat(control_t *self, int64_t now_ms)
{
    int64_t hb = self->cfg->heartbeat_ms;
    int64_t from = now_ms;
    if (self->frames_beat && self->registered) {
        int64_t due = s_last_beat(self) + CONTROL_BEAT_DUE(hb) - 1;
        if (due > from)
            from = due;
    }
    self->next_heartbeat = (from / hb + 1) * hb;
}

static bool s_heartbeat_due(const control_t *self, int64_t now_ms)
{
    return !self->frames_beat || now_ms - s_last_beat(self) >= CONTROL_BEAT_DUE(self->cfg->heartbeat_ms);
}

/* Runs the timers that are due. */
static void s_on_timers(control_t *self)
{
    int64_t now = clock_mono_ms();
    if (self->next_hello >= 0 && now >= self->next_hello) {
        self->next_hello = -1;
        if (!self->registered) {
            s_hello(self);
            s_schedule_hello(self, false);
        }
    }
    int64_t wall = s_wall_ns() / 1000000;
    /* Slots are at most 2.5 intervals ahead; further means the clock went back. */
    if (wall >= self->next_heartbeat || self->next_heartbeat - wall > 3 * self->cfg->heartbeat_ms) {
        if (wall >= self->next_heartbeat && self->registered && s_heartbeat_due(self, wall)) {
            s_heartbeat(self);
            self->last_beat_ms = wall;
        }
        s_schedule_heartbeat(self, wall);
    }
}

/* Time until the next timer, to the nanosecond for the heartbeat slot. */
static struct timespec s_timeout(const control_t *self)
{
    int64_t wait = self->next_heartbeat * 1000000 - s_wall_ns();
    if (self->next_hello >= 0 && (self->next_hello - clock_mono_ms()) * 1000000 < wait)
        wait = (self->next_hello - clock_mono_ms()) * 1000000;
    if (wait < 0)
        wait = 0;
    return (struct timespec){(time_t)(wait / 1000000000), (long)(wait % 1000000000)};
}

static void s_on_hello_reply(control_t *self, const Nodelink__HelloReply *r)
{
    bool accepted = r->has_accepted && r->accepted;
    if (accepted) {
        self->frames_beat = r->has_frames_count_as_heartbeats && r->frames_count_as_heartbeats;
        if (!self->registered)
            log_info("registered with the broker%s",
                     self->frames_beat ? " (frames count as heartbeats)" : "");
        self->registered = true;
        self->last_beat_ms = clock_now_ms(); /* the hello */
        self->refused_logged = false;
        cmdpipe_send(worker_pipe(self->worker), "SYSINFO", NULL, 0);
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

/* Hands a request to the worker, which answers it. When it cannot reach the
 * worker, the answer is made here, so the client still gets a final one. */
static void s_forward_request(control_t *self, const Nodelink__TaskRequest *req)
{
    size_t len;
    uint8_t *buf = wire_pack(&req->base, &len);
    bool packed = buf != NULL;
    int rc = packed ? cmdpipe_send(worker_pipe(self->worker), "REQ", buf, len) : -1;
    free(buf);
    if (rc == 0)
        return;
    uint8_t answer[REQUESTS_FAILURE_MAX];
    len = requests_pack_failure(self->cfg->id, req->task_id,
                                packed ? NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE
                                       : NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED,
                                packed ? "the agent is stopping" : "the agent is out of memory", answer,
                                sizeof answer);
    if (len)
        zmq_send(self->dealer, answer, len, ZMQ_DONTWAIT);
}

static void s_on_control_message(control_t *self, const zmq_msg_t *frame)
{
    wire_err_t err;
    Nodelink__ControlMessage *cm =
        wire_decode_control(zmq_msg_data((zmq_msg_t *)frame), zmq_msg_size((zmq_msg_t *)frame), &err);
    if (!cm) {
        log_ratelimited(&self->bad_limit, LOG_LEVEL_WARN, "control: dropped a %s frame", wire_err_name(err));
        return;
    }
    if (cm->body_case == NODELINK__CONTROL_MESSAGE__BODY_HELLO_REPLY) {
        s_on_hello_reply(self, cm->hello_reply);
    } else if (cm->body_case == NODELINK__CONTROL_MESSAGE__BODY_TASK_REQUEST) {
        s_forward_request(self, cm->task_request);
    } else {
        log_ratelimited(&self->bad_limit, LOG_LEVEL_WARN, "control: unexpected message (case %d)",
                        (int)cm->body_case);
    }
    wire_control_free(&cm);
}

/* A completed handshake means a new connection to the broker - the first,
 * or after the broker restarted or the network broke - and a broker that
 * may not know us. While frames flow no heartbeat goes out to find that
 * out, so say hello again right away (repeated until accepted). */
static void s_drain_monitor(control_t *self)
{
    while (cmdpipe_readable(self->monitor)) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        int rc = zmq_msg_recv(&part, self->monitor, ZMQ_DONTWAIT);
        uint16_t event = 0;
        if (rc >= 6)
            memcpy(&event, zmq_msg_data(&part), sizeof event);
        zmq_msg_close(&part);
        if (rc < 0)
            break;
        cmdpipe_skip_rest(self->monitor); /* the endpoint */
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED && self->registered) {
            log_info("control connection re-established; registering again");
            self->registered = false;
            s_hello(self);
            s_schedule_hello(self, true);
        }
    }
}

/* Handles every message waiting on the DEALER. A message of several parts
 * is malformed: its first part is decoded (and fails), the rest dropped.
 * Returns the number handled. */
static int s_drain_dealer(control_t *self)
{
    int handled = 0;
    while (cmdpipe_readable(self->dealer)) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, self->dealer, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&frame);
            break;
        }
        handled++;
        cmdpipe_skip_rest(self->dealer);
        s_on_control_message(self, &frame);
        zmq_msg_close(&frame);
    }
    return handled;
}

/* Forwards the worker's responses to the broker. Returns the number handled. */
static int s_drain_worker(control_t *self)
{
    void *pipe = worker_pipe(self->worker);
    int handled = 0;
    while (cmdpipe_readable(pipe)) {
        char cmd[CMDPIPE_NAME_MAX];
        zmq_msg_t body;
        zmq_msg_init(&body);
        if (cmdpipe_recv(pipe, cmd, &body, ZMQ_DONTWAIT) != 0) {
            zmq_msg_close(&body);
            break;
        }
        handled++;
        if (strcmp(cmd, "RESP") == 0 && zmq_msg_size(&body) > 0 &&
            zmq_send(self->dealer, zmq_msg_data(&body), zmq_msg_size(&body), ZMQ_DONTWAIT) < 0)
            log_warn("control: could not send a response (broker unreachable)");
        zmq_msg_close(&body);
    }
    return handled;
}

int control_run(control_t *self, const sigset_t *wait_mask)
{
    void *pipe = worker_pipe(self->worker);
    struct pollfd fds[3] = {{cmdpipe_fd(self->dealer), POLLIN, 0},
                            {cmdpipe_fd(pipe), POLLIN, 0},
                            {cmdpipe_fd(self->monitor), POLLIN, 0}};
    s_hello(self); /* dropped if not yet connected; repeated until accepted */
    s_schedule_hello(self, true);
    while (!signals_stop_requested()) {
        /* ZMQ_FD is edge-triggered: drain both before every wait, until a
         * pass finds nothing (handling one may send on the other, and any
         * operation on a socket may consume its edge), then sleep. */
        s_drain_monitor(self);
        while (s_drain_dealer(self) + s_drain_worker(self) > 0)
            ;
        struct timespec ts = s_timeout(self);
        if (ppoll(fds, 3, &ts, wait_mask) < 0 && errno != EINTR) {
            log_error("control: poll failed: %s", strerror(errno));
            return -1;
        }
        s_on_timers(self);
    }
    return 0;
}

control_t *control_new(const agent_config_t *cfg, uint64_t epoch, void *zmq_ctx, worker_t *worker)
{
    control_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->epoch = epoch;
    self->worker = worker;
    self->next_hello = -1;
    s_schedule_heartbeat(self, s_wall_ns() / 1000000);
    self->dealer = zmq_socket(zmq_ctx, ZMQ_DEALER);
    if (!self->dealer)
        goto fail;
    int immediate = 1, linger = 500, hwm = 100;
    int64_t maxmsg = (int64_t)WIRE_FRAME_MAX + 64;
    zmq_setsockopt(self->dealer, ZMQ_IMMEDIATE, &immediate, sizeof immediate);
    zmq_setsockopt(self->dealer, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(self->dealer, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(self->dealer, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    char err[256];
    if (cfg->curve && curvekey_client_apply(self->dealer, cfg->certificate, cfg->broker_certificate, err,
                                            sizeof err) != 0) {
        log_error("security: %s", err);
        goto fail;
    }
    char monitor_ep[64];
    snprintf(monitor_ep, sizeof monitor_ep, "inproc://nodelink-control-monitor-%p", (void *)self);
    self->monitor = zmq_socket(zmq_ctx, ZMQ_PAIR);
    if (!self->monitor || zmq_socket_monitor(self->dealer, monitor_ep, ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0 ||
        zmq_connect(self->monitor, monitor_ep) != 0) {
        log_error("control: cannot monitor the control connection: %s", zmq_strerror(zmq_errno()));
        goto fail;
    }
    if (zmq_connect(self->dealer, cfg->control_endpoint) != 0) {
        log_error("broker.control_endpoint: cannot connect to '%s'", cfg->control_endpoint);
        goto fail;
    }
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
        zmq_socket_monitor(self->dealer, NULL, 0);
        zmq_close(self->dealer);
    }
    if (self->monitor)
        zmq_close(self->monitor);
    free(self);
    *self_p = NULL;
}
