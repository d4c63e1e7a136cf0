/*
 * memory.c - the MemoryInfo part: totals from /proc/meminfo.
 */
#include "sysinfo.h"

#include "../collectors/meminfo.h"
#include "../procfile.h"

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
    }
    procfile_destroy(&f);
    return mi;
}
