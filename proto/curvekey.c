/*
 * curvekey.c - zcert files and CURVE client options with libzmq alone.
 * See curvekey.h.
 */
#include "curvekey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#define CURVEKEY_FILE_MAX 65536 /* a certificate is a few hundred bytes */
#define CURVEKEY_Z85_LEN 40

/* The next line of text[*pos..len) as [*start, *end); false at the end. */
static bool s_next_line(const char *text, size_t len, size_t *pos, size_t *start, size_t *end)
{
    if (*pos >= len)
        return false;
    *start = *pos;
    const char *nl = memchr(text + *pos, '\n', len - *pos);
    *end = nl ? (size_t)(nl - text) : len;
    *pos = *end + 1;
    return true;
}

/* Decodes a 40-character Z85 value (quoted or bare) into key. */
static bool s_decode(const char *v, size_t n, uint8_t key[32])
{
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    if (n && (*v == '"' || *v == '\'')) {
        const char *close = memchr(v + 1, *v, n - 1);
        if (!close)
            return false;
        n = (size_t)(close - v - 1);
        v++;
    } else {
        size_t k = 0;
        while (k < n && v[k] != ' ' && v[k] != '\t' && v[k] != '\r')
            k++;
        n = k;
    }
    if (n != CURVEKEY_Z85_LEN)
        return false;
    char z[CURVEKEY_Z85_LEN + 1];
    memcpy(z, v, n);
    z[n] = '\0';
    return zmq_z85_decode(key, z) != NULL;
}

static bool s_all_zero(const uint8_t *key)
{
    uint8_t acc = 0;
    for (int i = 0; i < 32; i++)
        acc |= key[i];
    return acc == 0;
}

int curvekey_parse(const char *text, size_t len, curvekey_t *out)
{
    memset(out, 0, sizeof *out);
    bool in_curve = false, has_public = false;
    size_t pos = 0, a, b;
    while (s_next_line(text, len, &pos, &a, &b)) {
        size_t i = a;
        while (i < b && (text[i] == ' ' || text[i] == '\t'))
            i++;
        if (i == b || text[i] == '#' || text[i] == '\r')
            continue;
        if (i == a) { /* a top-level section name */
            size_t n = b - a;
            while (n && (text[a + n - 1] == '\r' || text[a + n - 1] == ' '))
                n--;
            in_curve = n == 5 && memcmp(text + a, "curve", 5) == 0;
            continue;
        }
        if (!in_curve)
            continue;
        const char *eq = memchr(text + i, '=', b - i);
        if (!eq)
            continue;
        size_t klen = (size_t)(eq - text) - i;
        while (klen && (text[i + klen - 1] == ' ' || text[i + klen - 1] == '\t'))
            klen--;
        const char *v = eq + 1;
        size_t vlen = b - (size_t)(v - text);
        if (klen == 10 && memcmp(text + i, "public-key", 10) == 0)
            has_public = s_decode(v, vlen, out->public_key);
        else if (klen == 10 && memcmp(text + i, "secret-key", 10) == 0)
            out->has_secret = s_decode(v, vlen, out->secret_key);
    }
    if (!out->has_secret || s_all_zero(out->secret_key)) {
        out->has_secret = false;
        memset(out->secret_key, 0, sizeof out->secret_key);
    }
    return has_public && !s_all_zero(out->public_key) ? 0 : -1;
}

/* Reads at most CURVEKEY_FILE_MAX bytes of path into buf. -1 with errno. */
static long s_read(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
            }
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    return (long)got;
}

int curvekey_load(const char *path, const char *what, bool need_secret, curvekey_t *out, char *err,
                  size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "no %s certificate file given", what);
        return -1;
    }
    char *buf = malloc(CURVEKEY_FILE_MAX);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char secret_path[4200];
    snprintf(secret_path, sizeof secret_path, "%s_secret", path);
    long len = s_read(secret_path, buf, CURVEKEY_FILE_MAX);
    if (len < 0)
        len = s_read(path, buf, CURVEKEY_FILE_MAX);
    int read_errno = errno;
    int parsed = len >= 0 ? curvekey_parse(buf, (size_t)len, out) : -1;
    if (len >= 0)
        memset(buf, 0, (size_t)len); /* it held a secret key */
    free(buf);
    if (len < 0) {
        snprintf(err, errlen, "%s certificate %s: %s", what, path, strerror(read_errno));
        return -1;
    }
    if (parsed != 0) {
        snprintf(err, errlen, "%s certificate %s: not a certificate file (make one with nodelink-keygen)",
                 what, path);
        return -1;
    }
    if (need_secret && !out->has_secret) {
        snprintf(err, errlen, "%s certificate %s holds no secret key (use the .key file)", what, path);
        return -1;
    }
    return 0;
}

int curvekey_client_apply(void *socket, const char *cert_path, const char *broker_cert_path, char *err,
                          size_t errlen)
{
    if (!zmq_has("curve")) {
        snprintf(err, errlen, "this libzmq has no CURVE support");
        return -1;
    }
    curvekey_t own, server;
    if (curvekey_load(cert_path, "own", true, &own, err, errlen) != 0 ||
        curvekey_load(broker_cert_path, "broker", false, &server, err, errlen) != 0)
        return -1;
    int rc = zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, own.public_key, 32);
    if (rc == 0)
        rc = zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, own.secret_key, 32);
    if (rc == 0)
        rc = zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, server.public_key, 32);
    memset(&own, 0, sizeof own);
    if (rc != 0) {
        snprintf(err, errlen, "cannot set CURVE options: %s", zmq_strerror(errno));
        return -1;
    }
    return 0;
}
