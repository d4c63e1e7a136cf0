/*
 * ctl.c - settings and connections of nodelinkctl. See ctl.h.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "curve.h"
#include "failure.h"
#include "wire.h"

#define CTL_MAX_SECONDS 253402300799LL /* 9999-12-31T23:59:59Z */

int ctl_parse_time(const char *text, bool end, int64_t *ms, char *err, size_t errlen)
{
    *ms = end ? INT64_MAX : 0;
    if (!text || !*text)
        return 0;
    size_t len = strlen(text), digits = strspn(text, "0123456789");
    bool in_ms = len == digits + 2 && strcmp(text + digits, "ms") == 0;
    int64_t v = 0;
    if (digits == 0 || digits > 15 || (len != digits && !in_ms)) {
        snprintf(err, errlen,
                 "'%.40s' is not a time: want Unix seconds (1700000000) or milliseconds "
                 "(1700000000000ms)",
                 text);
        return -1;
    }
    for (size_t i = 0; i < digits; i++)
        v = v * 10 + (text[i] - '0');
    if (!in_ms && v > CTL_MAX_SECONDS) {
        snprintf(err, errlen, "%.40s seconds is beyond year 9999; milliseconds take the unit: %.40sms", text,
                 text);
        return -1;
    }
    if (in_ms && v > CTL_MAX_SECONDS * 1000 + 999) {
        snprintf(err, errlen, "%.40s is beyond year 9999", text);
        return -1;
    }
    *ms = in_ms ? v : v * 1000 + (end ? 999 : 0);
    return 0;
}

static int s_check_time(const void *v, char *err, size_t len)
{
    int64_t ms;
    return ctl_parse_time(v, false, &ms, err, len);
}

static int s_check_format(const void *v, char *err, size_t len)
{
    if (strcmp(v, "csv") && strcmp(v, "jsonl")) {
        snprintf(err, len, "must be csv or jsonl");
        return -1;
    }
    return 0;
}

static int s_check_tier(const void *v, char *err, size_t len)
{
    if (strcmp(v, "raw") && strcmp(v, "1m") && strcmp(v, "1h")) {
        snprintf(err, len, "must be raw, 1m or 1h");
        return -1;
    }
    return 0;
}

#define C ctl_config_t
static const conf_option_t s_options[] = {
    CONF_OPT("broker.client_endpoint", CONF_STRING, C, client_endpoint, "tcp://127.0.0.1:5558",
             "The broker's clients ROUTER"),
    CONF_OPT("broker.subscribe_endpoint", CONF_STRING, C, subscribe_endpoint, "tcp://127.0.0.1:5556",
             "The broker's XPUB (for tail)"),
    CONF_OPT("security.curve", CONF_BOOL, C, curve, "false", "Connect with CURVE"),
    CONF_OPT("security.certificate", CONF_STRING, C, certificate, NULL,
             "This client's secret certificate (nodelink-keygen client NAME)"),
    CONF_OPT("security.broker_certificate", CONF_STRING, C, broker_certificate, NULL,
             "The broker's public certificate"),
    CONF_OPT_RANGE("timeout", CONF_DURATION, C, timeout_ms, "5s", 10, 3600000,
                   "How long to wait for an answer"),
    CONF_OPT("json", CONF_BOOL, C, json, "false", "Print JSON (one object per line) instead of text"),
    CONF_OPT_RANGE("count", CONF_INT, C, count, "0", 0, 1000000000,
                   "tail: stop after this many frames (0: until interrupted)"),
    CONF_OPT_RANGE("interval", CONF_DURATION, C, interval_ms, "0", 0, 3600000,
                   "start: sampling interval (100ms..1h; 0: keep the agent's)"),
    CONF_OPT("metrics", CONF_LIST, C, metrics, NULL, "start: metric selectors (empty: all)"),
    CONF_OPT("redis.url", CONF_STRING, C, redis_url, "redis://127.0.0.1:6379",
             "export: the store's Redis (redis://[:password@]host[:port][/db] or unix:///path)"),
    CONF_OPT_CHECK("format", CONF_STRING, C, format, "csv", s_check_format,
                   "export: csv (a header, one line per row) or jsonl (one JSON object per row)"),
    CONF_OPT_CHECK("from", CONF_STRING, C, from, "", s_check_time,
                   "export: the first time, Unix seconds or <n>ms (empty: the oldest stored)"),
    CONF_OPT_CHECK("to", CONF_STRING, C, to, "", s_check_time,
                   "export: the last time, inclusive, Unix seconds or <n>ms (empty: the newest stored)"),
    CONF_OPT_CHECK("tier", CONF_STRING, C, tier, "raw", s_check_tier,
                   "export: raw (every sample), 1m or 1h (rollups: \"avg min max count\")"),
};
#undef C

