/*
 * static.c - the built dashboard from http.static_dir.
 *
 * "/" is index.html (Cache-Control: no-cache, so a new build is picked up);
 * files under /assets/ carry content hashes in their names and are cached
 * for a year (immutable); anything else an hour. A path without an
 * extension that is no file falls back to index.html (client-side routes).
 *
 * Safety: only [A-Za-z0-9._~@+-/] characters, no segment starting with '.'
 * (so no "..", no dotfiles), and the resolved real path must stay inside the
 * resolved static_dir (symlinks pointing out are refused).
 */
#include "routes.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext, *type;
} s_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
    {".wasm", "application/wasm"},
};

static const char *s_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof s_types / sizeof s_types[0]; i++)
        if (strcasecmp(dot, s_types[i].ext) == 0)
            return s_types[i].type;
    return "application/octet-stream";
}

static bool s_safe(const char *path)
{
    if (path[0] != '/' || strlen(path) > 1024)
        return false;
    for (const char *p = path; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("._~@+-/", c);
        if (!ok || (c == '/' && (p[1] == '.' || p[1] == '/')))
            return false;
    }
    return true;
}

/* Opens dir + rel if it resolves inside dir and is a regular file. */
static int s_open(const char *dir, const char *rel, struct stat *st)
{
    char joined[PATH_MAX], real_dir[PATH_MAX], real[PATH_MAX];
    if (snprintf(joined, sizeof joined, "%s/%s", dir, rel) >= (int)sizeof joined ||
        !realpath(dir, real_dir) || !realpath(joined, real))
        return -1;
    size_t n = strlen(real_dir);
    if (strncmp(real, real_dir, n) != 0 || real[n] != '/')
        return -1;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

enum MHD_Result static_serve(http_req_t *req)
{
    const char *dir = req->gw->cfg->static_dir;
    const char *path = req->path;
    if (!*dir) /* no dashboard configured */
        return http_error(req, MHD_HTTP_NOT_FOUND, "no route %s %s", req->method, path);
    if (!s_safe(path))
        return http_error(req, MHD_HTTP_NOT_FOUND, "no such file");
    const char *rel = strcmp(path, "/") == 0 ? "index.html" : path + 1;
    struct stat st;
    int fd = s_open(dir, rel, &st);
    const char *last = strrchr(path, '/');
    if (fd < 0 && !strchr(last ? last : path, '.')) { /* client-side route */
        rel = "index.html";
        fd = s_open(dir, rel, &st);
    }
    if (fd < 0)
        return http_error(req, MHD_HTTP_NOT_FOUND, "no such file %s", path);
    struct MHD_Response *r = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, s_type(rel));
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    const char *cache = "public, max-age=3600";
    if (strcmp(rel, "index.html") == 0)
        cache = "no-cache";
    else if (strncmp(rel, "assets/", 7) == 0)
        cache = "public, max-age=31536000, immutable";
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    return http_reply(req, MHD_HTTP_OK, r);
}
