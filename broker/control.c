/*
 * control.c - registry protocol and task routing. See control.h.
 *
 * Requests are forwarded as the exact bytes received (the ControlMessage
 * frame is passed on without re-encoding); only the broker's own answers
 * (hello_reply, FAILED, agent lists, status frames) are built here.
 */
#include "control.h"

#include <stdio.h>
#include <string.h>

#include "admit.h"
#include "auth.h"
#include "clock.h"
#include "log.h"
#include "pending.h"
#include "wire.h"

#define CONTROL_BATCH 256
#define CONTROL_MISSED_HEARTBEATS 3
#define CONTROL_MAX_TIMEOUT_MS 3600000

struct control_t {
    control_args_t a;
    void *agents, *clients, *backend; /* raw handles */
    pending_t *pending;
    log_limit_t bad_log;
};

/* A received [routing id][body] pair. */
typedef struct {
    uint8_t rid[REGISTRY_RID_MAX];
    size_t rid_len;
    zmq_msg_t body;
    Nodelink__ControlMessage *msg;
} routed_t;

control_t *control_new(const control_args_t *args)
{
    control_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->a = *args;
    self->agents = zsock_resolve(args->agents);
    self->clients = zsock_resolve(args->clients);
    self->backend = zsock_resolve(args->backend);
    if (!(self->pending = pending_new())) {
        free(self);
        return NULL;
    }
    return self;
}

void control_destroy(control_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    pending_destroy(&(*self_p)->pending);
    free(*self_p);
    *self_p = NULL;
}

size_t control_pending(control_t *self)
{
    return pending_size(self->pending);
}

/* ------------------------------------------------------------ sending */

