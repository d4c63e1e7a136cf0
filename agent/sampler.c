/*
 * sampler.c - aligned sampling, collector set, publishing. See sampler.h.
 */
#include "sampler.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "filter.h"
#include "log.h"
#include "wire.h"

struct sampler_t {
    char *agent_id;
    uint64_t epoch;
    collector_env_t env;
    bool tracking_enabled;
    metric_selection_t sel;
    bool filter;  /* the selection names single fields */
    void **state; /* per collector_table row: its state, NULL when disabled */
    log_limit_t *limits;
    sample_t sample;
    void *pub;
    uint64_t sequence;
    uint64_t dropped;
    uint32_t interval_ms;
    bool streaming;
    int64_t due_ms;
    history_t *history;
    log_limit_t pub_limit;
};

static char **s_strv_dup(char *const *v, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(out[i] = strdup(v[i]))) {
            while (i--)
                free(out[i]);
            free(out);
            return NULL;
        }
    }
    return out;
}

static void s_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static bool s_wanted(const sampler_t *self, const collector_def_t *def)
{
    bool proc_group = strcmp(def->group, "processes") == 0 || strcmp(def->group, "task") == 0;
    if (proc_group && !self->tracking_enabled)
        return false;
    if (strcmp(def->group, "task") == 0 && !self->env.track_task_processes)
        return false;
    if (!metric_selection_wants_group(&self->sel, def->group))
        return false;
    return !def->probe || metric_selection_allows(&self->sel, def->probe);
}

/* Creates the collectors the selection wants and destroys the others. */
static void s_sync_collectors(sampler_t *self)
{
    for (size_t i = 0; i < collector_table_count; i++) {
        const collector_def_t *def = collector_table[i];
        bool want = s_wanted(self, def);
        if (want && !self->state[i]) {
            self->state[i] = def->create(&self->env);
            if (!self->state[i])
                log_warn("collector %s could not start; its metrics are left out", def->name);
        } else if (!want && self->state[i]) {
            def->destroy(&self->state[i]);
        }
    }
}

int sampler_set_selection(sampler_t *self, char *const *include, size_t n_include, char *const *exclude,
                          size_t n_exclude)
{
    char **inc = s_strv_dup(include, n_include);
    char **exc = s_strv_dup(exclude, n_exclude);
    if (!inc || !exc) {
        s_strv_free(inc, n_include);
        s_strv_free(exc, n_exclude);
        return -1;
    }
    s_strv_free(self->sel.include, self->sel.n_include);
    s_strv_free(self->sel.exclude, self->sel.n_exclude);
    self->sel = (metric_selection_t){inc, n_include, exc, n_exclude};
    self->filter = filter_needed(&self->sel);
    s_sync_collectors(self);
    return 0;
}

const metric_selection_t *sampler_selection(const sampler_t *self)
{
    return &self->sel;
}

sampler_t *sampler_new(const sampler_opts_t *opts, void *pub)
{
    sampler_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->agent_id = strdup(opts->agent_id);
    self->epoch = opts->epoch;
    self->env = opts->env;
    self->tracking_enabled = opts->tracking_enabled;
    self->pub = pub;
    self->interval_ms = opts->interval_ms;
    self->streaming = opts->streaming;
    self->due_ms = -1;
    self->state = calloc(collector_table_count, sizeof *self->state);
    self->history = history_new(opts->history_bytes, opts->retention_ms);
    const metric_selection_t *sel = &opts->selection;
    if (!self->agent_id || !self->state || !self->history ||
        sampler_set_selection(self, sel->include, sel->n_include, sel->exclude, sel->n_exclude) != 0) {
        sampler_destroy(&self);
        return NULL;
    }
    self->limits = calloc(collector_table_count, sizeof *self->limits);
    if (!self->limits)
        sampler_destroy(&self);
    return self;
}

void sampler_destroy(sampler_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sampler_t *self = *self_p;
    for (size_t i = 0; self->state && i < collector_table_count; i++)
        if (self->state[i])
            collector_table[i]->destroy(&self->state[i]);
    free(self->state);
    free(self->limits);
    s_strv_free(self->sel.include, self->sel.n_include);
    s_strv_free(self->sel.exclude, self->sel.n_exclude);
    history_destroy(&self->history);
    free(self->agent_id);
    free(self);
    *self_p = NULL;
}

