/*
 * memtrim.h - keep only the code pages the agent uses resident.
 *
 * Most of a small C daemon's resident set is not its own memory but the
 * pages of the shared libraries it maps: the kernel maps file pages 64 KB
 * at a time around every page fault ("fault-around"), and start-up (option
 * parsing, YAML, certificates, package databases, relocation processing)
 * touches code that is never run again. For the agent that was 5.5 of its
 * 6.7 MB: whole stretches of libc, libstdc++ and libzmq's dependencies.
 *
 * memtrim_code() walks every loaded object (dl_iterate_phdr) and, for each
 * segment that is never written - code and read-only data, but not the
 * RELRO range that the dynamic linker wrote relocations into before making
 * it read-only - advises the kernel that access is random (MADV_RANDOM: a
 * later fault maps one page, not 64 KB around it) and drops the mappings of
 * its pages (MADV_DONTNEED). Nothing is freed or lost: those pages are
 * clean, shared page-cache pages identical to the file; the agent maps
 * again, one fault each, the few it uses next. What stays resident is the
 * working set of a sample. Objects with text relocations (whose code pages
 * may have been written) are left alone.
 *
 * Called from the sampling thread after start-up, after rare work (system
 * information builds) and every agent.trim_interval (10 minutes). A trim
 * is not free: unmapping costs about 1 us per resident page (each is a
 * shared page-cache folio whose map count changes), 1.5-2 ms for the
 * agent's ~1,500 pages on the benchmark machine, and the pages a sample
 * uses fault back in afterwards. That is why it runs every few minutes,
 * not after every piece of rare work.
 */
#ifndef NODELINK_MEMTRIM_H
#define NODELINK_MEMTRIM_H

#include <stddef.h>

typedef struct {
    size_t objects;  /* loaded objects visited */
    size_t segments; /* segments trimmed */
    size_t bytes;    /* bytes of address space whose pages were unmapped */
} memtrim_stats_t;

/* Trims the clean, never-written segments of every loaded object. Returns
 * 0, or -1 when madvise failed on a segment (errno set; the others are
 * still trimmed). stats may be NULL. */
int memtrim_code(memtrim_stats_t *stats);

/* Resident set size of this process in bytes, from /proc/self/statm, or -1. */
long memtrim_rss_bytes(void);

#endif
