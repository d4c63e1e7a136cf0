/*
 * The sampler, history ring, queries and request handling, on fixture trees.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "arena.h"
#include "fixture.h"
#include "history.h"
#include "query.h"
#include "requests.h"
#include "sampler.h"
#include "taskreg.h"

/* The sampler borrows its root paths for its whole life: keep them in
 * storage that outlives it (a few samplers may be alive in one test). */
static const char *s_keep_path(const char *rel)
{
    static char paths[8][4096];
    static size_t next;
    char *slot = paths[next++ % 8];
    snprintf(slot, sizeof paths[0], "%s", fixture_path(rel));
    return slot;
}

/* tracking: process tracking and task process tracking on (the process
 * collectors still run only when the selection wants them). */
static sampler_t *s_sampler_tracking(const char *proc, char **include, size_t n_include, taskreg_t *reg,
                                     bool tracking)
{
    sampler_opts_t o = {
        .agent_id = "t1",
        .epoch = 7,
        .env = {s_keep_path(proc), s_keep_path("sys/hwmon"), tracking, 1000, reg},
        .selection = {include, n_include, NULL, 0},
        .tracking_enabled = tracking,
        .interval_ms = 1000,
        .streaming = true,
        .retention_ms = 3600000,
        .history_bytes = 1 << 20,
    };
    sampler_t *s = sampler_new(&o, NULL);
    cr_assert_not_null(s);
    return s;
}

static sampler_t *s_sampler_at(const char *proc, char **include, size_t n_include, taskreg_t *reg)
{
    return s_sampler_tracking(proc, include, n_include, reg, false);
}

static sampler_t *s_sampler(char **include, size_t n_include, taskreg_t *reg)
{
    return s_sampler_at("proc/container", include, n_include, reg);
}

