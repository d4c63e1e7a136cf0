/*
 * The SSE hub: fan-out of samples to streams, intervals, filters, bounded
 * queues and slow clients, replay holding, keep-alives, removal and
 * shutdown, and all of it from several threads at once.
 *
 * Streams are added without a libmicrohttpd connection (conn NULL) and read
 * through sse_stream_read, the content reader the HTTP thread would call.
 */
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metricname.h"
#include "sse.h"

#define S_HELLO "retry: 3000\n\n"
#define S_KEEPALIVE ": keep-alive\n\n"

/* ---------------------------------------------------------------- samples */

/* A sample of agent at ts (ms) from an agent sampling every interval_ms
 * (0 = not said), with cpu, memory and load parts. */
static snapshot_t *s_sample(const char *agent, int64_t ts, uint32_t interval_ms)
{
    Nodelink__CpuMetrics cpu = NODELINK__CPU_METRICS__INIT;
    Nodelink__MemoryMetrics mem = NODELINK__MEMORY_METRICS__INIT;
    Nodelink__LoadMetrics load = NODELINK__LOAD_METRICS__INIT;
    Nodelink__MetricsDataResponse m = NODELINK__METRICS_DATA_RESPONSE__INIT;
    cpu.has_usage_percent = 1, cpu.usage_percent = 25.5;
    cpu.has_user_percent = 1, cpu.user_percent = 20.0;
    mem.has_usage_percent = 1, mem.usage_percent = 37.5;
    mem.has_total_bytes = 1, mem.total_bytes = 1u << 30;
    load.has_load1 = 1, load.load1 = 1.25;
    m.has_timestamp = 1, m.timestamp = (uint64_t)ts;
    m.has_interval_ms = interval_ms > 0, m.interval_ms = interval_ms;
    m.cpu = &cpu, m.memory = &mem, m.load = &load;
    /* snapshot_from_data takes a message as protobuf-c unpacks it */
    size_t len = nodelink__metrics_data_response__get_packed_size(&m);
    uint8_t *buf = malloc(len ? len : 1);
    nodelink__metrics_data_response__pack(&m, buf);
    Nodelink__MetricsDataResponse *heap = nodelink__metrics_data_response__unpack(NULL, len, buf);
    free(buf);
    cr_assert_not_null(heap);
    snapshot_t *s = snapshot_from_data(agent, &heap);
    cr_assert_not_null(s);
    return s;
}

/* Publishes a sample and drops the caller's reference. */
static void s_publish(sse_hub_t *hub, const char *agent, int64_t ts, uint32_t interval_ms)
{
    snapshot_t *s = s_sample(agent, ts, interval_ms);
    sse_hub_publish(hub, s);
    snapshot_unref(&s);
}

/* ---------------------------------------------------------------- streams */

static sse_hub_t *s_hub(size_t max_streams, size_t queue_max, gw_stats_t *stats)
{
    memset(stats, 0, sizeof *stats);
    sse_hub_t *hub = sse_hub_new(max_streams, queue_max, 60000, stats);
    cr_assert_not_null(hub);
    return hub;
}

/* A registered stream, still holding (not released). */
static sse_stream_t *s_added(sse_hub_t *hub, const char *agent, int64_t interval_ms, const char *filter,
                             int64_t last_id)
{
    char *sel[8], copy[256];
    size_t n = 0;
    snprintf(copy, sizeof copy, "%s", filter ? filter : "");
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && n < 8; t = strtok_r(NULL, ",", &save))
        sel[n++] = t;
    sse_stream_t *st = sse_stream_new(agent, interval_ms, sel, n, last_id);
    cr_assert_not_null(st);
    cr_assert_eq(sse_hub_add(hub, st, NULL), 0);
    return st;
}

/* A registered and released (live) stream. */
static sse_stream_t *s_live(sse_hub_t *hub, const char *agent, int64_t interval_ms, const char *filter)
{
    sse_stream_t *st = s_added(hub, agent, interval_ms, filter, -1);
    sse_stream_release(hub, st, NULL, 0);
    return st;
}

typedef struct {
    char *text; /* everything read, NUL-terminated */
    size_t len;
    ssize_t last; /* the reader's last return: 0, or an MHD_CONTENT_READER_END_* */
} s_read_t;

/* Reads st until it has nothing more (0) or ends, chunk bytes at a time. */
static s_read_t s_read_chunked(sse_stream_t *st, size_t chunk)
{
    s_read_t r = {calloc(1, 1), 0, 0};
    char *buf = malloc(chunk);
    for (;;) {
        ssize_t n = sse_stream_read(st, buf, chunk);
        if (n <= 0) {
            r.last = n;
            break;
        }
        cr_assert_leq((size_t)n, chunk);
        r.text = realloc(r.text, r.len + (size_t)n + 1);
        memcpy(r.text + r.len, buf, (size_t)n);
        r.len += (size_t)n;
        r.text[r.len] = '\0';
    }
    free(buf);
    return r;
}

static s_read_t s_read(sse_stream_t *st)
{
    return s_read_chunked(st, 4096);
}

/* The ids of the events in text, in order; returns their count. */
static size_t s_ids(const char *text, int64_t *ids, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, "id: ")); p++) {
        if (p != text && p[-1] != '\n')
            continue;
        cr_assert_lt(n, cap);
        ids[n++] = strtoll(p + 4, NULL, 10);
    }
    return n;
}

