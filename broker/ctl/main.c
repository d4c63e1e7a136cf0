/*
 * nodelinkctl - operator CLI: list agents, show system info, start/stop
 * streaming and set the interval of an agent, tail metrics as lines or JSON,
 * export an agent's stored history (export.h).
 *
 *     nodelinkctl COMMAND [ARGS...] [--key=value ...]
 *
 * Each command is one row of s_commands; the shared settings, connections and
 * exit statuses are in ctl.h. docs/nodelinkctl.md is the manual.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "ctl.h"
#include "export.h"
#include "metricname.h"
#include "signals.h"
#include "topic.h"
#include "wire.h"
#include "wirejson.h"

#define CTL_MAX_ARGS 2

typedef struct {
    const ctl_config_t *cfg;
    const char *args[CTL_MAX_ARGS];
    int n_args;
} ctl_ctx_t;

typedef int (*ctl_cmd_fn)(ctl_ctx_t *ctx);

typedef struct {
    const char *name;
    const char *usage;
    int min_args, max_args;
    ctl_cmd_fn fn;
    const char *help;
} ctl_cmd_t;

/* ------------------------------------------------------------ helpers */

static void s_print_json(json_t *j)
{
    char *s = j ? wirejson_dumps(j) : NULL;
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(j);
}

static void s_format_time(uint64_t ms, char *buf, size_t size)
{
    if (!ms) {
        snprintf(buf, size, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Sends one task request to agent and waits for its final answer. */
static int s_task(ctl_ctx_t *ctx, Nodelink__MetricsRequest *mreq, Nodelink__TaskResponse **out)
{
    char err[256] = "", task_id[64];
    zsock_t *dealer = ctl_connect_control(ctx->cfg, err, sizeof err);
    if (!dealer) {
        fprintf(stderr, "nodelinkctl: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    ctl_task_id(task_id, sizeof task_id);
    Nodelink__TaskRequest req = NODELINK__TASK_REQUEST__INIT;
    req.agent_id = (char *)ctx->args[0];
    req.task_id = task_id;
    req.task_case = NODELINK__TASK_REQUEST__TASK_METRICS_REQUEST;
    req.metrics_request = mreq;
    req.has_timeout_ms = true;
    req.timeout_ms = (uint32_t)ctx->cfg->timeout_ms;
    Nodelink__ControlMessage msg = NODELINK__CONTROL_MESSAGE__INIT;
    msg.body_case = NODELINK__CONTROL_MESSAGE__BODY_TASK_REQUEST;
    msg.task_request = &req;
    /* the broker answers FAILED at timeout_ms; wait a little longer for it */
    *out = ctl_call(dealer, &msg, task_id, ctx->cfg->timeout_ms + 1000);
    zsock_destroy(&dealer);
    return ctl_status_of(*out, "request");
}

/* ------------------------------------------------------------ agents */

static void s_print_agent_line(const Nodelink__AgentStatus *a)
{
    char since[32], seen[32];
    s_format_time(a->connected_since_ms, since, sizeof since);
    s_format_time(a->last_metrics_update, seen, sizeof seen);
    printf("%-24s %-12s %-10s %-20s %-20s %10" PRIu64 " %6" PRIu64 "%s%s\n", a->agent_id,
           a->state == NODELINK__AGENT_STATUS__STATE__CONNECTED ? "connected" : "disconnected",
           a->version ? a->version : "-", since, seen, a->frames, a->gaps, a->reason ? "  " : "",
           a->reason ? a->reason : "");
}

static int s_cmd_agents(ctl_ctx_t *ctx)
{
    char err[256] = "", req_id[64];
    zsock_t *dealer = ctl_connect_control(ctx->cfg, err, sizeof err);
    if (!dealer) {
        fprintf(stderr, "nodelinkctl: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    ctl_task_id(req_id, sizeof req_id);
    Nodelink__ListAgents list = NODELINK__LIST_AGENTS__INIT;
    list.request_id = req_id;
    Nodelink__ControlMessage msg = NODELINK__CONTROL_MESSAGE__INIT;
    msg.body_case = NODELINK__CONTROL_MESSAGE__BODY_LIST_AGENTS;
    msg.list_agents = &list;
    Nodelink__TaskResponse *resp = ctl_call(dealer, &msg, req_id, ctx->cfg->timeout_ms);
    zsock_destroy(&dealer);
    int rc = ctl_status_of(resp, "list agents");
    if (rc == CTL_EXIT_OK && resp->response_case == NODELINK__TASK_RESPONSE__RESPONSE_AGENT_LIST) {
        const Nodelink__AgentList *l = resp->agent_list;
        if (ctx->cfg->json) {
            json_t *arr = json_array();
            for (size_t i = 0; i < l->n_agents; i++)
                json_array_append_new(arr, wirejson_message(&l->agents[i]->base));
            s_print_json(arr);
        } else {
            printf("%-24s %-12s %-10s %-20s %-20s %10s %6s\n", "AGENT", "STATE", "VERSION", "CONNECTED SINCE",
                   "LAST SAMPLE", "FRAMES", "GAPS");
            for (size_t i = 0; i < l->n_agents; i++)
                s_print_agent_line(l->agents[i]);
        }
    }
    wire_response_free(&resp);
    return rc;
}

/* ------------------------------------------------------------ info */

static void s_print_info_text(const char *id, const Nodelink__SystemInfoResponse *s)
{
    printf("agent:        %s\n", id);
    const Nodelink__SystemSoftware *sw = s->software;
    if (sw) {
        printf("hostname:     %s\n", sw->hostname ? sw->hostname : "-");
        if (sw->os)
            printf("os:           %s %s (kernel %s)\n", sw->os->name ? sw->os->name : "-",
                   sw->os->version ? sw->os->version : "",
                   sw->os->kernel_version ? sw->os->kernel_version : "-");
        if (sw->has_uptime_seconds)
            printf("uptime:       %" PRIu64 " s\n", sw->uptime_seconds);
    }
    const Nodelink__SystemHardware *hw = s->hardware;
    if (hw) {
        printf("architecture: %s\n", hw->architecture ? hw->architecture : "-");
        if (hw->cpu)
            printf("cpu:          %s (%u cores, %u threads)\n", hw->cpu->model ? hw->cpu->model : "-",
                   hw->cpu->cores, hw->cpu->threads);
        if (hw->memory)
            printf("memory:       %" PRIu64 " bytes\n", hw->memory->total_bytes);
        for (size_t i = 0; i < hw->n_disks; i++)
            printf("disk:         %s on %s (%s) %" PRIu64 " bytes\n",
                   hw->disks[i]->device ? hw->disks[i]->device : "-",
                   hw->disks[i]->mount_point ? hw->disks[i]->mount_point : "-",
                   hw->disks[i]->filesystem ? hw->disks[i]->filesystem : "-", hw->disks[i]->total_bytes);
    }
    for (size_t i = 0; i < s->n_network_interfaces; i++) {
        const Nodelink__NetworkInterface *n = s->network_interfaces[i];
        printf("interface:    %s %s%s", n->name ? n->name : "-", n->is_up ? "up" : "down",
               n->n_ip_addresses ? " " : "");
        for (size_t k = 0; k < n->n_ip_addresses; k++)
            printf("%s%s", k ? "," : "", n->ip_addresses[k]);
        printf("\n");
    }
}

static int s_cmd_info(ctl_ctx_t *ctx)
{
    Nodelink__SystemInfoRequest si = NODELINK__SYSTEM_INFO_REQUEST__INIT;
    si.has_include_hardware = si.has_include_software = si.has_include_network = true;
    si.include_hardware = si.include_software = si.include_network = true;
    Nodelink__MetricsRequest mreq = NODELINK__METRICS_REQUEST__INIT;
    mreq.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_SYSTEM_INFO;
    mreq.system_info = &si;
    Nodelink__TaskResponse *resp = NULL;
    int rc = s_task(ctx, &mreq, &resp);
    if (rc == CTL_EXIT_OK) {
        const Nodelink__MetricsResponse *mr = resp->metrics_response;
        if (resp->response_case != NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE ||
            mr->response_type_case != NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_SYSTEM_INFO) {
            fprintf(stderr, "nodelinkctl: the agent's answer holds no system information\n");
            rc = CTL_EXIT_FAILED;
        } else if (ctx->cfg->json) {
            s_print_json(wirejson_system_info(mr->system_info, ctx->args[0], WIREJSON_ALL));
        } else {
            s_print_info_text(ctx->args[0], mr->system_info);
        }
    }
    wire_response_free(&resp);
    return rc;
}

/* ------------------------------------------------------------ start / stop / interval */

static int s_stream(ctl_ctx_t *ctx, Nodelink__MetricsStreamRequest__Action action, int64_t interval_ms)
{
    Nodelink__MetricsStreamRequest sr = NODELINK__METRICS_STREAM_REQUEST__INIT;
    sr.has_action = true;
    sr.action = action;
    if (interval_ms > 0) {
        sr.has_interval_ms = true;
        sr.interval_ms = (uint32_t)interval_ms;
        sr.has_interval_seconds = true;
        sr.interval_seconds = (uint32_t)((interval_ms + 999) / 1000);
    }
    if (action == NODELINK__METRICS_STREAM_REQUEST__ACTION__START) {
        sr.n_metrics = ctx->cfg->metrics.count;
        sr.metrics = ctx->cfg->metrics.items;
    }
    Nodelink__MetricsRequest mreq = NODELINK__METRICS_REQUEST__INIT;
    mreq.request_type_case = NODELINK__METRICS_REQUEST__REQUEST_TYPE_STREAM_REQUEST;
    mreq.stream_request = &sr;
    Nodelink__TaskResponse *resp = NULL;
    int rc = s_task(ctx, &mreq, &resp);
    if (rc == CTL_EXIT_OK) {
        const Nodelink__MetricsResponse *mr = resp->metrics_response;
        if (ctx->cfg->json) {
            s_print_json(wirejson_message(&resp->base));
        } else if (resp->response_case == NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE &&
                   mr->response_type_case == NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_STREAM_STATUS) {
            printf("%s: streaming %s, interval %u ms\n", ctx->args[0],
                   mr->stream_status->streaming ? "on" : "off", mr->stream_status->interval_ms);
        } else {
            printf("%s: ok\n", ctx->args[0]);
        }
    }
    wire_response_free(&resp);
    return rc;
}

static int s_cmd_start(ctl_ctx_t *ctx)
{
    return s_stream(ctx, NODELINK__METRICS_STREAM_REQUEST__ACTION__START, ctx->cfg->interval_ms);
}

static int s_cmd_stop(ctl_ctx_t *ctx)
{
    return s_stream(ctx, NODELINK__METRICS_STREAM_REQUEST__ACTION__STOP, 0);
}

static int s_cmd_interval(ctl_ctx_t *ctx)
{
    int64_t ms;
    if (conf_parse_duration_ms(ctx->args[1], &ms) != 0 || ms < 100 || ms > 3600000) {
        fprintf(stderr, "nodelinkctl: interval '%s' must be a duration from 100ms to 1h (e.g. 500ms, 5s)\n",
                ctx->args[1]);
        return CTL_EXIT_USAGE;
    }
    return s_stream(ctx, NODELINK__METRICS_STREAM_REQUEST__ACTION__UPDATE_INTERVAL, ms);
}

/* ------------------------------------------------------------ tail */

static void s_print_metric(void *ctx, const metric_def_t *def, const char *instance, const char *name,
                           double value)
{
    (void)ctx, (void)instance;
    if (def->integer)
        printf(" %s=%.0f", name, value);
    else
        printf(" %s=%.2f", name, value);
}

static void s_print_frame(const ctl_config_t *cfg, const char *id, const Nodelink__TaskResponse *r)
{
    const Nodelink__MetricsDataResponse *m = r->metrics_response->metrics_data;
    if (cfg->json) {
        json_t *j = wirejson_metrics(m, id, NULL, NULL);
        if (j && r->has_sequence)
            json_object_set_new(j, "sequence", json_integer((json_int_t)r->sequence));
        s_print_json(j);
    } else {
        char ts[32];
        s_format_time(m->timestamp, ts, sizeof ts);
        printf("%s %s #%" PRIu64, ts, id, r->sequence);
        metric_flatten(m, s_print_metric, NULL);
        printf("\n");
    }
    fflush(stdout);
}

static int s_cmd_tail(ctl_ctx_t *ctx)
{
    char prefix[TOPIC_MAX + 1], err[256] = "";
    if (topic_subscription(TOPIC_METRICS, ctx->n_args ? ctx->args[0] : NULL, prefix, sizeof prefix) < 0) {
        fprintf(stderr, "nodelinkctl: invalid agent id '%s'\n", ctx->args[0]);
        return CTL_EXIT_USAGE;
    }
    zsock_t *sub = ctl_connect_subscriber(ctx->cfg, prefix, err, sizeof err);
    if (!sub) {
        fprintf(stderr, "nodelinkctl: %s\n", err);
        return CTL_EXIT_USAGE;
    }
    void *raw = zsock_resolve(sub);
    int64_t seen = 0;
    while (!signals_stop_requested() && (ctx->cfg->count == 0 || seen < ctx->cfg->count)) {
        zmq_pollitem_t item = {raw, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 200) <= 0)
            continue;
        zmsg_t *msg = zmsg_recv(sub);
        zframe_t *topic = msg ? zmsg_first(msg) : NULL, *body = msg ? zmsg_next(msg) : NULL;
        topic_kind_t kind;
        char id[TOPIC_ID_MAX + 1];
        wire_err_t werr;
        Nodelink__TaskResponse *r =
            topic && body && zmsg_size(msg) == 2
                ? wire_decode_published(zframe_data(topic), zframe_size(topic), zframe_data(body),
                                        zframe_size(body), &kind, id, &werr)
                : NULL;
        if (r && kind == TOPIC_METRICS) {
            s_print_frame(ctx->cfg, id, r);
            seen++;
        }
        wire_response_free(&r);
        zmsg_destroy(&msg);
    }
    zsock_destroy(&sub);
    return CTL_EXIT_OK;
}

/* ------------------------------------------------------------ export */

static int s_cmd_export(ctl_ctx_t *ctx)
{
    return export_run(ctx->cfg, ctx->args[0], stdout);
}

/* ------------------------------------------------------------ dispatch */

static int s_cmd_help(ctl_ctx_t *ctx);

static const ctl_cmd_t s_commands[] = {
    {"agents", "agents [--json]", 0, 0, s_cmd_agents,
     "List the agents the broker knows, with state, version, last sample, frames and sequence gaps."},
    {"info", "info AGENT [--json]", 1, 1, s_cmd_info, "Show an agent's system information."},
    {"start", "start AGENT [--interval=5s] [--metrics=cpu,memory]", 1, 1, s_cmd_start,
     "Start (or restart) an agent's metric stream, optionally with an interval and a metric selection."},
    {"stop", "stop AGENT", 1, 1, s_cmd_stop, "Stop an agent's metric stream."},
    {"interval", "interval AGENT DURATION", 2, 2, s_cmd_interval,
     "Set an agent's sampling interval (100ms..1h, e.g. 500ms, 5s)."},
    {"tail", "tail [AGENT] [--json] [--count=N]", 0, 1, s_cmd_tail,
     "Print one agent's (or every agent's) samples as they arrive: one line per sample, or JSON."},
    {"export", "export AGENT [--format=jsonl] [--from=T] [--to=T] [--tier=1m]", 1, 1, s_cmd_export,
     "Print an agent's stored history from the store's Redis (--redis.url) as CSV or JSON lines: every row "
     "of "
     "one tier (raw samples, 1m or 1h rollups) with the stored strings. T is Unix seconds or <n>ms; both "
     "bounds inclusive."},
    {"help", "help [COMMAND]", 0, 1, s_cmd_help, "Show help for nodelinkctl or one command."},
};
#define CTL_N_COMMANDS (sizeof s_commands / sizeof s_commands[0])

static const ctl_cmd_t *s_find(const char *name)
{
    for (size_t i = 0; name && i < CTL_N_COMMANDS; i++)
        if (strcmp(s_commands[i].name, name) == 0)
            return &s_commands[i];
    return NULL;
}

static void s_usage(FILE *out)
{
    fprintf(out, "Usage: nodelinkctl COMMAND [ARGS...] [--key=value ...]\n\nCommands:\n");
    for (size_t i = 0; i < CTL_N_COMMANDS; i++)
        fprintf(out, "  %-52s %s\n", s_commands[i].usage, s_commands[i].help);
    fprintf(out, "\nRun 'nodelinkctl COMMAND --help' for the options.\n\n"
                 "Exit status (in brackets: the failure codes that give it):\n");
    ctl_print_exit_statuses(out);
}

static int s_cmd_help(ctl_ctx_t *ctx)
{
    const ctl_cmd_t *cmd = ctx->n_args ? s_find(ctx->args[0]) : NULL;
    if (!cmd) {
        s_usage(stdout);
        return ctx->n_args ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
    printf("Usage: nodelinkctl %s\n\n%s\n\n", cmd->usage, cmd->help);
    conf_print_help(ctl_config_schema(), stdout);
    return CTL_EXIT_OK;
}

/* Splits argv into positional arguments (into ctx) and options (into opts,
 * for conf_load). A "--key value" pair stays together unless key is a
 * boolean. */
static int s_split(int argc, char **argv, ctl_ctx_t *ctx, char **opts, int *n_opts)
{
    const conf_schema_t *schema = ctl_config_schema();
    *n_opts = 0;
    opts[(*n_opts)++] = "nodelinkctl";
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "-", 1) != 0) {
            if (ctx->n_args == CTL_MAX_ARGS) {
                fprintf(stderr, "nodelinkctl: unexpected argument '%s'\n", a);
                return -1;
            }
            ctx->args[ctx->n_args++] = a;
            continue;
        }
        opts[(*n_opts)++] = argv[i];
        if (strchr(a, '=') || i + 1 >= argc || argv[i + 1][0] == '-')
            continue;
        bool takes_value = strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0;
        for (size_t k = 0; k < schema->n_options; k++)
            if (strcmp(a + 2, schema->options[k].key) == 0 && schema->options[k].type != CONF_BOOL)
                takes_value = true;
        if (takes_value)
            opts[(*n_opts)++] = argv[++i];
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        s_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("nodelinkctl %s\n", NODELINK_VERSION);
        return CTL_EXIT_OK;
    }
    const ctl_cmd_t *cmd = s_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "nodelinkctl: unknown command '%s' (see nodelinkctl --help)\n", argv[1]);
        return CTL_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            ctl_ctx_t h = {.args = {cmd->name}, .n_args = 1};
            return s_cmd_help(&h);
        }
    }
    ctl_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    ctl_ctx_t ctx = {.cfg = &cfg};
    char **opts = calloc((size_t)argc + 1, sizeof *opts);
    int n_opts = 0, rc = CTL_EXIT_USAGE;
    char err[512] = "";
    if (!opts || s_split(argc, argv, &ctx, opts, &n_opts) != 0)
        goto done;
    if (ctx.n_args < cmd->min_args || ctx.n_args > cmd->max_args) {
        fprintf(stderr, "nodelinkctl: usage: nodelinkctl %s\n", cmd->usage);
        goto done;
    }
    conf_result_t res = conf_load(ctl_config_schema(), &cfg, n_opts, opts, err, sizeof err);
    if (res != CONF_LOADED) {
        if (res == CONF_ERROR)
            fprintf(stderr, "nodelinkctl: %s\n", err);
        rc = res == CONF_ERROR ? CTL_EXIT_USAGE : CTL_EXIT_OK;
        goto done;
    }
    signals_init();
    zsys_init();
    rc = cmd->fn(&ctx);
done:
    conf_free(ctl_config_schema(), &cfg);
    free(opts);
    return rc;
}
