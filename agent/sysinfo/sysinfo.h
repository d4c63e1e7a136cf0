/*
 * sysinfo.h - the SystemInfoResponse: hardware, software, network.
 *
 * Each part has its own file under agent/sysinfo/ (cpuinfo.c, memory.c,
 * disks.c, os.c, packages.c, netif.c); this module assembles them. Every
 * reader goes through the roots of sysenv.h (includes run one way:
 * sysinfo.c -> the parts -> sysenv.c).
 *
 * Values that cannot be read are left absent (never invented): a VM without
 * SMBIOS has no memory type, a host without cpufreq falls back to
 * /proc/cpuinfo for frequencies.
 *
 * The response is built in an arena (arena.h): everything it points to is
 * freed with the arena.
 */
#ifndef NODELINK_SYSINFO_H
#define NODELINK_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "../arena.h"
#include "nodelink.pb-c.h"
#include "sysenv.h"

typedef struct {
    bool hardware, software, network;
} sysinfo_parts_t;

/* Builds the parts asked for, stamped with clock_now_ms(). NULL only when
 * the arena ran out of memory. */
Nodelink__SystemInfoResponse *sysinfo_build(const sysinfo_env_t *env, sysinfo_parts_t parts, arena_t *a);

/* A cheap digest of what makes system information change (mounts,
 * interfaces and their state/addresses, the package databases' mtimes,
 * online CPUs, MemTotal). Equal digests mean nothing worth republishing
 * changed; uptime and free memory are deliberately not part of it. */
uint64_t sysinfo_fingerprint(const sysinfo_env_t *env);

/* The parts, each filling its share (defined in their own files). */
Nodelink__CpuInfo *sysinfo_cpu(const sysinfo_env_t *env, arena_t *a, uint32_t *cores, uint32_t *threads);
Nodelink__MemoryInfo *sysinfo_memory(const sysinfo_env_t *env, arena_t *a);
Nodelink__DiskInfo **sysinfo_disks(const sysinfo_env_t *env, arena_t *a, size_t *n);
Nodelink__OperatingSystem *sysinfo_os(const sysinfo_env_t *env, arena_t *a);
Nodelink__InstalledPackage **sysinfo_packages(const sysinfo_env_t *env, arena_t *a, size_t *n);
Nodelink__NetworkInterface **sysinfo_interfaces(const sysinfo_env_t *env, arena_t *a, size_t *n);

#endif
