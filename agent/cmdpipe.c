/*
 * cmdpipe.c - commands between the agent's threads. See cmdpipe.h.
 */
#include "cmdpipe.h"

#include <string.h>

int cmdpipe_send(void *socket, const char *name, const void *body, size_t len)
{
    if (zmq_send(socket, name, strlen(name), body ? ZMQ_SNDMORE : 0) < 0)
        return -1;
    return body && zmq_send(socket, body, len, 0) < 0 ? -1 : 0;
}

static bool s_more(void *socket)
{
    int more = 0;
    size_t sz = sizeof more;
    return zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &sz) == 0 && more;
}

int cmdpipe_recv(void *socket, char *name, zmq_msg_t *body, int flags)
{
    int n = zmq_recv(socket, name, CMDPIPE_NAME_MAX - 1, flags);
    if (n < 0)
        return -1;
    name[n < CMDPIPE_NAME_MAX - 1 ? n : CMDPIPE_NAME_MAX - 1] = '\0';
    if (s_more(socket) && zmq_msg_recv(body, socket, 0) >= 0)
        cmdpipe_skip_rest(socket); /* not ours */
    return 0;
}

void cmdpipe_skip_rest(void *socket)
{
    bool more = s_more(socket);
    while (more) {
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        more = zmq_msg_recv(&extra, socket, 0) >= 0 && s_more(socket);
        zmq_msg_close(&extra);
    }
}

bool cmdpipe_readable(void *socket)
{
    int events = 0;
    size_t sz = sizeof events;
    return zmq_getsockopt(socket, ZMQ_EVENTS, &events, &sz) == 0 && (events & ZMQ_POLLIN);
}

int cmdpipe_fd(void *socket)
{
    int fd = -1;
    size_t sz = sizeof fd;
    return zmq_getsockopt(socket, ZMQ_FD, &fd, &sz) == 0 ? fd : -1;
}
