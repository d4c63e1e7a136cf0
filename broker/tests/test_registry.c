#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "registry.h"

static Nodelink__TaskResponse s_frame(uint64_t seq, uint64_t epoch)
{
    Nodelink__TaskResponse f = NODELINK__TASK_RESPONSE__INIT;
    f.has_sequence = true;
    f.sequence = seq;
    f.has_epoch = true;
    f.epoch = epoch;
    return f;
}

Test(registry, counts_gaps_between_sequence_numbers)
{
    registry_t *r = registry_new(10);
    agent_t *a = registry_touch(r, "a1");
    uint64_t missed;
    Nodelink__TaskResponse f = s_frame(1, 7);
    cr_assert_eq(registry_observe(a, &f, 1, &missed), SEQ_FIRST);
    f = s_frame(2, 7);
    cr_assert_eq(registry_observe(a, &f, 2, &missed), SEQ_NEXT);
    f = s_frame(6, 7);
    cr_assert_eq(registry_observe(a, &f, 3, &missed), SEQ_GAP);
    cr_assert_eq(missed, 3);
    cr_assert_eq(a->gaps, 3);
    cr_assert_eq(a->frames, 3);
    registry_destroy(&r);
    cr_assert_null(r);
}

Test(registry, treats_a_new_epoch_as_a_restart_not_a_gap)
{
    registry_t *r = registry_new(10);
    agent_t *a = registry_touch(r, "a1");
    uint64_t missed;
    Nodelink__TaskResponse f = s_frame(50, 7);
    registry_observe(a, &f, 1, &missed);
    f = s_frame(1, 8);
    cr_assert_eq(registry_observe(a, &f, 2, &missed), SEQ_RESET);
    cr_assert_eq(a->gaps, 0);
    f = s_frame(1, 8);
    cr_assert_eq(registry_observe(a, &f, 3, &missed), SEQ_REPLAY);
    cr_assert_eq(a->last_seq, 1);
    registry_destroy(&r);
}

Test(registry, finds_connected_agents_by_routing_id_only)
{
    registry_t *r = registry_new(10);
    agent_t *a = registry_touch(r, "a1");
    cr_assert_eq(registry_connect(r, a, "\x00\x01\x02", 3, 1000, 5), 0);
    cr_assert_eq(registry_find_peer(r, "\x00\x01\x02", 3), a);
    cr_assert_null(registry_find_peer(r, "\x00\x01\x03", 3));
    cr_assert_eq(registry_connected(r), 1);
    registry_disconnect(r, a, "goodbye");
    cr_assert_null(registry_find_peer(r, "\x00\x01\x02", 3));
    cr_assert_str_eq(a->reason, "goodbye");
    cr_assert_eq(registry_connected(r), 0);
    cr_assert_eq(registry_find(r, "a1"), a, "the record outlives the connection");
    registry_destroy(&r);
}

Test(registry, rejects_invalid_ids)
{
    registry_t *r = registry_new(10);
    cr_assert_null(registry_touch(r, "bad id"));
    cr_assert_null(registry_touch(r, ""));
    cr_assert_null(registry_touch(r, "metrics.a1:"));
    registry_destroy(&r);
}

Test(registry, evicts_the_oldest_disconnected_record_when_full_and_refuses_when_all_connected)
{
    registry_t *r = registry_new(2);
    agent_t *a = registry_touch(r, "a");
    agent_t *b = registry_touch(r, "b");
    a->last_seen_ms = 10;
    b->last_seen_ms = 20;
    cr_assert_not_null(registry_touch(r, "c"));
    cr_assert_null(registry_find(r, "a"), "oldest evicted");
    agent_t *c = registry_find(r, "c");
    registry_connect(r, c, "x", 1, 1, 1);
    b = registry_find(r, "b");
    registry_connect(r, b, "y", 1, 1, 1);
    cr_assert_null(registry_touch(r, "d"), "every record connected: refused");
    registry_destroy(&r);
}

Test(registry, fills_an_agent_status)
{
    registry_t *r = registry_new(10);
    agent_t *a = registry_touch(r, "web-01");
    registry_connect(r, a, "p", 1, 1234, 1);
    snprintf(a->version, sizeof a->version, "0.1.0");
    Nodelink__AgentStatus st = NODELINK__AGENT_STATUS__INIT;
    registry_status(a, &st);
    cr_assert_str_eq(st.agent_id, "web-01");
    cr_assert_eq(st.state, NODELINK__AGENT_STATUS__STATE__CONNECTED);
    cr_assert_eq(st.connected_since_ms, 1234);
    cr_assert_str_eq(st.version, "0.1.0");
    registry_disconnect(r, a, "missed 3 heartbeats");
    Nodelink__AgentStatus st2 = NODELINK__AGENT_STATUS__INIT;
    registry_status(a, &st2);
    cr_assert_eq(st2.state, NODELINK__AGENT_STATUS__STATE__DISCONNECTED);
    cr_assert_str_eq(st2.reason, "missed 3 heartbeats");
    registry_destroy(&r);
}
