/*
 * wirejson.c - protobuf -> JSON through protobuf-c descriptors. See wirejson.h.
 *
 * One walker (s_message) renders any message. Metric filtering needs to know
 * which metric-namespace source a sub-message is (cpu, disk, ...) and its
 * instance (device, interface, task id); s_sources maps descriptors to that.
 */
#include "wirejson.h"
#include "metricname.h"
#include "topic.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bool extensions;          /* render fields >= WIREJSON_EXTENSION_MIN */
    wirejson_filter_fn allow; /* NULL: no filtering */
    void *ctx;
} s_walk_t;

/* Metric source of a filtered sub-message, and which string field names its
 * instance. */
typedef struct {
    const ProtobufCMessageDescriptor *desc;
    metric_source_t source;
    const char *instance_field; /* NULL: no instance */
} s_source_t;

static const s_source_t s_sources[] = {
    {&nodelink__cpu_metrics__descriptor, METRIC_SRC_CPU, NULL},
    {&nodelink__memory_metrics__descriptor, METRIC_SRC_MEMORY, NULL},
    {&nodelink__disk_metrics__descriptor, METRIC_SRC_DISK, "device"},
    {&nodelink__network_metrics__descriptor, METRIC_SRC_NET, "interface"},
    {&nodelink__process_metrics__descriptor, METRIC_SRC_PROCESSES, NULL},
    {&nodelink__task_process_metrics__descriptor, METRIC_SRC_TASK, "task_id"},
    {&nodelink__load_metrics__descriptor, METRIC_SRC_LOAD, NULL},
};

static json_t *s_message(const ProtobufCMessage *msg, const s_walk_t *w);

static const s_source_t *s_source_of(const ProtobufCMessageDescriptor *desc)
{
    for (size_t i = 0; i < sizeof s_sources / sizeof s_sources[0]; i++)
        if (s_sources[i].desc == desc)
            return &s_sources[i];
    return NULL;
}

static const metric_def_t *s_def_for(metric_source_t source, const char *field)
{
    for (size_t i = 0; i < metric_defs_count; i++)
        if (metric_defs[i].source == source && metric_defs[i].proto_field &&
            strcmp(metric_defs[i].proto_field, field) == 0)
            return &metric_defs[i];
    return NULL;
}

static json_t *s_u64(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* One scalar value at p of field type f (not MESSAGE). */
static json_t *s_scalar(const ProtobufCFieldDescriptor *f, const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *)p);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return s_u64(*(const uint64_t *)p);
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *)p);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *)p);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
        return ev ? json_string(ev->name) : json_integer(*(const int *)p);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        return s ? json_string(s) : NULL; /* invalid UTF-8 -> NULL -> left out */
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p; /* text output (shell stdout): UTF-8 or left out */
        return b->data ? json_stringn((const char *)b->data, b->len) : json_string("");
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        break;
    }
    return NULL;
}

static size_t s_elem_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

/* Is an optional/oneof field present? */
static bool s_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
    const char *base = (const char *)msg;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)(base + f->quantifier_offset) == f->id;
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(void *const *)(base + f->offset) != NULL;
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return true;
    return *(const protobuf_c_boolean *)(base + f->quantifier_offset) != 0;
}

static json_t *s_value(const ProtobufCFieldDescriptor *f, const void *p, const s_walk_t *w)
{
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;
        return sub ? s_message(sub, w) : NULL;
    }
    return s_scalar(f, p);
}

