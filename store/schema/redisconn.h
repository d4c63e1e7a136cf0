/*
 * redisconn.h - Redis URLs and blocking hiredis connections with timeouts.
 *
 * Shared by the store's writer and the query library. A URL is
 *     redis://[[user]:password@]host[:port][/db]      (port 6379, db 0)
 *     unix:///path/to/redis.sock[?db=N]
 * Parsing validates everything and reports why a URL is rejected. Never logs.
 */
#ifndef NODELINK_REDISCONN_H
#define NODELINK_REDISCONN_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    bool is_unix;
    char host[256]; /* host name or socket path */
    int port;
    char password[256]; /* "" = no AUTH */
    int db;
} redisconn_url_t;

/* Parses url into out. 0, or -1 with the reason in err. */
int redisconn_parse(const char *url, redisconn_url_t *out, char *err, size_t errlen);

/* Writes "host:port" or the socket path into buf (for messages). */
void redisconn_describe(const redisconn_url_t *url, char *buf, size_t size);

/* Connects with timeout_ms for the connect and every later command, then
 * sends AUTH and SELECT when the URL asks for them. Returns an owned context
 * (free with redisFree) or NULL with the reason in err. */
redisContext *redisconn_open(const redisconn_url_t *url, int64_t timeout_ms, char *err, size_t errlen);

/* True when a reply error means Redis cannot serve right now (LOADING,
 * BUSY, MASTERDOWN, TRYAGAIN): retry later rather than give up. */
bool redisconn_error_transient(const char *msg);

#endif
