/*
 * pidstat.c - /proc/PID/stat parsing. See pidstat.h.
 */
#include "pidstat.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../scan.h"

int pidstat_parse(const char *text, size_t len, pidstat_t *out)
{
    const char *close = NULL;
    for (const char *p = text + len; p > text; p--)
        if (p[-1] == ')') {
            close = p;
            break;
        }
    if (!close)
        return -1;
    scan_t s = scan_init(close, len - (size_t)(close - text));
    const char *w;
    size_t wl;
    if (!scan_word(&s, NULL, &w, &wl) || wl != 1)
        return -1;
    out->state = w[0];
    uint64_t f[22]; /* fields 4..25 */
    for (int i = 0; i < 22; i++) {
        scan_blanks(&s);
        if (s.p < s.end && *s.p == '-') { /* priority/nice may be negative */
            s.p++;
        }
        if (!scan_u64(&s, &f[i]))
            return -1;
    }
    out->ppid = (uint32_t)f[0];
    out->utime = f[10];
    out->stime = f[11];
    out->threads = (uint32_t)f[16];
    out->starttime = f[18];
    out->vsize = f[19];
    out->rss_pages = f[20];
    return 0;
}

int pidstat_read(const char *proc_root, uint32_t pid, pidstat_t *out)
{
    char path[4096], buf[1024];
    snprintf(path, sizeof path, "%s/%u/stat", proc_root, pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    return pidstat_parse(buf, (size_t)n, out);
}
