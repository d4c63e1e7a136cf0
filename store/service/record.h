/*
 * record.h - one received sample or system-information document, encoded
 * for Redis, and the bounded FIFO that holds records until they are written.
 *
 * A metrics record holds its fields as one block "name\0value\0name\0value\0"
 * with values already in the lean encoding (numfmt.h), in metric namespace
 * order, so a listpack node's entries share the master entry's field names.
 * A system record holds the specification JSON text.
 *
 * The queue is bounded in bytes: pushing beyond the bound drops the oldest
 * records (counted by the caller through the return value). Records are
 * written in FIFO order, so a Redis outage delays samples but never reorders
 * them.
 */
#ifndef NODELINK_RECORD_H
#define NODELINK_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodelink.pb-c.h"
#include "topic.h"

typedef enum { RECORD_METRICS = 0, RECORD_SYSTEM } record_kind_t;

typedef struct record_t {
    struct record_t *next;
    record_kind_t kind;
    char agent_id[TOPIC_ID_MAX + 1];
    bool has_seq;
    uint64_t epoch;
    uint64_t seq;
    int64_t ts_ms;         /* sample / system info timestamp (Unix ms) */
    int64_t received_mono; /* clock_mono_ms() at receipt: write lag */
    size_t n_fields;       /* metrics: number of name/value pairs */
    size_t size;           /* bytes of data (the field block / JSON text) */
    char *data;            /* metrics: the field block; system: JSON text */
    double *values;        /* metrics: n_fields values as stored (rounded) */
} record_t;

/* Encodes a sample (values rounded to decimals places unless integral).
 * NULL on allocation failure or when the sample has no finite scalar. */
record_t *record_from_metrics(const char *agent_id, const Nodelink__TaskResponse *msg,
                              const Nodelink__MetricsDataResponse *m, int decimals);

/* A system-information record owning json (steals it: *json is NULLed). */
record_t *record_from_system(const char *agent_id, const Nodelink__TaskResponse *msg, int64_t ts_ms,
                             char **json);

void record_destroy(record_t **self);

/* Memory charged for a record against the buffer bound. */
size_t record_cost(const record_t *self);

/* Walks the fields of a metrics record: returns the next position (start
 * with 0) and sets name/value, or 0 at the end. */
size_t record_field_next(const record_t *self, size_t pos, const char **name, const char **value);

typedef struct {
    record_t *head, *tail;
    size_t count;
    size_t bytes;
    size_t max_bytes;
    size_t pinned; /* head records being written: never dropped */
} record_queue_t;

void record_queue_init(record_queue_t *q, size_t max_bytes);

/* Appends *rec (steals it). Returns how many of the oldest records (after
 * the pinned ones) were dropped to respect the bound. */
size_t record_queue_push(record_queue_t *q, record_t **rec);

/* Removes and destroys the n oldest records. */
void record_queue_pop(record_queue_t *q, size_t n);

void record_queue_clear(record_queue_t *q);

#endif
