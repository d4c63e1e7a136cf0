/*
 * health.c - health frames and log lines. See health.h.
 */
#include "health.h"

#include <inttypes.h>
#include <stdio.h>

#include "wire.h"

void health_add(health_t *h, const char *name, uint64_t value)
{
    if (h->n < HEALTH_MAX)
        h->counters[h->n++] = (health_counter_t){name, value};
}

int health_publish(void *socket, const health_t *h, int64_t now_ms)
{
    Nodelink__ServiceHealth__CountersEntry entries[HEALTH_MAX];
    Nodelink__ServiceHealth__CountersEntry *ptrs[HEALTH_MAX];
    for (size_t i = 0; i < h->n; i++) {
        nodelink__service_health__counters_entry__init(&entries[i]);
        entries[i].key = (char *)h->counters[i].name;
        entries[i].has_value = 1;
        entries[i].value = h->counters[i].value;
        ptrs[i] = &entries[i];
    }
    Nodelink__ServiceHealth sh = NODELINK__SERVICE_HEALTH__INIT;
    sh.service = HEALTH_SERVICE;
    sh.has_timestamp_ms = 1;
    sh.timestamp_ms = (uint64_t)now_ms;
    sh.n_counters = h->n;
    sh.counters = ptrs;
    sh.has_ready = 1;
    sh.ready = h->ready;
    sh.detail = h->detail && h->detail[0] ? (char *)h->detail : NULL;
    Nodelink__TaskResponse msg = NODELINK__TASK_RESPONSE__INIT;
    msg.agent_id = HEALTH_SERVICE;
    msg.response_case = NODELINK__TASK_RESPONSE__RESPONSE_SERVICE_HEALTH;
    msg.service_health = &sh;
    return wire_publish(socket, TOPIC_HEALTH, HEALTH_SERVICE, &msg);
}

void health_format(const health_t *h, char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < h->n && off < size; i++) {
        int n = snprintf(buf + off, size - off, "%s%s=%" PRIu64, i ? " " : "", h->counters[i].name,
                         h->counters[i].value);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}
