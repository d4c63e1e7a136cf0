/*
 * snapshot.c - a sample with its rendered forms. See snapshot.h.
 */
#include "snapshot.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topic.h"

struct snapshot_t {
    atomic_int refs;
    char agent_id[TOPIC_ID_MAX + 1];
    Nodelink__TaskResponse *msg;         /* owner of data when set */
    Nodelink__MetricsDataResponse *data; /* borrowed from msg, or owned when msg is NULL */
    blob_t *json;
    blob_t *event;
};

blob_t *snapshot_event_filtered(const snapshot_t *s, wirejson_filter_fn allow, void *ctx)
{
    json_t *j = wirejson_metrics(s->data, NULL, allow, ctx);
    char *text = wirejson_dumps(j);
    json_decref(j);
    if (!text)
        return NULL;
    blob_t *b =
        blob_printf("id: %lld\nevent: metrics\ndata: %s\n\n", (long long)snapshot_timestamp_ms(s), text);
    free(text);
    return b;
}

static snapshot_t *s_render(snapshot_t *s)
{
    json_t *j = wirejson_metrics(s->data, s->agent_id, NULL, NULL);
    char *text = wirejson_dumps(j);
    json_decref(j);
    if (text)
        s->json = blob_take(text, strlen(text));
    s->event = snapshot_event_filtered(s, NULL, NULL);
    if (!s->json || !s->event)
        snapshot_unref(&s);
    return s;
}

snapshot_t *snapshot_new(const char *agent_id, Nodelink__TaskResponse **msg)
{
    Nodelink__TaskResponse *m = *msg;
    *msg = NULL;
    snapshot_t *s = NULL;
    if (m && m->metrics_response && m->metrics_response->metrics_data && topic_id_valid(agent_id))
        s = calloc(1, sizeof *s);
    if (!s) {
        if (m)
            protobuf_c_message_free_unpacked(&m->base, NULL);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    snprintf(s->agent_id, sizeof s->agent_id, "%s", agent_id);
    s->msg = m;
    s->data = m->metrics_response->metrics_data;
    return s_render(s);
}

snapshot_t *snapshot_from_data(const char *agent_id, Nodelink__MetricsDataResponse **data)
{
    Nodelink__MetricsDataResponse *d = *data;
    *data = NULL;
    snapshot_t *s = d && topic_id_valid(agent_id) ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        if (d)
            protobuf_c_message_free_unpacked(&d->base, NULL);
        return NULL;
    }
    atomic_init(&s->refs, 1);
    snprintf(s->agent_id, sizeof s->agent_id, "%s", agent_id);
    s->data = d;
    return s_render(s);
}

snapshot_t *snapshot_ref(snapshot_t *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void snapshot_unref(snapshot_t **s)
{
    if (!s || !*s)
        return;
    snapshot_t *p = *s;
    *s = NULL;
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1)
        return;
    blob_unref(&p->json);
    blob_unref(&p->event);
    if (p->msg)
        protobuf_c_message_free_unpacked(&p->msg->base, NULL);
    else if (p->data)
        protobuf_c_message_free_unpacked(&p->data->base, NULL);
    free(p);
}

const char *snapshot_agent(const snapshot_t *s)
{
    return s->agent_id;
}

const Nodelink__MetricsDataResponse *snapshot_data(const snapshot_t *s)
{
    return s->data;
}

int64_t snapshot_timestamp_ms(const snapshot_t *s)
{
    return s->data->has_timestamp ? (int64_t)s->data->timestamp : 0;
}

uint32_t snapshot_interval_ms(const snapshot_t *s)
{
    return s->data->has_interval_ms ? s->data->interval_ms : 0;
}

blob_t *snapshot_json(const snapshot_t *s)
{
    return s->json;
}

blob_t *snapshot_event(const snapshot_t *s)
{
    return s->event;
}
