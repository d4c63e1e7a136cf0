/*
 * memory.c - the MemoryInfo part: totals from /proc/meminfo, type and speed
 * from SMBIOS (dmi.h).
 */
#include "dmi.h"
#include "sysinfo.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../collectors/meminfo.h"
#include "../procfile.h"

#define DMI_TABLE_MAX (1u << 20)

static void s_dmi(const sysinfo_env_t *env, Nodelink__MemoryInfo *mi, arena_t *a)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/firmware/dmi/tables/DMI", env->sys_root);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    unsigned char *buf = malloc(DMI_TABLE_MAX);
    size_t len = 0;
    ssize_t n;
    while (buf && len < DMI_TABLE_MAX && (n = read(fd, buf + len, DMI_TABLE_MAX - len)) > 0)
        len += (size_t)n;
    close(fd);
    dmi_memory_t m;
    if (buf && dmi_parse_memory(buf, len, &m) == 0) {
        if (m.type[0])
            mi->memory_type = arena_strdup(a, m.type);
        mi->has_speed_mhz = m.speed > 0;
        mi->speed_mhz = m.speed;
    }
    free(buf);
}

Nodelink__MemoryInfo *sysinfo_memory(const sysinfo_env_t *env, arena_t *a)
{
    procfile_t *f = procfile_new_at(env->proc_root, "meminfo");
    const char *text;
    long len = f ? procfile_read(f, &text) : -1;
    Nodelink__MemoryMetrics m;
    Nodelink__MemoryInfo *mi = NULL;
    if (len > 0 && meminfo_parse(text, (size_t)len, &m) == 0 && (mi = arena_alloc(a, sizeof *mi))) {
        nodelink__memory_info__init(mi);
        mi->has_total_bytes = mi->has_available_bytes = 1;
        mi->total_bytes = m.total_bytes;
        mi->available_bytes = m.available_bytes;
        s_dmi(env, mi, a);
    }
    procfile_destroy(&f);
    return mi;
}
