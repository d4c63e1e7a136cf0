/*
 * mountinfo.c - real filesystems from mountinfo. See mountinfo.h.
 */
#include "mountinfo.h"

#include <string.h>

#include "../scan.h"

static const char *const s_pseudo[] = {
    "autofs",   "binfmt_misc", "bpf",         "cgroup",          "cgroup2",   "configfs", "debugfs", "devpts",
    "devtmpfs", "efivarfs",    "fusectl",     "hugetlbfs",       "mqueue",    "nsfs",     "overlay", "proc",
    "pstore",   "ramfs",       "rpc_pipefs",  "securityfs",      "selinuxfs", "squashfs", "sysfs",   "tmpfs",
    "tracefs",  "fuse.lxcfs",  "fuse.portal", "fuse.gvfsd-fuse", "nfsd",      "rootfs",   "aufs",    "shm",
};

bool mountinfo_pseudo_fs(const char *fstype)
{
    for (size_t i = 0; i < sizeof s_pseudo / sizeof s_pseudo[0]; i++)
        if (strcmp(fstype, s_pseudo[i]) == 0)
            return true;
    return false;
}

/* Copies a mountinfo path field, decoding \ooo octal escapes. */
static bool s_unescape(const char *w, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        if (c == '\\' && i + 3 < n && w[i + 1] >= '0' && w[i + 1] <= '3' && w[i + 2] >= '0' &&
            w[i + 2] <= '7' && w[i + 3] >= '0' && w[i + 3] <= '7') {
            c = (char)((w[i + 1] - '0') * 64 + (w[i + 2] - '0') * 8 + (w[i + 3] - '0'));
            i += 3;
        }
        if (o + 1 >= size)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

static bool s_parse_line(scan_t *s, mount_entry_t *e)
{
    uint64_t v, maj, min;
    const char *w, *root;
    size_t n, rootn;
    if (!scan_u64(s, &v) || !scan_u64(s, &v)) /* mount id, parent id */
        return false;
    if (!scan_u64(s, &maj) || !scan_lit(s, ":") || !scan_u64(s, &min) || maj > UINT32_MAX || min > UINT32_MAX)
        return false;
    if (!scan_word(s, NULL, &root, &rootn) || !scan_word(s, NULL, &w, &n))
        return false;
    if (!s_unescape(w, n, e->mount_point, sizeof e->mount_point))
        return false;
    /* Skip options and optional fields up to the lone "-". */
    for (;;) {
        if (!scan_word(s, NULL, &w, &n))
            return false;
        if (n == 1 && w[0] == '-')
            break;
    }
    if (!scan_word(s, NULL, &w, &n) || !scan_copy(w, n, e->fstype, sizeof e->fstype))
        return false;
    if (!scan_word(s, NULL, &w, &n) || !s_unescape(w, n, e->source, sizeof e->source))
        return false;
    e->major = (uint32_t)maj;
    e->minor = (uint32_t)min;
    e->root_is_slash = rootn == 1 && root[0] == '/';
    return true;
}

/* Whether candidate should replace the kept entry for the same device. */
static bool s_better(const mount_entry_t *cand, const mount_entry_t *kept)
{
    if (cand->root_is_slash != kept->root_is_slash)
        return cand->root_is_slash;
    return strlen(cand->mount_point) < strlen(kept->mount_point);
}

size_t mountinfo_parse(const char *text, size_t len, mount_entry_t *out, size_t max)
{
    size_t n = 0;
    scan_t s = scan_init(text, len);
    mount_entry_t e;
    for (; !scan_eof(&s); scan_next_line(&s)) {
        if (!s_parse_line(&s, &e) || mountinfo_pseudo_fs(e.fstype))
            continue;
        size_t i = 0;
        while (i < n && !(out[i].major == e.major && out[i].minor == e.minor))
            i++;
        if (i < n) {
            if (s_better(&e, &out[i]))
                out[i] = e;
        } else if (n < max) {
            out[n++] = e;
        }
    }
    return n;
}
