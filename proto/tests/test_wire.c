#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "wire.h"

/* A sample with every group present, used by several tests. */
static Nodelink__TaskResponse *s_sample(void)
{
    static double cores[2] = {10.5, 30.25};
    static Nodelink__CpuMetrics cpu = NODELINK__CPU_METRICS__INIT;
    static Nodelink__MemoryMetrics mem = NODELINK__MEMORY_METRICS__INIT;
    static Nodelink__LoadMetrics load = NODELINK__LOAD_METRICS__INIT;
    static Nodelink__MetricsDataResponse data = NODELINK__METRICS_DATA_RESPONSE__INIT;
    static Nodelink__MetricsResponse mr = NODELINK__METRICS_RESPONSE__INIT;
    static Nodelink__TaskResponse tr = NODELINK__TASK_RESPONSE__INIT;
    cpu.has_usage_percent = 1;
    cpu.usage_percent = 20.375;
    cpu.n_core_usage = 2;
    cpu.core_usage = cores;
    mem.has_total_bytes = 1;
    mem.total_bytes = 1ULL << 34;
    load.has_load1 = 1;
    load.load1 = 1.25;
    data.has_timestamp = 1;
    data.timestamp = 1690538400000ULL;
    data.cpu = &cpu;
    data.memory = &mem;
    data.load = &load;
    mr.response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_METRICS_DATA;
    mr.metrics_data = &data;
    tr.agent_id = "a1";
    tr.response_case = NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE;
    tr.metrics_response = &mr;
    tr.has_sequence = 1;
    tr.sequence = 42;
    return &tr;
}

static uint8_t *s_pack(const Nodelink__TaskResponse *m, size_t *len)
{
    return wire_pack(&m->base, len);
}

Test(wire, round_trips_a_metrics_frame)
{
    size_t len;
    uint8_t *buf = s_pack(s_sample(), &len);
    topic_kind_t kind;
    char id[TOPIC_ID_MAX + 1];
    wire_err_t err;
    Nodelink__TaskResponse *m = wire_decode_published("metrics.a1:", 11, buf, len, &kind, id, &err);
    cr_assert_not_null(m, "%s", wire_err_name(err));
    cr_assert_eq(kind, TOPIC_METRICS);
    cr_assert_eq(m->sequence, 42);
    const Nodelink__MetricsDataResponse *d = m->metrics_response->metrics_data;
    cr_assert_eq(d->timestamp, 1690538400000ULL);
    cr_assert_float_eq(d->cpu->usage_percent, 20.375, 1e-12);
    cr_assert_eq(d->cpu->n_core_usage, 2);
    cr_assert_float_eq(d->cpu->core_usage[1], 30.25, 1e-12);
    cr_assert_not(d->cpu->has_temperature_celsius, "absent field must stay absent");
    cr_assert_eq(d->memory->total_bytes, 1ULL << 34);
    wire_response_free(&m);
    cr_assert_null(m);
    free(buf);
}

Test(wire, rejects_topic_and_id_mismatch_and_wrong_kind)
{
    size_t len;
    uint8_t *buf = s_pack(s_sample(), &len);
    topic_kind_t kind;
    char id[TOPIC_ID_MAX + 1];
    wire_err_t err;
    cr_assert_null(wire_decode_published("metrics.a2:", 11, buf, len, &kind, id, &err));
    cr_assert_eq(err, WIRE_ERR_MISMATCH);
    cr_assert_null(wire_decode_published("system.a1:", 10, buf, len, &kind, id, &err));
    cr_assert_eq(err, WIRE_ERR_CONTENT);
    cr_assert_null(wire_decode_published("metrics.a1", 10, buf, len, &kind, id, &err));
    cr_assert_eq(err, WIRE_ERR_TOPIC);
    free(buf);
}

