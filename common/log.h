/*
 * log.h - leveled logging to stderr (or syslog) for nodelink services.
 *
 * One line per event: "2026-11-29T17:00:00.123Z nodelink-broker[123] WARN message".
 * Libraries (proto/, the store's query library) never log; services log once,
 * where a decision is made. Messages that can repeat at input rate go through
 * log_ratelimited() so a flood of bad frames cannot flood the log.
 */
#ifndef NODELINK_LOG_H
#define NODELINK_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { LOG_LEVEL_DEBUG = 0, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR } log_level_t;

/* Sets the program name shown on each line and the minimum level. */
void log_init(const char *program, log_level_t level);

/* Parses "debug", "info", "warn", "error". -1 on anything else. */
int log_level_parse(const char *s, log_level_t *level);

/* Validator for a "log.level" option (a config.h conf_check_fn): 0, or -1
 * with the reason in err. */
int log_level_check(const void *value, char *err, size_t errlen);

void log_set_level(log_level_t level);
bool log_enabled(log_level_t level);

void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

/* A rate limiter owned by the caller (one per kind of repeating message). */
typedef struct {
    int64_t window_start_ms;
    uint32_t in_window;
    uint32_t suppressed;
} log_limit_t;

/* Logs at most 5 lines per 10 s window for this limiter; the first line of
 * the next window reports how many were suppressed. */
void log_ratelimited(log_limit_t *limit, log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