static size_t s_count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Reads st and checks that it got exactly these event ids, in order. */
static void s_expect_ids(sse_stream_t *st, const int64_t *want, size_t n_want, const char *what)
{
    s_read_t r = s_read(st);
    int64_t ids[256];
    size_t n = s_ids(r.text, ids, 256);
    cr_assert_eq(n, n_want, "%s: %zu events, expected %zu:\n%s", what, n, n_want, r.text);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(ids[i], want[i], "%s: event %zu has id %lld, expected %lld", what, i, (long long)ids[i],
                     (long long)want[i]);
    cr_assert_eq(r.last, 0, "%s: the stream is alive and waiting", what);
    free(r.text);
}

static void s_expect_nothing(sse_stream_t *st, const char *what)
{
    s_expect_ids(st, NULL, 0, what);
}

static void s_skip_hello(sse_stream_t *st)
{
    s_read_t r = s_read(st);
    cr_assert_str_eq(r.text, S_HELLO);
    free(r.text);
}

/* ---------------------------------------------------------------- basics */

Test(sse, a_stream_starts_with_the_retry_hint_then_waits)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *st = s_live(hub, "a1", 0, NULL);
    s_read_t r = s_read(st);
    cr_assert_str_eq(r.text, S_HELLO);
    cr_assert_eq(r.last, 0, "nothing more queued: 0 (the connection would be suspended)");
    free(r.text);
    cr_assert_eq(sse_hub_count(hub), 1);
    cr_assert_eq(stats_get(&stats, STAT_SSE_OPENED), 1);
    sse_hub_remove(hub, &st);
    cr_assert_null(st);
    cr_assert_eq(sse_hub_count(hub), 0);
    sse_hub_destroy(&hub);
    cr_assert_null(hub);
}

Test(sse, a_sample_reaches_every_stream_of_its_agent_and_no_other)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *a1 = s_live(hub, "a1", 0, NULL), *a1b = s_live(hub, "a1", 0, NULL);
    sse_stream_t *a2 = s_live(hub, "a2", 0, NULL);
    s_skip_hello(a1), s_skip_hello(a1b), s_skip_hello(a2);
    s_publish(hub, "a1", 1000, 1000);
    s_expect_ids(a1, (int64_t[]){1000}, 1, "a1");
    s_expect_ids(a1b, (int64_t[]){1000}, 1, "a1 again");
    s_expect_nothing(a2, "a2");
    s_publish(hub, "a2", 1500, 1000);
    s_publish(hub, "a3", 1500, 1000); /* nobody listens: nothing happens */
    s_expect_nothing(a1, "a1");
    s_expect_ids(a2, (int64_t[]){1500}, 1, "a2");
    cr_assert_eq(stats_get(&stats, STAT_SSE_EVENTS), 3);
    sse_hub_remove(hub, &a1);
    sse_hub_remove(hub, &a1b);
    sse_hub_remove(hub, &a2);
    sse_hub_destroy(&hub);
}

Test(sse, an_unfiltered_event_is_the_samples_own_rendering)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *st = s_live(hub, "a1", 0, NULL);
    s_skip_hello(st);
    snapshot_t *s = s_sample("a1", 1690538400000, 1000);
    sse_hub_publish(hub, s);
    s_read_t r = s_read(st);
    blob_t *ev = snapshot_event(s);
    cr_assert_eq(r.len, blob_len(ev));
    cr_assert(memcmp(r.text, blob_data(ev), r.len) == 0);
    cr_assert(strncmp(r.text, "id: 1690538400000\nevent: metrics\ndata: {", 40) == 0, "%s", r.text);
    cr_assert(r.len >= 2 && strcmp(r.text + r.len - 2, "\n\n") == 0);
    free(r.text);
    snapshot_unref(&s);
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

Test(sse, the_reader_hands_out_the_same_bytes_whatever_its_buffer_size)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(64, 64, &stats);
    sse_stream_t *st[8];
    for (size_t i = 0; i < 8; i++)
        st[i] = s_live(hub, "a1", 0, NULL);
    for (int64_t t = 1; t <= 5; t++)
        s_publish(hub, "a1", t * 1000, 1000);
    s_read_t whole = s_read(st[0]);
    static const size_t chunks[] = {1, 2, 3, 7, 13, 64, 511};
    for (size_t i = 0; i < 7; i++) {
        s_read_t r = s_read_chunked(st[i + 1], chunks[i]);
        cr_assert_eq(r.len, whole.len, "chunk %zu", chunks[i]);
        cr_assert_str_eq(r.text, whole.text, "chunk %zu", chunks[i]);
        cr_assert_eq(r.last, 0);
        free(r.text);
    }
    cr_assert_eq(s_count(whole.text, "event: metrics"), 5);
    free(whole.text);
    for (size_t i = 0; i < 8; i++)
        sse_hub_remove(hub, &st[i]);
    sse_hub_destroy(&hub);
}

/* ---------------------------------------------------------------- order and interval */