Test(wire, rejects_truncated_random_and_oversized_bodies)
{
    size_t len;
    uint8_t *buf = s_pack(s_sample(), &len);
    topic_kind_t kind;
    char id[TOPIC_ID_MAX + 1];
    wire_err_t err;
    for (size_t cut = 1; cut < len; cut++) {
        Nodelink__TaskResponse *m = wire_decode_published("metrics.a1:", 11, buf, cut, &kind, id, &err);
        cr_assert(m == NULL || err == WIRE_OK);
        wire_response_free(&m);
    }
    srand(7);
    uint8_t junk[512];
    for (int round = 0; round < 2000; round++) {
        size_t n = 1 + (size_t)rand() % sizeof junk;
        for (size_t i = 0; i < n; i++)
            junk[i] = (uint8_t)rand();
        Nodelink__TaskResponse *m = wire_decode_published("metrics.a1:", 11, junk, n, &kind, id, &err);
        cr_assert_null(m, "random bytes decoded as a valid frame");
    }
    uint8_t *big = calloc(1, WIRE_FRAME_MAX + 1);
    cr_assert_null(wire_decode_published("metrics.a1:", 11, big, WIRE_FRAME_MAX + 1, &kind, id, &err));
    cr_assert_eq(err, WIRE_ERR_SIZE);
    cr_assert_null(wire_decode_published("metrics.a1:", 11, big, 0, &kind, id, &err));
    cr_assert_eq(err, WIRE_ERR_SIZE);
    free(big);
    free(buf);
}

Test(wire, round_trips_system_info_query_and_task_messages)
{
    Nodelink__CpuInfo cpu = NODELINK__CPU_INFO__INIT;
    char *features[] = {"sse4_2", "avx2"};
    cpu.model = "Test CPU";
    cpu.n_features = 2;
    cpu.features = features;
    Nodelink__SystemHardware hw = NODELINK__SYSTEM_HARDWARE__INIT;
    hw.cpu = &cpu;
    hw.architecture = "x86_64";
    Nodelink__InstalledPackage pkg = NODELINK__INSTALLED_PACKAGE__INIT, *pkgs[] = {&pkg};
    pkg.name = "zlib1g";
    pkg.version = "1:1.2.13";
    pkg.package_manager = "apt";
    Nodelink__SystemSoftware sw = NODELINK__SYSTEM_SOFTWARE__INIT;
    sw.n_packages = 1;
    sw.packages = pkgs;
    Nodelink__NetworkInterface nif = NODELINK__NETWORK_INTERFACE__INIT, *nifs[] = {&nif};
    char *ips[] = {"10.0.0.1", "fe80::1"};
    nif.name = "eth0";
    nif.n_ip_addresses = 2;
    nif.ip_addresses = ips;
    Nodelink__SystemInfoResponse si = NODELINK__SYSTEM_INFO_RESPONSE__INIT;
    si.hardware = &hw;
    si.software = &sw;
    si.n_network_interfaces = 1;
    si.network_interfaces = nifs;
    Nodelink__MetricsResponse mr = NODELINK__METRICS_RESPONSE__INIT;
    mr.response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_SYSTEM_INFO;
    mr.system_info = &si;
    Nodelink__TaskResponse tr = NODELINK__TASK_RESPONSE__INIT;
    tr.agent_id = "h";
    tr.response_case = NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE;
    tr.metrics_response = &mr;
    size_t len;
    uint8_t *buf = s_pack(&tr, &len);
    topic_kind_t kind;
    char id[TOPIC_ID_MAX + 1];
    wire_err_t err;
    Nodelink__TaskResponse *m = wire_decode_published("system.h:", 9, buf, len, &kind, id, &err);
    cr_assert_not_null(m);
    Nodelink__SystemInfoResponse *got = m->metrics_response->system_info;
    cr_assert_str_eq(got->hardware->cpu->features[1], "avx2");
    cr_assert_str_eq(got->software->packages[0]->version, "1:1.2.13");
    cr_assert_str_eq(got->network_interfaces[0]->ip_addresses[1], "fe80::1");
    wire_response_free(&m);
    free(buf);

    /* query response with its map */
    Nodelink__MetricsTimePoint__ValuesEntry e = NODELINK__METRICS_TIME_POINT__VALUES_ENTRY__INIT,
                                            *es[] = {&e};
    e.key = "cpu.usage_percent";
    e.has_value = 1;
    e.value = 12.5;
    Nodelink__MetricsTimePoint tp = NODELINK__METRICS_TIME_POINT__INIT, *tps[] = {&tp};
    tp.has_timestamp = 1;
    tp.timestamp = 1690537800;
    tp.n_values = 1;
    tp.values = es;
    Nodelink__MetricsQueryResponse q = NODELINK__METRICS_QUERY_RESPONSE__INIT;
    q.n_data_points = 1;
    q.data_points = tps;
    q.has_truncated = 1;
    q.truncated = 1;
    mr.response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_QUERY_RESPONSE;
    mr.query_response = &q;
    buf = s_pack(&tr, &len);
    m = wire_decode_response(buf, len, &err);
    cr_assert_not_null(m);
    cr_assert(m->metrics_response->query_response->truncated);
    cr_assert_str_eq(m->metrics_response->query_response->data_points[0]->values[0]->key,
                     "cpu.usage_percent");
    wire_response_free(&m);
    free(buf);

    /* every TaskRequest variant through a ControlMessage */
    Nodelink__ShellExecute sh = NODELINK__SHELL_EXECUTE__INIT;
    sh.command = "true";
    Nodelink__DockerOperation dk = NODELINK__DOCKER_OPERATION__INIT;
    dk.operation = "ps";
    Nodelink__TaskCancel tc = NODELINK__TASK_CANCEL__INIT;
    tc.target_task_id = "t0";
    Nodelink__MetricsStreamRequest sr = NODELINK__METRICS_STREAM_REQUEST__INIT;
    sr.has_action = 1;
    sr.action = NODELINK__METRICS_STREAM_REQUEST__ACTION__UPDATE_INTERVAL;
    sr.has_interval_seconds = 1;
    sr.interval_seconds = 2;
    Nodelink__MetricsRequest mq = NODELINK__METRICS_REQUEST__INIT;
    mq.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_STREAM_REQUEST;
    mq.stream_request = &sr;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.agent_id = "a1";
    req.task_id = "t1";
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    cm.body_case = NODELINK__CONTROL_MESSAGE__BODY_TASK_REQUEST;
    cm.task_request = &req;
    for (int v = 0; v < 4; v++) {
        req.task_case = (Nodelink__TaskRequest__TaskCase[]){
            NODELINK__TASK_REQUEST__TASK_SHELL_EXECUTE, NODELINK__TASK_REQUEST__TASK_DOCKER_OPERATION,
            NODELINK__TASK_REQUEST__TASK_TASK_CANCEL, NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST}[v];
        req.shell_execute = &sh;
        if (v == 1)
            req.docker_operation = &dk;
        if (v == 2)
            req.task_cancel = &tc;
        if (v == 3)
            req.metrics_request = &mq;
        buf = wire_pack(&cm.base, &len);
        Nodelink__ControlMessage *c = wire_decode_control(buf, len, &err);
        cr_assert_not_null(c);
        cr_assert_eq(c->task_request->task_case, req.task_case);
        if (v == 3)
            cr_assert_eq(c->task_request->metrics_request->stream_request->interval_seconds, 2);
        wire_control_free(&c);
        free(buf);
    }
}

