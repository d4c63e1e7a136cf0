/*
 * sampler.h - runs the collectors on an aligned schedule and publishes.
 *
 * The sampler owns the collectors enabled by the current metric selection,
 * the sample being built, the history ring and the published-frame
 * sequence. It is driven by its caller (the agent's sampling thread, or a
 * test/benchmark): sampler_due_ms() says when the next sample is due and
 * sampler_run_due() takes it.
 *
 * Drift-free schedule: samples are taken at wall-clock multiples of the
 * interval (a 1 s interval samples at every whole second; 5 s at :00, :05,
 * ...), and each sample carries its scheduled time as timestamp. The next
 * slot is computed from the clock after each sample, never by adding the
 * interval to the previous wake-up, so lateness does not accumulate; a slot
 * missed entirely (the host was suspended, collection was slower than the
 * interval) is skipped, not caught up in a burst.
 *
 * Every frame the sampler publishes (metrics and system information) gets
 * the next sequence number (from 1) and the process's epoch.
 */
#ifndef NODELINK_SAMPLER_H
#define NODELINK_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/collector.h"
#include "history.h"
#include "metricname.h"
#include "nodelink.pb-c.h"
#include "topic.h"

typedef struct sampler_t sampler_t;

typedef struct {
    const char *agent_id;
    uint64_t epoch;
    collector_env_t env;          /* copied; its strings must outlive the sampler */
    metric_selection_t selection; /* deep-copied */
    bool tracking_enabled;        /* process counts and task processes at all */
    uint32_t interval_ms;
    bool streaming;
    int64_t retention_ms;
    size_t history_bytes;
} sampler_opts_t;

/* Creates a sampler publishing on pub (a raw ZeroMQ PUB socket, borrowed;
 * NULL = collect without publishing, for tests and benchmarks). */
sampler_t *sampler_new(const sampler_opts_t *opts, void *pub);

void sampler_destroy(sampler_t **self);

/* Replaces the metric selection (deep copy) and creates/destroys collectors
 * to match. 0 or -1 (allocation). */
int sampler_set_selection(sampler_t *self, char *const *include, size_t n_include, char *const *exclude,
                          size_t n_exclude);

/* The current selection (borrowed). */
const metric_selection_t *sampler_selection(const sampler_t *self);

/* Changes the interval; the next sample lands on the next multiple of it. */
void sampler_set_interval(sampler_t *self, uint32_t interval_ms);
uint32_t sampler_interval(const sampler_t *self);

void sampler_set_streaming(sampler_t *self, bool streaming);
bool sampler_streaming(const sampler_t *self);

/* Wall-clock ms of the next sample, or -1 when not streaming. */
int64_t sampler_due_ms(sampler_t *self);

/* Takes and publishes the sample when now_ms has reached the due time.
 * Returns 1 when a sample was taken, 0 when not yet due. */
int sampler_run_due(sampler_t *self, int64_t now_ms);

/* Collects one sample now, stamped timestamp_ms, without publishing it or
 * adding it to history. The result is borrowed until the next collection. */
const Nodelink__MetricsDataResponse *sampler_collect(sampler_t *self, uint64_t timestamp_ms);

/* Publishes a TaskResponse on topic kind after setting its agent_id,
 * sequence and epoch. 0 or -1 (also -1 without a socket). */
int sampler_publish(sampler_t *self, topic_kind_t kind, Nodelink__TaskResponse *msg);

/* Sequence number of the last published frame (0 before the first). */
uint64_t sampler_sequence(const sampler_t *self);

/* The history ring (borrowed). */
const history_t *sampler_history(const sampler_t *self);

/* The collector environment (borrowed), e.g. its task registry. */
const collector_env_t *sampler_env(const sampler_t *self);

/* True when processes are attributed to tasks at all (process tracking and
 * task process tracking both on, fixed for the sampler's life): otherwise a
 * task registration would never show in a sample. */
bool sampler_tracks_tasks(const sampler_t *self);

/* Number of frames that could not be published (HWM, no memory). */
uint64_t sampler_dropped(const sampler_t *self);

#endif
