/*
 * os.c - the OperatingSystem part: os-release and the kernel release.
 *
 *   name          NAME of os-release            ("Debian GNU/Linux")
 *   version       VERSION_ID, else VERSION      ("12")
 *   distribution  ID, with VERSION_CODENAME when present ("debian bookworm")
 *   kernel        /proc/sys/kernel/osrelease    ("6.1.0-18-amd64")
 * os-release is read from <rootfs>/etc/os-release, falling back to
 * <rootfs>/usr/lib/os-release as os-release(5) prescribes.
 */
#include "osrelease.h"
#include "sysinfo.h"

#include <stdio.h>
#include <string.h>

#include "../procfile.h"
#include "../scan.h"

/* Copies a value, removing one level of shell quoting ("..." or '...') and
 * backslash escapes inside double quotes. */
static void s_unquote(const char *v, size_t n, char *out, size_t size)
{
    size_t o = 0;
    char q = 0;
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        q = v[0];
        v++;
        n -= 2;
    }
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        if (q == '"' && v[i] == '\\' && i + 1 < n)
            i++;
        out[o++] = v[i];
    }
    out[o] = '\0';
}

void osrelease_parse(const char *text, size_t len, osrelease_t *out)
{
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"NAME=", offsetof(osrelease_t, name)},
        {"VERSION_ID=", offsetof(osrelease_t, version_id)},
        {"VERSION=", offsetof(osrelease_t, version)},
        {"ID=", offsetof(osrelease_t, id)},
        {"VERSION_CODENAME=", offsetof(osrelease_t, codename)},
        {"PRETTY_NAME=", offsetof(osrelease_t, pretty_name)},
    };
    memset(out, 0, sizeof *out);
    scan_t s = scan_init(text, len);
    for (; !scan_eof(&s); scan_next_line(&s)) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            if (!scan_lit(&s, keys[k].key))
                continue;
            const char *eol = memchr(s.p, '\n', (size_t)(s.end - s.p));
            size_t n = (size_t)((eol ? eol : s.end) - s.p);
            s_unquote(s.p, n, (char *)out + keys[k].off, OSRELEASE_FIELD);
            break;
        }
    }
}

static long s_read_first(const sysinfo_env_t *env, char *buf, size_t size)
{
    static const char *const paths[] = {"/etc/os-release", "/usr/lib/os-release"};
    char path[4096];
    for (size_t i = 0; i < 2; i++) {
        sysenv_path(path, sizeof path, env->rootfs, paths[i]);
        long n = procfile_slurp(path, buf, size);
        if (n > 0)
            return n;
    }
    return -1;
}

Nodelink__OperatingSystem *sysinfo_os(const sysinfo_env_t *env, arena_t *a)
{
    Nodelink__OperatingSystem *os = arena_alloc(a, sizeof *os);
    if (!os)
        return NULL;
    nodelink__operating_system__init(os);
    char buf[8192];
    long n = s_read_first(env, buf, sizeof buf);
    if (n > 0) {
        osrelease_t r;
        osrelease_parse(buf, (size_t)n, &r);
        if (r.name[0])
            os->name = arena_strdup(a, r.name);
        if (r.version_id[0] || r.version[0])
            os->version = arena_strdup(a, r.version_id[0] ? r.version_id : r.version);
        if (r.id[0])
            os->distribution =
                r.codename[0] ? arena_printf(a, "%s %s", r.id, r.codename) : arena_strdup(a, r.id);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/sys/kernel/osrelease", env->proc_root);
    if (procfile_slurp(path, buf, sizeof buf) > 0)
        os->kernel_version = arena_strdup(a, buf);
    return os;
}
