/*
 * store.c - the subscriber loop. See store.h.
 */
#include "store.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "clock.h"
#include "health.h"
#include "log.h"
#include "record.h"
#include "signals.h"
#include "wire.h"
#include "wirejson.h"
#include "writer.h"
#if __has_include("curve.h")
#include "curve.h"
#define STORE_HAVE_CURVE 1
#endif

#define SUB_HWM 100000

struct store_t {
    const store_config_t *cfg;
    zsock_t *sub;
    zsock_t *pub;
    ledger_t *agents;
    writer_t *writer;
    record_queue_t queue;
    uint64_t received, invalid, dropped;
    int64_t next_health, next_maintain;
    log_limit_t invalid_limit, drop_limit;
};

static int s_secure(const store_config_t *cfg, zsock_t *sock, char *err, size_t errlen)
{
    if (!cfg->curve)
        return 0;
#ifdef STORE_HAVE_CURVE
    return curve_client_apply(sock, cfg->certificate, cfg->broker_certificate, err, errlen);
#else
    (void)sock;
    snprintf(err, errlen, "security.curve: this build has no CURVE support");
    return -1;
#endif
}

static int s_sockets(store_t *self, char *err, size_t errlen)
{
    const store_config_t *cfg = self->cfg;
    self->sub = zsock_new(ZMQ_SUB);
    self->pub = zsock_new(ZMQ_PUB);
    if (!self->sub || !self->pub) {
        snprintf(err, errlen, "cannot create ZeroMQ sockets");
        return -1;
    }
    zsock_set_rcvhwm(self->sub, SUB_HWM);
    zsock_set_linger(self->pub, 200);
    if (s_secure(cfg, self->sub, err, errlen) || s_secure(cfg, self->pub, err, errlen))
        return -1;
    char prefix[TOPIC_MAX];
    topic_subscription(TOPIC_METRICS, NULL, prefix, sizeof prefix);
    zsock_set_subscribe(self->sub, prefix);
    topic_subscription(TOPIC_SYSTEM, NULL, prefix, sizeof prefix);
    zsock_set_subscribe(self->sub, prefix);
    if (zsock_connect(self->sub, "%s", cfg->subscribe_endpoint)) {
        snprintf(err, errlen, "broker.subscribe_endpoint: cannot connect to '%s'", cfg->subscribe_endpoint);
        return -1;
    }
    if (zsock_connect(self->pub, "%s", cfg->publish_endpoint)) {
        snprintf(err, errlen, "broker.publish_endpoint: cannot connect to '%s'", cfg->publish_endpoint);
        return -1;
    }
    return 0;
}

store_t *store_new(const store_config_t *cfg, char *err, size_t errlen)
{
    store_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    self->cfg = cfg;
    record_queue_init(&self->queue, (size_t)cfg->buffer_max_bytes);
    if (!(self->agents = ledger_new())) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!(self->writer = writer_new(cfg, self->agents, err, errlen)))
        goto fail;
    if (s_sockets(self, err, errlen))
        goto fail;
    return self;
fail:
    store_destroy(&self);
    return NULL;
}

void store_destroy(store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_t *self = *self_p;
    zsock_destroy(&self->sub);
    zsock_destroy(&self->pub);
    writer_destroy(&self->writer);
    ledger_destroy(&self->agents);
    record_queue_clear(&self->queue);
    free(self);
    *self_p = NULL;
}

/* ------------------------------------------------------------------ ingest */

static record_t *s_record(store_t *self, topic_kind_t kind, const char *id, const Nodelink__TaskResponse *msg)
{
    const Nodelink__MetricsResponse *mr = msg->metrics_response;
    if (kind == TOPIC_METRICS)
        return record_from_metrics(id, msg, mr->metrics_data, store_config_decimals(self->cfg));
    const Nodelink__SystemInfoResponse *si = mr->system_info;
    json_t *j = wirejson_system_info(si, id, WIREJSON_ALL);
    char *text = j ? wirejson_dumps(j) : NULL;
    json_decref(j);
    if (!text)
        return NULL;
    int64_t ts = si->has_timestamp ? (int64_t)si->timestamp : clock_now_ms();
    record_t *r = record_from_system(id, msg, ts, &text);
    free(text);
    return r;
}

