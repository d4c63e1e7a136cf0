/*
 * admit_task: which failure code a task request gets before it is forwarded.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "admit.h"

typedef struct {
    registry_t *registry;
    pending_t *pending;
    agent_t *agent;
    Nodelink__FailureCode code;
    char reason[200];
} rig_t;

static rig_t s_rig(void)
{
    rig_t r = {registry_new(10), pending_new(), NULL, NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED, ""};
    cr_assert_not_null(r.registry);
    cr_assert_not_null(r.pending);
    agent_t *on = registry_touch(r.registry, "on");
    cr_assert_eq(registry_connect(r.registry, on, "rid-on", 6, 1000, 1000), 0);
    agent_t *off = registry_touch(r.registry, "off");
    cr_assert_eq(registry_connect(r.registry, off, "rid-off", 7, 1000, 1000), 0);
    registry_disconnect(r.registry, off, "missed 3 heartbeats");
    registry_touch(r.registry, "publisher"); /* frames seen, never said hello */
    return r;
}

static void s_free(rig_t *r)
{
    pending_destroy(&r->pending);
    registry_destroy(&r->registry);
}

/* The code admit_task gives, or -1 when it admits the request. */
static int s_admit(rig_t *r, const char *agent_id, const char *task_id)
{
    r->reason[0] = '\0';
    if (admit_task(r->registry, r->pending, agent_id, task_id, &r->agent, &r->code, r->reason,
                   sizeof r->reason)) {
        cr_assert_not_null(r->agent);
        return -1;
    }
    cr_assert_null(r->agent);
    cr_assert(r->reason[0], "every failure has a reason for people");
    return (int)r->code;
}

Test(admit, forwards_a_request_for_a_connected_agent)
{
    rig_t r = s_rig();
    cr_assert_eq(s_admit(&r, "on", "t1"), -1);
    cr_assert_str_eq(r.agent->id, "on");
    s_free(&r);
}

Test(admit, calls_an_invalid_task_id_an_invalid_request_before_looking_at_the_agent)
{
    rig_t r = s_rig();
    cr_assert_eq(s_admit(&r, "on", "bad id"), NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    cr_assert_eq(s_admit(&r, "nobody", NULL), NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    cr_assert_eq(s_admit(&r, "on", ""), NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST);
    cr_assert(strstr(r.reason, "task id"), "%s", r.reason);
    s_free(&r);
}

Test(admit, calls_an_id_never_seen_or_invalid_an_unknown_agent)
{
    rig_t r = s_rig();
    cr_assert_eq(s_admit(&r, "nobody", "t1"), NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT);
    cr_assert(strstr(r.reason, "'nobody'"), "%s", r.reason);
    cr_assert_eq(s_admit(&r, "a/b", "t1"), NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT);
    cr_assert_eq(s_admit(&r, NULL, "t1"), NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT);
    s_free(&r);
}

Test(admit, calls_a_known_agent_without_a_connection_not_connected_and_says_why)
{
    rig_t r = s_rig();
    cr_assert_eq(s_admit(&r, "off", "t1"), NODELINK__FAILURE_CODE__FAILURE_NOT_CONNECTED);
    cr_assert_str_eq(r.reason, "agent 'off' is not connected (missed 3 heartbeats)");
    cr_assert_eq(s_admit(&r, "publisher", "t1"), NODELINK__FAILURE_CODE__FAILURE_NOT_CONNECTED,
                 "an agent whose frames were seen is known even before its hello");
    cr_assert_str_eq(r.reason, "agent 'publisher' is not connected");
    s_free(&r);
}

Test(admit, calls_the_same_agent_and_task_id_in_flight_busy_but_not_for_another_agent)
{
    rig_t r = s_rig();
    cr_assert_eq(pending_add(r.pending, "on", "t1", "c", 1, 100), 0);
    cr_assert_eq(s_admit(&r, "on", "t1"), NODELINK__FAILURE_CODE__FAILURE_BUSY);
    cr_assert(strstr(r.reason, "already in flight"), "%s", r.reason);
    cr_assert_eq(s_admit(&r, "on", "t2"), -1);
    agent_t *other = registry_touch(r.registry, "other");
    registry_connect(r.registry, other, "rid-other", 9, 1000, 1000);
    cr_assert_eq(s_admit(&r, "other", "t1"), -1);
    cr_assert_eq(pending_size(r.pending), 1, "a decision only: nothing added");
    s_free(&r);
}
