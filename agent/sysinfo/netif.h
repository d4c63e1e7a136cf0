/*
 * netif.h - network interfaces for system information.
 *
 * From sysfs (<sys_root>/class/net/<name>/): address (MAC; absent when all
 * zero, e.g. loopback), speed (Mb/s; absent when the driver reports none,
 * -1, as virtual and down interfaces do), flags (IFF_UP) and operstate:
 * is_up = administratively up and operstate not down/lowerlayerdown/notpresent.
 * Addresses (every IPv4 and IPv6, as text) come from getifaddrs(3), i.e. from
 * the agent's own network namespace, and only when sys_root is "/sys".
 */
#ifndef NODELINK_SYSINFO_NETIF_H
#define NODELINK_SYSINFO_NETIF_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char mac[32];  /* "" when none */
    int64_t speed; /* Mb/s, -1 when unknown */
    bool up;
} netif_attrs_t;

/* Reads the sysfs attributes of one interface. false when the interface
 * directory does not exist. */
bool netif_read(const char *sys_root, const char *name, netif_attrs_t *out);

#endif
