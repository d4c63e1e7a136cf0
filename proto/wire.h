/*
 * wire.h - framing of nodelink messages on ZeroMQ sockets.
 *
 * Published frames (agent PUB -> broker XSUB -> broker XPUB -> subscribers)
 * are two-part messages [topic][TaskResponse]; see topic.h for the topic
 * bytes. The TaskResponse's agent_id must equal the id in the topic (for
 * health frames: the service name).
 *
 * Control messages (DEALER <-> broker ROUTER) are single frames holding one
 * ControlMessage.
 *
 * Every decoder here is for untrusted input: it checks sizes first, never
 * trusts lengths inside the data, and reports why it rejected a frame.
 * The library never logs. Sockets are raw libzmq handles (use
 * zsock_resolve() on a czmq zsock_t).
 */
#ifndef NODELINK_WIRE_H
#define NODELINK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nodelink.pb-c.h"
#include "topic.h"

/* Largest protobuf body accepted on any nodelink socket. */
#define WIRE_FRAME_MAX (1024u * 1024u)

typedef enum {
    WIRE_OK = 0,
    WIRE_ERR_PARTS,    /* wrong number of message parts */
    WIRE_ERR_SIZE,     /* body larger than WIRE_FRAME_MAX (or empty) */
    WIRE_ERR_TOPIC,    /* topic bytes malformed */
    WIRE_ERR_DECODE,   /* body is not a valid protobuf of the expected type */
    WIRE_ERR_MISMATCH, /* agent_id inside differs from the topic's id */
    WIRE_ERR_CONTENT,  /* decodes, but the content does not fit the topic kind */
    WIRE_ERR_SYSTEM,   /* ZeroMQ send/recv or allocation failed */
    WIRE_ERR_COUNT
} wire_err_t;

/* A short, stable, snake_case name for err ("oversized", "bad_topic", ...),
 * usable as a counter name. */
const char *wire_err_name(wire_err_t err);

/* Packs msg and sends [topic(kind, id)][body] on socket without blocking.
 * Returns 0, or -1 (errno from zmq: EAGAIN when the HWM is reached). */
int wire_publish(void *socket, topic_kind_t kind, const char *id, const Nodelink__TaskResponse *msg);

/* Checks and decodes one published frame. On success returns the decoded
 * message (caller owns; free with wire_response_free) and fills kind and id
 * (TOPIC_ID_MAX + 1 bytes). On failure returns NULL and sets *err. */
Nodelink__TaskResponse *wire_decode_published(const void *topic, size_t topic_len, const void *body,
                                              size_t body_len, topic_kind_t *kind, char *id, wire_err_t *err);

/* Frees a message from wire_decode_published / wire_decode_response and
 * NULLs the pointer. Safe on NULL. */
void wire_response_free(Nodelink__TaskResponse **msg);

/* Decodes a bare TaskResponse body (size-checked). NULL with *err on failure. */
Nodelink__TaskResponse *wire_decode_response(const void *body, size_t len, wire_err_t *err);

/* Packs msg into one frame and sends it (flags as zmq_send, e.g. ZMQ_DONTWAIT
 * or ZMQ_SNDMORE). Returns 0 or -1. */
int wire_send_control(void *socket, const Nodelink__ControlMessage *msg, int flags);

/* Decodes one control frame. NULL with *err on failure; free with
 * wire_control_free. */
Nodelink__ControlMessage *wire_decode_control(const void *data, size_t len, wire_err_t *err);

void wire_control_free(Nodelink__ControlMessage **msg);

/* Packs any protobuf-c message into a malloc'd buffer; *len receives its size.
 * NULL on allocation failure. */
uint8_t *wire_pack(const ProtobufCMessage *msg, size_t *len);

#endif
