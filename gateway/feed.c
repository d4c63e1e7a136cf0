/*
 * feed.c - the ZeroMQ thread. See feed.h.
 */
#include "feed.h"

#include <czmq.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "curve.h"
#include "failure.h"
#include "log.h"
#include "wire.h"

#define S_POLL_MS 250

struct feed_t {
    const gw_config_t *cfg;
    roster_t *agents;
    sse_hub_t *hub;
    gw_stats_t *stats;
    zsock_t *sub, *dealer;
    int wake_fd;
    pthread_t thread;
    atomic_bool stop;
    atomic_int_fast64_t broker_reply_ms; /* monotonic */
    atomic_int_fast64_t last_frame_ms;
    pthread_mutex_t lock; /* guards incoming */
    zlistx_t *incoming;   /* control_req_t * submitted, not yet sent */
    zlistx_t *waiting;    /* control_req_t * sent (thread-only) */
    bool thread_started;
    bool closed; /* under lock: no more submissions */
    char list_id[48];
    uint64_t list_seq;
    log_limit_t bad_frame_limit;
};

/* ---------------------------------------------------------------- published frames */

static void s_on_published(feed_t *self, zmsg_t *msg)
{
    zframe_t *topic = zmsg_first(msg), *body = zmsg_next(msg);
    topic_kind_t kind;
    char id[TOPIC_ID_MAX + 1];
    wire_err_t err = WIRE_ERR_PARTS;
    Nodelink__TaskResponse *m = NULL;
    if (topic && body && zmsg_size(msg) == 2)
        m = wire_decode_published(zframe_data(topic), zframe_size(topic), zframe_data(body),
                                  zframe_size(body), &kind, id, &err);
    if (!m) {
        stats_inc(self->stats, STAT_FRAMES_INVALID);
        log_ratelimited(&self->bad_frame_limit, LOG_LEVEL_WARN, "dropped a published frame: %s",
                        wire_err_name(err));
        return;
    }
    stats_inc(self->stats, STAT_FRAMES);
    atomic_store(&self->last_frame_ms, clock_mono_ms());
    if (kind == TOPIC_METRICS) {
        snapshot_t *s = snapshot_new(id, &m);
        if (s) {
            sse_hub_publish(self->hub, s);
            roster_put_sample(self->agents, &s);
        }
    } else if (kind == TOPIC_SYSTEM && m->metrics_response && m->metrics_response->system_info) {
        json_t *j = wirejson_system_info(m->metrics_response->system_info, id, WIREJSON_ALL);
        char *text = wirejson_dumps(j);
        json_decref(j);
        blob_t *b = text ? blob_take(text, strlen(text)) : NULL;
        if (b)
            roster_put_system(self->agents, id, &b);
    } else if (kind == TOPIC_STATUS && m->agent_status) {
        roster_put_status(self->agents, m->agent_status, clock_now_ms());
    }
    wire_response_free(&m);
}

/* ---------------------------------------------------------------- control */

/* Ends req: COMPLETED with *resp (taken), or FAILED with failure and
 * reason (*resp, when given, is kept for its details). */
static void s_complete(feed_t *self, control_req_t *req, control_outcome_t outcome,
                       Nodelink__FailureCode failure, Nodelink__TaskResponse **resp, const char *reason)
{
    void *handle = zlistx_find(self->waiting, req);
    if (handle)
        zlistx_delete(self->waiting, handle);
    if (resp) {
        req->response = *resp;
        *resp = NULL;
    }
    if (reason)
        snprintf(req->reason, sizeof req->reason, "%s", reason);
    req->failure = failure;
    struct MHD_Connection *conn = req->conn;
    atomic_store(&req->outcome, outcome);
    MHD_resume_connection(conn); /* req may be freed from here on */
}

static void s_send_list(feed_t *self)
{
    Nodelink__ListAgents la = NODELINK__LIST_AGENTS__INIT;
    snprintf(self->list_id, sizeof self->list_id, "gw-list-%d-%llu", (int)getpid(),
             (unsigned long long)++self->list_seq);
    la.request_id = self->list_id;
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_LIST_AGENTS;
    cm.list_agents = &la;
    wire_send_control(zsock_resolve(self->dealer), &cm, ZMQ_DONTWAIT);
}

static control_req_t *s_waiting_find(feed_t *self, const char *task_id)
{
    for (control_req_t *r = zlistx_first(self->waiting); r; r = zlistx_next(self->waiting))
        if (strcmp(r->task_id, task_id) == 0)
            return r;
    return NULL;
}

