/*
 * netdev.h - per-interface counters from /proc/net/dev.
 *
 *   Inter-|   Receive                                                |  Transmit
 *    face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop ...
 *     eth0: 1234 56 0 0 0 0 0 0 7890 12 0 0 0 0 0 0
 * Interface names may be up to 15 characters and the kernel omits the space
 * after the colon when the byte count is wide, so the name ends at the ':'.
 */
#ifndef NODELINK_COLLECTOR_NETDEV_H
#define NODELINK_COLLECTOR_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#define NETDEV_NAME_MAX 32

typedef struct {
    char name[NETDEV_NAME_MAX];
    uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
    uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
} netdev_counters_t;

/* Parses up to max interfaces into out, in file order. Returns the count. */
size_t netdev_parse(const char *text, size_t len, netdev_counters_t *out, size_t max);

#endif
