/*
 * sysenv.h - where system information is read from: the roots every part
 * of sysinfo/ reads through, so tests point them at fixture trees and a
 * containerised agent at the host's files.
 *   proc_root  procfs              ("/proc")
 *   sys_root   sysfs               ("/sys")
 *   rootfs     the host's "/" for /etc/os-release, package databases and
 *              filesystem sizes   ("/")
 */
#ifndef NODELINK_SYSENV_H
#define NODELINK_SYSENV_H

#include <stddef.h>

typedef struct {
    const char *proc_root;
    const char *sys_root;
    const char *rootfs;
} sysinfo_env_t;

/* Joins root and an absolute path ("/" + "/etc/os-release" = "/etc/os-release"). */
void sysenv_path(char *buf, size_t size, const char *root, const char *path);

/* The mount table the agent reports, relative to proc_root: its own
 * ("self/mountinfo"), or the host's PID 1's ("1/mountinfo") when proc_root
 * is not /proc (a containerised agent reading the host's procfs). */
const char *sysenv_mountinfo(const sysinfo_env_t *env);

#endif