void sampler_set_interval(sampler_t *self, uint32_t interval_ms)
{
    self->interval_ms = interval_ms;
    self->due_ms = -1; /* re-aligned on the next sampler_due_ms() */
}

uint32_t sampler_interval(const sampler_t *self)
{
    return self->interval_ms;
}

void sampler_set_streaming(sampler_t *self, bool streaming)
{
    self->streaming = streaming;
    self->due_ms = -1;
}

bool sampler_streaming(const sampler_t *self)
{
    return self->streaming;
}

/* The first multiple of the interval strictly after now. */
static int64_t s_next_slot(int64_t now_ms, uint32_t interval_ms)
{
    return (now_ms / interval_ms + 1) * (int64_t)interval_ms;
}

int64_t sampler_due_ms(sampler_t *self)
{
    if (!self->streaming)
        return -1;
    int64_t now = clock_now_ms();
    /* Not scheduled yet, or the wall clock stepped back by more than an interval. */
    if (self->due_ms < 0 || self->due_ms - now > (int64_t)self->interval_ms)
        self->due_ms = s_next_slot(now, self->interval_ms);
    return self->due_ms;
}

const Nodelink__MetricsDataResponse *sampler_collect(sampler_t *self, uint64_t timestamp_ms)
{
    sample_reset(&self->sample, timestamp_ms, self->interval_ms);
    int64_t now_ns = clock_mono_ns();
    for (size_t i = 0; i < collector_table_count; i++) {
        if (!self->state[i])
            continue;
        if (collector_table[i]->collect(self->state[i], &self->sample, now_ns) != 0)
            log_ratelimited(&self->limits[i], LOG_LEVEL_WARN, "collector %s: could not read its source",
                            collector_table[i]->name);
    }
    if (self->filter)
        filter_apply(&self->sel, &self->sample.data);
    return &self->sample.data;
}

int sampler_publish(sampler_t *self, topic_kind_t kind, Nodelink__TaskResponse *msg)
{
    if (!self->pub)
        return -1;
    msg->agent_id = self->agent_id;
    msg->has_sequence = 1;
    msg->sequence = self->sequence + 1;
    msg->has_epoch = 1;
    msg->epoch = self->epoch;
    if (wire_publish(self->pub, kind, self->agent_id, msg) != 0) {
        self->dropped++;
        log_ratelimited(&self->pub_limit, LOG_LEVEL_WARN, "publish failed (%s); frame dropped",
                        errno == EAGAIN ? "broker not keeping up" : strerror(errno));
        return -1;
    }
    /* A frame that never left is not a gap subscribers could detect, so the
     * sequence advances only on success. */
    self->sequence++;
    return 0;
}

int sampler_run_due(sampler_t *self, int64_t now_ms)
{
    int64_t due = sampler_due_ms(self);
    if (due < 0 || now_ms < due)
        return 0;
    const Nodelink__MetricsDataResponse *data = sampler_collect(self, (uint64_t)due);
    Nodelink__MetricsResponse mr = NODELINK__METRICS_RESPONSE__INIT;
    mr.response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_METRICS_DATA;
    mr.metrics_data = (Nodelink__MetricsDataResponse *)data;
    Nodelink__TaskResponse tr = NODELINK__TASK_RESPONSE__INIT;
    tr.response_case = NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE;
    tr.metrics_response = &mr;
    sampler_publish(self, TOPIC_METRICS, &tr);
    history_append(self->history, data);
    /* The next slot is computed from the clock after collecting, so a slow
     * collection skips slots instead of bursting to catch up. */
    self->due_ms = s_next_slot(clock_now_ms() > due ? clock_now_ms() : due, self->interval_ms);
    return 1;
}

uint64_t sampler_sequence(const sampler_t *self)
{
    return self->sequence;
}

const history_t *sampler_history(const sampler_t *self)
{
    return self->history;
}

const collector_env_t *sampler_env(const sampler_t *self)
{
    return &self->env;
}

bool sampler_tracks_tasks(const sampler_t *self)
{
    return self->tracking_enabled && self->env.track_task_processes;
}

uint64_t sampler_dropped(const sampler_t *self)
{
    return self->dropped;
}
