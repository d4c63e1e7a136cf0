/*
 * memtrim.c - drop the mappings of unused code pages. See memtrim.h.
 */
#include "memtrim.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

/* Ranges are collected first and trimmed after the walk: the program
 * headers the walk reads sit in the first page of each object, and trimming
 * while walking would map them (and 64 KB around each) straight back. */
#define MEMTRIM_MAX_RANGES 256

typedef struct {
    uintptr_t page;
    uintptr_t vdso;
    memtrim_stats_t stats;
    size_t n;
    uintptr_t lo[MEMTRIM_MAX_RANGES], hi[MEMTRIM_MAX_RANGES];
} trim_ctx_t;

/* True when the object's dynamic section says its code may be written by
 * relocations (DT_TEXTREL or DF_TEXTREL): those pages may be private
 * copies, and dropping them would undo the relocations. */
static bool s_has_textrel(const struct dl_phdr_info *info)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_DYNAMIC)
            continue;
        for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr); d->d_tag != DT_NULL;
             d++)
            if (d->d_tag == DT_TEXTREL || (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)))
                return true;
    }
    return false;
}

/* [start, end) of the object's RELRO range, or an empty range. */
static void s_relro(const struct dl_phdr_info *info, uintptr_t *start, uintptr_t *end)
{
    *start = *end = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_GNU_RELRO) {
            *start = info->dlpi_addr + ph->p_vaddr;
            *end = *start + ph->p_memsz;
        }
    }
}

static int s_object(struct dl_phdr_info *info, size_t size, void *vctx)
{
    (void)size;
    trim_ctx_t *ctx = vctx;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && ctx->vdso >= lo && ctx->vdso < lo + ph->p_memsz)
            return 0; /* the kernel's vDSO: no file behind it */
    }
    ctx->stats.objects++;
    if (s_has_textrel(info))
        return 0;
    uintptr_t relro_start, relro_end;
    s_relro(info, &relro_start, &relro_end);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_memsz == 0)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        uintptr_t hi = lo + ph->p_memsz;
        if (lo < relro_end && relro_start < hi)
            continue; /* written by the dynamic linker: never on a usual layout */
        /* Whole pages only: a partial page at either end may be shared with
         * a neighbouring segment. */
        lo = (lo + ctx->page - 1) & ~(ctx->page - 1);
        hi &= ~(ctx->page - 1);
        if (hi <= lo)
            continue;
        if (ctx->n == MEMTRIM_MAX_RANGES)
            return 1; /* enough: stop the walk */
        ctx->lo[ctx->n] = lo;
        ctx->hi[ctx->n] = hi;
        ctx->n++;
    }
    return 0;
}

int memtrim_code(memtrim_stats_t *stats)
{
    long page = sysconf(_SC_PAGESIZE);
    /* Static: 4 KB of ranges should not live on the sampling thread's stack,
     * and only that thread trims. */
    static trim_ctx_t ctx;
    ctx = (trim_ctx_t){.page = page > 0 ? (uintptr_t)page : 4096,
                       .vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR)};
    dl_iterate_phdr(s_object, &ctx);
    int err = 0;
    for (size_t i = 0; i < ctx.n; i++) {
        if (madvise((void *)ctx.lo[i], ctx.hi[i] - ctx.lo[i], MADV_DONTNEED) != 0) {
            if (!err)
                err = errno;
            continue;
        }
        ctx.stats.segments++;
        ctx.stats.bytes += ctx.hi[i] - ctx.lo[i];
    }
    if (stats)
        *stats = ctx.stats;
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

long memtrim_rss_bytes(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    unsigned long size, resident;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
        return -1;
    long page = sysconf(_SC_PAGESIZE);
    return (long)resident * (page > 0 ? page : 4096);
}
