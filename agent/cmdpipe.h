/*
 * cmdpipe.h - commands between the agent's two threads over an inproc PAIR.
 *
 * A command is one or two frames: a short name ("REQ", "RESP", "SYSINFO",
 * "READY", "$TERM", ...) and, for some, a body (a packed protobuf). Both
 * threads wait in poll() on the socket's ZMQ_FD, which is edge-triggered:
 * it says "look at ZMQ_EVENTS", not "a message is there". The rule that
 * keeps that correct: drain with cmdpipe_readable() + cmdpipe_recv() until
 * it is false whenever the descriptor became readable or the thread did
 * anything else on that socket, and only then poll again.
 */
#ifndef NODELINK_CMDPIPE_H
#define NODELINK_CMDPIPE_H

#include <stdbool.h>
#include <stddef.h>

#include <zmq.h>

#define CMDPIPE_NAME_MAX 16

/* Sends name (and body when not NULL). 0 or -1 (errno from zmq). */
int cmdpipe_send(void *socket, const char *name, const void *body, size_t len);

/* Receives one command without blocking unless flags is 0: name into
 * name[CMDPIPE_NAME_MAX] (truncated, NUL-terminated) and the body, if any,
 * into *body, which the caller must have initialised with zmq_msg_init and
 * closes. Extra frames are discarded. 0, or -1 (EAGAIN: nothing there). */
int cmdpipe_recv(void *socket, char *name, zmq_msg_t *body, int flags);

/* Receives and drops the remaining frames of the message whose first
 * frame was just received from socket. */
void cmdpipe_skip_rest(void *socket);

/* True when a message can be received from socket now (ZMQ_EVENTS). */
bool cmdpipe_readable(void *socket);

/* The socket's ZMQ_FD for poll(), or -1. */
int cmdpipe_fd(void *socket);

#endif
