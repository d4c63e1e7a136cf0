/*
 * auth.h - CURVE authentication of the broker's peers.
 *
 * With security.curve on, every broker socket is a CURVE server and every
 * connection is authenticated by czmq's zauth actor (the ZAP handler of the
 * process) against one in-memory certificate store built at start from
 * three allow-list directories of public certificates (nodelink-keygen):
 *
 *   security.agents_dir       role "agent"; each certificate must carry its
 *                             agent id in its metadata (agent_id = ...)
 *   security.subscribers_dir  role "subscriber": may subscribe
 *   security.clients_dir      role "client": may send control requests and
 *                             subscribe
 *
 * A key not in any directory is refused during the handshake (the peer never
 * gets a message through). zauth hands each certificate's metadata back to
 * libzmq, so every message received from an authenticated peer carries the
 * properties "role" and "name" (for agents, the agent id); the role is set by
 * the directory the certificate was found in, never by the file itself. The
 * broker checks them per message: auth_role() and auth_name().
 *
 * The directories are read once at start; restart the broker to apply
 * changes (peers reconnect by themselves).
 */
#ifndef NODELINK_BROKER_AUTH_H
#define NODELINK_BROKER_AUTH_H

#include <czmq.h>
#include <stddef.h>

#include "broker_config.h"

typedef enum {
    AUTH_ROLE_NONE = 0, /* no certificate (security off) or unknown */
    AUTH_ROLE_AGENT,
    AUTH_ROLE_SUBSCRIBER,
    AUTH_ROLE_CLIENT,
} auth_role_t;

typedef struct auth_t auth_t;

/* Loads the broker's certificate and the allow-lists and starts zauth.
 * NULL with a reason in err on failure (missing or unreadable certificate,
 * no directory given). Logs one line per certificate skipped. */
auth_t *auth_new(const broker_config_t *cfg, char *err, size_t errlen);
void auth_destroy(auth_t **self_p);

/* Makes socket a CURVE server authenticated by this auth. Call before bind. */
void auth_apply(auth_t *self, zsock_t *socket);

/* Certificates loaded per role. */
size_t auth_count(const auth_t *self, auth_role_t role);

/* Role and name of the certificate a message was sent with. */
auth_role_t auth_role(zmq_msg_t *msg);
const char *auth_name(zmq_msg_t *msg);

#endif
