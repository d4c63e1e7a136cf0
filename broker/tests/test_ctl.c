/*
 * nodelinkctl's exit statuses: one per kind of failure code, documented by
 * the same table that maps them.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "failure.h"

/* The documented mapping (ctl.h, docs/nodelinkctl.md), by code. */
static const int s_expected[] = {
    [NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED] = 1,
    [NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT] = 4,
    [NODELINK__FAILURE_CODE__FAILURE_NOT_CONNECTED] = 5,
    [NODELINK__FAILURE_CODE__FAILURE_DISCONNECTED] = 5,
    [NODELINK__FAILURE_CODE__FAILURE_TIMEOUT] = 6,
    [NODELINK__FAILURE_CODE__FAILURE_BUSY] = 7,
    [NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST] = 8,
    [NODELINK__FAILURE_CODE__FAILURE_REFUSED] = 9,
    [NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED] = 9,
    [NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED] = 10,
    [NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE] = 10,
    [NODELINK__FAILURE_CODE__FAILURE_INTERNAL] = 1,
};
#define N_EXPECTED (sizeof s_expected / sizeof s_expected[0])

Test(ctl, keeps_the_first_four_exit_statuses_as_they_were)
{
    cr_assert_eq(CTL_EXIT_OK, 0);
    cr_assert_eq(CTL_EXIT_FAILED, 1);
    cr_assert_eq(CTL_EXIT_USAGE, 2);
    cr_assert_eq(CTL_EXIT_NOREPLY, 3);
}

Test(ctl, gives_each_failure_code_its_documented_exit_status)
{
    for (int c = 0; c < (int)N_EXPECTED; c++)
        cr_assert_eq(ctl_exit_of((Nodelink__FailureCode)c), s_expected[c], "code %d (%s)", c,
                     failure_name((Nodelink__FailureCode)c));
}

Test(ctl, has_a_decided_exit_status_for_every_code_this_build_knows)
{
    int known = 0;
    while (failure_known(known))
        known++;
    cr_assert_eq(known, (int)N_EXPECTED, "a new FailureCode needs a row in s_exits and in this test");
}

Test(ctl, exits_1_for_a_code_from_a_newer_peer)
{
    cr_assert_eq(ctl_exit_of((Nodelink__FailureCode)99), CTL_EXIT_FAILED);
}

Test(ctl, help_lists_every_status_and_names_every_code_once)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert_not_null(out);
    ctl_print_exit_statuses(out);
    fclose(out);
    for (int status = 0; status <= CTL_EXIT_UNAVAILABLE; status++) {
        char row[16];
        snprintf(row, sizeof row, "  %2d  ", status);
        cr_assert(strstr(text, row), "status %d in:\n%s", status, text);
    }
    for (int c = 0; failure_known(c); c++) {
        const char *name = failure_name((Nodelink__FailureCode)c);
        char *at = strstr(text, name);
        cr_assert(at, "%s in:\n%s", name, text);
        /* "unavailable" also ends "...": look for the name as a whole word */
        int whole = 0;
        for (char *p = text; (p = strstr(p, name)) != NULL; p += strlen(name))
            whole += (p[-1] == '[' || p[-1] == ' ') && (p[strlen(name)] == ',' || p[strlen(name)] == ']');
        cr_assert_eq(whole, 1, "%s listed once in:\n%s", name, text);
    }
    free(text);
}

Test(ctl, prints_the_failure_name_and_the_reason_and_exits_by_the_code, .init = cr_redirect_stderr)
{
    Nodelink__TaskResponse r = NODELINK__TASK_RESPONSE__INIT;
    r.has_status = true;
    r.status = NODELINK__TASK_RESPONSE__STATUS__FAILED;
    r.error_message = "agent 'x' did not answer in time";
    r.has_failure = true;
    r.failure = NODELINK__FAILURE_CODE__FAILURE_TIMEOUT;
    cr_assert_eq(ctl_status_of(&r, "request"), CTL_EXIT_TIMEOUT);
    r.has_failure = false; /* a peer older than the codes */
    r.error_message = NULL;
    cr_assert_eq(ctl_status_of(&r, "request"), CTL_EXIT_FAILED);
    fflush(stderr);
    cr_assert_stderr_eq_str("nodelinkctl: request failed (timeout): agent 'x' did not answer in time\n"
                            "nodelinkctl: request failed (unspecified): no reason given\n");
}

Test(ctl, exits_0_for_a_completed_answer_and_3_for_none, .init = cr_redirect_stderr)
{
    Nodelink__TaskResponse r = NODELINK__TASK_RESPONSE__INIT;
    r.has_status = true;
    r.status = NODELINK__TASK_RESPONSE__STATUS__COMPLETED;
    r.has_failure = true; /* ignored unless FAILED */
    r.failure = NODELINK__FAILURE_CODE__FAILURE_BUSY;
    cr_assert_eq(ctl_status_of(&r, "request"), CTL_EXIT_OK);
    cr_assert_eq(ctl_status_of(NULL, "request"), CTL_EXIT_NOREPLY);
}
