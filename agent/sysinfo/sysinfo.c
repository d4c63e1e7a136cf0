/*
 * sysinfo.c - assembles the SystemInfoResponse. See sysinfo.h.
 */
#include "sysinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "../procfile.h"
#include "../scan.h"
#include "clock.h"

static Nodelink__SystemHardware *s_hardware(const sysinfo_env_t *env, arena_t *a)
{
    Nodelink__SystemHardware *hw = arena_alloc(a, sizeof *hw);
    if (!hw)
        return NULL;
    nodelink__system_hardware__init(hw);
    uint32_t cores = 0, threads = 0;
    hw->cpu = sysinfo_cpu(env, a, &cores, &threads);
    if (cores) {
        hw->has_core_count = 1;
        hw->core_count = cores;
    }
    if (threads) {
        hw->has_thread_count = 1;
        hw->thread_count = threads;
    }
    hw->memory = sysinfo_memory(env, a);
    hw->disks = sysinfo_disks(env, a, &hw->n_disks);
    struct utsname u;
    if (uname(&u) == 0)
        hw->architecture = arena_strdup(a, u.machine);
    return hw;
}

static Nodelink__SystemSoftware *s_software(const sysinfo_env_t *env, arena_t *a)
{
    Nodelink__SystemSoftware *sw = arena_alloc(a, sizeof *sw);
    if (!sw)
        return NULL;
    nodelink__system_software__init(sw);
    sw->os = sysinfo_os(env, a);
    char path[4096], buf[256];
    snprintf(path, sizeof path, "%s/sys/kernel/hostname", env->proc_root);
    if (procfile_slurp(path, buf, sizeof buf) > 0)
        sw->hostname = arena_strdup(a, buf);
    snprintf(path, sizeof path, "%s/uptime", env->proc_root);
    double up;
    if (procfile_slurp(path, buf, sizeof buf) > 0) {
        scan_t s = scan_init(buf, strlen(buf));
        if (scan_double(&s, &up) && up >= 0) {
            sw->has_uptime_seconds = 1;
            sw->uptime_seconds = (uint64_t)up;
        }
    }
    sw->packages = sysinfo_packages(env, a, &sw->n_packages);
    return sw;
}

Nodelink__SystemInfoResponse *sysinfo_build(const sysinfo_env_t *env, sysinfo_parts_t parts, arena_t *a)
{
    Nodelink__SystemInfoResponse *r = arena_alloc(a, sizeof *r);
    if (!r)
        return NULL;
    nodelink__system_info_response__init(r);
    r->has_timestamp = 1;
    r->timestamp = (uint64_t)clock_now_ms();
    if (parts.hardware)
        r->hardware = s_hardware(env, a);
    if (parts.software)
        r->software = s_software(env, a);
    if (parts.network)
        r->network_interfaces = sysinfo_interfaces(env, a, &r->n_network_interfaces);
    return arena_failed(a) ? NULL : r;
}

/* FNV-1a, 64 bit: a digest for change detection, not for security. */
static uint64_t s_fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t s_hash_file(uint64_t h, const char *path)
{
    procfile_t *f = procfile_new(path);
    const char *text;
    long len = f ? procfile_read(f, &text) : -1;
    if (len > 0)
        h = s_fnv(h, text, (size_t)len);
    procfile_destroy(&f);
    return h;
}

static uint64_t s_hash_mtime(uint64_t h, const char *root, const char *path)
{
    char full[4096];
    struct stat st;
    sysenv_path(full, sizeof full, root, path);
    if (stat(full, &st) == 0)
        h = s_fnv(h, &st.st_mtim, sizeof st.st_mtim);
    return h;
}

uint64_t sysinfo_fingerprint(const sysinfo_env_t *env)
{
    static const char *const pkg_dbs[] = {"/var/lib/dpkg/status", "/var/lib/rpm/rpmdb.sqlite",
                                          "/var/lib/rpm/Packages", "/lib/apk/db/installed",
                                          "/var/lib/pacman/local"};
    char path[4096];
    uint64_t h = 14695981039346656037ULL;
    snprintf(path, sizeof path, "%s/%s", env->proc_root, sysenv_mountinfo(env));
    h = s_hash_file(h, path);
    snprintf(path, sizeof path, "%s/sys/kernel/hostname", env->proc_root);
    h = s_hash_file(h, path);
    snprintf(path, sizeof path, "%s/devices/system/cpu/online", env->sys_root);
    h = s_hash_file(h, path);
    for (size_t i = 0; i < sizeof pkg_dbs / sizeof pkg_dbs[0]; i++)
        h = s_hash_mtime(h, env->rootfs, pkg_dbs[i]);
    arena_t *a = arena_new();
    size_t n = 0;
    Nodelink__NetworkInterface **ifs = a ? sysinfo_interfaces(env, a, &n) : NULL;
    for (size_t i = 0; ifs && i < n; i++) {
        Nodelink__NetworkInterface *ni = ifs[i];
        h = s_fnv(h, ni->name, strlen(ni->name) + 1);
        h = s_fnv(h, &ni->is_up, sizeof ni->is_up);
        h = s_fnv(h, &ni->speed_mbps, sizeof ni->speed_mbps);
        for (size_t j = 0; j < ni->n_ip_addresses; j++)
            h = s_fnv(h, ni->ip_addresses[j], strlen(ni->ip_addresses[j]) + 1);
    }
    arena_destroy(&a);
    return h;
}
