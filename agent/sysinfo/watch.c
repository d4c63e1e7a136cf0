/*
 * watch.c - change notifications for system information. See watch.h.
 */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sysinfo_watch_t {
    int route;    /* NETLINK_ROUTE socket, -1 when unavailable */
    int mounts;   /* the reported mount table, -1 when unavailable */
    int hostname; /* <proc_root>/sys/kernel/hostname, -1 when unavailable */
    char sources[64];
};

static int s_route_socket(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -1;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int s_open_at(const char *root, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return open(path, O_RDONLY | O_CLOEXEC);
}

static void s_add_source(sysinfo_watch_t *self, const char *name)
{
    size_t len = strlen(self->sources);
    snprintf(self->sources + len, sizeof self->sources - len, "%s%s", len ? ", " : "", name);
}

sysinfo_watch_t *sysinfo_watch_new(const sysinfo_env_t *env)
{
    sysinfo_watch_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    /* Interfaces are this network namespace's, which is what sysinfo reads
     * (getifaddrs) only with the real /sys: a fixture tree has no events. */
    self->route = strcmp(env->sys_root, "/sys") == 0 ? s_route_socket() : -1;
    self->mounts = s_open_at(env->proc_root, sysenv_mountinfo(env));
    self->hostname = s_open_at(env->proc_root, "sys/kernel/hostname");
    if (self->route >= 0)
        s_add_source(self, "interfaces");
    if (self->mounts >= 0)
        s_add_source(self, "mounts");
    if (self->hostname >= 0)
        s_add_source(self, "hostname");
    return self;
}

void sysinfo_watch_destroy(sysinfo_watch_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sysinfo_watch_t *self = *self_p;
    if (self->route >= 0)
        close(self->route);
    if (self->mounts >= 0)
        close(self->mounts);
    if (self->hostname >= 0)
        close(self->hostname);
    free(self);
    *self_p = NULL;
}

int sysinfo_watch_pollfds(const sysinfo_watch_t *self, struct pollfd *fds)
{
    int n = 0;
    if (self->route >= 0)
        fds[n++] = (struct pollfd){self->route, POLLIN, 0};
    /* procfs reports these readable at all times; a change is POLLPRI
     * (with POLLERR), which poll() re-arms as it reports it. */
    if (self->mounts >= 0)
        fds[n++] = (struct pollfd){self->mounts, POLLPRI, 0};
    if (self->hostname >= 0)
        fds[n++] = (struct pollfd){self->hostname, POLLPRI, 0};
    return n;
}

/* Reads and discards every queued notification: which one it was does not
 * matter, the fingerprint decides. An overflow (ENOBUFS) lost some: a
 * change all the same. */
static void s_drain_route(int fd)
{
    char buf[8192];
    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r > 0 || (r < 0 && (errno == EINTR || errno == ENOBUFS)))
            continue;
        return; /* EAGAIN: drained */
    }
}

bool sysinfo_watch_fired(sysinfo_watch_t *self, const struct pollfd *fds, int n)
{
    bool fired = false;
    for (int i = 0; i < n; i++) {
        if (!fds[i].revents)
            continue;
        fired = true;
        if (fds[i].fd == self->route)
            s_drain_route(self->route);
    }
    return fired;
}

const char *sysinfo_watch_sources(const sysinfo_watch_t *self)
{
    return self->sources;
}