Test(wire, rejects_an_empty_control_message)
{
    wire_err_t err;
    Nodelink__ControlMessage cm = NODELINK__CONTROL_MESSAGE__INIT;
    size_t len;
    uint8_t *buf = wire_pack(&cm.base, &len);
    cr_assert_null(wire_decode_control(buf ? buf : (uint8_t *)"", len, &err));
    free(buf);
    cr_assert_null(wire_decode_control("\xff\xff\xff", 3, &err));
    cr_assert_eq(err, WIRE_ERR_DECODE);
}

Test(wire, publishes_two_part_frames_over_zeromq)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    cr_assert_eq(zmq_bind(pub, "inproc://wire-test"), 0);
    cr_assert_eq(zmq_connect(sub, "inproc://wire-test"), 0);
    cr_assert_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "metrics.a1:", 11), 0);
    int timeout = 2000;
    zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_sleep(0);
    cr_assert_eq(wire_publish(pub, TOPIC_METRICS, "a1", s_sample()), 0);
    char topic[128];
    int n = zmq_recv(sub, topic, sizeof topic, 0);
    cr_assert_eq(n, 11);
    int more;
    size_t ml = sizeof more;
    zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &ml);
    cr_assert(more);
    zmq_msg_t body;
    zmq_msg_init(&body);
    cr_assert_gt(zmq_msg_recv(&body, sub, 0), 0);
    topic_kind_t kind;
    char id[TOPIC_ID_MAX + 1];
    wire_err_t err;
    Nodelink__TaskResponse *m =
        wire_decode_published(topic, (size_t)n, zmq_msg_data(&body), zmq_msg_size(&body), &kind, id, &err);
    cr_assert_not_null(m);
    cr_assert_str_eq(id, "a1");
    wire_response_free(&m);
    zmq_msg_close(&body);
    cr_assert_eq(wire_publish(pub, TOPIC_METRICS, "bad id", s_sample()), -1);
    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
}