static const conf_schema_t s_schema = {
    "nodelinkctl",
    "operator CLI of nodelink (run 'nodelinkctl help' for the commands)",
    s_options,
    sizeof s_options / sizeof s_options[0],
};

const conf_schema_t *ctl_config_schema(void)
{
    return &s_schema;
}

static int s_secure(zsock_t *sock, const ctl_config_t *cfg, char *err, size_t errlen)
{
    if (!cfg->curve)
        return 0;
    return curve_client_apply(sock, cfg->certificate, cfg->broker_certificate, err, errlen);
}

zsock_t *ctl_connect_control(const ctl_config_t *cfg, char *err, size_t errlen)
{
    zsock_t *sock = zsock_new(ZMQ_DEALER);
    if (!sock) {
        snprintf(err, errlen, "cannot create a socket");
        return NULL;
    }
    zsock_set_linger(sock, 0);
    if (s_secure(sock, cfg, err, errlen) != 0 || zsock_connect(sock, "%s", cfg->client_endpoint) != 0) {
        if (!*err)
            snprintf(err, errlen, "broker.client_endpoint: invalid endpoint '%s'", cfg->client_endpoint);
        zsock_destroy(&sock);
    }
    return sock;
}

zsock_t *ctl_connect_subscriber(const ctl_config_t *cfg, const char *prefix, char *err, size_t errlen)
{
    zsock_t *sock = zsock_new(ZMQ_SUB);
    if (!sock) {
        snprintf(err, errlen, "cannot create a socket");
        return NULL;
    }
    zsock_set_linger(sock, 0);
    zsock_set_subscribe(sock, prefix);
    if (s_secure(sock, cfg, err, errlen) != 0 || zsock_connect(sock, "%s", cfg->subscribe_endpoint) != 0) {
        if (!*err)
            snprintf(err, errlen, "broker.subscribe_endpoint: invalid endpoint '%s'",
                     cfg->subscribe_endpoint);
        zsock_destroy(&sock);
    }
    return sock;
}

Nodelink__TaskResponse *ctl_call(zsock_t *dealer, const Nodelink__ControlMessage *msg, const char *task_id,
                                 int64_t timeout_ms)
{
    void *raw = zsock_resolve(dealer);
    if (wire_send_control(raw, msg, 0) != 0)
        return NULL;
    int64_t deadline = clock_mono_ms() + timeout_ms;
    for (int64_t left = timeout_ms; left > 0; left = deadline - clock_mono_ms()) {
        zmq_pollitem_t item = {raw, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, (long)left) <= 0)
            continue; /* EINTR or timeout: the loop re-checks the time left */
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, raw, 0) < 0) {
            zmq_msg_close(&frame);
            continue;
        }
        wire_err_t err;
        Nodelink__ControlMessage *reply =
            wire_decode_control(zmq_msg_data(&frame), zmq_msg_size(&frame), &err);
        zmq_msg_close(&frame);
        if (!reply)
            continue;
        Nodelink__TaskResponse *resp = NULL;
        if (reply->body_case == NODELINK__CONTROL_MESSAGE__BODY_TASK_RESPONSE &&
            reply->task_response->task_id && strcmp(reply->task_response->task_id, task_id) == 0) {
            resp = reply->task_response; /* steal it from the envelope */
            reply->task_response = NULL;
            reply->body_case = NODELINK__CONTROL_MESSAGE__BODY__NOT_SET;
        }
        wire_control_free(&reply);
        if (resp && (resp->is_final || resp->status != NODELINK__TASK_RESPONSE__STATUS__RUNNING))
            return resp;
        wire_response_free(&resp);
    }
    return NULL;
}

void ctl_task_id(char *buf, size_t size)
{
    snprintf(buf, size, "ctl-%d-%lld", (int)getpid(), (long long)(clock_mono_ns() % 1000000000000LL));
}

