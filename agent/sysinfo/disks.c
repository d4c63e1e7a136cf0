/*
 * disks.c - the DiskInfo part: each real filesystem (the disk collector's
 * mountinfo rules) with its size and the kind of device behind it.
 *
 * disk_type: "NVMe" for nvme devices; otherwise the whole disk's
 * <sys_root>/block/<disk>/queue/rotational: 1 = "HDD", 0 = "SSD". The disk
 * of a partition (<sys_root>/class/block/<name>/partition exists) is its
 * name without the partition suffix (sda1 -> sda, nvme0n1p2 -> nvme0n1,
 * mmcblk0p1 -> mmcblk0). Network and virtual filesystems have no type.
 */
#include "disktype.h"
#include "sysinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../collectors/mountinfo.h"
#include "../procfile.h"

#define SYSINFO_DISKS_MAX 128

void disktype_whole_disk(const char *sys_root, const char *name, char *disk, size_t size)
{
    char path[4096], buf[32];
    snprintf(disk, size, "%s", name);
    snprintf(path, sizeof path, "%s/class/block/%s/partition", sys_root, name);
    if (procfile_slurp(path, buf, sizeof buf) < 0)
        return;
    size_t n = strlen(disk);
    while (n > 0 && disk[n - 1] >= '0' && disk[n - 1] <= '9')
        n--;
    /* "nvme0n1p2", "mmcblk0p1": a 'p' between digits separates the partition. */
    if (n >= 2 && disk[n - 1] == 'p' && disk[n - 2] >= '0' && disk[n - 2] <= '9')
        n--;
    disk[n] = '\0';
}

const char *disktype_of(const char *sys_root, const char *device)
{
    const char *name = strrchr(device, '/');
    name = name ? name + 1 : device;
    if (strncmp(device, "/dev/", 5) != 0 || !*name)
        return NULL;
    char disk[256], path[4096], buf[16];
    disktype_whole_disk(sys_root, name, disk, sizeof disk);
    if (strncmp(disk, "nvme", 4) == 0)
        return "NVMe";
    snprintf(path, sizeof path, "%s/block/%s/queue/rotational", sys_root, disk);
    if (procfile_slurp(path, buf, sizeof buf) <= 0)
        return NULL;
    return buf[0] == '1' ? "HDD" : buf[0] == '0' ? "SSD" : NULL;
}

Nodelink__DiskInfo **sysinfo_disks(const sysinfo_env_t *env, arena_t *a, size_t *n)
{
    *n = 0;
    bool host_view = strcmp(env->proc_root, "/proc") != 0;
    procfile_t *f = procfile_new_at(env->proc_root, sysenv_mountinfo(env));
    const char *text;
    long len = f ? procfile_read(f, &text) : -1;
    mount_entry_t *m = len > 0 ? arena_alloc(a, SYSINFO_DISKS_MAX * sizeof *m) : NULL;
    size_t count = m ? mountinfo_parse(text, (size_t)len, m, SYSINFO_DISKS_MAX) : 0;
    procfile_destroy(&f);
    Nodelink__DiskInfo **out = count ? arena_alloc(a, count * sizeof *out) : NULL;
    for (size_t i = 0; out && i < count; i++) {
        Nodelink__DiskInfo *d = arena_alloc(a, sizeof *d);
        if (!d)
            break;
        nodelink__disk_info__init(d);
        d->device = arena_strdup(a, m[i].source);
        d->mount_point = arena_strdup(a, m[i].mount_point);
        d->filesystem = arena_strdup(a, m[i].fstype);
        const char *type = disktype_of(env->sys_root, m[i].source);
        d->disk_type = type ? arena_strdup(a, type) : NULL;
        char path[4096];
        struct statvfs st;
        if (host_view)
            snprintf(path, sizeof path, "%s/1/root%s", env->proc_root, m[i].mount_point);
        else
            snprintf(path, sizeof path, "%s", m[i].mount_point);
        if (statvfs(path, &st) == 0 && st.f_blocks) {
            uint64_t fr = st.f_frsize ? st.f_frsize : st.f_bsize;
            d->has_total_bytes = d->has_available_bytes = 1;
            d->total_bytes = (uint64_t)st.f_blocks * fr;
            d->available_bytes = (uint64_t)st.f_bavail * fr;
        }
        out[(*n)++] = d;
    }
    return out;
}
