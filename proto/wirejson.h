/*
 * wirejson.h - protobuf messages -> the JSON shapes of the specification.
 *
 * The specification's HTTP examples use the protobuf field names as JSON
 * keys ("usage_percent", "network_interfaces", ...). This module walks a
 * message through its protobuf-c descriptor, so the JSON follows
 * nodelink.proto by construction and a new field needs no code here:
 *
 *   - an absent optional field (proto2 presence) is left out, never 0;
 *   - repeated fields become arrays, sub-messages objects, enums their
 *     value names, 64-bit integers JSON integers (clamped to INT64_MAX);
 *   - nodelink's own additions (field numbers >= WIREJSON_EXTENSION_MIN)
 *     are left out of the specification's messages, so the output is exactly
 *     the specification's shape. Control-plane messages (AgentStatus, ...)
 *     have no specification shape and are rendered whole.
 *
 * Key order follows the .proto (jansson keeps insertion order), with
 * "agent_id" first when given, as in the specification's examples.
 *
 * Metric filters (SSE `metrics=`) name scalars in the metric namespace
 * (metricname.h): a field is kept when its dotted name passes the filter.
 * Identifying fields of a device (disk device/mount_point, interface name,
 * task id/pid) are kept when at least one of its metrics is; a device (or a
 * group such as "memory") with no metric left is dropped; cpu.core_usage is
 * kept whole when any core passes.
 *
 * Every function returns a new reference (caller json_decref()s) or NULL on
 * allocation failure / NULL input. The library never logs.
 */
#ifndef NODELINK_WIREJSON_H
#define NODELINK_WIREJSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "nodelink.pb-c.h"

/* First field number of nodelink's additions to the specification's messages. */
#define WIREJSON_EXTENSION_MIN 20

/* json_dumps() flags for every JSON nodelink emits: one line, keys in .proto
 * order, doubles with 12 significant digits (25.4, not 25.399999999999999). */
#define WIREJSON_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

/* Which parts of a SystemInfoResponse to render (the API's hardware,
 * software and network flags). */
enum {
    WIREJSON_HARDWARE = 1u << 0,
    WIREJSON_SOFTWARE = 1u << 1,
    WIREJSON_NETWORK = 1u << 2,
    WIREJSON_ALL = WIREJSON_HARDWARE | WIREJSON_SOFTWARE | WIREJSON_NETWORK,
};

/* Decides whether a metric (full dotted name, e.g. "disk.sda.read_bytes_per_sec")
 * is rendered. */
typedef bool (*wirejson_filter_fn)(void *ctx, const char *metric_name);

/* A sample as the specification's "Current Metrics Snapshot":
 * {"agent_id"?, "timestamp" (ms), "cpu": {...}, "memory": {...}, "disks": [...],
 *  "network_interfaces": [...], "processes": {...}, "load": {...}}.
 * agent_id may be NULL (left out). allow may be NULL (everything). */
json_t *wirejson_metrics(const Nodelink__MetricsDataResponse *m, const char *agent_id,
                         wirejson_filter_fn allow, void *ctx);

/* The summary /metrics/agents shows per agent:
 * {"cpu": {"usage_percent": x}, "memory": {"usage_percent": y}} (parts present only). */
json_t *wirejson_metrics_summary(const Nodelink__MetricsDataResponse *m);

/* System information as the specification's "Agent System Information":
 * {"agent_id"?, "timestamp", "hardware", "software", "network_interfaces"},
 * limited to parts (WIREJSON_* bits). */
json_t *wirejson_system_info(const Nodelink__SystemInfoResponse *s, const char *agent_id, unsigned parts);

/* Any message, every field (extensions included). For control-plane messages
 * and debugging. */
json_t *wirejson_message(const ProtobufCMessage *msg);

/* Drops the parts of a system-info JSON object not in parts (in place), for
 * copies stored as JSON. Returns obj. */
json_t *wirejson_system_info_select(json_t *obj, unsigned parts);

/* json_dumps(j, WIREJSON_DUMP_FLAGS); free() the result. NULL on failure. */
char *wirejson_dumps(const json_t *j);

#endif
