/*
 * meminfo.c - the memory collector. See meminfo.h.
 */
#include "meminfo.h"
#include "collector.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../procfile.h"
#include "../scan.h"

enum { MI_TOTAL, MI_FREE, MI_AVAIL, MI_BUFFERS, MI_CACHED, MI_SRECL, MI_SWTOTAL, MI_SWFREE, MI_N };

static const char *const s_keys[MI_N] = {"MemTotal:", "MemFree:",      "MemAvailable:", "Buffers:",
                                         "Cached:",   "SReclaimable:", "SwapTotal:",    "SwapFree:"};

int meminfo_parse(const char *text, size_t len, Nodelink__MemoryMetrics *m)
{
    uint64_t v[MI_N] = {0};
    bool seen[MI_N] = {false};
    scan_t s = scan_init(text, len);
    for (; !scan_eof(&s); scan_next_line(&s)) {
        for (int k = 0; k < MI_N; k++) {
            if (!seen[k] && scan_lit(&s, s_keys[k])) {
                uint64_t x;
                if (scan_u64(&s, &x) && x <= UINT64_MAX / 1024) {
                    v[k] = x * 1024; /* "kB" in the file means KiB */
                    seen[k] = true;
                }
                break;
            }
        }
    }
    if (!seen[MI_TOTAL])
        return -1;
    uint64_t avail = seen[MI_AVAIL] ? v[MI_AVAIL] : v[MI_FREE] + v[MI_BUFFERS] + v[MI_CACHED] + v[MI_SRECL];
    if (avail > v[MI_TOTAL])
        avail = v[MI_TOTAL];
    nodelink__memory_metrics__init(m);
    m->has_total_bytes = m->has_used_bytes = m->has_available_bytes = m->has_free_bytes = 1;
    m->has_cached_bytes = m->has_buffers_bytes = m->has_usage_percent = 1;
    m->has_swap_total_bytes = m->has_swap_used_bytes = m->has_swap_free_bytes = 1;
    m->has_swap_usage_percent = 1;
    m->total_bytes = v[MI_TOTAL];
    m->available_bytes = avail;
    m->used_bytes = v[MI_TOTAL] - avail;
    m->free_bytes = v[MI_FREE];
    m->cached_bytes = v[MI_CACHED] + v[MI_SRECL];
    m->buffers_bytes = v[MI_BUFFERS];
    m->usage_percent = v[MI_TOTAL] ? 100.0 * (double)m->used_bytes / (double)v[MI_TOTAL] : 0;
    m->swap_total_bytes = v[MI_SWTOTAL];
    m->swap_free_bytes = v[MI_SWFREE] < v[MI_SWTOTAL] ? v[MI_SWFREE] : v[MI_SWTOTAL];
    m->swap_used_bytes = m->swap_total_bytes - m->swap_free_bytes;
    m->swap_usage_percent =
        m->swap_total_bytes ? 100.0 * (double)m->swap_used_bytes / (double)m->swap_total_bytes : 0;
    return 0;
}

static void *s_create(const collector_env_t *env)
{
    return procfile_new_at(env->proc_root, "meminfo");
}

static int s_collect(void *self, sample_t *sample, int64_t now_ns)
{
    (void)now_ns;
    const char *text;
    long len = procfile_read(self, &text);
    if (len < 0)
        return -1;
    Nodelink__MemoryMetrics m;
    if (meminfo_parse(text, (size_t)len, &m) != 0)
        return -1;
    *sample_memory(sample) = m;
    return 0;
}

static void s_destroy(void **self)
{
    procfile_destroy((procfile_t **)self);
}

const collector_def_t collector_meminfo = {"meminfo", "memory", NULL, s_create, s_collect, s_destroy};
