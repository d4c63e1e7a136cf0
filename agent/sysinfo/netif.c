/*
 * netif.c - the NetworkInterface part of system information. See netif.h.
 */
#include "netif.h"
#include "sysinfo.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../procfile.h"
#include "../scan.h"

#define NETIF_MAX 1024

static long s_attr(const char *sys_root, const char *name, const char *attr, char *buf, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/class/net/%s/%s", sys_root, name, attr);
    return procfile_slurp(path, buf, size);
}

bool netif_read(const char *sys_root, const char *name, netif_attrs_t *out)
{
    char buf[128];
    memset(out, 0, sizeof *out);
    out->speed = -1;
    if (s_attr(sys_root, name, "flags", buf, sizeof buf) < 0 &&
        s_attr(sys_root, name, "operstate", buf, sizeof buf) < 0)
        return false;
    unsigned long flags = strtoul(buf, NULL, 16);
    if (s_attr(sys_root, name, "flags", buf, sizeof buf) > 0)
        flags = strtoul(buf, NULL, 16);
    bool oper_down = false;
    if (s_attr(sys_root, name, "operstate", buf, sizeof buf) > 0)
        oper_down =
            strcmp(buf, "down") == 0 || strcmp(buf, "lowerlayerdown") == 0 || strcmp(buf, "notpresent") == 0;
    out->up = (flags & IFF_UP) && !oper_down;
    long n = s_attr(sys_root, name, "address", buf, sizeof buf);
    if (n > 0 && (size_t)n < sizeof out->mac && strspn(buf, "0:") != (size_t)n)
        memcpy(out->mac, buf, (size_t)n + 1);
    char *end;
    if (s_attr(sys_root, name, "speed", buf, sizeof buf) > 0) {
        long long v = strtoll(buf, &end, 10);
        if (end != buf && v > 0)
            out->speed = v;
    }
    return true;
}

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collects the addresses of name from getifaddrs into ni. */
static void s_addresses(Nodelink__NetworkInterface *ni, struct ifaddrs *all, arena_t *a)
{
    size_t n = 0;
    for (struct ifaddrs *i = all; i; i = i->ifa_next)
        if (i->ifa_addr && strcmp(i->ifa_name, ni->name) == 0 &&
            (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6))
            n++;
    if (!n || !(ni->ip_addresses = arena_alloc(a, n * sizeof(char *))))
        return;
    for (struct ifaddrs *i = all; i; i = i->ifa_next) {
        if (!i->ifa_addr || strcmp(i->ifa_name, ni->name) != 0)
            continue;
        char text[INET6_ADDRSTRLEN];
        const void *src;
        int fam = i->ifa_addr->sa_family;
        if (fam == AF_INET)
            src = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
        else if (fam == AF_INET6)
            src = &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr;
        else
            continue;
        if (inet_ntop(fam, src, text, sizeof text) && ni->n_ip_addresses < n)
            ni->ip_addresses[ni->n_ip_addresses++] = arena_strdup(a, text);
    }
}

Nodelink__NetworkInterface **sysinfo_interfaces(const sysinfo_env_t *env, arena_t *a, size_t *n)
{
    *n = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/class/net", env->sys_root);
    DIR *d = opendir(path);
    if (!d)
        return NULL;
    char *names[NETIF_MAX];
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) && count < NETIF_MAX)
        if (e->d_name[0] != '.')
            names[count++] = arena_strdup(a, e->d_name);
    closedir(d);
    if (arena_failed(a))
        return NULL;
    qsort(names, count, sizeof *names, s_cmp);
    Nodelink__NetworkInterface **out = count ? arena_alloc(a, count * sizeof *out) : NULL;
    if (!out)
        return NULL;
    struct ifaddrs *all = NULL;
    if (strcmp(env->sys_root, "/sys") == 0 && getifaddrs(&all) != 0)
        all = NULL;
    for (size_t i = 0; i < count; i++) {
        netif_attrs_t at;
        Nodelink__NetworkInterface *ni = arena_alloc(a, sizeof *ni);
        if (!ni || !netif_read(env->sys_root, names[i], &at))
            continue;
        nodelink__network_interface__init(ni);
        ni->name = names[i];
        if (at.mac[0])
            ni->mac_address = arena_strdup(a, at.mac);
        ni->has_speed_mbps = at.speed > 0;
        ni->speed_mbps = at.speed > 0 ? (uint64_t)at.speed : 0;
        ni->has_is_up = 1;
        ni->is_up = at.up;
        s_addresses(ni, all, a);
        out[(*n)++] = ni;
    }
    if (all)
        freeifaddrs(all);
    return out;
}
