/*
 * httpparse.h - the pure parsing of the HTTP layer: query-argument values,
 * route patterns, the /api prefix, the listen address.
 *
 * No libmicrohttpd here: each function takes text and returns a value, so the
 * rules are tested alone (tests/test_httpparse.c). http.c applies them to a
 * request and answers 400 with the reason these functions give.
 */
#ifndef NODELINK_HTTPPARSE_H
#define NODELINK_HTTPPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "topic.h"

/* A decimal integer in [min, max] (no sign other than a leading '-', no
 * spaces, no trailing characters, no overflow). 0, or -1. */
int httpparse_int(const char *v, int64_t min, int64_t max, int64_t *out);

/* true/false, 1/0, yes/no, on/off (case-insensitive). 0, or -1. */
int httpparse_bool(const char *v, bool *out);

/* Splits a comma-separated list into at most cap items, each a new string
 * (free each with free()). Spaces around items and empty items are dropped.
 * Each item must pass valid (when not NULL). Returns the count; -1 with the
 * offending item copied into bad (also when out of memory);
 * -2 when there are more than cap items. Nothing is left allocated on
 * failure. NULL list: 0 items. */
int httpparse_list(const char *list, char **items, size_t cap, bool (*valid)(const char *item), char *bad,
                   size_t badlen);

/* A Last-Event-ID value: a non-negative integer. -1 when v is NULL or empty,
 * -2 when invalid, else the value. */
int64_t httpparse_event_id(const char *v);

/* Does path match pattern ("/agents/{id}/metrics": "{id}" matches one
 * segment that is a valid agent id)? The id is copied into id (the empty
 * string when the pattern has none). */
bool httpparse_match(const char *pattern, const char *path, char id[TOPIC_ID_MAX + 1]);

/* url without a leading "/api" segment ("/api" alone is "/"); url itself
 * when it has none. */
const char *httpparse_strip_api(const char *url);

/* "HOST:PORT", "[V6]:PORT", "*:PORT" (any IPv4 address), "localhost:PORT".
 * Fills addr and *v6. 0, or -1. */
int httpparse_listen(const char *listen, struct sockaddr_storage *addr, bool *v6);

#endif
