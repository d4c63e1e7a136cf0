/*
 * clock.h - time sources. Wall-clock milliseconds for timestamps that leave
 * the process; monotonic milliseconds for intervals, timeouts and rates.
 */
#ifndef NODELINK_CLOCK_H
#define NODELINK_CLOCK_H

#include <stdint.h>

/* Unix time in milliseconds (CLOCK_REALTIME). */
int64_t clock_now_ms(void);

/* Monotonic milliseconds (CLOCK_MONOTONIC); only differences are meaningful. */
int64_t clock_mono_ms(void);

/* Monotonic nanoseconds. */
int64_t clock_mono_ns(void);

/* Sleeps for ms milliseconds, resuming after signals until the time is up or
 * a stop was requested (see signals.h). */
void clock_sleep_ms(int64_t ms);

#endif