static void s_on_task_response(feed_t *self, Nodelink__ControlMessage *cm)
{
    Nodelink__TaskResponse *tr = cm->task_response;
    if (!tr->task_id)
        return;
    if (tr->response_case == NODELINK__TASK_RESPONSE__RESPONSE_AGENT_LIST) {
        if (strcmp(tr->task_id, self->list_id) != 0)
            return;
        atomic_store(&self->broker_reply_ms, clock_mono_ms());
        for (size_t i = 0; i < tr->agent_list->n_agents; i++)
            roster_put_status(self->agents, tr->agent_list->agents[i], clock_now_ms());
        return;
    }
    control_req_t *req = s_waiting_find(self, tr->task_id);
    if (!req)
        return;
    atomic_store(&self->broker_reply_ms, clock_mono_ms());
    bool failed = tr->has_status && tr->status == NODELINK__TASK_RESPONSE__STATUS__FAILED;
    bool final = failed || !tr->has_is_final || tr->is_final ||
                 (tr->has_status && tr->status == NODELINK__TASK_RESPONSE__STATUS__COMPLETED);
    if (!final)
        return;
    cm->task_response = NULL; /* detach: the request owns it now */
    cm->body_case = NODELINK__CONTROL_MESSAGE__BODY__NOT_SET;
    s_complete(self, req, failed ? CONTROL_FAILED : CONTROL_COMPLETED,
               failed ? failure_of(tr) : NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED, &tr,
               failed ? (tr->error_message ? tr->error_message : "failed") : NULL);
    if (tr) /* not taken */
        wire_response_free(&tr);
}

static void s_on_dealer(feed_t *self)
{
    zframe_t *f = zframe_recv(self->dealer);
    if (!f)
        return;
    wire_err_t err;
    Nodelink__ControlMessage *cm = wire_decode_control(zframe_data(f), zframe_size(f), &err);
    zframe_destroy(&f);
    if (cm && cm->body_case == NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE)
        s_on_task_response(self, cm);
    wire_control_free(&cm);
}

static void s_drain_incoming(feed_t *self)
{
    uint64_t v;
    if (read(self->wake_fd, &v, sizeof v) < 0) {
        /* nothing pending: EAGAIN */
    }
    pthread_mutex_lock(&self->lock);
    control_req_t *req;
    while ((req = zlistx_first(self->incoming))) {
        zlistx_delete(self->incoming, zlistx_cursor(self->incoming));
        zlistx_add_end(self->waiting, req);
        req->timeout_ms += clock_mono_ms() + 1000; /* now an absolute deadline */
        stats_inc(self->stats, STAT_CONTROL_REQUESTS);
        if (zmq_send(zsock_resolve(self->dealer), req->frame, req->frame_len, ZMQ_DONTWAIT) < 0)
            s_complete(self, req, CONTROL_FAILED, NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE, NULL,
                       "broker connection not ready");
    }
    pthread_mutex_unlock(&self->lock);
}

static void s_expire(feed_t *self, int64_t now)
{
    control_req_t *expired[64];
    size_t n = 0;
    for (control_req_t *r = zlistx_first(self->waiting); r && n < 64; r = zlistx_next(self->waiting))
        if (now >= r->timeout_ms)
            expired[n++] = r;
    for (size_t i = 0; i < n; i++) {
        stats_inc(self->stats, STAT_CONTROL_TIMEOUTS);
        s_complete(self, expired[i], CONTROL_FAILED, NODELINK__FAILURE_CODE__FAILURE_TIMEOUT, NULL,
                   "no answer from the broker or the agent in time");
    }
}

/* ---------------------------------------------------------------- thread */

static void *s_run(void *arg)
{
    feed_t *self = arg;
    int64_t next_list = 0, next_tick = 0, next_sse_tick = 0;
    zmq_pollitem_t items[3] = {{zsock_resolve(self->sub), 0, ZMQ_POLLIN, 0},
                               {zsock_resolve(self->dealer), 0, ZMQ_POLLIN, 0},
                               {NULL, self->wake_fd, ZMQ_POLLIN, 0}};
    while (!atomic_load(&self->stop)) {
        int64_t now = clock_mono_ms();
        if (now >= next_list) {
            s_send_list(self);
            next_list = now + self->cfg->list_interval_ms;
        }
        if (now >= next_tick) {
            s_expire(self, now);
            next_tick = now + 200;
        }
        if (now >= next_sse_tick) { /* keep-alives, a quarter period late at worst */
            sse_hub_tick(self->hub, now);
            int64_t period = self->cfg->sse_keepalive_ms / 4;
            next_sse_tick = now + (period < 200 ? 200 : period > 1000 ? 1000 : period);
        }
        if (zmq_poll(items, 3, S_POLL_MS / 2) < 0)
            continue;
        for (int i = 0; i < 256 && (items[0].revents & ZMQ_POLLIN); i++) {
            zmsg_t *msg = zmsg_recv_nowait(self->sub);
            if (!msg)
                break;
            s_on_published(self, msg);
            zmsg_destroy(&msg);
        }
        for (int i = 0; i < 64 && (items[1].revents & ZMQ_POLLIN); i++) {
            if (!(zsock_events(self->dealer) & ZMQ_POLLIN))
                break;
            s_on_dealer(self);
        }
        if (items[2].revents & ZMQ_POLLIN)
            s_drain_incoming(self);
    }
    return NULL;
}

