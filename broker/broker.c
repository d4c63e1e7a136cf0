/*
 * broker.c - sockets, loop and timers of nodelink-broker. See broker.h.
 */
#include "broker.h"

#include <czmq.h>
#include <string.h>

#include "auth.h"
#include "clock.h"
#include "control.h"
#include "fanout.h"
#include "log.h"
#include "registry.h"
#include "signals.h"
#include "stats.h"
#include "wire.h"

#define BROKER_TICK_MS 100

struct broker_t {
    const broker_config_t *cfg;
    zsock_t *frontend, *backend, *agents, *clients;
    zloop_t *loop;
    auth_t *auth;
    registry_t *registry;
    fanout_t *fanout;
    control_t *control;
    stats_t stats;
    int insecure; /* endpoints reachable from other hosts without CURVE */
};

/* ------------------------------------------------------------ set-up */

static bool s_loopback(const char *endpoint)
{
    if (strncmp(endpoint, "tcp://", 6) != 0)
        return true; /* ipc://, inproc:// stay on this host */
    const char *host = endpoint + 6;
    return strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost:", 10) == 0 ||
           strncmp(host, "[::1]:", 6) == 0 || strncmp(host, "lo:", 3) == 0;
}

static zsock_t *s_socket(broker_t *self, int type, const char *key, const char *endpoint, int64_t max_msg,
                         char *err, size_t errlen)
{
    zsock_t *sock = zsock_new(type);
    if (!sock) {
        snprintf(err, errlen, "cannot create the %s socket", key);
        return NULL;
    }
    zsock_set_linger(sock, 0);
    zsock_set_maxmsgsize(sock, (int)max_msg);
    if (type == ZMQ_XPUB)
        zsock_set_xpub_manual(sock, 1); /* fanout.c applies subscriptions */
    if (self->auth)
        auth_apply(self->auth, sock);
    if (zsock_bind(sock, "%s", endpoint) < 0) {
        snprintf(err, errlen, "%s: cannot bind %s: %s", key, endpoint, zmq_strerror(zmq_errno()));
        zsock_destroy(&sock);
        return NULL;
    }
    if (!self->auth && !s_loopback(endpoint))
        self->insecure++;
    return sock;
}

static int s_bind_all(broker_t *self, char *err, size_t errlen)
{
    const broker_config_t *c = self->cfg;
    int64_t frame_cap = 16 * c->max_frame_size; /* larger is cut off by libzmq; smaller is counted */
    if (!(self->frontend =
              s_socket(self, ZMQ_XSUB, "broker.frontend", c->frontend, frame_cap, err, errlen)) ||
        !(self->backend = s_socket(self, ZMQ_XPUB, "broker.backend", c->backend, 65536, err, errlen)) ||
        !(self->agents =
              s_socket(self, ZMQ_ROUTER, "broker.agents", c->agents, 4 * WIRE_FRAME_MAX, err, errlen)) ||
        !(self->clients =
              s_socket(self, ZMQ_ROUTER, "broker.clients", c->clients, 4 * WIRE_FRAME_MAX, err, errlen)))
        return -1;
    if (self->insecure) {
        log_warn("**************************************************************************");
        log_warn("SECURITY: %d endpoint(s) bind beyond loopback WITHOUT CURVE: anyone who can",
                 self->insecure);
        log_warn("SECURITY: reach them can publish as any agent, read every frame and send");
        log_warn("SECURITY: control requests. Set security.curve=true (docs/security.md)");
        log_warn("SECURITY: or bind 127.0.0.1 only.");
        log_warn("**************************************************************************");
    }
    return 0;
}

/* ------------------------------------------------------------ loop handlers */

static int s_on_frontend(zloop_t *loop, zsock_t *sock, void *arg)
{
    (void)loop, (void)sock;
    fanout_on_frontend(((broker_t *)arg)->fanout);
    return 0;
}

static int s_on_backend(zloop_t *loop, zsock_t *sock, void *arg)
{
    (void)loop, (void)sock;
    fanout_on_backend(((broker_t *)arg)->fanout);
    return 0;
}

static int s_on_agents(zloop_t *loop, zsock_t *sock, void *arg)
{
    (void)loop, (void)sock;
    control_on_agents(((broker_t *)arg)->control);
    return 0;
}

static int s_on_clients(zloop_t *loop, zsock_t *sock, void *arg)
{
    (void)loop, (void)sock;
    control_on_clients(((broker_t *)arg)->control);
    return 0;
}

static int s_on_tick(zloop_t *loop, int timer_id, void *arg)
{
    (void)loop, (void)timer_id;
    if (signals_stop_requested())
        return -1;
    control_tick(((broker_t *)arg)->control);
    return 0;
}

