/*
 * registry.h - what the broker knows about each agent id.
 *
 * One record per agent id, created when the id is first seen (a hello on the
 * control channel, or a valid published frame). A record holds two things:
 *
 *   - the control connection: the ROUTER routing id of the agent's DEALER,
 *     connected or not, version, when it connected, when it was last heard;
 *   - the frame stream: epoch and last sequence number of the agent's frames,
 *     frames forwarded and sequence numbers missed (gaps).
 *
 * Invariants: an id is connected under at most one routing id, and a routing
 * id belongs to at most one connected agent (the peer index only holds
 * connected records). At most max_agents records exist; when full, the
 * record least recently heard of that is not connected is evicted, and when
 * every record is connected, new ids are refused (NULL).
 *
 * The registry owns its records; agent_t pointers are borrowed and stay
 * valid until the record is evicted (only registry_touch evicts) or the
 * registry is destroyed.
 */
#ifndef NODELINK_BROKER_REGISTRY_H
#define NODELINK_BROKER_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodelink.pb-c.h"
#include "topic.h"

#define REGISTRY_RID_MAX 255

typedef struct {
    char id[TOPIC_ID_MAX + 1];
    /* control connection */
    bool connected;
    bool ever_connected;
    uint8_t rid[REGISTRY_RID_MAX];
    size_t rid_len;
    char version[TOPIC_ID_MAX + 1];
    uint64_t hello_epoch;
    int64_t connected_since_ms; /* wall clock */
    int64_t last_seen_ms;       /* wall clock: last control message or frame */
    int64_t last_heard_mono;    /* monotonic: last control message or frame of this process (expiry) */
    char reason[64];            /* why disconnected */
    uint8_t last_rid[REGISTRY_RID_MAX]; /* the connection it had when disconnected */
    size_t last_rid_len;
    bool nudge; /* disconnected, yet its process still publishes */
    /* frame stream */
    bool seq_known;
    uint64_t epoch;
    uint64_t last_seq;
    uint64_t frames;
    uint64_t gaps;
    uint64_t last_sample_ms; /* timestamp of the latest metrics sample */
} agent_t;

typedef enum {
    SEQ_FIRST = 0, /* first frame seen from this agent */
    SEQ_NEXT,      /* exactly last + 1 (or frame without a sequence) */
    SEQ_GAP,       /* numbers were skipped; *missed says how many */
    SEQ_RESET,     /* the epoch changed: the publisher restarted */
    SEQ_REPLAY,    /* same epoch, sequence not above the last one */
} seq_event_t;

typedef struct registry_t registry_t;

/* NULL on allocation failure. */
registry_t *registry_new(size_t max_agents);
void registry_destroy(registry_t **self_p);

/* Borrowed record of id, or NULL. */
agent_t *registry_find(registry_t *self, const char *id);

/* Borrowed record of the connected agent behind a routing id, or NULL. */
agent_t *registry_find_peer(registry_t *self, const void *rid, size_t rid_len);

/* Record of id, created if needed (id must be valid). NULL when the registry
 * is full of connected agents. */
agent_t *registry_touch(registry_t *self, const char *id);

/* Marks agent connected under rid (replacing any previous routing id).
 * 0, or -1 when rid is too long. */
int registry_connect(registry_t *self, agent_t *agent, const void *rid, size_t rid_len, int64_t now_ms,
                     int64_t now_mono);

/* Marks agent disconnected with a reason. */
void registry_disconnect(registry_t *self, agent_t *agent, const char *reason);

/* Records one valid frame of agent; returns what its sequence says and adds
 * the numbers skipped to agent->gaps and *missed. */
seq_event_t registry_observe(agent_t *agent, const Nodelink__TaskResponse *frame, int64_t now_ms,
                             uint64_t *missed);

/* Calls fn for every record (connected or not). fn must not touch the
 * registry's set of records. */
typedef void (*registry_visit_fn)(void *ctx, agent_t *agent);
void registry_foreach(registry_t *self, registry_visit_fn fn, void *ctx);

/* Number of connected agents. */
size_t registry_connected(registry_t *self);

/* Fills status (initialised by the caller) from agent; strings are borrowed
 * from the record. */
void registry_status(const agent_t *agent, Nodelink__AgentStatus *status);

#endif