Test(sse, older_and_repeated_samples_are_never_sent)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *st = s_live(hub, "a1", 0, NULL);
    s_skip_hello(st);
    static const int64_t order[] = {5000, 4000, 5000, 6000, 6000, 1000, 7000};
    for (size_t i = 0; i < 7; i++)
        s_publish(hub, "a1", order[i], 1000);
    s_expect_ids(st, (int64_t[]){5000, 6000, 7000}, 3, "strictly increasing");
    cr_assert_eq(stats_get(&stats, STAT_SSE_EVENTS), 3);
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

Test(sse, a_stream_gets_the_newest_sample_once_per_interval)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *every3 = s_live(hub, "a1", 3000, NULL), *every1 = s_live(hub, "a1", 1000, NULL);
    s_skip_hello(every3), s_skip_hello(every1);
    for (int64_t t = 1; t <= 10; t++)
        s_publish(hub, "a1", t * 1000, 1000);
    s_expect_ids(every3, (int64_t[]){1000, 4000, 7000, 10000}, 4, "a 3 s stream of a 1 s agent");
    s_expect_ids(every1, (int64_t[]){1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000}, 10,
                 "a 1 s stream of a 1 s agent");
    sse_hub_remove(hub, &every3);
    sse_hub_remove(hub, &every1);
    sse_hub_destroy(&hub);
}

Test(sse, the_interval_allows_half_an_agent_period_of_jitter)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *st = s_live(hub, "a1", 3000, NULL);
    s_skip_hello(st);
    /* due when at least 3000 - 1000/2 = 2500 ms after the last one sent */
    s_publish(hub, "a1", 10000, 1000);
    s_publish(hub, "a1", 12499, 1000);
    s_publish(hub, "a1", 12500, 1000);
    s_publish(hub, "a1", 14999, 1000);
    s_publish(hub, "a1", 15000, 0); /* an agent that does not say its interval: the full 3000 */
    s_publish(hub, "a1", 15500, 0);
    s_expect_ids(st, (int64_t[]){10000, 12500, 15500}, 3, "jittery samples");
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

/* ---------------------------------------------------------------- filters */

Test(sse, a_filtered_stream_gets_only_its_metrics)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *all = s_live(hub, "a1", 0, NULL), *cpu = s_live(hub, "a1", 0, "cpu");
    sse_stream_t *mem = s_live(hub, "a1", 0, "memory.usage_percent");
    s_skip_hello(all), s_skip_hello(cpu), s_skip_hello(mem);
    s_publish(hub, "a1", 1000, 1000);
    s_read_t ra = s_read(all), rc = s_read(cpu), rm = s_read(mem);
    cr_assert(strstr(ra.text, "\"cpu\":") && strstr(ra.text, "\"memory\":") && strstr(ra.text, "\"load\":"),
              "%s", ra.text);
    cr_assert(strstr(rc.text, "\"usage_percent\":25.5") && strstr(rc.text, "\"user_percent\":20"), "%s",
              rc.text);
    cr_assert_null(strstr(rc.text, "\"memory\""), "%s", rc.text);
    cr_assert_null(strstr(rc.text, "\"load\""), "%s", rc.text);
    cr_assert(strstr(rm.text, "\"memory\":{\"usage_percent\":37.5}"), "%s", rm.text);
    cr_assert_null(strstr(rm.text, "total_bytes"), "%s", rm.text);
    cr_assert_null(strstr(rm.text, "\"cpu\""), "%s", rm.text);
    for (s_read_t *r = &ra; r; r = r == &ra ? &rc : r == &rc ? &rm : NULL) {
        static const char head[] = "id: 1000\nevent: metrics\ndata: {";
        cr_assert(strncmp(r->text, head, strlen(head)) == 0, "%s", r->text);
        free(r->text);
    }
    sse_hub_remove(hub, &all);
    sse_hub_remove(hub, &cpu);
    sse_hub_remove(hub, &mem);
    sse_hub_destroy(&hub);
}

Test(sse, streams_with_one_filter_get_the_same_bytes)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *a = s_live(hub, "a1", 0, "cpu,load"), *b = s_live(hub, "a1", 0, "cpu,load");
    s_publish(hub, "a1", 1000, 1000);
    s_read_t ra = s_read(a), rb = s_read(b);
    cr_assert_str_eq(ra.text, rb.text);
    cr_assert_null(strstr(ra.text, "\"memory\""));
    free(ra.text);
    free(rb.text);
    sse_hub_remove(hub, &a);
    sse_hub_remove(hub, &b);
    sse_hub_destroy(&hub);
}

