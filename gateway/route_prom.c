/*
 * route_prom.c - GET /metrics: Prometheus text exposition (format 0.0.4).
 *
 * Every agent's latest values (those the token may see), one family per
 * metric-namespace entry: "nodelink_" + group + "_" + field, "_total"
 * appended to counters, "_per_sec" spelled "_per_second"; the agent and the instance (core, device,
 * interface, task) are labels:
 *
 *     nodelink_cpu_usage_percent{agent="web-01"} 25.4
 *     nodelink_disk_read_bytes_per_second{agent="web-01",device="sda"} 1048576
 *     nodelink_net_errors_in_total{agent="web-01",interface="eth0"} 0
 *
 * plus nodelink_agent_up, nodelink_agent_last_metrics_update_seconds and the
 * gateway's own counters (nodelink_gateway_*). All samples of a family are
 * contiguous, as the format requires.
 */
#include "routes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "metricname.h"

typedef struct {
    const metric_def_t *def;
    const char *agent;
    char instance[METRIC_INSTANCE_MAX + 1];
    double value;
} s_point_t;

typedef struct {
    s_point_t *points;
    size_t n, cap;
    const char *agent;
} s_collect_t;

static void s_visit(void *ctx, const metric_def_t *def, const char *instance, const char *name, double value)
{
    (void)name;
    s_collect_t *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        s_point_t *p = realloc(c->points, cap * sizeof *p);
        if (!p)
            return;
        c->points = p, c->cap = cap;
    }
    s_point_t *p = &c->points[c->n++];
    p->def = def, p->agent = c->agent, p->value = value;
    snprintf(p->instance, sizeof p->instance, "%s", instance ? instance : "");
}

static const char *s_label(metric_source_t src)
{
    switch (src) {
    case METRIC_SRC_CPU_CORE:
        return "core";
    case METRIC_SRC_DISK:
        return "device";
    case METRIC_SRC_NET:
        return "interface";
    case METRIC_SRC_TASK:
        return "task";
    default:
        return NULL;
    }
}

/* "_per_sec" is spelled out ("_per_second"): Prometheus names avoid
 * abbreviated units (promtool lints them). */
static void s_family_name(const metric_def_t *d, char *buf, size_t size)
{
    size_t flen = strlen(d->field);
    bool per_sec = flen > 8 && strcmp(d->field + flen - 8, "_per_sec") == 0;
    snprintf(buf, size, "nodelink_%s%s_%.*s%s%s", d->group, d->source == METRIC_SRC_CPU_CORE ? "_core" : "",
             (int)(per_sec ? flen - 8 : flen), d->field, per_sec ? "_per_second" : "",
             d->counter ? "_total" : "");
}

static void s_value(FILE *out, double v)
{
    if (isnan(v))
        fputs("NaN\n", out);
    else if (isinf(v))
        fputs(v > 0 ? "+Inf\n" : "-Inf\n", out);
    else
        fprintf(out, "%.12g\n", v);
}

static void s_families(FILE *out, const s_point_t *pts, size_t n)
{
    char name[METRIC_NAME_MAX + 32];
    for (size_t k = 0; k < metric_defs_count; k++) {
        const metric_def_t *d = &metric_defs[k];
        bool header = false;
        for (size_t i = 0; i < n; i++) {
            if (pts[i].def != d)
                continue;
            if (!header) {
                s_family_name(d, name, sizeof name);
                fprintf(out, "# HELP %s %s (%s)\n# TYPE %s %s\n", name, d->help, d->pattern, name,
                        d->counter ? "counter" : "gauge");
                header = true;
            }
            const char *label = s_label(d->source);
            if (label)
                fprintf(out, "%s{agent=\"%s\",%s=\"%s\"} ", name, pts[i].agent, label, pts[i].instance);
            else
                fprintf(out, "%s{agent=\"%s\"} ", name, pts[i].agent);
            s_value(out, pts[i].value);
        }
    }
}

static void s_agents(FILE *out, const agent_view_t *v, size_t n, http_req_t *req)
{
    fputs("# HELP nodelink_agent_up 1 when the agent is connected to the broker\n"
          "# TYPE nodelink_agent_up gauge\n",
          out);
    for (size_t i = 0; i < n; i++)
        if (auth_allows(req->token, v[i].id))
            fprintf(out, "nodelink_agent_up{agent=\"%s\"} %d\n", v[i].id, v[i].connected ? 1 : 0);
    fputs("# HELP nodelink_agent_last_metrics_update_seconds Unix time of the agent's latest sample\n"
          "# TYPE nodelink_agent_last_metrics_update_seconds gauge\n",
          out);
    for (size_t i = 0; i < n; i++)
        if (auth_allows(req->token, v[i].id) && v[i].last_metrics_update)
            fprintf(out, "nodelink_agent_last_metrics_update_seconds{agent=\"%s\"} %.3f\n", v[i].id,
                    v[i].last_metrics_update / 1000.0);
}

static void s_gateway(FILE *out, gateway_t *gw)
{
    for (stat_id_t s = 0; s < STAT_COUNT; s++)
        fprintf(out,
                "# HELP nodelink_gateway_%s %s\n# TYPE nodelink_gateway_%s counter\n"
                "nodelink_gateway_%s %llu\n",
                stats_name(s), stats_help(s), stats_name(s), stats_name(s),
                (unsigned long long)stats_get(&gw->stats, s));
    fprintf(out,
            "# HELP nodelink_gateway_sse_streams SSE streams open\n"
            "# TYPE nodelink_gateway_sse_streams gauge\nnodelink_gateway_sse_streams %zu\n",
            sse_hub_count(gw->hub));
}

enum MHD_Result route_prometheus(http_req_t *req)
{
    gateway_t *gw = req->gw;
    agent_view_t *views = NULL;
    size_t n = roster_list(gw->agents, clock_now_ms(), &views);
    s_collect_t c = {0};
    for (size_t i = 0; i < n; i++) {
        if (!views[i].sample || !auth_allows(req->token, views[i].id))
            continue;
        c.agent = views[i].id;
        metric_flatten(snapshot_data(views[i].sample), s_visit, &c);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out) {
        s_families(out, c.points, c.n);
        s_agents(out, views, n, req);
        s_gateway(out, gw);
        fclose(out);
    }
    free(c.points);
    roster_views_free(&views, n);
    blob_t *b = text ? blob_take(text, len) : NULL;
    if (!b)
        return http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    enum MHD_Result ret = http_reply_blob(req, MHD_HTTP_OK, b, "text/plain; version=0.0.4; charset=utf-8");
    blob_unref(&b);
    return ret;
}
