/*
 * query_internal.h - what query.c shares with query_history.c (not public).
 */
#ifndef NODELINK_QUERY_INTERNAL_H
#define NODELINK_QUERY_INTERNAL_H

#include <hiredis/hiredis.h>
#include <stdarg.h>

#include "query.h"

/* Sets err (when non-NULL) and returns status. */
query_status_t query_fail(query_error_t *err, query_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets err (when non-NULL) to QUERY_OK with an empty message. */
void query_ok(query_error_t *err);

/* Runs one command on the context's connection (connecting first if
 * needed). On success *reply is the reply (caller frees with
 * freeReplyObject); an error reply is turned into QUERY_UNAVAILABLE
 * (transient: LOADING, BUSY, ...) or QUERY_ERROR, and a connection failure
 * into QUERY_UNAVAILABLE after dropping the connection. */
query_status_t query_command(query_ctx_t *self, int argc, const char **argv, redisReply **reply,
                             query_error_t *err);

/* Runs n commands as one MULTI/EXEC transaction in one round trip: Redis
 * runs them with nothing in between, so their replies are one snapshot (all
 * keys of one agent share a hash slot, so this is legal in a cluster). On
 * success *reply is EXEC's reply, an array of the n replies in order, none
 * of them an error (caller frees with freeReplyObject). An error reply of
 * any command fails the whole call as query_command would. */
query_status_t query_transaction(query_ctx_t *self, size_t n, const int *argc, const char *const *const *argv,
                                 redisReply **reply, query_error_t *err);

/* The agent is in the agent index: QUERY_OK, or QUERY_NOT_FOUND ("unknown
 * agent '<id>'"). */
query_status_t query_agent_known(query_ctx_t *self, const char *agent_id, query_error_t *err);

/* Checks an agent id; QUERY_OK or QUERY_BAD_REQUEST with err. */
query_status_t query_check_agent(const char *agent_id, query_error_t *err);

#endif
