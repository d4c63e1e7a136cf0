/*
 * registry.c - agent records indexed by id and by routing id. See registry.h.
 *
 * Two czmq hash tables: by id (owns the records) and by routing id as hex
 * text (borrowed pointers, connected records only). Eviction scans for the
 * oldest disconnected record; it runs only when a new id arrives at a full
 * registry, which is rare and bounded by max_agents.
 */
#include "registry.h"

#include <czmq.h>
#include <string.h>

struct registry_t {
    zhashx_t *by_id;   /* id -> agent_t (owned) */
    zhashx_t *by_peer; /* hex routing id -> agent_t (borrowed) */
    size_t max_agents;
};

static void s_record_free(void **item)
{
    free(*item);
    *item = NULL;
}

registry_t *registry_new(size_t max_agents)
{
    registry_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->by_id = zhashx_new();
    self->by_peer = zhashx_new();
    if (!self->by_id || !self->by_peer) {
        registry_destroy(&self);
        return NULL;
    }
    zhashx_set_destructor(self->by_id, s_record_free);
    self->max_agents = max_agents ? max_agents : 1;
    return self;
}

void registry_destroy(registry_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    registry_t *self = *self_p;
    zhashx_destroy(&self->by_peer);
    zhashx_destroy(&self->by_id);
    free(self);
    *self_p = NULL;
}

static void s_peer_key(const void *rid, size_t len, char *key)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = rid;
    for (size_t i = 0; i < len; i++) {
        key[2 * i] = hex[p[i] >> 4];
        key[2 * i + 1] = hex[p[i] & 15];
    }
    key[2 * len] = '\0';
}

agent_t *registry_find(registry_t *self, const char *id)
{
    return zhashx_lookup(self->by_id, id);
}

agent_t *registry_find_peer(registry_t *self, const void *rid, size_t rid_len)
{
    if (rid_len == 0 || rid_len > REGISTRY_RID_MAX)
        return NULL;
    char key[2 * REGISTRY_RID_MAX + 1];
    s_peer_key(rid, rid_len, key);
    return zhashx_lookup(self->by_peer, key);
}

/* Drops the least recently seen record that is not connected. */
static bool s_evict_one(registry_t *self)
{
    agent_t *oldest = NULL;
    for (agent_t *a = zhashx_first(self->by_id); a; a = zhashx_next(self->by_id))
        if (!a->connected && (!oldest || a->last_seen_ms < oldest->last_seen_ms))
            oldest = a;
    if (!oldest)
        return false;
    zhashx_delete(self->by_id, oldest->id);
    return true;
}

agent_t *registry_touch(registry_t *self, const char *id)
{
    agent_t *a = zhashx_lookup(self->by_id, id);
    if (a)
        return a;
    if (!topic_id_valid(id))
        return NULL;
    if (zhashx_size(self->by_id) >= self->max_agents && !s_evict_one(self))
        return NULL;
    a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    snprintf(a->id, sizeof a->id, "%s", id);
    zhashx_insert(self->by_id, a->id, a);
    return a;
}

int registry_connect(registry_t *self, agent_t *agent, const void *rid, size_t rid_len, int64_t now_ms,
                     int64_t now_mono)
{
    if (rid_len == 0 || rid_len > REGISTRY_RID_MAX)
        return -1;
    char key[2 * REGISTRY_RID_MAX + 1];
    if (agent->connected) {
        s_peer_key(agent->rid, agent->rid_len, key);
        zhashx_delete(self->by_peer, key);
    }
    memcpy(agent->rid, rid, rid_len);
    agent->rid_len = rid_len;
    s_peer_key(rid, rid_len, key);
    zhashx_update(self->by_peer, key, agent);
    if (!agent->connected)
        agent->connected_since_ms = now_ms;
    agent->connected = true;
    agent->ever_connected = true;
    agent->last_seen_ms = now_ms;
    agent->last_heard_mono = now_mono;
    agent->reason[0] = '\0';
    return 0;
}

void registry_disconnect(registry_t *self, agent_t *agent, const char *reason)
{
    if (!agent->connected)
        return;
    char key[2 * REGISTRY_RID_MAX + 1];
    s_peer_key(agent->rid, agent->rid_len, key);
    zhashx_delete(self->by_peer, key);
    agent->connected = false;
    memcpy(agent->last_rid, agent->rid, agent->rid_len);
    agent->last_rid_len = agent->rid_len;
    agent->rid_len = 0;
    snprintf(agent->reason, sizeof agent->reason, "%s", reason ? reason : "");
}

seq_event_t registry_observe(agent_t *agent, const Nodelink__TaskResponse *frame, int64_t now_ms,
                             uint64_t *missed)
{
    *missed = 0;
    agent->frames++;
    agent->last_seen_ms = now_ms;
    const Nodelink__MetricsResponse *mr = frame->metrics_response;
    if (frame->response_case == NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE && mr &&
        mr->response_type_case == NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_METRICS_DATA &&
        mr->metrics_data->has_timestamp)
        agent->last_sample_ms = mr->metrics_data->timestamp;
    if (!frame->has_sequence)
        return SEQ_NEXT;
    uint64_t epoch = frame->has_epoch ? frame->epoch : 0;
    seq_event_t ev;
    if (!agent->seq_known) {
        ev = SEQ_FIRST;
    } else if (epoch != agent->epoch) {
        ev = SEQ_RESET;
    } else if (frame->sequence <= agent->last_seq) {
        return SEQ_REPLAY; /* keep the highest number seen */
    } else if (frame->sequence == agent->last_seq + 1) {
        ev = SEQ_NEXT;
    } else {
        *missed = frame->sequence - agent->last_seq - 1;
        agent->gaps += *missed;
        ev = SEQ_GAP;
    }
    agent->seq_known = true;
    agent->epoch = epoch;
    agent->last_seq = frame->sequence;
    return ev;
}

void registry_foreach(registry_t *self, registry_visit_fn fn, void *ctx)
{
    for (agent_t *a = zhashx_first(self->by_id); a; a = zhashx_next(self->by_id))
        fn(ctx, a);
}

size_t registry_connected(registry_t *self)
{
    return zhashx_size(self->by_peer);
}

void registry_status(const agent_t *agent, Nodelink__AgentStatus *st)
{
    st->agent_id = (char *)agent->id;
    st->has_state = true;
    st->state = agent->connected ? NODELINK__AGENT_STATUS__STATE__CONNECTED
                                 : NODELINK__AGENT_STATUS__STATE__DISCONNECTED;
    if (agent->version[0])
        st->version = (char *)agent->version;
    if (agent->connected_since_ms) {
        st->has_connected_since_ms = true;
        st->connected_since_ms = (uint64_t)agent->connected_since_ms;
    }
    if (agent->last_seen_ms) {
        st->has_last_seen_ms = true;
        st->last_seen_ms = (uint64_t)agent->last_seen_ms;
    }
    if (agent->last_sample_ms) {
        st->has_last_metrics_update = true;
        st->last_metrics_update = agent->last_sample_ms;
    }
    if (!agent->connected && agent->reason[0])
        st->reason = (char *)agent->reason;
    st->has_frames = true;
    st->frames = agent->frames;
    st->has_gaps = true;
    st->gaps = agent->gaps;
}
