/*
 * ctl.h - what nodelinkctl's commands share: its settings, the control
 * connection to the broker's clients ROUTER, a subscription to the backend,
 * and its exit statuses (documented in docs/nodelinkctl.md; scripts rely on
 * them, so never renumber):
 *
 *   CTL_EXIT_OK             0  done
 *   CTL_EXIT_FAILED         1  the broker or agent answered FAILED for another
 *                              reason: unspecified (a peer older than failure
 *                              codes), internal, or a code this build does
 *                              not know
 *   CTL_EXIT_USAGE          2  bad command line or configuration
 *   CTL_EXIT_NOREPLY        3  no answer from the broker within --timeout
 *   CTL_EXIT_UNKNOWN_AGENT  4  unknown_agent: the broker has never seen the id
 *   CTL_EXIT_UNREACHABLE    5  not_connected, disconnected: the agent is not
 *                              connected, or left before answering
 *   CTL_EXIT_TIMEOUT        6  timeout: the agent did not answer in time
 *   CTL_EXIT_BUSY           7  busy: a request with the same task id is in
 *                              flight
 *   CTL_EXIT_INVALID        8  invalid_request: the request is malformed or
 *                              out of range
 *   CTL_EXIT_REFUSED        9  refused, unsupported: the agent will not or
 *                              cannot do this
 *   CTL_EXIT_UNAVAILABLE   10  resource_exhausted, unavailable: memory or a
 *                              limit ran out, or no requests taken now; try
 *                              again later
 *   CTL_EXIT_STORE         11  export: the store's Redis is unreachable, timed
 *                              out or still loading (--redis.url)
 *
 * Statuses 4-10 follow TaskResponse.failure (proto/nodelink.proto); the
 * mapping is the one table s_exits in ctl.c. export (export.h) reads the
 * store's Redis instead of asking the broker: an agent the store has no
 * history of exits 4, an unreachable Redis 11, a stored span it cannot
 * decode 1.
 */
#ifndef NODELINK_CTL_H
#define NODELINK_CTL_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "nodelink.pb-c.h"

enum {
    CTL_EXIT_OK = 0,
    CTL_EXIT_FAILED = 1,
    CTL_EXIT_USAGE = 2,
    CTL_EXIT_NOREPLY = 3,
    CTL_EXIT_UNKNOWN_AGENT = 4,
    CTL_EXIT_UNREACHABLE = 5,
    CTL_EXIT_TIMEOUT = 6,
    CTL_EXIT_BUSY = 7,
    CTL_EXIT_INVALID = 8,
    CTL_EXIT_REFUSED = 9,
    CTL_EXIT_UNAVAILABLE = 10,
    CTL_EXIT_STORE = 11,
};

typedef struct {
    char *client_endpoint;
    char *subscribe_endpoint;
    bool curve;
    char *certificate;
    char *broker_certificate;
    int64_t timeout_ms;
    bool json;
    int64_t count;       /* tail: frames before exiting (0 = until Ctrl-C) */
    int64_t interval_ms; /* start: sampling interval (0 = agent's current) */
    conf_list_t metrics; /* start: metric selectors */
    char *redis_url;     /* export: the store's Redis */
    char *format;        /* export: "csv" or "jsonl" */
    char *from, *to;     /* export: time bounds (ctl_parse_time), "" for none */
    char *tier;          /* export: "raw", "1m" or "1h" */
} ctl_config_t;

const conf_schema_t *ctl_config_schema(void);

/* Parses a time bound of export: Unix seconds ("1700000000") or
 * milliseconds with the unit ("1700000000000ms"), into *ms; "" is no bound
 * (*ms = 0, or INT64_MAX for an end). A bound in seconds that ends a range
 * (end true) covers its whole second. 0, or -1 with the reason in err
 * (a plain number beyond year 9999 is taken for milliseconds without the
 * unit and refused). */
int ctl_parse_time(const char *text, bool end, int64_t *ms, char *err, size_t errlen);

/* A DEALER connected to the clients ROUTER (CURVE applied if configured).
 * NULL with a reason in err. */
zsock_t *ctl_connect_control(const ctl_config_t *cfg, char *err, size_t errlen);

/* A SUB connected to the backend, subscribed to prefix. NULL with err. */
zsock_t *ctl_connect_subscriber(const ctl_config_t *cfg, const char *prefix, char *err, size_t errlen);

/* Sends msg and waits for the final TaskResponse whose task_id is task_id.
 * Returns it (caller frees with wire_response_free) or NULL after the
 * timeout. */
Nodelink__TaskResponse *ctl_call(zsock_t *dealer, const Nodelink__ControlMessage *msg, const char *task_id,
                                 int64_t timeout_ms);

/* A fresh task id for this process ("ctl-<pid>-<n>"), in buf. */
void ctl_task_id(char *buf, size_t size);

/* The exit status of a FAILED response with this failure code: 4-10 by the
 * code, CTL_EXIT_FAILED for FAILURE_UNSPECIFIED, FAILURE_INTERNAL and codes
 * this build does not know. */
int ctl_exit_of(Nodelink__FailureCode code);

/* Prints the exit statuses, one per line, for --help. */
void ctl_print_exit_statuses(FILE *out);

/* Prints a FAILED response's failure name and reason to stderr and returns
 * the exit status for resp (OK; ctl_exit_of(failure) when FAILED; NOREPLY
 * for NULL). */
int ctl_status_of(const Nodelink__TaskResponse *resp, const char *what);

#endif
