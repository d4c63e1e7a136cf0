/*
 * proctrack.c - netlink process connector client. See proctrack.h.
 */
#include "proctrack.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROCTRACK_RCVBUF (1 << 20)

struct proctrack_t {
    int fd;
    _Alignas(struct nlmsghdr) char buf[16384];
};

static int s_subscribe(int fd, enum proc_cn_mcast_op op)
{
    struct {
        struct nlmsghdr nl;
        struct cn_msg cn;
        enum proc_cn_mcast_op op;
    } __attribute__((packed)) msg;
    memset(&msg, 0, sizeof msg);
    msg.nl.nlmsg_len = sizeof msg;
    msg.nl.nlmsg_type = NLMSG_DONE;
    msg.cn.id.idx = CN_IDX_PROC;
    msg.cn.id.val = CN_VAL_PROC;
    msg.cn.len = sizeof msg.op;
    msg.op = op;
    return send(fd, &msg, sizeof msg, 0) == (ssize_t)sizeof msg ? 0 : -1;
}

proctrack_t *proctrack_new(void)
{
    int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (fd < 0)
        return NULL;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = CN_IDX_PROC;
    int rcv = PROCTRACK_RCVBUF;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || s_subscribe(fd, PROC_CN_MCAST_LISTEN) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    proctrack_t *self = malloc(sizeof *self);
    if (!self) {
        close(fd);
        return NULL;
    }
    self->fd = fd;
    return self;
}

void proctrack_destroy(proctrack_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    s_subscribe((*self_p)->fd, PROC_CN_MCAST_IGNORE);
    close((*self_p)->fd);
    free(*self_p);
    *self_p = NULL;
}

static int s_event(const struct proc_event *ev, proctrack_fn fn, void *ctx)
{
    switch (ev->what) {
    case PROC_EVENT_FORK:
        if (ev->event_data.fork.child_pid != ev->event_data.fork.child_tgid)
            return 0; /* a new thread */
        fn(ctx, PROCTRACK_FORK, (uint32_t)ev->event_data.fork.child_tgid,
           (uint32_t)ev->event_data.fork.parent_tgid);
        return 1;
    case PROC_EVENT_EXEC:
        fn(ctx, PROCTRACK_EXEC, (uint32_t)ev->event_data.exec.process_tgid, 0);
        return 1;
    case PROC_EVENT_EXIT:
        if (ev->event_data.exit.process_pid != ev->event_data.exit.process_tgid)
            return 0;
        fn(ctx, PROCTRACK_EXIT, (uint32_t)ev->event_data.exit.process_tgid, 0);
        return 1;
    default:
        return 0;
    }
}

int proctrack_drain(proctrack_t *self, proctrack_fn fn, void *ctx)
{
    int count = 0;
    bool lost = false;
    for (;;) {
        ssize_t n = recv(self->fd, self->buf, sizeof self->buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) {
                lost = true;
                continue;
            }
            break; /* EAGAIN: drained */
        }
        int len = (int)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)self->buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_NOOP)
                continue;
            const struct cn_msg *cn = NLMSG_DATA(h);
            if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC ||
                cn->len < sizeof(struct proc_event) ||
                (size_t)h->nlmsg_len < NLMSG_LENGTH(sizeof *cn + sizeof(struct proc_event)))
                continue;
            count += s_event((const struct proc_event *)cn->data, fn, ctx);
        }
    }
    return lost ? -1 : count;
}
