/*
 * sample.h - one agent sample as the gateway serves it.
 *
 * Made once on the subscriber thread when a metrics frame arrives: the
 * decoded message plus its pre-rendered forms (the GET /agents/{id}/metrics
 * body and the unfiltered SSE event), so an HTTP request or a stream only
 * takes a reference and sends bytes. Immutable after sample_new;
 * reference-counted (atomic), shared across threads.
 */
#ifndef NODELINK_SAMPLE_H
#define NODELINK_SAMPLE_H

#include <stdint.h>

#include "blob.h"
#include "nodelink.pb-c.h"
#include "wirejson.h"

typedef struct sample_t sample_t;

/* Takes ownership of *msg (a decoded published frame holding metrics_data)
 * and NULLs it. NULL when msg holds no sample or on allocation failure (msg
 * freed either way). */
sample_t *sample_new(const char *agent_id, Nodelink__TaskResponse **msg);

/* Builds a sample around a bare MetricsDataResponse (taken, freed with
 * protobuf_c_message_free_unpacked(.., NULL)); used for replayed samples. */
sample_t *sample_from_data(const char *agent_id, Nodelink__MetricsDataResponse **data);

sample_t *sample_ref(sample_t *s);
void sample_unref(sample_t **s);

const char *sample_agent(const sample_t *s);
const Nodelink__MetricsDataResponse *sample_data(const sample_t *s);
int64_t sample_timestamp_ms(const sample_t *s);
/* The agent's collection interval (0 when the frame did not say). */
uint32_t sample_interval_ms(const sample_t *s);

/* Borrowed: the snapshot body with agent_id (JSON). */
blob_t *sample_json(const sample_t *s);

/* Borrowed: "id: <ts>\nevent: metrics\ndata: <json>\n\n" without filter. */
blob_t *sample_event(const sample_t *s);

/* A new SSE event of this sample restricted by allow (see wirejson.h).
 * NULL on failure. */
blob_t *sample_event_filtered(const sample_t *s, wirejson_filter_fn allow, void *ctx);

#endif
