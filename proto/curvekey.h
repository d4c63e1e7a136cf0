/*
 * curvekey.h - CURVE certificates and client set-up with libzmq alone.
 *
 * The same job as curve_client_apply() (curve.h) for programs that do not
 * link czmq (the agent): it reads the zcert files nodelink-keygen writes
 * and sets the CURVE options on a raw libzmq socket with zmq_setsockopt.
 * curve.c delegates to it, so every service reads certificates the same way.
 *
 * The file format is czmq's (ZPL, RFC 4): a top-level "curve" section whose
 * children "public-key" and "secret-key" hold 40-character Z85 strings,
 * normally double-quoted; other sections (metadata) and # comments are
 * ignored. As czmq's zcert_load does, a file named PATH_secret, when it
 * exists, is read instead of PATH.
 *
 * This file is its own object on purpose: linking it pulls in libzmq only.
 * The library never logs; errors come back in err.
 */
#ifndef NODELINK_CURVEKEY_H
#define NODELINK_CURVEKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t public_key[32];
    uint8_t secret_key[32]; /* all zero when has_secret is false */
    bool has_secret;
} curvekey_t;

/* Parses the text of a certificate file (len bytes, need not be
 * NUL-terminated). 0, or -1 when it holds no valid public key. A
 * secret-key that is missing or not valid Z85 leaves has_secret false. */
int curvekey_parse(const char *text, size_t len, curvekey_t *out);

/* Loads a certificate file. what names it in errors ("own", "broker");
 * with need_secret a certificate without a secret key is refused.
 * 0, or -1 with a reason in err. */
int curvekey_load(const char *path, const char *what, bool need_secret, curvekey_t *out, char *err,
                  size_t errlen);

/* Makes socket (a raw libzmq socket, before connecting) a CURVE client: own
 * key pair from cert_path (secret certificate), server key from
 * broker_cert_path (public certificate). 0, or -1 with a reason in err. */
int curvekey_client_apply(void *socket, const char *cert_path, const char *broker_cert_path, char *err,
                          size_t errlen);

#endif