Test(sse, more_distinct_filters_than_the_render_cache_holds_are_all_served)
{
    static const char *parts[] = {"cpu",       "memory", "load", "cpu.usage_percent", "memory.total_bytes",
                                  "load.load1"};
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(64, 64, &stats);
    sse_stream_t *st[30];
    char filters[30][64];
    size_t n = 0;
    for (size_t i = 0; i < 6; i++)
        for (size_t k = 0; k < 6 && n < 30; k++)
            if (i != k) {
                cr_assert(metric_selector_valid(parts[i]) && metric_selector_valid(parts[k]));
                snprintf(filters[n], sizeof filters[n], "%s,%s", parts[i], parts[k]);
                st[n] = s_live(hub, "a1", 0, filters[n]);
                s_skip_hello(st[n]);
                n++;
            }
    s_publish(hub, "a1", 1000, 1000);
    for (size_t i = 0; i < n; i++) {
        s_read_t r = s_read(st[i]);
        bool cpu = strstr(filters[i], "cpu") != NULL, mem = strstr(filters[i], "memory") != NULL,
             load = strstr(filters[i], "load") != NULL;
        cr_assert_eq(s_count(r.text, "event: metrics"), 1, "%s", filters[i]);
        cr_assert_eq(strstr(r.text, "\"cpu\"") != NULL, cpu, "%s: %s", filters[i], r.text);
        cr_assert_eq(strstr(r.text, "\"memory\"") != NULL, mem, "%s: %s", filters[i], r.text);
        cr_assert_eq(strstr(r.text, "\"load\"") != NULL, load, "%s: %s", filters[i], r.text);
        free(r.text);
        sse_hub_remove(hub, &st[i]);
    }
    sse_hub_destroy(&hub);
}

/* ---------------------------------------------------------------- queues and slow clients */

Test(sse, a_client_queue_full_of_unread_events_kills_that_stream_only)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 4, &stats);
    sse_stream_t *slow = s_live(hub, "a1", 0, NULL), *fast = s_live(hub, "a1", 0, NULL);
    s_skip_hello(fast);
    for (int64_t t = 1; t <= 10; t++) {
        s_publish(hub, "a1", t * 1000, 1000);
        s_expect_ids(fast, (int64_t[]){t * 1000}, 1, "the reading client");
    }
    /* hello + 3 events filled the slow one's 4 entries; the 4th event killed it */
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 1);
    char buf[64];
    cr_assert_eq(sse_stream_read(slow, buf, sizeof buf), MHD_CONTENT_READER_END_WITH_ERROR,
                 "its queue was dropped: the connection ends in error");
    cr_assert_eq(stats_get(&stats, STAT_SSE_EVENTS), 10 + 3, "only queued events count");
    cr_assert_eq(sse_hub_count(hub), 2, "the killed stream stays until its request completes");
    sse_hub_remove(hub, &slow);
    cr_assert_eq(sse_hub_count(hub), 1);
    s_publish(hub, "a1", 11000, 1000);
    s_expect_ids(fast, (int64_t[]){11000}, 1, "the reading client after the removal");
    sse_hub_remove(hub, &fast);
    sse_hub_destroy(&hub);
}

Test(sse, a_client_that_keeps_up_is_never_killed_and_its_queue_grows_only_as_needed)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *st = s_live(hub, "a1", 0, NULL);
    int64_t t = 0;
    /* read a few at a time so that the ring wraps and grows while wrapped */
    for (size_t round = 0; round < 40; round++) {
        size_t burst = 1 + round % 7;
        int64_t want[8];
        for (size_t i = 0; i < burst; i++) {
            t += 1000;
            want[i] = t;
            s_publish(hub, "a1", t, 1000);
        }
        s_read_t r = s_read(st);
        int64_t ids[16];
        size_t n = s_ids(r.text, ids, 16);
        cr_assert_eq(n, burst, "round %zu", round);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(ids[i], want[i]);
        cr_assert_eq(r.last, 0);
        free(r.text);
    }
    /* all read: now 64 unread events fill the queue exactly, in order */
    for (size_t i = 0; i < 64; i++)
        s_publish(hub, "a1", t += 1000, 1000);
    s_read_t r = s_read(st);
    int64_t ids[80];
    size_t n = s_ids(r.text, ids, 80);
    cr_assert_eq(n, 64);
    for (size_t i = 1; i < n; i++)
        cr_assert_eq(ids[i], ids[i - 1] + 1000);
    free(r.text);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 0);
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

Test(sse, a_queue_of_exactly_queue_max_events_is_not_yet_slow)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 16, &stats);
    sse_stream_t *st = s_live(hub, "a1", 0, NULL);
    for (int64_t t = 1; t <= 15; t++) /* hello + 15 = 16 */
        s_publish(hub, "a1", t * 1000, 1000);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 0);
    s_publish(hub, "a1", 16000, 1000);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 1);
    s_publish(hub, "a1", 17000, 1000);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 1, "killed once");
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

/* ---------------------------------------------------------------- keep-alives */

Test(sse, a_quiet_stream_gets_a_keepalive_and_a_busy_one_does_not)
{
    gw_stats_t stats;
    memset(&stats, 0, sizeof stats);
    sse_hub_t *hub = sse_hub_new(10, 64, 60000, &stats);
    sse_stream_t *quiet = s_live(hub, "a1", 0, NULL), *holding = s_added(hub, "a1", 0, NULL, -1);
    s_skip_hello(quiet), s_skip_hello(holding);
    sse_hub_tick(hub, clock_mono_ms()); /* written just now */
    s_expect_nothing(quiet, "nothing due yet");
    sse_hub_tick(hub, clock_mono_ms() + 60000);
    s_read_t r = s_read(quiet);
    cr_assert_str_eq(r.text, S_KEEPALIVE);
    free(r.text);
    r = s_read(holding);
    cr_assert_str_eq(r.text, "", "a stream still replaying gets none");
    free(r.text);
    s_publish(hub, "a1", 1000, 1000); /* quiet: writes now */
    sse_hub_tick(hub, clock_mono_ms() + 30000);
    r = s_read(quiet);
    cr_assert_eq(s_count(r.text, S_KEEPALIVE), 0, "%s", r.text);
    cr_assert_eq(s_count(r.text, "event: metrics"), 1);
    free(r.text);
    cr_assert_eq(stats_get(&stats, STAT_SSE_EVENTS), 1, "keep-alives are not events");
    sse_hub_remove(hub, &quiet);
    sse_hub_remove(hub, &holding);
    sse_hub_destroy(&hub);
}

