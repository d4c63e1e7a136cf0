/*
 * http.h - the HTTP server: libmicrohttpd set-up, request life cycle,
 * routing, auth/limits, and the reply helpers every route uses.
 *
 * A request goes through dispatch once its body is in:
 *   size limits (414, 431, 413) -> route match (404 / 405; OPTIONS is the
 *   CORS preflight) -> authentication (401) unless the route is public ->
 *   rate limit per token (429) -> agent scope (403) -> the route's handler.
 * Every route is also served under "/api" (the dashboard's base URL). A GET
 * that matches no route and is not under /api goes to the table's fallback
 * (the dashboard's files) when it has one.
 *
 * The server knows nothing of what its routes do: it is given a route table
 * (routes.c) and each request carries one route state, set by the handler,
 * that the server frees through the handler's function when the request
 * completes. A handler that must wait (for the broker) stores what it waits
 * on as its state, suspends the connection and is called again after the
 * resume with the same http_req_t, where it finds its state (see
 * route_control.c). A stream (SSE) keeps its stream as its state.
 *
 * Every error body is {"error": {"status": N, "message": "..."}} with a
 * "code" member when a failure code says why (errbody.h).
 */
#ifndef NODELINK_HTTP_H
#define NODELINK_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "blob.h"
#include "gateway.h"
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

typedef struct {
    const route_t *routes;
    size_t count;
    route_fn fallback; /* GET/HEAD outside /api matching no route; NULL: 404 */
} route_table_t;

/* Frees a route's state; called once, when the request completes. */
typedef void (*http_state_free_fn)(http_req_t *req, void *state);

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
    char allow[32]; /* methods of the matched path (405 Allow header) */
    /* private to http.c: the route's state (http_req_set_state) */
    void *state;
    http_state_free_fn state_free;
};

/* Gives the request the route's state: from here on the request owns it and
 * calls free_fn(req, state) once when it completes, whatever the outcome
 * (answered, error, client gone). A state already set is freed first. */
void http_req_set_state(http_req_t *req, void *state, http_state_free_fn free_fn);

/* The state set with free_fn, or NULL when there is none or it was set with
 * another function: the free function doubles as the state's type. */
void *http_req_state(const http_req_t *req, http_state_free_fn free_fn);

typedef struct http_server_t http_server_t;

/* Starts listening on cfg->listen, serving table (borrowed: it must outlive
 * the server). NULL with a reason in err. */
http_server_t *http_server_new(gateway_t *gw, const route_table_t *table, char *err, size_t errlen);
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

/* Same with a Retry-After header (429, 503). */
enum MHD_Result http_error_retry(http_req_t *req, unsigned status, int64_t retry_after_s, const char *fmt,
                                 ...) __attribute__((format(printf, 4, 5)));

/* Same with the body's "code" (a failure_name(); NULL for none) and a
 * Retry-After header when retry_after_s > 0. */
enum MHD_Result http_error_coded(http_req_t *req, unsigned status, const char *code, int64_t retry_after_s,
                                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

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

#endif
