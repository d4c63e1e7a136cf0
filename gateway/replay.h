/*
 * replay.h - stored samples (store/query/include/query.h, flat metric name -> value pairs)
 * back into MetricsDataResponse messages, so a replayed SSE event has the
 * same JSON shape as a live one.
 *
 * The flat names keep a device's metric-namespace instance ("nvme0n1p1"),
 * not its original name ("/dev/nvme0n1p1") or mount point; those are taken
 * from the agent's latest live sample when it has the same instance, else
 * the instance stands in for the device name. Per-task sums
 * (task.<id>.*) cannot be split back into processes and are left out.
 */
#ifndef NODELINK_REPLAY_H
#define NODELINK_REPLAY_H

#include "nodelink.pb-c.h"
#include "query.h"

/* A new message (free with protobuf_c_message_free_unpacked(.., NULL)), or
 * NULL on allocation failure. latest (may be NULL) names devices. */
Nodelink__MetricsDataResponse *replay_sample(const query_sample_t *s,
                                             const Nodelink__MetricsDataResponse *latest);

#endif