Test(sse, a_client_that_reads_nothing_is_dropped_by_keepalives_alone)
{
    gw_stats_t stats;
    memset(&stats, 0, sizeof stats);
    sse_hub_t *hub = sse_hub_new(10, 4, 1000, &stats);
    sse_stream_t *st = s_live(hub, "a1", 0, NULL);
    for (int i = 1; i <= 3; i++) /* hello + 3 keep-alives fill 4 */
        sse_hub_tick(hub, clock_mono_ms() + 10000);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 0);
    sse_hub_tick(hub, clock_mono_ms() + 10000);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 1);
    char buf[8];
    cr_assert_eq(sse_stream_read(st, buf, sizeof buf), MHD_CONTENT_READER_END_WITH_ERROR);
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

/* ---------------------------------------------------------------- replay holding */

Test(sse, samples_published_while_replaying_follow_the_replay_in_order_each_once)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *st = s_added(hub, "a1", 0, NULL, 1500);
    s_publish(hub, "a1", 4000, 1000); /* live while the store is read */
    s_publish(hub, "a1", 3000, 1000);
    s_publish(hub, "a1", 5000, 1000);
    s_read_t r = s_read(st);
    cr_assert_str_eq(r.text, S_HELLO, "held, not queued");
    free(r.text);
    /* the store's samples after 1500 and the latest in memory, any order */
    snapshot_t *backlog[4] = {s_sample("a1", 3000, 1000), s_sample("a1", 1000, 1000),
                              s_sample("a1", 2000, 1000), s_sample("a1", 4000, 1000)};
    sse_stream_release(hub, st, backlog, 4);
    for (size_t i = 0; i < 4; i++)
        cr_assert_null(backlog[i], "release takes the samples");
    s_expect_ids(st, (int64_t[]){2000, 3000, 4000, 5000}, 4, "after Last-Event-ID 1500");
    s_publish(hub, "a1", 6000, 1000);
    s_expect_ids(st, (int64_t[]){6000}, 1, "live afterwards");
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

Test(sse, a_replay_longer_than_the_client_queue_is_delivered_not_taken_for_slowness)
{
    /* sse_replay_max (1000 by default) may exceed sse_client_queue (64):
     * the replay is queued at once, before the client could read any of it */
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 8, &stats);
    sse_stream_t *st = s_added(hub, "a1", 0, NULL, 0);
    s_publish(hub, "a1", 31000, 1000);
    snapshot_t *backlog[30];
    for (size_t i = 0; i < 30; i++)
        backlog[i] = s_sample("a1", (int64_t)(i + 1) * 1000, 1000);
    sse_stream_release(hub, st, backlog, 30);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 0);
    int64_t want[31];
    for (size_t i = 0; i < 31; i++)
        want[i] = (int64_t)(i + 1) * 1000;
    s_expect_ids(st, want, 31, "the whole replay, then the held sample");
    /* and the usual bound applies again afterwards */
    for (int64_t t = 32; t < 32 + 8; t++)
        s_publish(hub, "a1", t * 1000, 1000);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 0, "8 unread fit");
    for (int64_t t = 40; t < 40 + 100; t++)
        s_publish(hub, "a1", t * 1000, 1000);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 1, "100 more unread do not");
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

Test(sse, what_is_held_while_replaying_is_bounded)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 100000, &stats);
    sse_stream_t *st = s_added(hub, "a1", 0, NULL, -1);
    for (int64_t t = 1; t <= 1000; t++)
        s_publish(hub, "a1", t * 1000, 1000);
    sse_stream_release(hub, st, NULL, 0);
    s_read_t r = s_read(st);
    int64_t ids[1000];
    size_t n = s_ids(r.text, ids, 1000);
    cr_assert_gt(n, 0);
    cr_assert_leq(n, 64, "%zu held samples", n);
    for (size_t i = 1; i < n; i++)
        cr_assert_gt(ids[i], ids[i - 1]);
    free(r.text);
    sse_hub_remove(hub, &st);
    sse_hub_destroy(&hub);
}

/* ---------------------------------------------------------------- limits, removal, shutdown */

Test(sse, streams_beyond_the_limit_are_refused_and_counted)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(2, 64, &stats);
    sse_stream_t *a = s_live(hub, "a1", 0, NULL), *b = s_live(hub, "a2", 0, NULL);
    sse_stream_t *c = sse_stream_new("a1", 0, NULL, 0, -1);
    cr_assert_eq(sse_hub_add(hub, c, NULL), -1);
    sse_stream_free(&c); /* the caller frees a refused stream */
    cr_assert_null(c);
    cr_assert_eq(sse_hub_count(hub), 2);
    cr_assert_eq(stats_get(&stats, STAT_SSE_REJECTED), 1);
    cr_assert_eq(stats_get(&stats, STAT_SSE_OPENED), 2);
    s_publish(hub, "a1", 1000, 1000);
    s_expect_ids(a, (int64_t[]){1000}, 1, "the accepted stream");
    sse_hub_remove(hub, &b);
    c = s_live(hub, "a1", 0, NULL);
    cr_assert_eq(sse_hub_count(hub), 2);
    sse_hub_remove(hub, &a);
    sse_hub_remove(hub, &c);
    sse_hub_destroy(&hub);
}

