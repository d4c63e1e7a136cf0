/*
 * packages.c - installed packages from dpkg, apk, pacman and rpm databases.
 * See packages.h.
 */
#include "packages.h"
#include "sysinfo.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h> /* types and constants only; the library is dlopen()ed */

#include "../procfile.h"
#include "../scan.h"

#define PKG_FIELD 256

static const char *s_line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

static void s_copy(char *out, const char *v, size_t n)
{
    if (n >= PKG_FIELD)
        n = PKG_FIELD - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

/* ------------------------------------------------------------ dpkg */

size_t packages_parse_dpkg(const char *text, size_t len, packages_fn fn, void *ctx)
{
    const char *p = text, *end = text + len;
    char name[PKG_FIELD] = "", version[PKG_FIELD] = "";
    bool installed = false;
    size_t count = 0;
    for (;;) {
        bool at_end = p >= end;
        const char *eol = at_end ? end : s_line_end(p, end);
        if (at_end || eol == p) { /* blank line: end of a paragraph */
            if (installed && name[0] && version[0]) {
                fn(ctx, name, version);
                count++;
            }
            name[0] = version[0] = '\0';
            installed = false;
            if (at_end)
                break;
        } else if (strncmp(p, "Package: ", 9) == 0) {
            s_copy(name, p + 9, (size_t)(eol - p - 9));
        } else if (strncmp(p, "Version: ", 9) == 0) {
            s_copy(version, p + 9, (size_t)(eol - p - 9));
        } else if (strncmp(p, "Status: ", 8) == 0) {
            /* "install ok installed"; "deinstall ok config-files" is not installed */
            size_t n = (size_t)(eol - p);
            installed = n >= 10 && memcmp(eol - 10, " installed", 10) == 0;
        }
        p = eol < end ? eol + 1 : end;
    }
    return count;
}

/* ------------------------------------------------------------ apk */

size_t packages_parse_apk(const char *text, size_t len, packages_fn fn, void *ctx)
{
    const char *p = text, *end = text + len;
    char name[PKG_FIELD] = "", version[PKG_FIELD] = "";
    size_t count = 0;
    for (;;) {
        bool at_end = p >= end;
        const char *eol = at_end ? end : s_line_end(p, end);
        if (at_end || eol == p) {
            if (name[0] && version[0]) {
                fn(ctx, name, version);
                count++;
            }
            name[0] = version[0] = '\0';
            if (at_end)
                break;
        } else if (eol - p >= 2 && p[1] == ':' && (p[0] == 'P' || p[0] == 'V')) {
            s_copy(p[0] == 'P' ? name : version, p + 2, (size_t)(eol - p - 2));
        }
        p = eol < end ? eol + 1 : end;
    }
    return count;
}

/* ------------------------------------------------------------ pacman */

size_t packages_parse_pacman_desc(const char *text, size_t len, packages_fn fn, void *ctx)
{
    const char *p = text, *end = text + len;
    char name[PKG_FIELD] = "", version[PKG_FIELD] = "";
    char *want = NULL;
    while (p < end) {
        const char *eol = s_line_end(p, end);
        size_t n = (size_t)(eol - p);
        if (want && n) {
            s_copy(want, p, n);
            want = NULL;
        } else if (n == 6 && memcmp(p, "%NAME%", 6) == 0) {
            want = name;
        } else if (n == 9 && memcmp(p, "%VERSION%", 9) == 0) {
            want = version;
        } else {
            want = NULL;
        }
        p = eol < end ? eol + 1 : end;
    }
    if (!name[0] || !version[0])
        return 0;
    fn(ctx, name, version);
    return 1;
}

/* ------------------------------------------------------------ rpm */

static uint32_t s_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum { RPMTAG_NAME = 1000, RPMTAG_VERSION = 1001, RPMTAG_RELEASE = 1002, RPMTAG_EPOCH = 1003 };
enum { RPM_INT32 = 4, RPM_STRING = 6, RPM_I18NSTRING = 9 };

/* An rpm header: il (index entries) and dl (data bytes), both big-endian,
 * then il entries of {tag, type, offset, count}, then the data store. Every
 * offset is checked against dl; strings must be NUL-terminated inside it. */
size_t packages_parse_rpm_header(const unsigned char *blob, size_t len, packages_fn fn, void *ctx)
{
    if (len < 8)
        return 0;
    uint32_t il = s_be32(blob), dl = s_be32(blob + 4);
    if (il > 100000 || dl > len || 8 + (size_t)il * 16 + dl > len)
        return 0;
    const unsigned char *idx = blob + 8, *data = idx + (size_t)il * 16;
    const char *name = NULL, *ver = NULL, *rel = NULL;
    int64_t epoch = -1;
    for (uint32_t i = 0; i < il; i++) {
        const unsigned char *e = idx + (size_t)i * 16;
        uint32_t tag = s_be32(e), type = s_be32(e + 4), off = s_be32(e + 8);
        if (off >= dl)
            continue;
        if (tag == RPMTAG_EPOCH && type == RPM_INT32 && off + 4 <= dl) {
            epoch = s_be32(data + off);
        } else if ((type == RPM_STRING || type == RPM_I18NSTRING) &&
                   (tag == RPMTAG_NAME || tag == RPMTAG_VERSION || tag == RPMTAG_RELEASE)) {
            const char *s = (const char *)data + off;
            if (!memchr(s, '\0', dl - off))
                continue;
            if (tag == RPMTAG_NAME)
                name = s;
            else if (tag == RPMTAG_VERSION)
                ver = s;
            else
                rel = s;
        }
    }
    if (!name || !ver || !*name)
        return 0;
    char version[PKG_FIELD * 2];
    if (epoch >= 0)
        snprintf(version, sizeof version, "%lld:%s%s%s", (long long)epoch, ver, rel ? "-" : "",
                 rel ? rel : "");
    else
        snprintf(version, sizeof version, "%s%s%s", ver, rel ? "-" : "", rel ? rel : "");
    fn(ctx, name, version);
    return 1;
}

/* libsqlite3 is loaded only while an rpm database is read: hosts without
 * one (and every sample) never map its pages. */
typedef struct {
    void *lib;
    int (*open_v2)(const char *, sqlite3 **, int, const char *);
    int (*close)(sqlite3 *);
    int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
    int (*step)(sqlite3_stmt *);
    const void *(*column_blob)(sqlite3_stmt *, int);
    int (*column_bytes)(sqlite3_stmt *, int);
    int (*finalize)(sqlite3_stmt *);
} sqlite_api_t;

static bool s_sqlite_load(sqlite_api_t *api)
{
    api->lib = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!api->lib)
        return false;
    /* POSIX guarantees object and function pointers convert through dlsym. */
    *(void **)&api->open_v2 = dlsym(api->lib, "sqlite3_open_v2");
    *(void **)&api->close = dlsym(api->lib, "sqlite3_close");
    *(void **)&api->prepare_v2 = dlsym(api->lib, "sqlite3_prepare_v2");
    *(void **)&api->step = dlsym(api->lib, "sqlite3_step");
    *(void **)&api->column_blob = dlsym(api->lib, "sqlite3_column_blob");
    *(void **)&api->column_bytes = dlsym(api->lib, "sqlite3_column_bytes");
    *(void **)&api->finalize = dlsym(api->lib, "sqlite3_finalize");
    if (api->open_v2 && api->close && api->prepare_v2 && api->step && api->column_blob && api->column_bytes &&
        api->finalize)
        return true;
    dlclose(api->lib);
    return false;
}

