/*
 * query.h - MetricsQueryRequest over the history ring.
 *
 * Time range: start_timestamp..end_timestamp in Unix seconds, inclusive
 * (end 0 = now, start 0 = the oldest sample). metrics: selectors of the
 * metric namespace (empty = every metric). Without interval_seconds each
 * sample in range is one MetricsTimePoint (timestamp in seconds, values by
 * metric name); with it, samples are averaged into buckets of that many
 * seconds (timestamp = bucket start). At most max_points points are
 * returned (0 = 1000, capped at 10000), the oldest first; total_points
 * counts every point in range and truncated says some were cut.
 */
#ifndef NODELINK_QUERY_H
#define NODELINK_QUERY_H

#include <stddef.h>

#include "arena.h"
#include "history.h"
#include "nodelink.pb-c.h"

/* Builds the response in arena a. NULL with a failure code in *code and a
 * reason in err: FAILURE_INVALID_REQUEST for an invalid request (unknown
 * selector, start after end), FAILURE_RESOURCE_EXHAUSTED when memory ran
 * out. */
Nodelink__MetricsQueryResponse *query_run(const history_t *h, const Nodelink__MetricsQueryRequest *q,
                                          arena_t *a, Nodelink__FailureCode *code, char *err, size_t errlen);

#endif