static void s_ingest(store_t *self, zmq_msg_t *topic, zmq_msg_t *body)
{
    topic_kind_t kind;
    char id[TOPIC_ID_MAX + 1];
    wire_err_t werr;
    Nodelink__TaskResponse *msg = wire_decode_published(
        zmq_msg_data(topic), zmq_msg_size(topic), zmq_msg_data(body), zmq_msg_size(body), &kind, id, &werr);
    if (!msg || (kind != TOPIC_METRICS && kind != TOPIC_SYSTEM)) {
        self->invalid++;
        log_ratelimited(&self->invalid_limit, LOG_LEVEL_WARN, "dropped an invalid frame: %s",
                        msg ? "unexpected topic" : wire_err_name(werr));
        wire_response_free(&msg);
        return;
    }
    self->received++;
    ledger_agent_t *a = ledger_get(self->agents, id);
    if (a && ledger_receive(a, msg->has_sequence, msg->has_epoch ? msg->epoch : 0, msg->sequence)) {
        record_t *r = s_record(self, kind, id, msg);
        if (r) {
            size_t dropped = record_queue_push(&self->queue, &r);
            if (dropped) {
                self->dropped += dropped;
                log_ratelimited(&self->drop_limit, LOG_LEVEL_WARN,
                                "buffer full (%zu bytes): dropped %" PRIu64 " oldest samples so far",
                                self->queue.bytes, self->dropped);
            }
        }
    }
    wire_response_free(&msg);
}

/* Reads up to one batch of frames without blocking: the loop alternates
 * reading a batch with writing one, so decoding the next batch overlaps
 * Redis executing the one in flight. */
static void s_drain(store_t *self)
{
    void *sock = zsock_resolve(self->sub);
    for (int64_t i = 0; i < self->cfg->batch_size; i++) {
        zmq_msg_t topic, body;
        zmq_msg_init(&topic);
        if (zmq_msg_recv(&topic, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&topic);
            return;
        }
        zmq_msg_init(&body);
        bool two = zmq_msg_more(&topic) && zmq_msg_recv(&body, sock, 0) >= 0 && !zmq_msg_more(&body);
        if (two)
            s_ingest(self, &topic, &body);
        else {
            self->invalid++;
            while (zmq_msg_more(&body) && zmq_msg_recv(&body, sock, 0) >= 0)
                ; /* discard the rest of a malformed message */
        }
        zmq_msg_close(&topic);
        zmq_msg_close(&body);
    }
}

/* ------------------------------------------------------------------ health */

typedef struct {
    uint64_t gaps, duplicates;
} s_sums_t;

static void s_sum(void *ctx, ledger_agent_t *a)
{
    s_sums_t *s = ctx;
    s->gaps += a->gaps;
    s->duplicates += a->duplicates;
}