static json_t *s_field(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f, const s_walk_t *w)
{
    const char *base = (const char *)msg;
    if (f->label != PROTOBUF_C_LABEL_REPEATED) {
        if (!s_present(msg, f))
            return NULL;
        return s_value(f, base + f->offset, w);
    }
    size_t n = *(const size_t *)(base + f->quantifier_offset);
    const char *arr = *(const char *const *)(base + f->offset);
    json_t *a = json_array();
    if (!a)
        return NULL;
    for (size_t i = 0; i < n && arr; i++) {
        json_t *v = s_value(f, arr + i * s_elem_size(f->type), w);
        if (v)
            json_array_append_new(a, v);
    }
    /* a filtered-out repeated message field (no disk left) is dropped */
    if (w->allow && f->type == PROTOBUF_C_TYPE_MESSAGE && json_array_size(a) == 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* With a filter: is field f of a message of source src (instance inst) kept?
 * *is_metric tells whether f is a metric (vs an identifying field). */
static bool s_field_allowed(const s_walk_t *w, const s_source_t *src, const char *inst,
                            const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f, bool *is_metric)
{
    char name[METRIC_NAME_MAX + 1];
    *is_metric = false;
    if (src->source == METRIC_SRC_CPU && strcmp(f->name, "core_usage") == 0) {
        const metric_def_t *d = s_def_for(METRIC_SRC_CPU_CORE, "core_usage");
        const Nodelink__CpuMetrics *c = (const Nodelink__CpuMetrics *)msg;
        *is_metric = true;
        for (size_t i = 0; i < c->n_core_usage; i++) {
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", i);
            if (metric_name_build(d, idx, name, sizeof name) >= 0 && w->allow(w->ctx, name))
                return true;
        }
        return false;
    }
    const metric_def_t *d = s_def_for(src->source, f->name);
    if (!d || f->type == PROTOBUF_C_TYPE_MESSAGE)
        return true; /* identifying field or nested message: decided later */
    *is_metric = true;
    if (src->instance_field && !inst)
        return false;
    if (metric_name_build(d, inst ? inst : "", name, sizeof name) < 0)
        return false;
    return w->allow(w->ctx, name);
}

/* The instance of a sub-message of source src, as the metric namespace
 * names it, or NULL. */
static const char *s_instance(const ProtobufCMessage *msg, const s_source_t *src, char *buf)
{
    if (!src->instance_field)
        return NULL;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, src->instance_field);
    const char *raw = f ? *(char *const *)((const char *)msg + f->offset) : NULL;
    if (!raw)
        return NULL;
    if (src->source == METRIC_SRC_TASK) {
        if (!topic_id_valid(raw))
            return NULL;
        snprintf(buf, METRIC_INSTANCE_MAX + 1, "%s", raw);
        return buf;
    }
    metric_instance_from(raw, buf);
    return buf;
}

static json_t *s_message(const ProtobufCMessage *msg, const s_walk_t *w)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    const s_source_t *src = w->allow ? s_source_of(desc) : NULL;
    char instbuf[METRIC_INSTANCE_MAX + 1];
    const char *inst = src ? s_instance(msg, src, instbuf) : NULL;
    size_t metrics_kept = 0, nested_kept = 0;
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        bool is_metric = false;
        if (!w->extensions && f->id >= WIREJSON_EXTENSION_MIN)
            continue;
        if (src && !s_field_allowed(w, src, inst, msg, f, &is_metric))
            continue;
        json_t *v = s_field(msg, f, w);
        if (!v)
            continue;
        if (is_metric)
            metrics_kept++;
        else if (src && f->type == PROTOBUF_C_TYPE_MESSAGE)
            nested_kept++;
        json_object_set_new(o, f->name, v);
    }
    if (src && metrics_kept == 0 && nested_kept == 0) {
        json_decref(o); /* nothing of this group/device passes the filter */
        return NULL;
    }
    return o;
}

/* Returns body with "agent_id" (when given) and "timestamp" first, the
 * specification's order. Steals body. */
static json_t *s_with_agent(json_t *body, const char *agent_id)
{
    if (!body)
        return NULL;
    json_t *o = json_object();
    json_t *ts = json_object_get(body, "timestamp");
    if (!o || (agent_id && json_object_set_new(o, "agent_id", json_string(agent_id)) < 0) ||
        (ts && json_object_set(o, "timestamp", ts) < 0) || json_object_update(o, body) < 0) {
        json_decref(o);
        json_decref(body);
        return NULL;
    }
    json_decref(body);
    return o;
}

json_t *wirejson_metrics(const Nodelink__MetricsDataResponse *m, const char *agent_id,
                         wirejson_filter_fn allow, void *ctx)
{
    if (!m)
        return NULL;
    s_walk_t w = {.extensions = false, .allow = allow, .ctx = ctx};
    return s_with_agent(s_message(&m->base, &w), agent_id);
}

json_t *wirejson_metrics_summary(const Nodelink__MetricsDataResponse *m)
{
    if (!m)
        return NULL;
    json_t *o = json_object();
    if (m->cpu && m->cpu->has_usage_percent)
        json_object_set_new(o, "cpu", json_pack("{s:f}", "usage_percent", m->cpu->usage_percent));
    if (m->memory && m->memory->has_usage_percent)
        json_object_set_new(o, "memory", json_pack("{s:f}", "usage_percent", m->memory->usage_percent));
    return o;
}

json_t *wirejson_system_info_select(json_t *obj, unsigned parts)
{
    if (!json_is_object(obj))
        return obj;
    if (!(parts & WIREJSON_HARDWARE))
        json_object_del(obj, "hardware");
    if (!(parts & WIREJSON_SOFTWARE))
        json_object_del(obj, "software");
    if (!(parts & WIREJSON_NETWORK))
        json_object_del(obj, "network_interfaces");
    return obj;
}

json_t *wirejson_system_info(const Nodelink__SystemInfoResponse *s, const char *agent_id, unsigned parts)
{
    if (!s)
        return NULL;
    s_walk_t w = {.extensions = false};
    json_t *o = s_message(&s->base, &w);
    /* the specification lists every interface even when there is none */
    if (o && (parts & WIREJSON_NETWORK) && !json_object_get(o, "network_interfaces"))
        json_object_set_new(o, "network_interfaces", json_array());
    return s_with_agent(wirejson_system_info_select(o, parts), agent_id);
}

json_t *wirejson_message(const ProtobufCMessage *msg)
{
    if (!msg)
        return NULL;
    s_walk_t w = {.extensions = true};
    return s_message(msg, &w);
}

char *wirejson_dumps(const json_t *j)
{
    return j ? json_dumps(j, WIREJSON_DUMP_FLAGS) : NULL;
}