Test(sse, removing_any_stream_of_an_agent_keeps_the_others_fed)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *s1 = s_live(hub, "a1", 0, NULL), *s2 = s_live(hub, "a1", 0, NULL);
    sse_stream_t *s3 = s_live(hub, "a1", 0, NULL), *s4 = s_live(hub, "a1", 0, NULL);
    s_skip_hello(s1), s_skip_hello(s2), s_skip_hello(s3), s_skip_hello(s4);
    sse_hub_remove(hub, &s2); /* a middle one */
    s_publish(hub, "a1", 1000, 1000);
    s_expect_ids(s1, (int64_t[]){1000}, 1, "s1");
    s_expect_ids(s3, (int64_t[]){1000}, 1, "s3");
    s_expect_ids(s4, (int64_t[]){1000}, 1, "s4");
    sse_hub_remove(hub, &s4); /* the newest, first in the agent's list */
    s_publish(hub, "a1", 2000, 1000);
    s_expect_ids(s1, (int64_t[]){2000}, 1, "s1");
    s_expect_ids(s3, (int64_t[]){2000}, 1, "s3");
    sse_hub_remove(hub, &s1); /* the oldest, last in the list */
    s_publish(hub, "a1", 3000, 1000);
    s_expect_ids(s3, (int64_t[]){3000}, 1, "s3");
    sse_hub_remove(hub, &s3); /* the last one: the agent leaves the index */
    s_publish(hub, "a1", 4000, 1000);
    cr_assert_eq(sse_hub_count(hub), 0);
    sse_stream_t *again = s_live(hub, "a1", 0, NULL);
    s_skip_hello(again);
    s_publish(hub, "a1", 5000, 1000);
    s_expect_ids(again, (int64_t[]){5000}, 1, "a new stream of the agent");
    sse_hub_remove(hub, &again);
    sse_hub_destroy(&hub);
}

Test(sse, removing_streams_with_queued_and_held_events_frees_them)
{
    /* ASan's leak check sees what these leave behind */
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *queued = s_live(hub, "a1", 0, "cpu"), *held = s_added(hub, "a1", 0, NULL, -1);
    sse_stream_t *partly = s_live(hub, "a1", 0, NULL);
    for (int64_t t = 1; t <= 20; t++)
        s_publish(hub, "a1", t * 1000, 1000);
    char buf[5];
    cr_assert_eq(sse_stream_read(partly, buf, sizeof buf), 5, "stopped inside an event");
    sse_hub_remove(hub, &queued);
    sse_hub_remove(hub, &held);
    sse_hub_remove(hub, &partly);
    cr_assert_eq(sse_hub_count(hub), 0);
    sse_stream_t *never = sse_stream_new("a1", 1000, (char *[]){"cpu", "memory"}, 2, 12);
    sse_stream_free(&never);
    sse_hub_remove(hub, &never); /* NULL: nothing */
    sse_hub_destroy(&hub);
}

Test(sse, shutdown_ends_every_stream_after_what_is_queued)
{
    gw_stats_t stats;
    sse_hub_t *hub = s_hub(10, 64, &stats);
    sse_stream_t *a = s_live(hub, "a1", 0, NULL), *b = s_live(hub, "a2", 0, NULL);
    s_skip_hello(b);
    s_publish(hub, "a1", 1000, 1000);
    sse_hub_shutdown(hub);
    s_publish(hub, "a1", 2000, 1000);
    s_publish(hub, "a2", 2000, 1000);
    sse_hub_tick(hub, clock_mono_ms() + 120000);
    s_read_t r = s_read(a);
    int64_t ids[4];
    cr_assert_eq(s_ids(r.text, ids, 4), 1, "%s", r.text);
    cr_assert_eq(ids[0], 1000);
    cr_assert(strncmp(r.text, S_HELLO, strlen(S_HELLO)) == 0);
    cr_assert_eq(r.last, MHD_CONTENT_READER_END_OF_STREAM);
    free(r.text);
    cr_assert_eq(stats_get(&stats, STAT_SSE_EVENTS), 1, "nothing is queued after the shutdown");
    r = s_read(b);
    cr_assert_str_eq(r.text, "");
    cr_assert_eq(r.last, MHD_CONTENT_READER_END_OF_STREAM);
    free(r.text);
    sse_hub_remove(hub, &a);
    sse_hub_remove(hub, &b);
    sse_hub_destroy(&hub);
}

/* ---------------------------------------------------------------- threads */

#define S_AGENTS 4
#define S_SAMPLES 3000

/* One long-lived stream checked by a reader thread: ids must be exactly
 * 1..S_SAMPLES seconds, in order. */
typedef struct {
    sse_stream_t *st;
    char pending[4096]; /* the part of an event read so far */
    size_t n_pending;
    int64_t last_id, events;
    bool bad;
} s_watch_t;

