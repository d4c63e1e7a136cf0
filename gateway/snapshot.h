/*
 * snapshot.h - one agent sample as the gateway serves it.
 *
 * Made once on the subscriber thread when a metrics frame arrives: the
 * decoded message plus its pre-rendered forms (the GET /agents/{id}/metrics
 * body and the unfiltered SSE event), so an HTTP request or a stream only
 * takes a reference and sends bytes. Immutable after snapshot_new;
 * reference-counted (atomic), shared across threads.
 */
#ifndef NODELINK_SNAPSHOT_H
#define NODELINK_SNAPSHOT_H

#include <stdint.h>

#include "blob.h"
#include "nodelink.pb-c.h"
#include "wirejson.h"

typedef struct snapshot_t snapshot_t;

/* Takes ownership of *msg (a decoded published frame holding metrics_data)
 * and NULLs it. NULL when msg holds no sample or on allocation failure (msg
 * freed either way). */
snapshot_t *snapshot_new(const char *agent_id, Nodelink__TaskResponse **msg);

/* Builds a sample around a bare MetricsDataResponse (taken, freed with
 * protobuf_c_message_free_unpacked(.., NULL)); used for replayed samples. */
snapshot_t *snapshot_from_data(const char *agent_id, Nodelink__MetricsDataResponse **data);

snapshot_t *snapshot_ref(snapshot_t *s);
void snapshot_unref(snapshot_t **s);

const char *snapshot_agent(const snapshot_t *s);
const Nodelink__MetricsDataResponse *snapshot_data(const snapshot_t *s);
int64_t snapshot_timestamp_ms(const snapshot_t *s);
/* The agent's collection interval (0 when the frame did not say). */
uint32_t snapshot_interval_ms(const snapshot_t *s);

/* Borrowed: the snapshot body with agent_id (JSON). */
blob_t *snapshot_json(const snapshot_t *s);

/* Borrowed: "id: <ts>\nevent: metrics\ndata: <json>\n\n" without filter. */
blob_t *snapshot_event(const snapshot_t *s);

/* A new SSE event of this sample restricted by allow (see wirejson.h).
 * NULL on failure. */
blob_t *snapshot_event_filtered(const snapshot_t *s, wirejson_filter_fn allow, void *ctx);

#endif