static void s_health(store_t *self)
{
    const writer_stats_t *w = writer_stats(self->writer);
    s_sums_t sums = {0};
    ledger_each(self->agents, s_sum, &sums);
    health_t h = {.ready = writer_connected(self->writer), .detail = writer_last_error(self->writer)};
    health_add(&h, "received", self->received);
    health_add(&h, "invalid", self->invalid);
    health_add(&h, "duplicates", sums.duplicates);
    health_add(&h, "gaps", sums.gaps);
    health_add(&h, "dropped", self->dropped);
    health_add(&h, "buffer_depth", self->queue.count);
    health_add(&h, "buffer_bytes", self->queue.bytes);
    health_add(&h, "write_lag_ms",
               self->queue.count ? (uint64_t)(clock_mono_ms() - self->queue.head->received_mono)
                                 : w->write_lag_ms);
    health_add(&h, "stored", w->stored);
    health_add(&h, "system_stored", w->system_stored);
    health_add(&h, "rollups", w->rollups);
    health_add(&h, "already_stored", w->already_stored);
    health_add(&h, "late", w->late);
    health_add(&h, "batches", w->batches);
    health_add(&h, "redis_errors", w->redis_errors);
    health_add(&h, "reconnects", w->reconnects);
    health_add(&h, "compacted_spans", w->compacted_spans);
    health_add(&h, "compacted_rows", w->compacted_rows);
    health_add(&h, "chunk_bytes", w->chunk_bytes);
    health_add(&h, "expired_chunks", w->expired_chunks);
    health_add(&h, "compact_refused", w->compact_refused);
    health_add(&h, "compact_cpu_ms", w->compact_cpu_ms);
    health_add(&h, "agents", ledger_count(self->agents));
    health_add(&h, "redis_connected", h.ready);
    char line[1024];
    health_format(&h, line, sizeof line);
    log_info("health: %s", line);
    health_publish(zsock_resolve(self->pub), &h, clock_now_ms());
}

/* ------------------------------------------------------------------ loop */

static bool s_due(const store_t *self, int64_t now)
{
    const record_queue_t *q = &self->queue;
    return q->count >= (size_t)self->cfg->batch_size ||
           (q->count && now - q->head->received_mono >= self->cfg->flush_interval_ms);
}

/* Writes a due batch; several while a backlog (after an outage) is worked
 * off, still reading a batch between turns. */
static void s_flush(store_t *self, int64_t now)
{
    int turns = self->queue.count > 4 * (size_t)self->cfg->batch_size ? 8 : 1;
    for (int i = 0; i < turns && s_due(self, now); i++)
        if (writer_flush(self->writer, &self->queue) < 0)
            break;
    self->queue.pinned = writer_inflight(self->writer);
}

static long s_timeout(const store_t *self, int64_t now)
{
    int64_t t = self->next_health - now;
    if (self->queue.count) {
        int64_t f = self->queue.head->received_mono + self->cfg->flush_interval_ms - now;
        t = f < t ? f : t;
    }
    t = t < 100 ? t : 100; /* stop requests are noticed within 100 ms */
    return t < 0 ? 0 : (long)t;
}

int store_run(store_t *self)
{
    int64_t now = clock_mono_ms();
    self->next_health = now + self->cfg->health_interval_ms;
    self->next_maintain = now + self->cfg->upkeep_interval_ms;
    zmq_pollitem_t item = {zsock_resolve(self->sub), 0, ZMQ_POLLIN, 0};
    log_info("subscribed to %s, writing to %s", self->cfg->subscribe_endpoint, self->cfg->redis_url);
    while (!signals_stop_requested()) {
        now = clock_mono_ms();
        if (zmq_poll(&item, 1, s_timeout(self, now)) > 0)
            s_drain(self);
        now = clock_mono_ms();
        s_flush(self, now);
        if (now >= self->next_maintain) {
            writer_maintain(self->writer, &self->queue);
            self->queue.pinned = writer_inflight(self->writer);
            self->next_maintain = now + self->cfg->upkeep_interval_ms;
        }
        if (now >= self->next_health) {
            s_health(self);
            self->next_health = now + self->cfg->health_interval_ms;
        }
    }
    /* last words: what arrived is written if Redis is there */
    s_drain(self);
    int64_t deadline = clock_mono_ms() + self->cfg->redis_timeout_ms;
    while (self->queue.count && clock_mono_ms() < deadline)
        if (writer_flush(self->writer, &self->queue) < 0)
            break;
    if (self->queue.count)
        log_warn("stopping with %zu samples not written", self->queue.count);
    s_health(self);
    return 0;
}