/* The exit statuses: one row each, with the failure codes that give it.
 * --help prints this table; a code in no row gives CTL_EXIT_FAILED. */
#define CTL_EXIT_CODES_MAX 2
typedef struct {
    int status;
    const char *meaning;
    Nodelink__FailureCode codes[CTL_EXIT_CODES_MAX];
    size_t n_codes;
} ctl_exit_t;

static const ctl_exit_t s_exits[] = {
    {CTL_EXIT_OK, "done", {0}, 0},
    {CTL_EXIT_FAILED,
     "the request failed otherwise (internal error, or a peer that gives no code)",
     {NODELINK__FAILURE_CODE__FAILURE_UNSPECIFIED, NODELINK__FAILURE_CODE__FAILURE_INTERNAL},
     2},
    {CTL_EXIT_USAGE, "usage or configuration error", {0}, 0},
    {CTL_EXIT_NOREPLY, "no answer from the broker within --timeout", {0}, 0},
    {CTL_EXIT_UNKNOWN_AGENT,
     "the broker has never seen that agent (export: the store holds no history of it)",
     {NODELINK__FAILURE_CODE__FAILURE_UNKNOWN_AGENT},
     1},
    {CTL_EXIT_UNREACHABLE,
     "the agent is not connected, or left before answering",
     {NODELINK__FAILURE_CODE__FAILURE_NOT_CONNECTED, NODELINK__FAILURE_CODE__FAILURE_DISCONNECTED},
     2},
    {CTL_EXIT_TIMEOUT,
     "the agent did not answer within --timeout",
     {NODELINK__FAILURE_CODE__FAILURE_TIMEOUT},
     1},
    {CTL_EXIT_BUSY,
     "a request with the same task id is in flight",
     {NODELINK__FAILURE_CODE__FAILURE_BUSY},
     1},
    {CTL_EXIT_INVALID,
     "the request is invalid (e.g. an interval out of range)",
     {NODELINK__FAILURE_CODE__FAILURE_INVALID_REQUEST},
     1},
    {CTL_EXIT_REFUSED,
     "the agent will not or cannot do this",
     {NODELINK__FAILURE_CODE__FAILURE_REFUSED, NODELINK__FAILURE_CODE__FAILURE_UNSUPPORTED},
     2},
    {CTL_EXIT_UNAVAILABLE,
     "out of memory or a limit, or not taking requests now: try again later",
     {NODELINK__FAILURE_CODE__FAILURE_RESOURCE_EXHAUSTED, NODELINK__FAILURE_CODE__FAILURE_UNAVAILABLE},
     2},
    {CTL_EXIT_STORE, "export: the store's Redis is unreachable, timed out or loading", {0}, 0},
};
#define CTL_N_EXITS (sizeof s_exits / sizeof s_exits[0])

int ctl_exit_of(Nodelink__FailureCode code)
{
    for (size_t i = 0; i < CTL_N_EXITS; i++)
        for (size_t k = 0; k < s_exits[i].n_codes; k++)
            if (s_exits[i].codes[k] == code)
                return s_exits[i].status;
    return CTL_EXIT_FAILED;
}

void ctl_print_exit_statuses(FILE *out)
{
    for (size_t i = 0; i < CTL_N_EXITS; i++) {
        const ctl_exit_t *e = &s_exits[i];
        fprintf(out, "  %2d  %s", e->status, e->meaning);
        for (size_t k = 0; k < e->n_codes; k++)
            fprintf(out, "%s%s", k ? ", " : " [", failure_name(e->codes[k]));
        fprintf(out, "%s\n", e->n_codes ? "]" : "");
    }
}

int ctl_status_of(const Nodelink__TaskResponse *resp, const char *what)
{
    if (!resp) {
        fprintf(stderr, "nodelinkctl: no answer from the broker (is it running? check "
                        "--broker.client_endpoint and --timeout)\n");
        return CTL_EXIT_NOREPLY;
    }
    if (resp->has_status && resp->status == NODELINK__TASK_RESPONSE__STATUS__FAILED) {
        Nodelink__FailureCode code = failure_of(resp);
        fprintf(stderr, "nodelinkctl: %s failed (%s): %s\n", what, failure_name(code),
                resp->error_message ? resp->error_message : "no reason given");
        return ctl_exit_of(code);
    }
    return CTL_EXIT_OK;
}
