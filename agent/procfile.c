/*
 * procfile.c - open-once, pread-again reader for kernel text files.
 * See procfile.h.
 */
#include "procfile.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROCFILE_INITIAL 4096u

struct procfile_t {
    char *path;
    int fd;
    char *buf;
    size_t cap; /* bytes in buf, including room for the NUL */
};

procfile_t *procfile_new(const char *path)
{
    procfile_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->path = strdup(path);
    self->fd = -1;
    if (!self->path) {
        free(self);
        return NULL;
    }
    return self;
}

procfile_t *procfile_new_at(const char *root, const char *rel)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", root, rel);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return procfile_new(path);
}

void procfile_destroy(procfile_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    procfile_t *self = *self_p;
    if (self->fd >= 0)
        close(self->fd);
    free(self->buf);
    free(self->path);
    free(self);
    *self_p = NULL;
}

const char *procfile_path(const procfile_t *self)
{
    return self->path;
}

static int s_grow(procfile_t *self)
{
    size_t cap = self->cap ? self->cap * 2 : PROCFILE_INITIAL;
    if (cap > PROCFILE_MAX + 1)
        cap = PROCFILE_MAX + 1;
    if (cap <= self->cap) {
        errno = EFBIG;
        return -1;
    }
    char *buf = realloc(self->buf, cap);
    if (!buf)
        return -1;
    self->buf = buf;
    self->cap = cap;
    return 0;
}

static void s_close(procfile_t *self)
{
    if (self->fd >= 0)
        close(self->fd);
    self->fd = -1;
}

/* Reads from offset 0 until EOF; the buffer grows when the text fills it.
 * /proc files may return short reads, so loop until read returns 0. */
long procfile_read(procfile_t *self, const char **text)
{
    if (self->fd < 0) {
        self->fd = open(self->path, O_RDONLY | O_CLOEXEC);
        if (self->fd < 0)
            return -1;
    }
    if (!self->buf && s_grow(self) != 0)
        return -1;
    size_t len = 0;
    for (;;) {
        if (len + 1 >= self->cap && s_grow(self) != 0) {
            if (errno == EFBIG)
                break; /* truncated at PROCFILE_MAX: parsers see a prefix */
            return -1;
        }
        ssize_t n = pread(self->fd, self->buf + len, self->cap - 1 - len, (off_t)len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            s_close(self);
            errno = saved;
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    self->buf[len] = '\0';
    *text = self->buf;
    return (long)len;
}

long procfile_slurp(const char *path, char *buf, size_t size)
{
    if (size == 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len + 1 < size) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0) {
                close(fd);
                return -1;
            }
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    buf[len] = '\0';
    return (long)len;
}

bool procfile_changed(procfile_t *self)
{
    if (self->fd < 0)
        return true;
    struct pollfd p = {self->fd, POLLPRI, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLPRI | POLLERR));
}
