/*
 * signals.h - process signals as flags.
 *
 * Handlers only set flags (async-signal-safe); the main loop polls them. SIGINT
 * and SIGTERM request a stop, SIGHUP a reload; SIGPIPE is ignored. czmq's own
 * handler is disabled so there is one mechanism in every service.
 */
#ifndef NODELINK_SIGNALS_H
#define NODELINK_SIGNALS_H

#include <stdbool.h>

/* Installs the handlers. Call once at start-up, before starting threads. */
void signals_init(void);

bool signals_stop_requested(void);

/* Asks the process to stop, as SIGTERM would (used by tests and fatal paths). */
void signals_request_stop(void);

/* True once per SIGHUP received since the last call. */
bool signals_take_reload(void);

#endif
