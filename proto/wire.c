/*
 * wire.c - framing of nodelink messages on ZeroMQ sockets. See wire.h.
 */
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static const char *const s_err_names[WIRE_ERR_COUNT] = {
    [WIRE_OK] = "ok",
    [WIRE_ERR_PARTS] = "bad_parts",
    [WIRE_ERR_SIZE] = "oversized",
    [WIRE_ERR_TOPIC] = "bad_topic",
    [WIRE_ERR_DECODE] = "undecodable",
    [WIRE_ERR_MISMATCH] = "id_mismatch",
    [WIRE_ERR_CONTENT] = "bad_content",
    [WIRE_ERR_SYSTEM] = "system",
};

const char *wire_err_name(wire_err_t err)
{
    if ((int)err < 0 || err >= WIRE_ERR_COUNT)
        return "unknown";
    return s_err_names[err];
}

uint8_t *wire_pack(const ProtobufCMessage *msg, size_t *len)
{
    size_t size = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return NULL;
    *len = protobuf_c_message_pack(msg, buf);
    return buf;
}

int wire_publish(void *socket, topic_kind_t kind, const char *id, const Nodelink__TaskResponse *msg)
{
    char topic[TOPIC_MAX + 1];
    int tlen = topic_build(kind, id, topic, sizeof topic);
    if (tlen < 0) {
        errno = EINVAL;
        return -1;
    }
    size_t size = nodelink__task_response__get_packed_size(msg);
    if (size > WIRE_FRAME_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    zmq_msg_t body;
    if (zmq_msg_init_size(&body, size) != 0)
        return -1;
    nodelink__task_response__pack(msg, zmq_msg_data(&body));
    if (zmq_send(socket, topic, (size_t)tlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&body);
        return -1;
    }
    /* Once the first part is queued ZeroMQ delivers the whole message
     * atomically; the second part cannot hit the HWM. */
    if (zmq_msg_send(&body, socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&body);
        return -1;
    }
    return 0;
}

static bool s_content_fits(topic_kind_t kind, const Nodelink__TaskResponse *m)
{
    switch (kind) {
    case TOPIC_METRICS:
        return m->response_case == NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE &&
               m->metrics_response->response_type_case ==
                   NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_METRICS_DATA;
    case TOPIC_SYSTEM:
        return m->response_case == NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE &&
               m->metrics_response->response_type_case ==
                   NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_SYSTEM_INFO;
    case TOPIC_STATUS:
        return m->response_case == NODELINK__TASK_RESPONSE__RESPONSE_AGENT_STATUS;
    case TOPIC_HEALTH:
        return m->response_case == NODELINK__TASK_RESPONSE__RESPONSE_SERVICE_HEALTH;
    default:
        return false;
    }
}

Nodelink__TaskResponse *wire_decode_response(const void *body, size_t len, wire_err_t *err)
{
    if (len > WIRE_FRAME_MAX) {
        *err = WIRE_ERR_SIZE;
        return NULL;
    }
    Nodelink__TaskResponse *m = nodelink__task_response__unpack(NULL, len, body);
    if (!m) {
        *err = WIRE_ERR_DECODE;
        return NULL;
    }
    *err = WIRE_OK;
    return m;
}

Nodelink__TaskResponse *wire_decode_published(const void *topic, size_t topic_len, const void *body,
                                              size_t body_len, topic_kind_t *kind, char *id, wire_err_t *err)
{
    if (body_len == 0 || body_len > WIRE_FRAME_MAX) {
        *err = WIRE_ERR_SIZE;
        return NULL;
    }
    if (topic_parse(topic, topic_len, kind, id) != 0) {
        *err = WIRE_ERR_TOPIC;
        return NULL;
    }
    Nodelink__TaskResponse *m = wire_decode_response(body, body_len, err);
    if (!m)
        return NULL;
    if (!m->agent_id || strcmp(m->agent_id, id) != 0) {
        *err = WIRE_ERR_MISMATCH;
        wire_response_free(&m);
        return NULL;
    }
    if (!s_content_fits(*kind, m)) {
        *err = WIRE_ERR_CONTENT;
        wire_response_free(&m);
        return NULL;
    }
    *err = WIRE_OK;
    return m;
}

void wire_response_free(Nodelink__TaskResponse **msg)
{
    if (msg && *msg) {
        nodelink__task_response__free_unpacked(*msg, NULL);
        *msg = NULL;
    }
}

int wire_send_control(void *socket, const Nodelink__ControlMessage *msg, int flags)
{
    size_t size = nodelink__control_message__get_packed_size(msg);
    if (size > WIRE_FRAME_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    zmq_msg_t frame;
    if (zmq_msg_init_size(&frame, size) != 0)
        return -1;
    nodelink__control_message__pack(msg, zmq_msg_data(&frame));
    if (zmq_msg_send(&frame, socket, flags) < 0) {
        zmq_msg_close(&frame);
        return -1;
    }
    return 0;
}

Nodelink__ControlMessage *wire_decode_control(const void *data, size_t len, wire_err_t *err)
{
    if (len == 0 || len > WIRE_FRAME_MAX) {
        *err = WIRE_ERR_SIZE;
        return NULL;
    }
    Nodelink__ControlMessage *m = nodelink__control_message__unpack(NULL, len, data);
    if (!m) {
        *err = WIRE_ERR_DECODE;
        return NULL;
    }
    if (m->body_case == NODELINK__CONTROL_MESSAGE__BODY__NOT_SET) {
        nodelink__control_message__free_unpacked(m, NULL);
        *err = WIRE_ERR_CONTENT;
        return NULL;
    }
    *err = WIRE_OK;
    return m;
}

void wire_control_free(Nodelink__ControlMessage **msg)
{
    if (msg && *msg) {
        nodelink__control_message__free_unpacked(*msg, NULL);
        *msg = NULL;
    }
}