Test(sampler, collects_a_containers_proc_and_a_hosts_sensors)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler(NULL, 0, reg);
    const Nodelink__MetricsDataResponse *m = sampler_collect(s, 1700000000000ull);
    cr_assert_eq(m->timestamp, 1700000000000ull);
    cr_assert_not_null(m->memory);
    cr_assert_eq(m->memory->total_bytes, 2097152ull * 1024);
    cr_assert_not_null(m->load);
    cr_assert(fabs(m->load->load15 - 0.59) < 1e-9);
    cr_assert_not_null(m->cpu);
    cr_assert(m->cpu->has_temperature_celsius);
    cr_assert(fabs(m->cpu->temperature_celsius - 61.5) < 1e-9, "hottest package");
    cr_assert(!m->cpu->has_usage_percent, "no time passed in a static fixture: no usage");
    cr_assert_eq(m->n_network_interfaces, 2);
    cr_assert_str_eq(m->network_interfaces[1]->interface, "eth0");
    cr_assert(m->network_interfaces[1]->has_bytes_recv_per_sec, "baseline taken at start");
    cr_assert_eq(m->network_interfaces[1]->bytes_recv_per_sec, 0, "unchanged counters");
    cr_assert_eq(m->network_interfaces[1]->errors_in, 2);
    cr_assert_null(m->processes, "tracking disabled");
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(sampler, applies_a_field_level_selection)
{
    char *inc[] = {"memory.total_bytes", "net.eth0"};
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler(inc, 2, reg);
    const Nodelink__MetricsDataResponse *m = sampler_collect(s, 1000);
    cr_assert_null(m->load, "load collector not running");
    cr_assert_null(m->cpu);
    cr_assert(m->memory->has_total_bytes);
    cr_assert(!m->memory->has_used_bytes);
    cr_assert_eq(m->n_network_interfaces, 1);
    cr_assert_str_eq(m->network_interfaces[0]->interface, "eth0");
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

static Nodelink__MetricsDataResponse s_point(uint64_t ts_ms, double usage)
{
    static Nodelink__CpuMetrics cpu;
    Nodelink__MetricsDataResponse m = NODELINK__METRICS_DATA_RESPONSE__INIT;
    nodelink__cpu_metrics__init(&cpu);
    cpu.has_usage_percent = 1;
    cpu.usage_percent = usage;
    m.has_timestamp = 1;
    m.timestamp = ts_ms;
    m.cpu = &cpu;
    return m;
}

Test(history, drops_the_oldest_samples_by_bytes_and_by_age)
{
    history_t *h = history_new(200, 10000);
    for (int i = 0; i < 100; i++) {
        Nodelink__MetricsDataResponse m = s_point(1000000 + (uint64_t)i * 1000, i);
        cr_assert_eq(history_append(h, &m), 0);
        cr_assert_leq(history_bytes(h), 200);
    }
    size_t n = history_count(h);
    cr_assert(n > 5 && n <= 11, "bounded by 10 s retention and 200 bytes: %zu", n);
    history_destroy(&h);
    h = history_new(0, 1000);
    Nodelink__MetricsDataResponse m = s_point(1, 1);
    cr_assert_eq(history_append(h, &m), -1, "a zero-size ring keeps nothing");
    history_destroy(&h);
}

Test(query, returns_points_truncates_and_averages_buckets)
{
    history_t *h = history_new(1 << 20, 3600000);
    for (int i = 0; i < 60; i++) {
        Nodelink__MetricsDataResponse m = s_point(1700000000000ull + (uint64_t)i * 1000, i);
        history_append(h, &m);
    }
    arena_t *a = arena_new();
    char err[256];
    Nodelink__FailureCode code;
    Nodelink__MetricsQueryRequest q = NODELINK__METRICS_QUERY_REQUEST__INIT;
    char *metrics[] = {"cpu.usage_percent"};
    q.metrics = metrics;
    q.n_metrics = 1;
    q.has_start_timestamp = q.has_end_timestamp = q.has_max_points = 1;
    q.start_timestamp = 1700000010;
    q.end_timestamp = 1700000019;
    q.max_points = 4;
    Nodelink__MetricsQueryResponse *r = query_run(h, &q, a, &code, err, sizeof err);
    cr_assert_not_null(r, "%s", err);
    cr_assert_eq(r->total_points, 10);
    cr_assert_eq(r->n_data_points, 4);
    cr_assert(r->truncated);
    cr_assert_eq(r->data_points[0]->timestamp, 1700000010);
    cr_assert_str_eq(r->data_points[0]->values[0]->key, "cpu.usage_percent");
    cr_assert_eq(r->data_points[0]->values[0]->value, 10);
    q.has_interval_seconds = 1;
    q.interval_seconds = 5;
    q.max_points = 0;
    r = query_run(h, &q, a, &code, err, sizeof err);
    cr_assert_eq(r->n_data_points, 2);
    cr_assert(!r->truncated);
    cr_assert_eq(r->data_points[0]->timestamp, 1700000010);
    cr_assert_eq(r->data_points[0]->values[0]->value, 12, "mean of 10..14");
    char *bad[] = {"nonsense.metric"};
    q.metrics = bad;
    cr_assert_null(query_run(h, &q, a, &code, err, sizeof err));
    cr_assert(strstr(err, "nonsense.metric"));
    cr_assert_eq(code, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    q.metrics = metrics;
    q.start_timestamp = 1700000019;
    q.end_timestamp = 1700000010;
    cr_assert_null(query_run(h, &q, a, &code, err, sizeof err));
    cr_assert_eq(code, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST, "start after end: %s", err);
    arena_destroy(&a);
    history_destroy(&h);
}

static Nodelink__TaskResponse s_request(sampler_t *s, Nodelink__TaskRequest *req, arena_t *a)
{
    sysinfo_env_t sys = {"/proc", "/sys", "/"};
    requests_ctx_t ctx = {s, &sys, "t1"};
    Nodelink__TaskResponse r;
    requests_handle(&ctx, req, a, &r);
    return r;
}

Test(requests, validates_stream_intervals_and_changes_nothing_on_error)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler(NULL, 0, reg);
    arena_t *a = arena_new();
    Nodelink__MetricsStreamRequest sr = NODELINK__METRICS_STREAM_REQUEST__INIT;
    Nodelink__MetricsRequest mr = NODELINK__METRICS_REQUEST__INIT;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    mr.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_STREAM_REQUEST;
    mr.stream_request = &sr;
    req.task_case = NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST;
    req.metrics_request = &mr;
    req.task_id = "x1";
    sr.has_action = sr.has_interval_ms = 1;
    sr.action = NODELINK__METRICS_STREAM_REQUEST__ACTION__UPDATE_INTERVAL;
    sr.interval_ms = 50;
    Nodelink__TaskResponse r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert(r.has_failure);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    cr_assert(strstr(r.error_message, "100 ms"));
    cr_assert_eq(sampler_interval(s), 1000);
    sr.interval_ms = 250;
    r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__COMPLETED);
    cr_assert_eq(r.metrics_response->stream_status->interval_ms, 250);
    cr_assert_eq(sampler_interval(s), 250);
    sr.action = NODELINK__METRICS_STREAM_REQUEST__ACTION__STOP;
    sr.has_interval_ms = 0;
    r = s_request(s, &req, a);
    cr_assert(!sampler_streaming(s));
    cr_assert_eq(sampler_due_ms(s), -1);
    char *bad[] = {"cpu.nothing_like_this"};
    sr.action = NODELINK__METRICS_STREAM_REQUEST__ACTION__START;
    sr.metrics = bad;
    sr.n_metrics = 1;
    r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    cr_assert(!sampler_streaming(s), "a bad START changes nothing");
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, answers_shell_tasks_failed_and_rejects_bad_registrations)
{
    taskreg_t *reg = taskreg_new();
    char *cpu[] = {"cpu"}; /* tracking on, no process collector running */
    sampler_t *s = s_sampler_tracking("proc/pids", cpu, 1, reg, true);
    arena_t *a = arena_new();
    Nodelink__ShellExecute sh = NODELINK__SHELL_EXECUTE__INIT;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.task_case = NODELINK__TASK_REQUEST__TASK_SHELL_EXECUTE;
    req.shell_execute = &sh;
    Nodelink__TaskResponse r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_str_eq(r.error_message, "this agent does not run shell/docker tasks");
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED);
    cr_assert(r.is_final);
    Nodelink__TaskRegistration tr = NODELINK__TASK_REGISTRATION__INIT;
    Nodelink__MetricsRequest mr = NODELINK__METRICS_REQUEST__INIT;
    mr.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_REGISTER_TASK;
    mr.register_task = &tr;
    req.task_case = NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST;
    req.metrics_request = &mr;
    tr.task_id = "bad id";
    tr.has_pid = 1;
    tr.pid = 100;
    r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    tr.task_id = "job-1";
    r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__COMPLETED, "%s", r.error_message);
    cr_assert_str_eq(taskreg_lookup(reg, 100, 12345), "job-1", "start time from the fixture's stat");
    tr.pid = 999;
    r = s_request(s, &req, a);
    cr_assert(strstr(r.error_message, "no process with pid 999"), "%s", r.error_message);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST,
                 "the request names a process that does not exist");
    tr.has_pid = 0;
    r = s_request(s, &req, a);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST, "%s", r.error_message);
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

