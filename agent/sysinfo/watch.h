/*
 * watch.h - kernel notifications that system information may have changed.
 *
 * System information is republished when its fingerprint changes
 * (sysinfo_fingerprint). Checking it on a timer alone means a change - an
 * interface going down, a filesystem mounted - is seen up to a whole check
 * interval late, and every check runs code no sample needs. The kernel says
 * when the likely things change, so the sampling thread also polls:
 *
 *   - a NETLINK_ROUTE socket subscribed to link and IPv4/IPv6 address
 *     events (RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR): an
 *     interface added, removed, up, down, renamed, an address added/removed;
 *   - the mount table the agent reports (sysenv_mountinfo), which signals
 *     POLLPRI after any mount or unmount in its mount namespace;
 *   - <proc_root>/sys/kernel/hostname, which signals POLLPRI after
 *     sethostname().
 *
 * Each source that cannot be opened (a sandbox without netlink, a fixture
 * tree) is skipped; the periodic check still covers it, and covers what has
 * no notification (package databases, online CPUs, link speed).
 *
 * Poll semantics: the files re-arm when poll reports them; the netlink
 * socket is drained by sysinfo_watch_fired(). A flood of events is the
 * caller's to rate-limit (the worker leaves these fds out of its poll set
 * until the check it scheduled has run).
 */
#ifndef NODELINK_SYSINFO_WATCH_H
#define NODELINK_SYSINFO_WATCH_H

#include <poll.h>
#include <stdbool.h>

#include "sysinfo.h"

#define SYSINFO_WATCH_FDS 3

typedef struct sysinfo_watch_t sysinfo_watch_t;

/* Opens every source it can. NULL only on allocation failure. */
sysinfo_watch_t *sysinfo_watch_new(const sysinfo_env_t *env);

void sysinfo_watch_destroy(sysinfo_watch_t **self);

/* Writes the pollfds of the open sources (at most SYSINFO_WATCH_FDS) and
 * returns how many. */
int sysinfo_watch_pollfds(const sysinfo_watch_t *self, struct pollfd *fds);

/* After poll() on the n fds written by sysinfo_watch_pollfds: true when any
 * source reported a change. Drains the netlink socket. */
bool sysinfo_watch_fired(sysinfo_watch_t *self, const struct pollfd *fds, int n);

/* The sources being watched, for the log ("interfaces, mounts, hostname"),
 * or "" when none could be opened. */
const char *sysinfo_watch_sources(const sysinfo_watch_t *self);

#endif
