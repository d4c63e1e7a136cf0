/*
 * filter.h - field-level metric selection applied to a finished sample.
 *
 * Collectors are switched on or off by group (see collector.h); a selection
 * that names single fields ("cpu.usage_percent", "net.lo", exclude
 * "memory.swap") is applied here by clearing the presence of every scalar
 * whose metric name the selection rejects. Per-core usage is one packed
 * array: it is kept whole when any core passes, dropped otherwise. Disks,
 * interfaces and task processes left without any field are removed from
 * their arrays (the arrays are the collectors' and are only re-counted,
 * never freed).
 */
#ifndef NODELINK_FILTER_H
#define NODELINK_FILTER_H

#include <stdbool.h>

#include "metricname.h"
#include "nodelink.pb-c.h"

/* True when sel can reject part of a group it lets through, i.e. when
 * filter_apply has work to do. A selection of whole groups ("cpu",
 * "memory") or an empty one needs no filtering. */
bool filter_needed(const metric_selection_t *sel);

/* Clears from m every scalar sel rejects. */
void filter_apply(const metric_selection_t *sel, Nodelink__MetricsDataResponse *m);

#endif
