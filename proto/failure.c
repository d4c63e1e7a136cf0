/*
 * failure.c - names of the failure codes. See failure.h.
 */
#include "failure.h"

#include <stddef.h>

/* Indexed by the code; one row per value of FailureCode. */
static const char *const s_names[] = {
    [NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED] = "unspecified",
    [NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT] = "unknown_agent",
    [NODELINK__FAILURE_CODE__FAILURE_NOT_CONNECTED] = "not_connected",
    [NODELINK__FAILURE_CODE__FAILURE_DISCONNECTED] = "disconnected",
    [NODELINK__FAILURE_CODE__FAILURE_TIMEOUT] = "timeout",
    [NODELINK__FAILURE_CODE__FAILURE_BUSY] = "busy",
    [NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST] = "invalid_request",
    [NODELINK__FAILURE_CODE__FAILURE_REFUSED] = "refused",
    [NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED] = "unsupported",
    [NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED] = "resource_exhausted",
    [NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE] = "unavailable",
    [NODELINK__FAILURE_CODE__FAILURE_INTERNAL] = "internal",
};

#define S_COUNT (sizeof s_names / sizeof s_names[0])

bool failure_known(int code)
{
    return code >= 0 && (size_t)code < S_COUNT && s_names[code];
}

const char *failure_name(Nodelink__FailureCode code)
{
    return failure_known((int)code) ? s_names[code] : s_names[0];
}

Nodelink__FailureCode failure_of(const Nodelink__TaskResponse *resp)
{
    if (!resp || !resp->has_failure || !failure_known((int)resp->failure))
        return NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED;
    return resp->failure;
}
