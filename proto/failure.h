/*
 * failure.h - names of the failure codes (nodelink.proto, FailureCode).
 *
 * A failed task carries a code for programs and an error_message for
 * people. The name is the code's stable spelling outside protobuf: the
 * "code" of the gateway's JSON error body, nodelinkctl's output, logs.
 * Names never change once published (clients match on them).
 */
#ifndef NODELINK_FAILURE_H
#define NODELINK_FAILURE_H

#include <stdbool.h>

#include "nodelink.pb-c.h"

/* "timeout", "not_connected", ...; "unspecified" for FAILURE_UNSPECIFIED and
 * for values this build does not know (a newer peer). Never NULL. */
const char *failure_name(Nodelink__FailureCode code);

/* True for the values this build knows (FAILURE_UNSPECIFIED included). */
bool failure_known(int code);

/* The failure of a FAILED response: its code when present and known, else
 * FAILURE_UNSPECIFIED. */
Nodelink__FailureCode failure_of(const Nodelink__TaskResponse *resp);

#endif
