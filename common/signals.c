/*
 * signals.c - process signals as flags. See signals.h.
 *
 * The flags are the one piece of process-wide mutable state: a signal
 * handler has nowhere else to write.
 */
#include "signals.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

/* czmq installs its own SIGINT/SIGTERM handler when its first socket is
 * created unless told not to. The reference is weak so that programs which
 * do not use czmq (the agent) do not depend on it: there it resolves to
 * NULL and there is nothing to disable. */
extern void zsys_handler_set(void *handler_fn) __attribute__((weak));

static volatile sig_atomic_t s_stop;
static volatile sig_atomic_t s_reload;

static void s_on_stop(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_on_hup(int sig)
{
    (void)sig;
    s_reload = 1;
}

void signals_init(void)
{
    if (zsys_handler_set)
        zsys_handler_set(NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = s_on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = s_on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

bool signals_stop_requested(void)
{
    return s_stop != 0;
}

void signals_request_stop(void)
{
    s_stop = 1;
}

bool signals_take_reload(void)
{
    if (!s_reload)
        return false;
    s_reload = 0;
    return true;
}