/* A metrics request for registration of pid under task id job, on sampler s. */
static Nodelink__TaskResponse s_register(sampler_t *s, arena_t *a, uint32_t pid, bool unregister)
{
    Nodelink__TaskRegistration tr = NODELINK__TASK_REGISTRATION__INIT;
    tr.task_id = "job";
    tr.has_pid = 1;
    tr.pid = pid;
    tr.has_unregister = unregister;
    tr.unregister = unregister;
    Nodelink__MetricsRequest mr = NODELINK__METRICS_REQUEST__INIT;
    mr.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_REGISTER_TASK;
    mr.register_task = &tr;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.task_id = "r1";
    req.task_case = NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST;
    req.metrics_request = &mr;
    return s_request(s, &req, a);
}

Test(requests, refuses_a_registration_while_task_tracking_is_off_but_allows_unregistering)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler_at("proc/pids", NULL, 0, reg);
    arena_t *a = arena_new();
    Nodelink__TaskResponse r = s_register(s, a, 100, false);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_REFUSED);
    cr_assert(strstr(r.error_message, "tracking is off"), "%s", r.error_message);
    cr_assert_eq(taskreg_count(reg), 0);
    r = s_register(s, a, 100, true);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__COMPLETED, "%s", r.error_message);
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, says_the_registry_is_full_as_resource_exhausted)
{
    taskreg_t *reg = taskreg_new();
    char *cpu[] = {"cpu"};
    sampler_t *s = s_sampler_tracking("proc/pids", cpu, 1, reg, true);
    arena_t *a = arena_new();
    for (uint32_t pid = 1000; taskreg_count(reg) < TASKREG_MAX; pid++)
        cr_assert_eq(taskreg_add(reg, pid, 1, "other"), 0);
    Nodelink__TaskResponse r = s_register(s, a, 100, false);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED);
    cr_assert(strstr(r.error_message, "too many registered processes"), "%s", r.error_message);
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, answers_every_task_it_does_not_run_unsupported)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler(NULL, 0, reg);
    arena_t *a = arena_new();
    Nodelink__DockerOperation dk = NODELINK__DOCKER_OPERATION__INIT;
    Nodelink__TaskCancel tc = NODELINK__TASK_CANCEL__INIT;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.task_case = NODELINK__TASK_REQUEST__TASK_DOCKER_OPERATION;
    req.docker_operation = &dk;
    Nodelink__TaskResponse r = s_request(s, &req, a);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED);
    req.task_case = NODELINK__TASK_REQUEST__TASK_TASK_CANCEL;
    req.task_cancel = &tc;
    r = s_request(s, &req, a);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED);
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, tells_an_empty_request_from_one_newer_than_the_agent)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler(NULL, 0, reg);
    arena_t *a = arena_new();
    /* task_id "x1", then nothing: empty */
    static const uint8_t empty[] = {0x12, 2, 'x', '1'};
    /* task_id "x1" and field 15 (length-delimited, 1 byte): a task kind
     * added to the protocol after this agent */
    static const uint8_t newer[] = {0x12, 2, 'x', '1', 0x7a, 1, 0x00};
    Nodelink__TaskRequest *req = nodelink__task_request__unpack(NULL, sizeof empty, empty);
    cr_assert_not_null(req);
    Nodelink__TaskResponse r = s_request(s, req, a);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST, "%s", r.error_message);
    cr_assert_str_eq(r.error_message, "empty task request");
    nodelink__task_request__free_unpacked(req, NULL);
    req = nodelink__task_request__unpack(NULL, sizeof newer, newer);
    cr_assert_not_null(req);
    r = s_request(s, req, a);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED, "%s", r.error_message);
    cr_assert_str_eq(r.task_id, "x1");
    nodelink__task_request__free_unpacked(req, NULL);
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, answers_an_unknown_stream_action_invalid_and_changes_nothing)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler(NULL, 0, reg);
    arena_t *a = arena_new();
    Nodelink__MetricsStreamRequest sr = NODELINK__METRICS_STREAM_REQUEST__INIT;
    sr.has_action = 1;
    sr.action = (Nodelink__MetricsStreamRequest__Action)7; /* from a newer or broken client */
    Nodelink__MetricsRequest mr = NODELINK__METRICS_REQUEST__INIT;
    mr.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_STREAM_REQUEST;
    mr.stream_request = &sr;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.task_case = NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST;
    req.metrics_request = &mr;
    Nodelink__TaskResponse r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    cr_assert(strstr(r.error_message, "stream action"), "%s", r.error_message);
    cr_assert(sampler_streaming(s), "still streaming");
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, answers_a_request_for_another_agent_invalid)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler(NULL, 0, reg);
    arena_t *a = arena_new();
    Nodelink__SystemInfoRequest si = NODELINK__SYSTEM_INFO_REQUEST__INIT;
    Nodelink__MetricsRequest mr = NODELINK__METRICS_REQUEST__INIT;
    mr.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_SYSTEM_INFO;
    mr.system_info = &si;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.agent_id = "someone-else";
    req.task_case = NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST;
    req.metrics_request = &mr;
    Nodelink__TaskResponse r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_eq(r.failure, NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    cr_assert(strstr(r.error_message, "someone-else"), "%s", r.error_message);
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, packs_a_final_failure_without_allocating_or_says_it_does_not_fit)
{
    uint8_t buf[REQUESTS_FAILURE_MAX];
    char id[65];
    memset(id, 'i', 64);
    id[64] = '\0';
    char message[201];
    memset(message, 'm', 200);
    message[200] = '\0';
    size_t n = requests_pack_failure(id, id, NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED, message, buf,
                                     sizeof buf);
    cr_assert_gt(n, 0, "the longest ids and message fit REQUESTS_FAILURE_MAX");
    Nodelink__ControlMessage *cm = nodelink__control_message__unpack(NULL, n, buf);
    cr_assert_not_null(cm);
    cr_assert_eq(cm->body_case, NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE);
    const Nodelink__TaskResponse *r = cm->task_response;
    cr_assert_str_eq(r->task_id, id);
    cr_assert_eq(r->status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert(r->is_final);
    cr_assert(r->has_failure);
    cr_assert_eq(r->failure, NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED);
    cr_assert_str_eq(r->error_message, message);
    nodelink__control_message__free_unpacked(cm, NULL);
    cr_assert_eq(requests_pack_failure("a", "t", NODELINK__FAILURE_CODE__FAILURE_INTERNAL, message, buf, 16),
                 0);
}
