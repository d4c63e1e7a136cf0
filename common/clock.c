/*
 * clock.c - time sources. See clock.h.
 */
#include "clock.h"

#include <errno.h>
#include <time.h>

#include "signals.h"

static int64_t s_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t clock_now_ms(void)
{
    return s_ns(CLOCK_REALTIME) / 1000000LL;
}

int64_t clock_mono_ms(void)
{
    return s_ns(CLOCK_MONOTONIC) / 1000000LL;
}

int64_t clock_mono_ns(void)
{
    return s_ns(CLOCK_MONOTONIC);
}

void clock_sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !signals_stop_requested())
        ;
}