static size_t s_read_rpm_sqlite(const char *path, packages_fn fn, void *ctx)
{
    if (access(path, R_OK) != 0)
        return 0;
    sqlite_api_t api;
    if (!s_sqlite_load(&api))
        return 0; /* documented: rpm packages need libsqlite3 on the host */
    sqlite3 *db = NULL;
    size_t count = 0;
    char uri[4200];
    /* immutable: no locking, no journal (the agent must never write it). */
    snprintf(uri, sizeof uri, "file:%s?immutable=1", path);
    if (api.open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
        api.close(db);
        dlclose(api.lib);
        return 0;
    }
    sqlite3_stmt *st = NULL;
    if (api.prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL) == SQLITE_OK) {
        while (api.step(st) == SQLITE_ROW) {
            const void *b = api.column_blob(st, 0);
            int n = api.column_bytes(st, 0);
            if (b && n > 0)
                count += packages_parse_rpm_header(b, (size_t)n, fn, ctx);
        }
    }
    api.finalize(st);
    api.close(db);
    dlclose(api.lib);
    return count;
}

/* ------------------------------------------------------------ files */

static size_t s_read_text(const char *path, size_t (*parse)(const char *, size_t, packages_fn, void *),
                          packages_fn fn, void *ctx)
{
    procfile_t *f = procfile_new(path);
    const char *text;
    long len = f ? procfile_read(f, &text) : -1;
    size_t n = len > 0 ? parse(text, (size_t)len, fn, ctx) : 0;
    procfile_destroy(&f);
    return n;
}

static size_t s_read_pacman(const char *dir, packages_fn fn, void *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (snprintf(path, sizeof path, "%s/%s/desc", dir, e->d_name) < (int)sizeof path)
            n += s_read_text(path, packages_parse_pacman_desc, fn, ctx);
    }
    closedir(d);
    return n;
}

/* ------------------------------------------------------------ sysinfo part */

typedef struct {
    arena_t *a;
    const char *manager;
    Nodelink__InstalledPackage **items;
    size_t n, cap;
} collect_t;

static void s_add(void *vctx, const char *name, const char *version)
{
    collect_t *c = vctx;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 256;
        Nodelink__InstalledPackage **items = arena_alloc(c->a, ncap * sizeof *items);
        if (!items)
            return;
        if (c->n)
            memcpy(items, c->items, c->n * sizeof *items);
        c->items = items;
        c->cap = ncap;
    }
    Nodelink__InstalledPackage *p = arena_alloc(c->a, sizeof *p);
    if (!p)
        return;
    nodelink__installed_package__init(p);
    p->name = arena_strdup(c->a, name);
    p->version = arena_strdup(c->a, version);
    p->package_manager = (char *)c->manager;
    c->items[c->n++] = p;
}

Nodelink__InstalledPackage **sysinfo_packages(const sysinfo_env_t *env, arena_t *a, size_t *n)
{
    collect_t c = {.a = a};
    char path[4096];
    c.manager = "dpkg";
    sysenv_path(path, sizeof path, env->rootfs, "/var/lib/dpkg/status");
    s_read_text(path, packages_parse_dpkg, s_add, &c);
    c.manager = "apk";
    sysenv_path(path, sizeof path, env->rootfs, "/lib/apk/db/installed");
    s_read_text(path, packages_parse_apk, s_add, &c);
    c.manager = "pacman";
    sysenv_path(path, sizeof path, env->rootfs, "/var/lib/pacman/local");
    s_read_pacman(path, s_add, &c);
    c.manager = "rpm";
    sysenv_path(path, sizeof path, env->rootfs, "/var/lib/rpm/rpmdb.sqlite");
    s_read_rpm_sqlite(path, s_add, &c);
    *n = c.n;
    return c.items;
}
