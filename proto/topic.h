/*
 * topic.h - topic bytes of published frames and agent id rules.
 *
 * A published frame is [topic][protobuf TaskResponse]. Its topic is
 *
 *     <kind> "." <id> ":"
 *
 * e.g. "metrics.web-01:". The trailing ':' cannot occur in an id, so a
 * ZeroMQ subscription to "metrics.a1:" receives agent a1 only, never a10,
 * although ZeroMQ matches subscriptions as byte prefixes. "metrics." receives
 * every agent's samples, "" everything.
 *
 * Ids (agent ids, task ids, service names) are 1..64 characters of
 * [A-Za-z0-9_.-].
 */
#ifndef NODELINK_TOPIC_H
#define NODELINK_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#define TOPIC_ID_MAX 64
#define TOPIC_MAX 96
#define TOPIC_TERMINATOR ':'

typedef enum {
    TOPIC_METRICS = 0, /* metrics.<agent_id>: one MetricsDataResponse sample */
    TOPIC_SYSTEM,      /* system.<agent_id>: SystemInfoResponse */
    TOPIC_STATUS,      /* status.<agent_id>: AgentStatus made by the broker */
    TOPIC_HEALTH,      /* health.<service>: ServiceHealth of a nodelink service */
    TOPIC_KIND_COUNT
} topic_kind_t;

/* True when id is 1..64 characters of [A-Za-z0-9_.-]. */
bool topic_id_valid(const char *id);

/* Like topic_id_valid, for a buffer that is not NUL-terminated. */
bool topic_id_valid_n(const char *id, size_t len);

/* "metrics", "system", "status", "health"; NULL for an invalid kind. */
const char *topic_kind_name(topic_kind_t kind);

/* Writes the topic for (kind, id) into buf (NUL-terminated). Returns the
 * topic length without the NUL, or -1 if id is invalid or buf too small. */
int topic_build(topic_kind_t kind, const char *id, char *buf, size_t size);

/* Writes the subscription prefix: one id when id is non-NULL, every id of the
 * kind when id is NULL. Returns its length or -1. */
int topic_subscription(topic_kind_t kind, const char *id, char *buf, size_t size);

/* Parses topic bytes (not NUL-terminated). On success stores the kind and the
 * NUL-terminated id (id must hold TOPIC_ID_MAX + 1 bytes) and returns 0;
 * returns -1 on anything malformed. */
int topic_parse(const void *data, size_t len, topic_kind_t *kind, char *id);

#endif
