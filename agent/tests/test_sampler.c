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

static sampler_t *s_sampler_at(const char *proc, char **include, size_t n_include, taskreg_t *reg)
{
    sampler_opts_t o = {
        .agent_id = "t1",
        .epoch = 7,
        .env = {s_keep_path(proc), s_keep_path("sys/hwmon"), false, 1000, reg},
        .selection = {include, n_include, NULL, 0},
        .tracking_enabled = false,
        .interval_ms = 1000,
        .streaming = true,
        .retention_ms = 3600000,
        .history_bytes = 1 << 20,
    };
    sampler_t *s = sampler_new(&o, NULL);
    cr_assert_not_null(s);
    return s;
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
    Nodelink__MetricsQueryRequest q = NODELINK__METRICS_QUERY_REQUEST__INIT;
    char *metrics[] = {"cpu.usage_percent"};
    q.metrics = metrics;
    q.n_metrics = 1;
    q.has_start_timestamp = q.has_end_timestamp = q.has_max_points = 1;
    q.start_timestamp = 1700000010;
    q.end_timestamp = 1700000019;
    q.max_points = 4;
    Nodelink__MetricsQueryResponse *r = query_run(h, &q, a, err, sizeof err);
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
    r = query_run(h, &q, a, err, sizeof err);
    cr_assert_eq(r->n_data_points, 2);
    cr_assert(!r->truncated);
    cr_assert_eq(r->data_points[0]->timestamp, 1700000010);
    cr_assert_eq(r->data_points[0]->values[0]->value, 12, "mean of 10..14");
    char *bad[] = {"nonsense.metric"};
    q.metrics = bad;
    cr_assert_null(query_run(h, &q, a, err, sizeof err));
    cr_assert(strstr(err, "nonsense.metric"));
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
    cr_assert(!sampler_streaming(s), "a bad START changes nothing");
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}

Test(requests, answers_shell_tasks_failed_and_rejects_bad_registrations)
{
    taskreg_t *reg = taskreg_new();
    sampler_t *s = s_sampler_at("proc/pids", NULL, 0, reg);
    arena_t *a = arena_new();
    Nodelink__ShellExecute sh = NODELINK__SHELL_EXECUTE__INIT;
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.task_case = NODELINK__TASK_REQUEST__TASK_SHELL_EXECUTE;
    req.shell_execute = &sh;
    Nodelink__TaskResponse r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__FAILED);
    cr_assert_str_eq(r.error_message, "this agent does not run shell/docker tasks");
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
    tr.task_id = "job-1";
    r = s_request(s, &req, a);
    cr_assert_eq(r.status, NODELINK__TASK_RESPONSE__STATUS__COMPLETED, "%s", r.error_message);
    cr_assert_str_eq(taskreg_lookup(reg, 100, 12345), "job-1", "start time from the fixture's stat");
    tr.pid = 999;
    r = s_request(s, &req, a);
    cr_assert(strstr(r.error_message, "no process"));
    arena_destroy(&a);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
}
