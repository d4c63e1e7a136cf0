/*
 * curve.h - CURVE set-up of nodelink sockets, shared by every service.
 *
 * Certificates are czmq zcert files made by nodelink-keygen: NAME.key holds
 * the key pair (secret: keep it private, mode 0600) and NAME.pub the public
 * key only (give it to the other side). Metadata in the file names the role
 * and, for agents, the agent id.
 *
 * A client (agent, store, gateway, nodelinkctl, any subscriber) needs its own
 * secret certificate and the broker's public certificate:
 *
 *     if (cfg.curve && curve_client_apply(sock, cfg.certificate,
 *                                         cfg.broker_certificate, err, sizeof err) != 0)
 *         ... report err, exit CONF_EXIT_USAGE ...
 *     zsock_connect(sock, ...);
 *
 * socket may be a czmq zsock_t or a raw libzmq socket. Apply before
 * connecting. The library never logs; errors come back in err.
 */
#ifndef NODELINK_CURVE_H
#define NODELINK_CURVE_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

/* True when libzmq was built with CURVE support. */
bool curve_available(void);

/* Loads a certificate that must hold a secret key. NULL with a reason in err
 * (missing path, unreadable file, no secret key). Caller owns the result. */
zcert_t *curve_load_secret(const char *path, char *err, size_t errlen);

/* Loads a certificate's public key (a .pub or .key file). NULL with err. */
zcert_t *curve_load_public(const char *path, char *err, size_t errlen);

/* Makes socket a CURVE client: own key pair from cert_path (secret
 * certificate), server key from broker_cert_path (public certificate).
 * 0, or -1 with a reason in err. */
int curve_client_apply(void *socket, const char *cert_path, const char *broker_cert_path, char *err,
                       size_t errlen);

/* Makes socket a CURVE server with cert's key pair, authenticated through
 * ZAP domain (may be NULL). Apply before binding. */
void curve_server_apply(void *socket, zcert_t *cert, const char *domain);

#endif