/* Consumes what st has; returns false when it ended or erred. */
static bool s_watch_read(s_watch_t *w)
{
    char buf[173]; /* odd size: events split across reads */
    for (;;) {
        ssize_t n = sse_stream_read(w->st, buf, sizeof buf);
        if (n < 0)
            return false;
        if (n == 0)
            return true;
        for (ssize_t i = 0; i < n; i++) {
            if (w->n_pending == sizeof w->pending - 1) {
                w->bad = true;
                return false;
            }
            w->pending[w->n_pending++] = buf[i];
            if (w->n_pending >= 2 && w->pending[w->n_pending - 1] == '\n' &&
                w->pending[w->n_pending - 2] == '\n') {
                w->pending[w->n_pending] = '\0';
                if (strncmp(w->pending, "id: ", 4) == 0) {
                    int64_t id = strtoll(w->pending + 4, NULL, 10);
                    if (id != w->last_id + 1000)
                        w->bad = true;
                    w->last_id = id;
                    w->events++;
                } else if (strcmp(w->pending, S_HELLO) != 0 && strcmp(w->pending, S_KEEPALIVE) != 0) {
                    w->bad = true;
                }
                w->n_pending = 0;
            }
        }
    }
}

typedef struct {
    s_watch_t *watches;
    size_t n;
    atomic_bool *published; /* every sample is published (and so queued) */
} s_reader_arg_t;

/* Reads its streams until each has every sample, or - should one be lost -
 * until one pass after the publishers are done. */
static void *s_reader_thread(void *arg)
{
    s_reader_arg_t *a = arg;
    for (bool done = false; !done;) {
        bool last_pass = atomic_load(a->published);
        done = true;
        for (size_t i = 0; i < a->n; i++) {
            s_watch_t *w = &a->watches[i];
            if (w->events < S_SAMPLES && !w->bad) {
                if (!s_watch_read(w))
                    w->bad = true;
                done = last_pass;
            }
        }
        sched_yield();
    }
    return NULL;
}

typedef struct {
    sse_hub_t *hub;
    int first_agent, n_agents;
} s_publisher_arg_t;

static void *s_publisher_thread(void *arg)
{
    s_publisher_arg_t *a = arg;
    for (int64_t t = 1; t <= S_SAMPLES; t++)
        for (int k = a->first_agent; k < a->first_agent + a->n_agents; k++) {
            char agent[16];
            snprintf(agent, sizeof agent, "a%d", k);
            s_publish(a->hub, agent, t * 1000, 1000);
        }
    return NULL;
}

typedef struct {
    sse_hub_t *hub;
    unsigned seed;
    atomic_bool *stop;
    int64_t added, refused;
} s_churn_arg_t;

/* Adds streams to every agent, reads some, removes them (queues full or
 * not), until told to stop. */
static void *s_churn_thread(void *arg)
{
    s_churn_arg_t *a = arg;
    static const char *filters[] = {NULL, "cpu", "memory,load"};
    while (!atomic_load(a->stop)) {
        char agent[16];
        snprintf(agent, sizeof agent, "a%u", rand_r(&a->seed) % S_AGENTS);
        const char *f = filters[rand_r(&a->seed) % 3];
        char *sel[2] = {(char *)f, NULL};
        sse_stream_t *st = sse_stream_new(agent, (rand_r(&a->seed) % 2) * 2000, sel, f ? 1 : 0, -1);
        if (sse_hub_add(a->hub, st, NULL) != 0) {
            sse_stream_free(&st);
            a->refused++;
            continue;
        }
        a->added++;
        sse_stream_release(a->hub, st, NULL, 0);
        char buf[256];
        for (unsigned i = rand_r(&a->seed) % 4; i > 0; i--)
            if (sse_stream_read(st, buf, sizeof buf) <= 0)
                break;
        sse_hub_remove(a->hub, &st);
    }
    return NULL;
}

typedef struct {
    sse_hub_t *hub;
    atomic_bool *stop;
    int64_t ticks;
} s_ticker_arg_t;

static void *s_ticker_thread(void *arg)
{
    s_ticker_arg_t *a = arg;
    while (!atomic_load(a->stop)) {
        sse_hub_tick(a->hub, clock_mono_ms());
        a->ticks++;
        sched_yield();
    }
    return NULL;
}

