/*
 * disktype.h - which kind of device holds a filesystem (see disks.c).
 */
#ifndef NODELINK_SYSINFO_DISKTYPE_H
#define NODELINK_SYSINFO_DISKTYPE_H

#include <stddef.h>

/* The whole disk of block device name (a partition's parent; else name). */
void disktype_whole_disk(const char *sys_root, const char *name, char *disk, size_t size);

/* "NVMe", "SSD", "HDD" for a /dev/... source, NULL when unknown. */
const char *disktype_of(const char *sys_root, const char *device);

#endif
