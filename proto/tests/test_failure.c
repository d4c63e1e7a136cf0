#include <criterion/criterion.h>
#include <string.h>

#include "failure.h"

Test(failure, every_code_of_the_proto_has_a_distinct_name)
{
    const ProtobufCEnumDescriptor *d = &nodelink__failure_code__descriptor;
    for (unsigned i = 0; i < d->n_values; i++) {
        int v = d->values[i].value;
        cr_assert(failure_known(v), "code %d (%s) has no name", v, d->values[i].name);
        for (unsigned j = 0; j < i; j++)
            cr_assert_str_neq(failure_name(d->values[i].value), failure_name(d->values[j].value));
    }
}

Test(failure, names_are_the_proto_names_without_prefix_in_lower_case)
{
    const ProtobufCEnumDescriptor *d = &nodelink__failure_code__descriptor;
    for (unsigned i = 0; i < d->n_values; i++) {
        const char *proto = d->values[i].name; /* "FAILURE_TIMEOUT" */
        cr_assert(strncmp(proto, "FAILURE_", 8) == 0);
        char want[64];
        size_t n = 0;
        for (const char *p = proto + 8; *p && n < sizeof want - 1; p++)
            want[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        want[n] = '\0';
        cr_assert_str_eq(failure_name(d->values[i].value), want);
    }
}

Test(failure, an_unknown_code_from_a_newer_peer_reads_as_unspecified)
{
    cr_assert_not(failure_known(9999));
    cr_assert_not(failure_known(-1));
    cr_assert_str_eq(failure_name((Nodelink__FailureCode)9999), "unspecified");
    Nodelink__TaskResponse r = NODELINK__TASK_RESPONSE__INIT;
    r.has_failure = true;
    r.failure = (Nodelink__FailureCode)9999;
    cr_assert_eq(failure_of(&r), NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED);
    r.failure = NODELINK__FAILURE_CODE__FAILURE_BUSY;
    cr_assert_eq(failure_of(&r), NODELINK__FAILURE_CODE__FAILURE_BUSY);
    r.has_failure = false;
    cr_assert_eq(failure_of(&r), NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED);
    cr_assert_eq(failure_of(NULL), NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED);
}
