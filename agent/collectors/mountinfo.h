/*
 * mountinfo.h - the real filesystems of /proc/PID/mountinfo.
 *
 * Line format (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent major:minor root mount-point options [optional...] - fstype source super-options
 * Paths escape space, tab, newline and backslash as \040 \011 \012 \134.
 *
 * Kept: filesystems that hold data on a device or a network: everything but
 * the pseudo and memory filesystems listed in mountinfo.c (proc, sysfs,
 * cgroup, tmpfs, devtmpfs, overlay, squashfs, ...), as df -x would exclude
 * them. Bind mounts and repeated mounts of one filesystem (same major:minor)
 * are reported once: the mount whose root is "/" wins (the filesystem
 * itself rather than a subdirectory bound elsewhere), then the shortest mount
 * point.
 */
#ifndef NODELINK_COLLECTOR_MOUNTINFO_H
#define NODELINK_COLLECTOR_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MOUNT_PATH_MAX 256
#define MOUNT_FSTYPE_MAX 32

typedef struct {
    uint32_t major, minor;
    char mount_point[MOUNT_PATH_MAX];
    char fstype[MOUNT_FSTYPE_MAX];
    char source[MOUNT_PATH_MAX];
    bool root_is_slash;
} mount_entry_t;

/* Parses mountinfo text into out (at most max entries), keeping real
 * filesystems, one per device. Returns the number of entries. */
size_t mountinfo_parse(const char *text, size_t len, mount_entry_t *out, size_t max);

/* True for pseudo/memory filesystem types that are never reported. */
bool mountinfo_pseudo_fs(const char *fstype);

#endif