static void s_publish_health(broker_t *self)
{
    Nodelink__ServiceHealth__CountersEntry entries[STAT_COUNT + 2];
    Nodelink__ServiceHealth__CountersEntry *ptrs[STAT_COUNT + 2];
    size_t n = 0;
    for (int i = 0; i < STAT_COUNT; i++, n++) {
        nodelink__service_health__counters_entry__init(&entries[n]);
        entries[n].key = (char *)stats_name((stat_id_t)i);
        entries[n].has_value = true;
        entries[n].value = self->stats.v[i];
    }
    const struct {
        const char *name;
        uint64_t value;
    } gauges[2] = {{"agents_online", registry_connected(self->registry)},
                   {"tasks_pending", control_pending(self->control)}};
    for (int i = 0; i < 2; i++, n++) {
        nodelink__service_health__counters_entry__init(&entries[n]);
        entries[n].key = (char *)gauges[i].name;
        entries[n].has_value = true;
        entries[n].value = gauges[i].value;
    }
    for (size_t i = 0; i < n; i++)
        ptrs[i] = &entries[i];
    char detail[64];
    snprintf(detail, sizeof detail, "%zu agent(s) online", registry_connected(self->registry));
    Nodelink__ServiceHealth health = NODELINK__SERVICE_HEALTH__INIT;
    health.service = "broker";
    health.has_timestamp_ms = true;
    health.timestamp_ms = (uint64_t)clock_now_ms();
    health.n_counters = n;
    health.counters = ptrs;
    health.has_ready = true;
    health.ready = true;
    health.detail = detail;
    Nodelink__TaskResponse resp = NODELINK__TASK_RESPONSE__INIT;
    resp.agent_id = "broker";
    resp.response_case = NODELINK__TASK_RESPONSE__RESPONSE_SERVICE_HEALTH;
    resp.service_health = &health;
    wire_publish(zsock_resolve(self->backend), TOPIC_HEALTH, "broker", &resp);
}

static int s_on_health(zloop_t *loop, int timer_id, void *arg)
{
    (void)loop, (void)timer_id;
    s_publish_health(arg);
    return 0;
}

/* ------------------------------------------------------------ lifecycle */

static int s_wire(broker_t *self, char *err, size_t errlen)
{
    const broker_config_t *c = self->cfg;
    bool secure = self->auth != NULL;
    self->registry = registry_new((size_t)c->max_agents);
    self->fanout = self->registry ? fanout_new(self->frontend, self->backend, self->registry, &self->stats,
                                               (size_t)c->max_frame_size, secure)
                                  : NULL;
    control_args_t args = {self->agents, self->clients,   self->backend,         self->registry,
                           &self->stats, c->heartbeat_ms, c->request_timeout_ms, secure};
    self->control = self->fanout ? control_new(&args) : NULL;
    self->loop = self->control ? zloop_new() : NULL;
    if (!self->loop || fanout_start(self->fanout) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    zloop_reader(self->loop, self->frontend, s_on_frontend, self);
    zloop_reader(self->loop, self->backend, s_on_backend, self);
    zloop_reader(self->loop, self->agents, s_on_agents, self);
    zloop_reader(self->loop, self->clients, s_on_clients, self);
    zloop_timer(self->loop, BROKER_TICK_MS, 0, s_on_tick, self);
    zloop_timer(self->loop, (size_t)c->health_interval_ms, 0, s_on_health, self);
    return 0;
}

broker_t *broker_new(const broker_config_t *cfg, char *err, size_t errlen)
{
    broker_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    self->cfg = cfg;
    if (cfg->curve) {
        if (!(self->auth = auth_new(cfg, err, errlen)))
            goto fail;
        log_info("security: CURVE on; %zu agent, %zu subscriber, %zu client certificate(s) allowed",
                 auth_count(self->auth, AUTH_ROLE_AGENT), auth_count(self->auth, AUTH_ROLE_SUBSCRIBER),
                 auth_count(self->auth, AUTH_ROLE_CLIENT));
    }
    if (s_bind_all(self, err, errlen) != 0 || s_wire(self, err, errlen) != 0)
        goto fail;
    return self;
fail:
    broker_destroy(&self);
    return NULL;
}

void broker_destroy(broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_t *self = *self_p;
    zloop_destroy(&self->loop);
    control_destroy(&self->control);
    fanout_destroy(&self->fanout);
    registry_destroy(&self->registry);
    zsock_destroy(&self->clients);
    zsock_destroy(&self->agents);
    zsock_destroy(&self->backend);
    zsock_destroy(&self->frontend);
    auth_destroy(&self->auth);
    free(self);
    *self_p = NULL;
}

int broker_run(broker_t *self)
{
    log_info("listening: frontend %s, backend %s, agents %s, clients %s", self->cfg->frontend,
             self->cfg->backend, self->cfg->agents, self->cfg->clients);
    zloop_start(self->loop); /* returns when a handler returns -1 */
    log_info("stopping: %llu frames in, %llu forwarded, %llu gaps",
             (unsigned long long)self->stats.v[STAT_FRAMES_IN],
             (unsigned long long)self->stats.v[STAT_FRAMES_FORWARDED],
             (unsigned long long)self->stats.v[STAT_SEQUENCE_GAPS]);
    return 0;
}
