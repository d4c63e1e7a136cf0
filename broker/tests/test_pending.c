#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pending.h"

static int s_calls;
static char s_last[TOPIC_ID_MAX + 1];

static void s_record(void *ctx, const pending_task_t *t)
{
    (void)ctx;
    s_calls++;
    snprintf(s_last, sizeof s_last, "%s", t->task_id);
}

Test(pending, refuses_the_same_agent_and_task_twice_but_not_for_another_agent)
{
    pending_t *p = pending_new();
    cr_assert_eq(pending_add(p, "a1", "t1", "c", 1, 100), 0);
    cr_assert_eq(pending_add(p, "a1", "t1", "d", 1, 100), -1);
    cr_assert_eq(pending_add(p, "a2", "t1", "d", 1, 100), 0);
    cr_assert_eq(pending_size(p), 2);
    pending_task_t *t = pending_find(p, "a2", "t1");
    cr_assert_not_null(t);
    cr_assert_eq(t->client[0], 'd');
    pending_remove(p, t);
    cr_assert_null(pending_find(p, "a2", "t1"));
    pending_destroy(&p);
    cr_assert_null(p);
}

Test(pending, rejects_invalid_ids)
{
    pending_t *p = pending_new();
    cr_assert_eq(pending_add(p, "a1", "", "c", 1, 100), -1);
    cr_assert_eq(pending_add(p, "a/1", "t", "c", 1, 100), -1);
    cr_assert_eq(pending_add(p, "a1", "t", "", 0, 100), -1);
    pending_destroy(&p);
}

Test(pending, takes_only_expired_tasks)
{
    pending_t *p = pending_new();
    pending_add(p, "a1", "early", "c", 1, 100);
    pending_add(p, "a1", "late", "c", 1, 500);
    s_calls = 0;
    cr_assert_eq(pending_take_expired(p, 200, s_record, NULL), 1);
    cr_assert_eq(s_calls, 1);
    cr_assert_str_eq(s_last, "early");
    cr_assert_not_null(pending_find(p, "a1", "late"));
    pending_destroy(&p);
}

Test(pending, takes_every_task_of_a_disconnected_agent)
{
    pending_t *p = pending_new();
    pending_add(p, "a1", "x", "c", 1, 100);
    pending_add(p, "a1", "y", "c", 1, 100);
    pending_add(p, "a2", "z", "c", 1, 100);
    s_calls = 0;
    cr_assert_eq(pending_take_agent(p, "a1", s_record, NULL), 2);
    cr_assert_eq(pending_size(p), 1);
    pending_destroy(&p);
}
