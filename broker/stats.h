/*
 * stats.h - the broker's counters, one table.
 *
 * Every counter has a stable snake_case name; the broker publishes them all
 * in its health.broker: frame (ServiceHealth.counters) and logs them at exit.
 * Adding a counter means one enum entry and one name.
 */
#ifndef NODELINK_BROKER_STATS_H
#define NODELINK_BROKER_STATS_H

#include <stdint.h>

typedef enum {
    STAT_FRAMES_IN = 0,         /* published frames received on the frontend */
    STAT_FRAMES_FORWARDED,      /* valid frames passed to subscribers */
    STAT_DROP_PARTS,            /* not a [topic][body] message */
    STAT_DROP_OVERSIZED,        /* body larger than broker.max_frame_size, or empty */
    STAT_DROP_BAD_TOPIC,        /* topic bytes malformed */
    STAT_DROP_UNDECODABLE,      /* body is not a TaskResponse */
    STAT_DROP_ID_MISMATCH,      /* payload agent_id differs from the topic's id */
    STAT_DROP_BAD_CONTENT,      /* payload does not fit the topic kind */
    STAT_DROP_FORBIDDEN,        /* sender may not publish for that id / kind */
    STAT_DROP_TOO_MANY,         /* more agent ids than broker.max_agents */
    STAT_SEQUENCE_GAPS,         /* sequence numbers missed, all agents */
    STAT_SEQUENCE_RESETS,       /* epoch changes (publisher restarts) */
    STAT_SEQUENCE_REPLAYS,      /* sequence not above the last one, same epoch */
    STAT_SUBSCRIPTIONS,         /* subscription messages accepted from subscribers */
    STAT_SUBSCRIPTIONS_REFUSED, /* ... refused (certificate role not allowed) */
    STAT_CONTROL_IN,            /* control messages received (both ROUTERs) */
    STAT_CONTROL_INVALID,       /* undecodable or unexpected control messages */
    STAT_CONTROL_FORBIDDEN,     /* control messages from a certificate of the wrong role */
    STAT_AGENTS_CONNECTED,      /* hello accepted */
    STAT_AGENTS_REFUSED,        /* hello refused (duplicate id, bad id, certificate) */
    STAT_AGENTS_EXPIRED,        /* disconnected after missed heartbeats */
    STAT_TASKS_ROUTED,          /* task requests forwarded to an agent */
    STAT_TASKS_FAILED,          /* answered FAILED by the broker (unknown agent, ...) */
    STAT_TASKS_TIMED_OUT,       /* answered FAILED after the timeout */
    STAT_RESPONSES_ROUTED,      /* agents' task responses passed to their client */
    STAT_RESPONSES_ORPHANED,    /* task responses nobody waits for */
    STAT_COUNT
} stat_id_t;

typedef struct {
    uint64_t v[STAT_COUNT];
} stats_t;

/* Stable name of a counter ("frames_in", "drop_oversized", ...). */
const char *stats_name(stat_id_t id);

#endif