static void s_send(void *socket, const void *rid, size_t rid_len, const Nodelink__ControlMessage *msg)
{
    if (zmq_send(socket, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
        wire_send_control(socket, msg, ZMQ_DONTWAIT);
}

static void s_send_response(void *socket, const void *rid, size_t rid_len, Nodelink__TaskResponse *resp)
{
    Nodelink__ControlMessage msg = NODELINK__CONTROL_MESSAGE__INIT;
    msg.body_case = NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE;
    msg.task_response = resp;
    s_send(socket, rid, rid_len, &msg);
}

/* Answers a client FAILED: code for programs, reason for people. Every
 * failure the broker makes goes through here, so none lacks a code. */
static void s_send_failed(control_t *self, const void *rid, size_t rid_len, const char *agent_id,
                          const char *task_id, Nodelink__FailureCode code, const char *reason)
{
    Nodelink__TaskResponse resp = NODELINK__TASK_RESPONSE__INIT;
    resp.agent_id = (char *)agent_id;
    resp.task_id = (char *)task_id;
    resp.has_status = true;
    resp.status = NODELINK__TASK_RESPONSE__STATUS__FAILED;
    resp.has_is_final = true;
    resp.is_final = true;
    resp.error_message = (char *)reason;
    resp.has_failure = true;
    resp.failure = code;
    s_send_response(self->clients, rid, rid_len, &resp);
    self->a.stats->v[STAT_TASKS_FAILED]++;
}

static void s_hello_reply(control_t *self, const void *rid, size_t rid_len, bool accepted, const char *reason)
{
    Nodelink__HelloReply reply = NODELINK__HELLO_REPLY__INIT;
    reply.has_accepted = true;
    reply.accepted = accepted;
    reply.reason = (char *)reason;
    reply.has_heartbeat_ms = true;
    reply.heartbeat_ms = (uint32_t)self->a.heartbeat_ms;
    reply.has_frames_count_as_heartbeats = accepted;
    reply.frames_count_as_heartbeats = accepted; /* fanout.c refreshes last_heard_mono */
    Nodelink__ControlMessage msg = NODELINK__CONTROL_MESSAGE__INIT;
    msg.body_case = NODELINK__CONTROL_MESSAGE__BODY_HELLO_REPLY;
    msg.hello_reply = &reply;
    s_send(self->agents, rid, rid_len, &msg);
}

static void s_publish_status(control_t *self, const agent_t *agent)
{
    Nodelink__AgentStatus st = NODELINK__AGENT_STATUS__INIT;
    registry_status(agent, &st);
    Nodelink__TaskResponse resp = NODELINK__TASK_RESPONSE__INIT;
    resp.agent_id = (char *)agent->id;
    resp.has_status = true;
    resp.status = NODELINK__TASK_RESPONSE__STATUS__COMPLETED;
    resp.response_case = NODELINK__TASK_RESPONSE__RESPONSE_AGENT_STATUS;
    resp.agent_status = &st;
    wire_publish(self->backend, TOPIC_STATUS, agent->id, &resp);
}

/* ------------------------------------------------------------ receiving */

/* Receives one routed message; false when none is waiting. r->msg is NULL
 * when the message was malformed (counted). */
static bool s_recv(control_t *self, void *socket, routed_t *r)
{
    r->msg = NULL;
    int n = zmq_recv(socket, r->rid, sizeof r->rid, ZMQ_DONTWAIT);
    if (n < 0)
        return false;
    self->a.stats->v[STAT_CONTROL_IN]++;
    r->rid_len = (size_t)n > sizeof r->rid ? sizeof r->rid : (size_t)n;
    int more = 0;
    size_t more_len = sizeof more;
    zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &more_len);
    if (!more) {
        self->a.stats->v[STAT_CONTROL_INVALID]++;
        return true;
    }
    zmq_msg_recv(&r->body, socket, 0);
    bool extra = zmq_msg_more(&r->body);
    while (zmq_msg_more(&r->body)) /* drain and reject multi-part bodies */
        zmq_msg_recv(&r->body, socket, 0);
    wire_err_t err;
    if (!extra)
        r->msg = wire_decode_control(zmq_msg_data(&r->body), zmq_msg_size(&r->body), &err);
    if (!r->msg) {
        self->a.stats->v[STAT_CONTROL_INVALID]++;
        log_ratelimited(&self->bad_log, LOG_LEVEL_WARN, "dropped an invalid control message (%s)",
                        extra ? "bad_parts" : wire_err_name(err));
    }
    return true;
}

static bool s_role_ok(control_t *self, routed_t *r, auth_role_t want)
{
    if (!self->a.secure || auth_role(&r->body) == want)
        return true;
    self->a.stats->v[STAT_CONTROL_FORBIDDEN]++;
    log_ratelimited(&self->bad_log, LOG_LEVEL_WARN,
                    "dropped a control message from a certificate not allowed on this socket");
    return false;
}

/* ------------------------------------------------------------ agents */

typedef struct {
    control_t *self;
    const char *reason; /* why the agent disconnected */
} gone_t;

static void s_fail_task(void *ctx, const pending_task_t *t)
{
    const gone_t *g = ctx;
    char reason[160];
    snprintf(reason, sizeof reason, "agent '%s' disconnected (%s) before answering", t->agent_id, g->reason);
    s_send_failed(g->self, t->client, t->client_len, t->agent_id, t->task_id,
                  NODELINK__FAILURE_CODE__FAILURE_DISCONNECTED, reason);
}

static void s_disconnect(control_t *self, agent_t *agent, const char *reason)
{
    registry_disconnect(self->a.registry, agent, reason);
    log_info("agent %s disconnected (%s)", agent->id, reason);
    s_publish_status(self, agent);
    gone_t g = {self, reason};
    pending_take_agent(self->pending, agent->id, s_fail_task, &g);
}

static void s_refuse(control_t *self, routed_t *r, const char *reason)
{
    self->a.stats->v[STAT_AGENTS_REFUSED]++;
    log_ratelimited(&self->bad_log, LOG_LEVEL_WARN, "refused an agent: %s", reason);
    s_hello_reply(self, r->rid, r->rid_len, false, reason);
}

static void s_hello(control_t *self, routed_t *r)
{
    const Nodelink__AgentHello *h = r->msg->hello;
    char reason[160];
    if (!topic_id_valid(h->agent_id)) {
        s_refuse(self, r, "invalid agent id (1-64 characters of A-Z a-z 0-9 _ . -)");
        return;
    }
    const char *cert_id = self->a.secure ? auth_name(&r->body) : NULL;
    if (self->a.secure && (!cert_id || strcmp(cert_id, h->agent_id) != 0)) {
        snprintf(reason, sizeof reason, "certificate is for agent '%s', not '%s'", cert_id ? cert_id : "?",
                 h->agent_id);
        s_refuse(self, r, reason);
        return;
    }
    agent_t *same_peer = registry_find_peer(self->a.registry, r->rid, r->rid_len);
    if (same_peer && strcmp(same_peer->id, h->agent_id) != 0) {
        snprintf(reason, sizeof reason, "this connection is registered as '%s'", same_peer->id);
        s_refuse(self, r, reason);
        return;
    }
    agent_t *agent = registry_find(self->a.registry, h->agent_id);
    if (agent && agent->connected && !same_peer) {
        snprintf(reason, sizeof reason, "agent id '%s' is already connected", h->agent_id);
        s_refuse(self, r, reason);
        return;
    }
    if (!agent && !(agent = registry_touch(self->a.registry, h->agent_id))) {
        s_refuse(self, r, "the broker tracks too many agents (broker.max_agents)");
        return;
    }
    bool was_connected = agent->connected;
    registry_connect(self->a.registry, agent, r->rid, r->rid_len, clock_now_ms(), clock_mono_ms());
    snprintf(agent->version, sizeof agent->version, "%s", h->version ? h->version : "");
    agent->hello_epoch = h->has_epoch ? h->epoch : 0;
    s_hello_reply(self, r->rid, r->rid_len, true, NULL);
    if (!was_connected) {
        self->a.stats->v[STAT_AGENTS_CONNECTED]++;
        log_info("agent %s connected (version %s)", agent->id, agent->version);
        s_publish_status(self, agent);
    }
}

static bool s_final(const Nodelink__TaskResponse *resp)
{
    if (resp->has_is_final && resp->is_final)
        return true;
    return resp->has_status && (resp->status == NODELINK__TASK_RESPONSE__STATUS__COMPLETED ||
                                resp->status == NODELINK__TASK_RESPONSE__STATUS__FAILED ||
                                resp->status == NODELINK__TASK_RESPONSE__STATUS__CANCELLED);
}

static void s_response(control_t *self, agent_t *agent, routed_t *r)
{
    const Nodelink__TaskResponse *resp = r->msg->task_response;
    pending_task_t *t = NULL;
    if (resp->task_id && (!resp->agent_id || strcmp(resp->agent_id, agent->id) == 0))
        t = pending_find(self->pending, agent->id, resp->task_id);
    if (!t) {
        self->a.stats->v[STAT_RESPONSES_ORPHANED]++;
        return;
    }
    if (zmq_send(self->clients, t->client, t->client_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
        zmq_msg_send(&r->body, self->clients, ZMQ_DONTWAIT) >= 0)
        self->a.stats->v[STAT_RESPONSES_ROUTED]++;
    if (s_final(resp))
        pending_remove(self->pending, t);
}

static void s_agent_message(control_t *self, routed_t *r)
{
    if (r->msg->body_case == NODELINK__CONTROL_MESSAGE__BODY_HELLO) {
        s_hello(self, r);
        return;
    }
    agent_t *agent = registry_find_peer(self->a.registry, r->rid, r->rid_len);
    if (!agent) {
        /* e.g. heartbeats after a broker restart: ask for a new hello */
        s_hello_reply(self, r->rid, r->rid_len, false, "not registered: send hello");
        return;
    }
    agent->last_heard_mono = clock_mono_ms();
    agent->last_seen_ms = clock_now_ms();
    switch (r->msg->body_case) {
    case NODELINK__CONTROL_MESSAGE__BODY_HEARTBEAT:
        break;
    case NODELINK__CONTROL_MESSAGE__BODY_GOODBYE:
        s_disconnect(self, agent, "goodbye");
        break;
    case NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE:
        s_response(self, agent, r);
        break;
    default:
        self->a.stats->v[STAT_CONTROL_INVALID]++;
        break;
    }
}

void control_on_agents(control_t *self)
{
    routed_t r;
    zmq_msg_init(&r.body);
    for (int n = 0; n < CONTROL_BATCH && s_recv(self, self->agents, &r); n++) {
        if (r.msg && s_role_ok(self, &r, AUTH_ROLE_AGENT))
            s_agent_message(self, &r);
        wire_control_free(&r.msg);
    }
    zmq_msg_close(&r.body);
}

/* ------------------------------------------------------------ clients */

static void s_task_request(control_t *self, routed_t *r)
{
    const Nodelink__TaskRequest *req = r->msg->task_request;
    char reason[200];
    agent_t *agent;
    Nodelink__FailureCode code;
    if (!admit_task(self->a.registry, self->pending, req->agent_id, req->task_id, &agent, &code, reason,
                    sizeof reason)) {
        s_send_failed(self, r->rid, r->rid_len, req->agent_id, req->task_id, code, reason);
        return;
    }
    int64_t timeout = req->has_timeout_ms && req->timeout_ms ? req->timeout_ms : self->a.request_timeout_ms;
    if (timeout > CONTROL_MAX_TIMEOUT_MS)
        timeout = CONTROL_MAX_TIMEOUT_MS;
    /* admitted: valid ids, a routing id that fits, not in flight; so only
     * memory can fail here */
    if (pending_add(self->pending, agent->id, req->task_id, r->rid, r->rid_len, clock_mono_ms() + timeout) !=
        0) {
        s_send_failed(self, r->rid, r->rid_len, req->agent_id, req->task_id,
                      NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED, "the broker is out of memory");
        return;
    }
    if (zmq_send(self->agents, agent->rid, agent->rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
        zmq_msg_send(&r->body, self->agents, ZMQ_DONTWAIT) >= 0) {
        self->a.stats->v[STAT_TASKS_ROUTED]++;
        return;
    }
    /* The agents ROUTER drops what it cannot route without an error, so a
     * failed send is the broker's own fault (e.g. its context ending). */
    log_ratelimited(&self->bad_log, LOG_LEVEL_WARN, "could not forward a request to agent %s: %s", agent->id,
                    zmq_strerror(zmq_errno()));
    pending_remove(self->pending, pending_find(self->pending, agent->id, req->task_id));
    snprintf(reason, sizeof reason, "the broker could not forward the request to agent '%s'", agent->id);
    s_send_failed(self, r->rid, r->rid_len, req->agent_id, req->task_id,
                  NODELINK__FAILURE_CODE__FAILURE_INTERNAL, reason);
}

typedef struct {
    Nodelink__AgentStatus *items;
    Nodelink__AgentStatus **ptrs;
    size_t n, cap;
} status_list_t;

static void s_collect(void *ctx, agent_t *agent)
{
    status_list_t *l = ctx;
    if (!agent->ever_connected || l->n >= l->cap)
        return;
    nodelink__agent_status__init(&l->items[l->n]);
    registry_status(agent, &l->items[l->n]);
    l->ptrs[l->n] = &l->items[l->n];
    l->n++;
}

static int s_by_id(const void *a, const void *b)
{
    return strcmp((*(Nodelink__AgentStatus *const *)a)->agent_id,
                  (*(Nodelink__AgentStatus *const *)b)->agent_id);
}

static void s_count(void *ctx, agent_t *agent)
{
    if (agent->ever_connected)
        (*(size_t *)ctx)++;
}

static void s_list_agents(control_t *self, routed_t *r)
{
    status_list_t l = {0};
    registry_foreach(self->a.registry, s_count, &l.cap);
    l.items = calloc(l.cap ? l.cap : 1, sizeof *l.items);
    l.ptrs = calloc(l.cap ? l.cap : 1, sizeof *l.ptrs);
    if (l.items && l.ptrs) {
        registry_foreach(self->a.registry, s_collect, &l);
        qsort(l.ptrs, l.n, sizeof *l.ptrs, s_by_id);
        Nodelink__AgentList list = NODELINK__AGENT_LIST__INIT;
        list.n_agents = l.n;
        list.agents = l.ptrs;
        Nodelink__TaskResponse resp = NODELINK__TASK_RESPONSE__INIT;
        resp.task_id = r->msg->list_agents->request_id;
        resp.has_status = true;
        resp.status = NODELINK__TASK_RESPONSE__STATUS__COMPLETED;
        resp.has_is_final = true;
        resp.is_final = true;
        resp.response_case = NODELINK__TASK_RESPONSE__RESPONSE_AGENT_LIST;
        resp.agent_list = &list;
        s_send_response(self->clients, r->rid, r->rid_len, &resp);
    } else {
        s_send_failed(self, r->rid, r->rid_len, NULL, r->msg->list_agents->request_id,
                      NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED, "the broker is out of memory");
    }
    free(l.items);
    free(l.ptrs);
}

void control_on_clients(control_t *self)
{
    routed_t r;
    zmq_msg_init(&r.body);
    for (int n = 0; n < CONTROL_BATCH && s_recv(self, self->clients, &r); n++) {
        if (r.msg && s_role_ok(self, &r, AUTH_ROLE_CLIENT)) {
            if (r.msg->body_case == NODELINK__CONTROL_MESSAGE__BODY_TASK_REQUEST)
                s_task_request(self, &r);
            else if (r.msg->body_case == NODELINK__CONTROL_MESSAGE__BODY_LIST_AGENTS)
                s_list_agents(self, &r);
            else
                self->a.stats->v[STAT_CONTROL_INVALID]++;
        }
        wire_control_free(&r.msg);
    }
    zmq_msg_close(&r.body);
}

/* ------------------------------------------------------------ timers */

static void s_time_out(void *ctx, const pending_task_t *t)
{
    control_t *self = ctx;
    char reason[160];
    snprintf(reason, sizeof reason, "agent '%s' did not answer in time", t->agent_id);
    s_send_failed(self, t->client, t->client_len, t->agent_id, t->task_id,
                  NODELINK__FAILURE_CODE__FAILURE_TIMEOUT, reason);
    self->a.stats->v[STAT_TASKS_TIMED_OUT]++;
}

typedef struct {
    control_t *self;
    int64_t now_mono;
} expiry_t;

static void s_expire(void *ctx, agent_t *agent)
{
    expiry_t *e = ctx;
    int64_t limit = CONTROL_MISSED_HEARTBEATS * e->self->a.heartbeat_ms;
    if (agent->connected && e->now_mono - agent->last_heard_mono > limit) {
        e->self->a.stats->v[STAT_AGENTS_EXPIRED]++;
        s_disconnect(e->self, agent, "missed 3 heartbeats");
    }
    /* Expired, but the same process publishes again (it was paused, or its
     * messages were delayed past the limit): while frames flow it sends no
     * heartbeat that would be answered "send hello", so tell it, on the
     * connection it had (once per tick at most; if that connection is gone,
     * the agent says hello by itself when it reconnects). */
    if (!agent->connected && agent->nudge) {
        agent->nudge = false;
        s_hello_reply(e->self, agent->last_rid, agent->last_rid_len, false, "not registered: send hello");
    }
}

/* Expiry runs before the deadlines: when an agent goes silent past the limit
 * in the same tick as a request to it runs out of time, the client is told
 * DISCONNECTED, the cause, rather than TIMEOUT. */
void control_tick(control_t *self)
{
    expiry_t e = {self, clock_mono_ms()};
    registry_foreach(self->a.registry, s_expire, &e);
    pending_take_expired(self->pending, e.now_mono, s_time_out, self);
}
