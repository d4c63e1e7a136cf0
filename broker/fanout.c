/*
 * fanout.c - checked forwarding of published frames. See fanout.h.
 *
 * The hot path: two zmq_msg_recv, one protobuf decode, one hash lookup, two
 * zmq_msg_send of the same zmq_msg_t (no copy). Up to FANOUT_BATCH messages
 * are handled per wake-up so a busy frontend costs one poll per batch.
 */
#include "fanout.h"

#include <string.h>

#include "auth.h"
#include "clock.h"
#include "log.h"
#include "wire.h"

#define FANOUT_BATCH 512

struct fanout_t {
    void *frontend; /* raw libzmq handles of the borrowed zsocks */
    void *backend;
    registry_t *registry;
    stats_t *stats;
    size_t max_frame_size;
    bool secure;
    log_limit_t drop_log;
    log_limit_t gap_log;
    log_limit_t sub_log;
};

fanout_t *fanout_new(zsock_t *frontend, zsock_t *backend, registry_t *registry, stats_t *stats,
                     size_t max_frame_size, bool secure)
{
    fanout_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->frontend = zsock_resolve(frontend);
    self->backend = zsock_resolve(backend);
    self->registry = registry;
    self->stats = stats;
    self->max_frame_size = max_frame_size;
    self->secure = secure;
    return self;
}

void fanout_destroy(fanout_t **self_p)
{
    if (self_p && *self_p) {
        free(*self_p);
        *self_p = NULL;
    }
}

int fanout_start(fanout_t *self)
{
    const char everything = 1; /* XSUB subscription message: 0x01 + empty prefix */
    return zmq_send(self->frontend, &everything, 1, 0) == 1 ? 0 : -1;
}

static stat_id_t s_stat_of(wire_err_t err)
{
    switch (err) {
    case WIRE_ERR_PARTS:
        return STAT_DROP_PARTS;
    case WIRE_ERR_SIZE:
        return STAT_DROP_OVERSIZED;
    case WIRE_ERR_TOPIC:
        return STAT_DROP_BAD_TOPIC;
    case WIRE_ERR_MISMATCH:
        return STAT_DROP_ID_MISMATCH;
    case WIRE_ERR_CONTENT:
        return STAT_DROP_BAD_CONTENT;
    default:
        return STAT_DROP_UNDECODABLE;
    }
}

static void s_drop(fanout_t *self, stat_id_t why, const char *id)
{
    self->stats->v[why]++;
    log_ratelimited(&self->drop_log, LOG_LEVEL_WARN, "dropped a published frame (%s%s%s)", stats_name(why),
                    id && *id ? ", id " : "", id && *id ? id : "");
}

/* May the sender of msg publish a frame of kind for id? */
static bool s_sender_allowed(fanout_t *self, zmq_msg_t *msg, topic_kind_t kind, const char *id)
{
    if (kind == TOPIC_STATUS)
        return false;
    if (!self->secure)
        return true;
    auth_role_t role = auth_role(msg);
    const char *name = auth_name(msg);
    if (!name || strcmp(name, id) != 0)
        return false;
    if (kind == TOPIC_HEALTH)
        return role == AUTH_ROLE_SUBSCRIBER || role == AUTH_ROLE_CLIENT;
    return role == AUTH_ROLE_AGENT;
}

static void s_track(fanout_t *self, const char *id, const Nodelink__TaskResponse *frame)
{
    agent_t *agent = registry_touch(self->registry, id);
    if (!agent)
        return;
    /* A frame of the registered process (the epoch of its hello) is as good
     * as a heartbeat, so agents need not send heartbeats while they publish.
     * Frames of another process using the same id (refused, or restarted
     * before its hello) keep nothing alive. */
    if (frame->has_epoch && frame->epoch == agent->hello_epoch) {
        if (agent->connected)
            agent->last_heard_mono = clock_mono_ms();
        else
            agent->nudge = agent->last_rid_len > 0; /* control_tick asks it to say hello */
    }
    uint64_t missed;
    switch (registry_observe(agent, frame, clock_now_ms(), &missed)) {
    case SEQ_GAP:
        self->stats->v[STAT_SEQUENCE_GAPS] += missed;
        log_ratelimited(&self->gap_log, LOG_LEVEL_INFO, "agent %s: %llu frame(s) missing before #%llu", id,
                        (unsigned long long)missed, (unsigned long long)frame->sequence);
        break;
    case SEQ_RESET:
        self->stats->v[STAT_SEQUENCE_RESETS]++;
        break;
    case SEQ_REPLAY:
        self->stats->v[STAT_SEQUENCE_REPLAYS]++;
        break;
    default:
        break;
    }
}

