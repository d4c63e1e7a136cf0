/*
 * curve.c - CURVE set-up of nodelink sockets. See curve.h.
 */
#include "curve.h"

#include "curvekey.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool s_all_zero(const byte *key)
{
    for (int i = 0; i < 32; i++)
        if (key[i])
            return false;
    return true;
}

bool curve_available(void)
{
    return zsys_has_curve();
}

static zcert_t *s_load(const char *path, const char *what, char *err, size_t errlen)
{
    if (!path || !*path) {
        snprintf(err, errlen, "no %s certificate file given", what);
        return NULL;
    }
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "%s certificate %s: %s", what, path, strerror(errno));
        return NULL;
    }
    zcert_t *cert = zcert_load(path);
    if (!cert || s_all_zero(zcert_public_key(cert))) {
        zcert_destroy(&cert);
        snprintf(err, errlen, "%s certificate %s: not a certificate file (make one with nodelink-keygen)",
                 what, path);
        return NULL;
    }
    return cert;
}

zcert_t *curve_load_secret(const char *path, char *err, size_t errlen)
{
    zcert_t *cert = s_load(path, "own", err, errlen);
    if (cert && s_all_zero(zcert_secret_key(cert))) {
        zcert_destroy(&cert);
        snprintf(err, errlen, "own certificate %s holds no secret key (use the .key file)", path);
    }
    return cert;
}

zcert_t *curve_load_public(const char *path, char *err, size_t errlen)
{
    return s_load(path, "broker", err, errlen);
}

int curve_client_apply(void *socket, const char *cert_path, const char *broker_cert_path, char *err,
                       size_t errlen)
{
    /* One reader of certificate files for every service (curvekey.c);
     * zsock_resolve accepts a zsock_t or a raw socket. */
    return curvekey_client_apply(zsock_resolve(socket), cert_path, broker_cert_path, err, errlen);
}

void curve_server_apply(void *socket, zcert_t *cert, const char *domain)
{
    zcert_apply(cert, socket);
    zsock_set_curve_server(socket, 1);
    if (domain)
        zsock_set_zap_domain(socket, domain);
}
