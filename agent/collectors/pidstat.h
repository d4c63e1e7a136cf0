/*
 * pidstat.h - parsing /proc/PID/stat.
 *
 * The second field (comm) is in parentheses and may itself contain spaces
 * and parentheses ("(tmux: server)", "((sd-pam))"), so parsing starts after
 * the LAST ')' of the line. Fields used (proc(5) numbering):
 *   3 state   4 ppid   14 utime   15 stime   20 num_threads
 *   22 starttime (clock ticks since boot)   23 vsize (bytes)   24 rss (pages)
 */
#ifndef NODELINK_COLLECTOR_PIDSTAT_H
#define NODELINK_COLLECTOR_PIDSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    char state;
    uint32_t ppid;
    uint64_t utime, stime; /* clock ticks */
    uint32_t threads;
    uint64_t starttime; /* clock ticks since boot */
    uint64_t vsize;     /* bytes */
    uint64_t rss_pages;
} pidstat_t;

/* Parses one /proc/PID/stat line. -1 when malformed. */
int pidstat_parse(const char *text, size_t len, pidstat_t *out);

/* Reads and parses <proc_root>/<pid>/stat (open, read, close). -1 when the
 * process is gone or the text malformed. */
int pidstat_read(const char *proc_root, uint32_t pid, pidstat_t *out);

#endif