/* Checks one [topic][body] pair; true when it may be forwarded. */
static bool s_check(fanout_t *self, zmq_msg_t *topic, zmq_msg_t *body)
{
    char id[TOPIC_ID_MAX + 1] = "";
    size_t len = zmq_msg_size(body);
    if (len == 0 || len > self->max_frame_size) {
        s_drop(self, STAT_DROP_OVERSIZED, NULL);
        return false;
    }
    topic_kind_t kind;
    wire_err_t err;
    Nodelink__TaskResponse *frame = wire_decode_published(zmq_msg_data(topic), zmq_msg_size(topic),
                                                          zmq_msg_data(body), len, &kind, id, &err);
    if (!frame) {
        s_drop(self, s_stat_of(err), err == WIRE_ERR_TOPIC ? NULL : id);
        return false;
    }
    bool ok = s_sender_allowed(self, topic, kind, id);
    if (!ok)
        s_drop(self, STAT_DROP_FORBIDDEN, id);
    else if (kind == TOPIC_METRICS || kind == TOPIC_SYSTEM)
        s_track(self, id, frame);
    wire_response_free(&frame);
    return ok;
}

/* Receives one whole message: true with topic+body filled when it has
 * exactly two parts; false at EAGAIN (*again) or after draining a message
 * with the wrong number of parts. */
static bool s_recv_pair(fanout_t *self, zmq_msg_t *topic, zmq_msg_t *body, bool *again)
{
    *again = false;
    if (zmq_msg_recv(topic, self->frontend, ZMQ_DONTWAIT) < 0) {
        *again = true;
        return false;
    }
    self->stats->v[STAT_FRAMES_IN]++;
    if (!zmq_msg_more(topic)) {
        s_drop(self, STAT_DROP_PARTS, NULL);
        return false;
    }
    zmq_msg_recv(body, self->frontend, 0); /* parts of a message arrive together */
    if (!zmq_msg_more(body))
        return true;
    zmq_msg_t extra;
    zmq_msg_init(&extra);
    do {
        zmq_msg_recv(&extra, self->frontend, 0);
    } while (zmq_msg_more(&extra));
    zmq_msg_close(&extra);
    s_drop(self, STAT_DROP_PARTS, NULL);
    return false;
}

void fanout_on_frontend(fanout_t *self)
{
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    for (int n = 0; n < FANOUT_BATCH; n++) {
        bool again;
        if (!s_recv_pair(self, &topic, &body, &again)) {
            if (again)
                break;
            continue;
        }
        if (!s_check(self, &topic, &body))
            continue;
        /* XPUB never blocks: a slow subscriber past its HWM loses frames, and
         * sees the gap in the sequence numbers. */
        if (zmq_msg_send(&topic, self->backend, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 &&
            zmq_msg_send(&body, self->backend, ZMQ_DONTWAIT) >= 0)
            self->stats->v[STAT_FRAMES_FORWARDED]++;
    }
    zmq_msg_close(&topic);
    zmq_msg_close(&body);
}

/* Only subscriber and client certificates may subscribe. Unsubscriptions
 * without a sender (made by the XPUB when a subscriber goes away) always
 * pass, so the upstream XSUB's subscription counts stay right. */
static bool s_sub_allowed(fanout_t *self, zmq_msg_t *msg, bool subscribe)
{
    if (!self->secure)
        return true;
    auth_role_t role = auth_role(msg);
    if (!subscribe && role == AUTH_ROLE_NONE && !zmq_msg_gets(msg, "User-Id"))
        return true;
    return role == AUTH_ROLE_SUBSCRIBER || role == AUTH_ROLE_CLIENT;
}

void fanout_on_backend(fanout_t *self)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (int n = 0; n < FANOUT_BATCH; n++) {
        if (zmq_msg_recv(&msg, self->backend, ZMQ_DONTWAIT) < 0)
            break;
        const uint8_t *data = zmq_msg_data(&msg);
        size_t len = zmq_msg_size(&msg);
        if (len == 0 || (data[0] != 0 && data[0] != 1) || zmq_msg_more(&msg))
            continue; /* not a subscription message: subscribers do not publish */
        bool subscribe = data[0] == 1;
        if (!s_sub_allowed(self, &msg, subscribe)) {
            self->stats->v[STAT_SUBSCRIPTIONS_REFUSED]++;
            log_ratelimited(&self->sub_log, LOG_LEVEL_WARN,
                            "refused a subscription from a certificate not allowed to subscribe");
            continue;
        }
        /* manual XPUB: apply it to the pipe it came from, then pass it on */
        zmq_setsockopt(self->backend, subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, data + 1, len - 1);
        if (subscribe)
            self->stats->v[STAT_SUBSCRIPTIONS]++;
        zmq_send(self->frontend, data, len, ZMQ_DONTWAIT);
    }
    zmq_msg_close(&msg);
}