static zsock_t *s_socket(const gw_config_t *cfg, int type, const char *endpoint, char *err, size_t errlen)
{
    zsock_t *sock = zsock_new(type);
    if (!sock) {
        snprintf(err, errlen, "cannot create a ZeroMQ socket");
        return NULL;
    }
    zsock_set_linger(sock, 0);
    if (type == ZMQ_DEALER) {
        zsock_set_sndhwm(sock, 1000);
        zsock_set_sndtimeo(sock, 0);
    } else {
        zsock_set_rcvhwm(sock, 100000);
    }
    if (cfg->curve && curve_client_apply(zsock_resolve(sock), cfg->certificate, cfg->broker_certificate, err,
                                         errlen) != 0) {
        zsock_destroy(&sock);
        return NULL;
    }
    if (zsock_connect(sock, "%s", endpoint) != 0) {
        snprintf(err, errlen, "cannot connect to '%s'", endpoint);
        zsock_destroy(&sock);
    }
    return sock;
}

feed_t *feed_new(const gw_config_t *cfg, roster_t *agents, sse_hub_t *hub, gw_stats_t *stats, char *err,
                 size_t errlen)
{
    feed_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg, self->agents = agents, self->hub = hub, self->stats = stats;
    pthread_mutex_init(&self->lock, NULL);
    self->incoming = zlistx_new();
    self->waiting = zlistx_new();
    self->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    self->sub = s_socket(cfg, ZMQ_SUB, cfg->subscribe_endpoint, err, errlen);
    self->dealer = self->sub ? s_socket(cfg, ZMQ_DEALER, cfg->client_endpoint, err, errlen) : NULL;
    if (!self->incoming || !self->waiting || self->wake_fd < 0 || !self->dealer) {
        if (self->wake_fd < 0)
            snprintf(err, errlen, "eventfd failed");
        feed_destroy(&self);
        return NULL;
    }
    for (topic_kind_t k = TOPIC_METRICS; k <= TOPIC_STATUS; k++) {
        char prefix[TOPIC_MAX];
        if (topic_subscription(k, NULL, prefix, sizeof prefix) > 0)
            zsock_set_subscribe(self->sub, prefix);
    }
    if (pthread_create(&self->thread, NULL, s_run, self) != 0) {
        snprintf(err, errlen, "cannot start the subscriber thread");
        feed_destroy(&self);
        return NULL;
    }
    self->thread_started = true;
    return self;
}

void feed_destroy(feed_t **selfp)
{
    feed_t *self = selfp ? *selfp : NULL;
    if (!self)
        return;
    if (self->thread_started) {
        atomic_store(&self->stop, true);
        uint64_t one = 1;
        if (write(self->wake_fd, &one, sizeof one) < 0) {
            /* the thread polls with a timeout anyway */
        }
        pthread_join(self->thread, NULL);
    }
    /* answer what is still pending so no connection stays suspended */
    pthread_mutex_lock(&self->lock);
    control_req_t *req;
    while (self->incoming && (req = zlistx_first(self->incoming))) {
        zlistx_delete(self->incoming, zlistx_cursor(self->incoming));
        zlistx_add_end(self->waiting, req);
    }
    self->closed = true;
    pthread_mutex_unlock(&self->lock);
    while (self->waiting && (req = zlistx_first(self->waiting)))
        s_complete(self, req, CONTROL_FAILED, NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE, NULL,
                   "gateway stopping");
    zlistx_destroy(&self->incoming);
    zlistx_destroy(&self->waiting);
    zsock_destroy(&self->sub);
    zsock_destroy(&self->dealer);
    if (self->wake_fd >= 0)
        close(self->wake_fd);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *selfp = NULL;
}

int feed_submit(feed_t *self, control_req_t *req)
{
    pthread_mutex_lock(&self->lock);
    if (self->closed || atomic_load(&self->stop)) {
        pthread_mutex_unlock(&self->lock);
        return -1;
    }
    zlistx_add_end(self->incoming, req);
    pthread_mutex_unlock(&self->lock);
    uint64_t one = 1;
    if (write(self->wake_fd, &one, sizeof one) < 0) {
        /* counter saturated: the thread is awake anyway */
    }
    return 0;
}

bool feed_broker_ready(feed_t *self)
{
    int64_t t = atomic_load(&self->broker_reply_ms);
    return t > 0 && clock_mono_ms() - t <= 3 * self->cfg->list_interval_ms + 1000;
}

int64_t feed_last_frame_ms(feed_t *self)
{
    return atomic_load(&self->last_frame_ms);
}
