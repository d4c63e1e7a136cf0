/*
 * diskstats.c - /proc/diskstats lookup. See diskstats.h.
 */
#include "diskstats.h"

#include <string.h>

#include "../scan.h"

static bool s_counters(scan_t *s, diskstats_counters_t *out)
{
    uint64_t f[10];
    for (int i = 0; i < 10; i++)
        if (!scan_u64(s, &f[i]))
            return false;
    out->reads = f[0];
    out->sectors_read = f[2];
    out->writes = f[4];
    out->sectors_written = f[6];
    out->io_ticks_ms = f[9];
    return true;
}

bool diskstats_find(const char *text, size_t len, uint32_t major, uint32_t minor, const char *name,
                    diskstats_counters_t *out)
{
    scan_t s = scan_init(text, len);
    bool by_name = false;
    diskstats_counters_t named;
    for (; !scan_eof(&s); scan_next_line(&s)) {
        uint64_t maj, min;
        const char *w;
        size_t n;
        if (!scan_u64(&s, &maj) || !scan_u64(&s, &min) || !scan_word(&s, NULL, &w, &n))
            continue;
        if (maj == major && min == minor)
            return s_counters(&s, out);
        if (name && !by_name && strlen(name) == n && memcmp(w, name, n) == 0)
            by_name = s_counters(&s, &named);
    }
    if (by_name)
        *out = named;
    return by_name;
}
