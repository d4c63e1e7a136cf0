/*
 * http.h - the HTTP server: libmicrohttpd set-up, request life cycle,
 * routing, auth/limits, and the reply helpers every route uses.
 *
 * A request goes through s_dispatch once its body is in:
 *   size limits (414, 431, 413) -> route match (404 / 405; OPTIONS is the
 *   CORS preflight) -> authentication (401) unless the route is public ->
 *   rate limit per token (429) -> agent scope (403) -> the route's handler.
 * Every route is also served under "/api" (the dashboard's base URL).
 *
 * Handlers answer with one http_reply* call. A handler that must wait (for
 * the broker) suspends the connection and is called again after the resume
 * with the same http_req_t (see control.h). Every error body is
 * {"error": {"status": N, "message": "..."}}.
 */
#ifndef NODELINK_HTTP_H
#define NODELINK_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "blob.h"
#include "control.h"
#include "gateway.h"
#include "sse.h"
#include "topic.h"

typedef struct http_req_t http_req_t;
typedef enum MHD_Result (*route_fn)(http_req_t *req);

enum {
    ROUTE_PUBLIC = 1u << 0,      /* no token, no rate limit (probes) */
    ROUTE_QUERY_TOKEN = 1u << 1, /* ?token= accepted (EventSource cannot set headers) */
};

typedef struct {
    const char *method;  /* "GET", "POST" */
    const char *pattern; /* "/agents/{id}/metrics": {id} is one agent id segment */
    route_fn fn;
    unsigned flags;
} route_t;

/* The route table (routes.c); docs/openapi.yaml documents each entry. */
extern const route_t routes[];
extern const size_t routes_count;

struct http_req_t {
    gateway_t *gw;
    struct MHD_Connection *conn;
    const route_t *route;
    const char *method;
    const char *path;                /* without the /api prefix */
    char agent_id[TOPIC_ID_MAX + 1]; /* {id} of the route, "" when none */
    const auth_token_t *token;       /* NULL when auth is disabled */
    char *body;                      /* NUL-terminated request body */
    size_t body_len;
    bool body_too_large;
    bool dispatched;
    char allow[32];         /* methods of the matched path (405 Allow header) */
    control_req_t *control; /* pending broker request (route_stream, route_system) */
    sse_stream_t *stream;   /* open SSE stream */
};

typedef struct http_server_t http_server_t;

/* Starts listening on cfg->listen. NULL with a reason in err. */
http_server_t *http_server_new(gateway_t *gw, char *err, size_t errlen);
void http_server_destroy(http_server_t **self);

/* Queues r with status (adding CORS headers), destroys r. */
enum MHD_Result http_reply(http_req_t *req, unsigned status, struct MHD_Response *r);

/* JSON body (steals body). */
enum MHD_Result http_reply_json(http_req_t *req, unsigned status, json_t *body);

/* Sends b's bytes (a reference is taken for the response's lifetime). */
enum MHD_Result http_reply_blob(http_req_t *req, unsigned status, blob_t *b, const char *ctype);

/* Error with the JSON error body; message printf-style. */
enum MHD_Result http_error(http_req_t *req, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A new response with the JSON error body (Content-Type application/json,
 * Cache-Control no-store), or NULL. For answers made outside a request's
 * handler (mhd_errors.c); handlers use http_error. */
struct MHD_Response *http_error_response(unsigned status, const char *message);

/* Same with a Retry-After header (429, 503). */
enum MHD_Result http_error_retry(http_req_t *req, unsigned status, int64_t retry_after_s, const char *fmt,
                                 ...) __attribute__((format(printf, 4, 5)));

/* Query argument or NULL. */
const char *http_arg(http_req_t *req, const char *name);

/* Parses query argument name as a decimal integer in [min, max]. Returns 1
 * when present and valid, 0 when absent, -1 when invalid (and has already
 * answered 400 through *result). */
int http_arg_int(http_req_t *req, const char *name, int64_t min, int64_t max, int64_t *out,
                 enum MHD_Result *result);

/* Parses a boolean argument (true/false/1/0/yes/no); 1, 0 absent, -1 invalid
 * (400 answered). */
int http_arg_bool(http_req_t *req, const char *name, bool *out, enum MHD_Result *result);

/* Serves a file of cfg->static_dir (static.c). */
enum MHD_Result static_serve(http_req_t *req);

#endif
