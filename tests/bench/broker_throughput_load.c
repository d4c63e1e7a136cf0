/*
 * broker_throughput_load - load generator of tests/bench/broker_throughput.
 *
 *     broker_throughput_load FRONTEND BACKEND FRAMES RATE [AGENT_KEY SUB_KEY BROKER_PUB]
 *
 * One PUB publishes FRAMES valid metrics frames of 500 bytes for agent
 * "bench" (RATE per second, 0 = as fast as possible); two SUB sockets in
 * their own threads receive them. Prints one line:
 *
 *     delivered_fps=<min over subscribers> sent=<n> received=<a>,<b> p50_us=<> p99_us=<>
 *
 * Latency is measured per frame from a send timestamp kept in memory shared
 * by the threads (indexed by sequence), so frames need no clock inside.
 */
#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "curve.h"
#include "wire.h"

#define BENCH_FRAME_SIZE 500
#define BENCH_SUBS 2

typedef struct {
    const char *backend;
    const char **keys; /* NULL or {agent_key, sub_key, broker_pub} */
    int64_t frames;
    int64_t *send_ns; /* by sequence (1-based) */
    int64_t received;
    int64_t first_ns, last_ns;
    int64_t *lat_ns; /* per received frame */
    volatile int ready;
    bool latency;
} sub_ctx_t;

static void s_secure(zsock_t *s, const char **keys, int own)
{
    char err[256];
    if (keys && curve_client_apply(s, keys[own], keys[2], err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
}

static void *s_subscriber(void *arg)
{
    sub_ctx_t *c = arg;
    zsock_t *sub = zsock_new(ZMQ_SUB);
    zsock_set_rcvhwm(sub, 100000);
    s_secure(sub, c->keys, 1);
    zsock_set_subscribe(sub, "metrics.bench:");
    zsock_connect(sub, "%s", c->backend);
    zsock_set_rcvtimeo(sub, 1500);
    void *raw = zsock_resolve(sub);
    c->ready = 1;
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    zmq_msg_init(&body);
    while (c->received < c->frames) {
        if (zmq_msg_recv(&topic, raw, 0) < 0)
            break; /* idle: the rest was lost */
        zmq_msg_recv(&body, raw, 0);
        int64_t now = clock_mono_ns();
        if (c->latency) { /* decoding costs time: only when measuring latency */
            wire_err_t err;
            Nodelink__TaskResponse *r = wire_decode_response(zmq_msg_data(&body), zmq_msg_size(&body), &err);
            if (r && r->sequence >= 1 && r->sequence <= (uint64_t)c->frames)
                c->lat_ns[c->received] = now - c->send_ns[r->sequence];
            wire_response_free(&r);
        }
        if (c->received++ == 0)
            c->first_ns = now;
        c->last_ns = now;
    }
    zmq_msg_close(&topic);
    zmq_msg_close(&body);
    zsock_destroy(&sub);
    return NULL;
}

static int s_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void s_publish(zsock_t *pub, int64_t frames, int64_t rate, int64_t *send_ns)
{
    double cores[57]; /* makes the body 500 bytes */
    for (int i = 0; i < 57; i++)
        cores[i] = i * 1.5;
    Nodelink__CpuMetrics cpu = NODELINK__CPU_METRICS__INIT;
    cpu.n_core_usage = 57;
    cpu.core_usage = cores;
    Nodelink__MetricsDataResponse data = NODELINK__METRICS_DATA_RESPONSE__INIT;
    data.cpu = &cpu;
    data.has_timestamp = true;
    Nodelink__MetricsResponse mr = NODELINK__METRICS_RESPONSE__INIT;
    mr.response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_METRICS_DATA;
    mr.metrics_data = &data;
    Nodelink__TaskResponse resp = NODELINK__TASK_RESPONSE__INIT;
    resp.agent_id = "bench";
    resp.response_case = NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE;
    resp.metrics_response = &mr;
    resp.has_sequence = resp.has_epoch = true;
    resp.epoch = (uint64_t)clock_mono_ns();
    void *raw = zsock_resolve(pub);
    int64_t start = clock_mono_ns();
    for (int64_t seq = 1; seq <= frames; seq++) {
        if (rate > 0) { /* sleep, not spin: the broker under test needs the CPU */
            int64_t due = start + (seq - 1) * 1000000000LL / rate, now = clock_mono_ns();
            if (due > now) {
                struct timespec ts = {0, (long)(due - now)};
                nanosleep(&ts, NULL);
            }
        }
        resp.sequence = (uint64_t)seq;
        data.timestamp = (uint64_t)clock_now_ms();
        uint8_t buf[1024];
        size_t len = nodelink__task_response__pack(&resp, buf);
        if (seq == 1)
            fprintf(stderr, "frame body: %zu bytes\n", len);
        send_ns[seq] = clock_mono_ns();
        zmq_send(raw, "metrics.bench:", 14, ZMQ_SNDMORE);
        zmq_send(raw, buf, len, 0);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 8) {
        fprintf(stderr, "usage: %s FRONTEND BACKEND FRAMES RATE [AGENT_KEY SUB_KEY BROKER_PUB]\n", argv[0]);
        return 2;
    }
    zsys_init();
    const char **keys = argc == 8 ? (const char **)argv + 5 : NULL;
    int64_t frames = atoll(argv[3]), rate = atoll(argv[4]);
    int64_t *send_ns = calloc((size_t)frames + 1, sizeof *send_ns);
    sub_ctx_t subs[BENCH_SUBS];
    pthread_t threads[BENCH_SUBS];
    for (int i = 0; i < BENCH_SUBS; i++) {
        subs[i] = (sub_ctx_t){.backend = argv[2],
                              .keys = keys,
                              .frames = frames,
                              .send_ns = send_ns,
                              .lat_ns = calloc((size_t)frames, sizeof(int64_t)),
                              .latency = rate > 0};
        pthread_create(&threads[i], NULL, s_subscriber, &subs[i]);
    }
    zsock_t *pub = zsock_new(ZMQ_PUB);
    zsock_set_sndhwm(pub, 100000);
    s_secure(pub, keys, 0);
    zsock_connect(pub, "%s", argv[1]);
    for (int i = 0; i < BENCH_SUBS; i++)
        while (!subs[i].ready)
            zclock_sleep(10);
    zclock_sleep(700); /* let subscriptions reach the publisher through the proxy */
    s_publish(pub, frames, rate, send_ns);
    int64_t lats_n = 0, min_fps = -1;
    int64_t *lats = calloc((size_t)frames * BENCH_SUBS, sizeof *lats);
    for (int i = 0; i < BENCH_SUBS; i++) {
        pthread_join(threads[i], NULL);
        double secs = (subs[i].last_ns - subs[i].first_ns) / 1e9;
        int64_t fps = secs > 0 ? (int64_t)(subs[i].received / secs) : 0;
        if (min_fps < 0 || fps < min_fps)
            min_fps = fps;
        for (int64_t k = 0; k < subs[i].received; k++)
            lats[lats_n++] = subs[i].lat_ns[k];
    }
    qsort(lats, (size_t)lats_n, sizeof *lats, s_cmp);
    printf("delivered_fps=%lld sent=%lld received=%lld,%lld p50_us=%.0f p99_us=%.0f\n", (long long)min_fps,
           (long long)frames, (long long)subs[0].received, (long long)subs[1].received,
           lats_n ? lats[lats_n / 2] / 1e3 : 0.0, lats_n ? lats[lats_n * 99 / 100] / 1e3 : 0.0);
    zsock_destroy(&pub);
    return 0;
}
