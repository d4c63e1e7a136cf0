/*
 * mhd_errors.c - libmicrohttpd's own error answers get the gateway's JSON
 * error body.
 *
 * Why: some requests never reach the gateway's handler. A request line or
 * header set that overflows the connection memory
 * (http.connection_memory_limit; also many small headers, whose records
 * share that memory), a malformed request line, an unsupported HTTP version:
 * libmicrohttpd 0.9.75 answers those itself (414, 431, 400, 505, ...) with a
 * built-in HTML page, and offers no option or callback to change that body.
 * The gateway's own limits (http.max_uri_length, http.max_header_size,
 * checked in http.c) answer JSON, but only for requests that fit.
 *
 * How: libmicrohttpd queues those answers through its exported
 * MHD_queue_response(). This executable defines that function, so the
 * dynamic linker binds every call, the library's internal ones included, to
 * the definition below (ELF symbol interposition); it forwards to the
 * library's, found with dlsym(RTLD_NEXT). The gateway's own replies always
 * carry a Content-Type (http.c), so an error (status >= 400) without one is
 * libmicrohttpd's: it is replaced by errbody_response() with the same
 * status. Everything else passes through untouched.
 *
 * Limits: this relies on libmicrohttpd calling its exported symbol (true of
 * Debian's build: the calls go through its PLT). A build linked with
 * -Bsymbolic-functions, or a static libmicrohttpd, binds them internally and
 * the library's HTML body comes back; test_gateway_hostile.py checks the
 * JSON body of such requests and fails then. Not part of the core library,
 * so unit tests link libmicrohttpd unchanged.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>

#include "errbody.h"

typedef enum MHD_Result (*s_queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);

/* libmicrohttpd's MHD_queue_response. The one process-wide value of this
 * file: resolved on first use and never changed (a racing second lookup
 * stores the same address). */
static s_queue_fn s_real(void)
{
    static _Atomic(s_queue_fn) real;
    s_queue_fn fn = atomic_load_explicit(&real, memory_order_acquire);
    if (!fn) {
        fn = (s_queue_fn)dlsym(RTLD_NEXT, "MHD_queue_response");
        atomic_store_explicit(&real, fn, memory_order_release);
    }
    return fn;
}

static const char *s_reason(unsigned status)
{
    switch (status) {
    case MHD_HTTP_URI_TOO_LONG:
        return "request URI too long for this server (http.connection_memory_limit)";
    case MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE:
        return "request headers too large for this server (http.connection_memory_limit)";
    case MHD_HTTP_CONTENT_TOO_LARGE:
        return "request too large";
    case MHD_HTTP_BAD_REQUEST:
        return "malformed HTTP request";
    default:
        return MHD_get_reason_phrase_for(status);
    }
}

/* Declared by microhttpd.h; this definition takes precedence in the process. */
enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response)
{
    s_queue_fn real = s_real();
    if (!real)
        return MHD_NO;
    if (status_code < 400 || !response || MHD_get_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE))
        return real(connection, status_code, response);
    /* libmicrohttpd's own error: the caller still owns (and destroys)
     * response; ours is dropped here once queued (queueing takes a
     * reference). */
    struct MHD_Response *json = errbody_response(status_code, NULL, s_reason(status_code));
    if (!json)
        return real(connection, status_code, response);
    enum MHD_Result ret = real(connection, status_code, json);
    MHD_destroy_response(json);
    return ret;
}