Test(sse, concurrent_publishers_readers_churn_and_ticks_lose_nothing_for_live_streams, .timeout = 120)
{
    gw_stats_t stats;
    memset(&stats, 0, sizeof stats);
    sse_hub_t *hub = sse_hub_new(1000, 1 << 16, 100, &stats);
    cr_assert_not_null(hub);
    /* per agent: an unfiltered and a filtered long-lived stream */
    s_watch_t watches[2 * S_AGENTS];
    memset(watches, 0, sizeof watches);
    for (int k = 0; k < S_AGENTS; k++) {
        char agent[16];
        snprintf(agent, sizeof agent, "a%d", k);
        watches[2 * k].st = s_live(hub, agent, 0, NULL);
        watches[2 * k + 1].st = s_live(hub, agent, 0, "cpu.usage_percent");
    }
    atomic_bool stop = false, published = false;
    s_reader_arg_t readers[2] = {{watches, S_AGENTS, &published}, {watches + S_AGENTS, S_AGENTS, &published}};
    s_publisher_arg_t pubs[2] = {{hub, 0, S_AGENTS / 2}, {hub, S_AGENTS / 2, S_AGENTS / 2}};
    s_churn_arg_t churn[2] = {{hub, 1, &stop, 0, 0}, {hub, 2, &stop, 0, 0}};
    s_ticker_arg_t ticker = {hub, &stop, 0};
    pthread_t th_read[2], th_pub[2], th_churn[2], th_tick;
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(pthread_create(&th_read[i], NULL, s_reader_thread, &readers[i]), 0);
        cr_assert_eq(pthread_create(&th_churn[i], NULL, s_churn_thread, &churn[i]), 0);
    }
    cr_assert_eq(pthread_create(&th_tick, NULL, s_ticker_thread, &ticker), 0);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&th_pub[i], NULL, s_publisher_thread, &pubs[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th_pub[i], NULL);
    atomic_store(&published, true);
    for (int i = 0; i < 2; i++)
        pthread_join(th_read[i], NULL);
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(th_churn[i], NULL);
    pthread_join(th_tick, NULL);

    for (size_t i = 0; i < 2 * S_AGENTS; i++) {
        cr_assert_not(watches[i].bad, "stream %zu saw a gap, a repeat or garbage (last id %lld)", i,
                      (long long)watches[i].last_id);
        cr_assert_eq(watches[i].events, S_SAMPLES, "stream %zu", i);
    }
    int64_t added = churn[0].added + churn[1].added;
    cr_assert_gt(added, 0, "the churn threads ran");
    cr_assert_eq(churn[0].refused + churn[1].refused, 0);
    cr_assert_eq(sse_hub_count(hub), 2 * S_AGENTS, "every churned stream was removed");
    cr_assert_eq(stats_get(&stats, STAT_SSE_OPENED), (uint64_t)(2 * S_AGENTS + added));
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 0);
    cr_assert_geq(stats_get(&stats, STAT_SSE_EVENTS), (uint64_t)(2 * S_AGENTS * S_SAMPLES));
    for (size_t i = 0; i < 2 * S_AGENTS; i++)
        sse_hub_remove(hub, &watches[i].st);
    cr_assert_eq(sse_hub_count(hub), 0);
    sse_hub_destroy(&hub);
}

typedef struct {
    sse_hub_t *hub;
    s_watch_t *fast;
    _Atomic int64_t *fast_seen;
} s_paced_arg_t;

/* Publishes S_SAMPLES samples of a0, never more than 8 ahead of the fast
 * reader (which keeps it within its queue), none ahead of nothing for the
 * slow one. */
static void *s_paced_publisher(void *arg)
{
    s_paced_arg_t *a = arg;
    for (int64_t t = 1; t <= S_SAMPLES; t++) {
        while (atomic_load(a->fast_seen) < t - 8)
            sched_yield();
        s_publish(a->hub, "a0", t * 1000, 1000);
    }
    return NULL;
}

static void *s_fast_reader(void *arg)
{
    s_paced_arg_t *a = arg;
    while (a->fast->events < S_SAMPLES && !a->fast->bad) {
        if (!s_watch_read(a->fast))
            a->fast->bad = true;
        atomic_store(a->fast_seen, a->fast->events);
        sched_yield();
    }
    atomic_store(a->fast_seen, INT64_MAX); /* never leave the publisher waiting */
    return NULL;
}

Test(sse, under_threads_a_slow_stream_is_killed_while_the_fast_one_misses_nothing, .timeout = 120)
{
    gw_stats_t stats;
    memset(&stats, 0, sizeof stats);
    sse_hub_t *hub = sse_hub_new(10, 32, 60000, &stats);
    s_watch_t fast = {.st = s_live(hub, "a0", 0, NULL)};
    sse_stream_t *slow = s_live(hub, "a0", 0, NULL), *slow_filtered = s_live(hub, "a0", 0, "load");
    _Atomic int64_t seen = 0;
    s_paced_arg_t arg = {hub, &fast, &seen};
    pthread_t pub, rd;
    cr_assert_eq(pthread_create(&rd, NULL, s_fast_reader, &arg), 0);
    cr_assert_eq(pthread_create(&pub, NULL, s_paced_publisher, &arg), 0);
    pthread_join(pub, NULL);
    pthread_join(rd, NULL);
    cr_assert_not(fast.bad, "last id %lld", (long long)fast.last_id);
    cr_assert_eq(fast.events, S_SAMPLES);
    cr_assert_eq(stats_get(&stats, STAT_SSE_SLOW_DISCONNECTS), 2);
    char buf[16];
    cr_assert_eq(sse_stream_read(slow, buf, sizeof buf), MHD_CONTENT_READER_END_WITH_ERROR);
    cr_assert_eq(sse_stream_read(slow_filtered, buf, sizeof buf), MHD_CONTENT_READER_END_WITH_ERROR);
    cr_assert_eq(stats_get(&stats, STAT_SSE_EVENTS), (uint64_t)S_SAMPLES + 2 * 31);
    sse_hub_remove(hub, &fast.st);
    sse_hub_remove(hub, &slow);
    sse_hub_remove(hub, &slow_filtered);
    sse_hub_destroy(&hub);
}
