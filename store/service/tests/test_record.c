#include <criterion/criterion.h>
#include <string.h>

#include "ledger.h"
#include "record.h"

static record_t *s_sample(uint64_t seq, double cpu, uint64_t used)
{
    Nodelink__CpuMetrics c = NODELINK__CPU_METRICS__INIT;
    c.has_usage_percent = 1;
    c.usage_percent = cpu;
    Nodelink__MemoryMetrics m = NODELINK__MEMORY_METRICS__INIT;
    m.has_used_bytes = 1;
    m.used_bytes = used;
    Nodelink__MetricsDataResponse d = NODELINK__METRICS_DATA_RESPONSE__INIT;
    d.has_timestamp = 1;
    d.timestamp = 1690538400000ULL + seq * 5000;
    d.cpu = &c;
    d.memory = &m;
    Nodelink__TaskResponse msg = NODELINK__TASK_RESPONSE__INIT;
    msg.has_sequence = 1;
    msg.sequence = seq;
    msg.has_epoch = 1;
    msg.epoch = 42;
    return record_from_metrics("a1", &msg, &d, 2);
}

Test(record, encodes_fields_by_metric_name_in_the_lean_form)
{
    record_t *r = s_sample(1, 25.4567, 12884901888ULL);
    cr_assert_not_null(r);
    cr_assert_eq(r->n_fields, 2);
    cr_assert_eq(r->ts_ms, 1690538405000LL);
    const char *name, *value;
    size_t pos = record_field_next(r, 0, &name, &value);
    cr_assert_str_eq(name, "cpu.usage_percent");
    cr_assert_str_eq(value, "25.46");
    pos = record_field_next(r, pos, &name, &value);
    cr_assert_str_eq(name, "memory.used_bytes");
    cr_assert_str_eq(value, "12884901888");
    cr_assert_eq(record_field_next(r, pos, &name, &value), 0);
    record_destroy(&r);
    cr_assert_null(r);
}

Test(record, queue_drops_the_oldest_records_beyond_its_bound)
{
    record_t *one = s_sample(1, 1, 1);
    size_t cost = record_cost(one);
    record_queue_t q;
    record_queue_init(&q, cost * 3);
    size_t dropped = record_queue_push(&q, &one);
    for (uint64_t s = 2; s <= 5; s++) {
        record_t *r = s_sample(s, 1, 1);
        dropped += record_queue_push(&q, &r);
    }
    cr_assert_eq(dropped, 2);
    cr_assert_eq(q.count, 3);
    cr_assert_eq(q.head->seq, 3, "the oldest went first");
    cr_assert_eq(q.tail->seq, 5);
    record_queue_pop(&q, 2);
    cr_assert_eq(q.count, 1);
    record_queue_clear(&q);
    cr_assert_eq(q.bytes, 0);
    cr_assert_null(q.head);
}

Test(record, queue_never_drops_records_being_written)
{
    record_t *one = s_sample(1, 1, 1);
    record_queue_t q;
    record_queue_init(&q, record_cost(one) * 3);
    record_queue_push(&q, &one);
    for (uint64_t s = 2; s <= 3; s++) {
        record_t *r = s_sample(s, 1, 1);
        record_queue_push(&q, &r);
    }
    q.pinned = 2; /* records 1 and 2 are in flight */
    size_t dropped = 0;
    for (uint64_t s = 4; s <= 6; s++) {
        record_t *r = s_sample(s, 1, 1);
        dropped += record_queue_push(&q, &r);
    }
    cr_assert_eq(dropped, 3);
    cr_assert_eq(q.count, 3);
    cr_assert_eq(q.head->seq, 1);
    cr_assert_eq(q.head->next->seq, 2);
    cr_assert_eq(q.tail->seq, 6, "the oldest unpinned records went");
    record_queue_pop(&q, 2);
    cr_assert_eq(q.pinned, 0);
    cr_assert_eq(q.head->seq, 6);
    record_queue_clear(&q);
}

Test(agents, counts_gaps_and_refuses_duplicates_per_epoch)
{
    ledger_t *all = ledger_new();
    ledger_agent_t *a = ledger_get(all, "a1");
    cr_assert(ledger_receive(a, true, 7, 10), "first frame seen mid-stream is not a gap");
    cr_assert(ledger_receive(a, true, 7, 11));
    cr_assert(ledger_receive(a, true, 7, 14));
    cr_assert_eq(a->gaps, 2);
    cr_assert_not(ledger_receive(a, true, 7, 11), "a replay is a duplicate");
    cr_assert_not(ledger_receive(a, true, 7, 14));
    cr_assert(ledger_receive(a, true, 8, 1), "a new epoch restarts the count");
    cr_assert_not(ledger_receive(a, true, 7, 12), "the previous epoch is remembered");
    cr_assert_eq(a->duplicates, 3);
    cr_assert_eq(a->gaps, 2);
    cr_assert(ledger_receive(a, false, 0, 0), "frames without sequence pass");
    cr_assert_eq(ledger_get(all, "a1"), a);
    ledger_destroy(&all);
}

Test(agents, rollup_buffer_aggregates_values_by_name)
{
    rollbuf_t b = {.width_ms = 60000, .open_start = -1};
    cr_assert_eq(rollbuf_add(&b, 0, "cpu.usage_percent", 10), 0);
    cr_assert_eq(rollbuf_add(&b, 1, "load.load1", 1), 0);
    cr_assert_eq(rollbuf_add(&b, 0, "load.load1", 3), 0, "a wrong hint still finds the name");
    cr_assert_eq(rollbuf_add(&b, 0, "cpu.usage_percent", 20), 0);
    cr_assert_eq(b.n, 2);
    cr_assert_float_eq(rollup_agg_avg(&b.aggs[0]), 15, 1e-12);
    cr_assert_float_eq(rollup_agg_avg(&b.aggs[1]), 2, 1e-12);
    rollbuf_reset(&b);
    cr_assert_eq(b.n, 0);
    cr_assert_eq(rollbuf_add(&b, 0, "load.load1", 5), 0);
    cr_assert_str_eq(b.names[0], "load.load1");
    cr_assert_eq(b.aggs[0].count, 1);
    for (size_t i = 0; i < b.cap; i++)
        free(b.names[i]);
    free(b.names);
    free(b.aggs);
}
