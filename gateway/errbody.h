/*
 * errbody.h - the gateway's error body, one shape for every error answer:
 *
 *     {"error": {"status": 503, "code": "disconnected", "message": "..."}}
 *
 * "status" repeats the HTTP status; "code" is present when a failure code
 * says why (control requests, failure.h), for programs to act on; "message"
 * is for people. Used by the request handlers (through http_error) and for
 * the answers libmicrohttpd makes itself (mhd_errors.c).
 */
#ifndef NODELINK_ERRBODY_H
#define NODELINK_ERRBODY_H

#include <microhttpd.h>

/* A new response with the body above (Content-Type application/json,
 * Cache-Control no-store), or NULL. code may be NULL (no "code" member). A
 * message that is not UTF-8 (echoed input) is replaced by "invalid request". */
struct MHD_Response *errbody_response(unsigned status, const char *code, const char *message);

#endif
