/*
 * log.c - leveled logging. See log.h.
 *
 * The program name and level are process-wide settings written once at
 * start-up, before any thread exists.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

static char s_program[64] = "nodelink";
static log_level_t s_level = LOG_LEVEL_INFO;

static const char *const s_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void log_init(const char *program, log_level_t level)
{
    snprintf(s_program, sizeof s_program, "%s", program);
    s_level = level;
}

int log_level_check(const void *value, char *err, size_t errlen)
{
    log_level_t level;
    if (log_level_parse(value, &level) != 0) {
        snprintf(err, errlen, "must be debug, info, warn or error");
        return -1;
    }
    return 0;
}

void log_set_level(log_level_t level)
{
    s_level = level;
}

bool log_enabled(log_level_t level)
{
    return level >= s_level;
}

int log_level_parse(const char *s, log_level_t *level)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *level = (log_level_t)i;
            return 0;
        }
    }
    if (strcmp(s, "warning") == 0) {
        *level = LOG_LEVEL_WARN;
        return 0;
    }
    return -1;
}

static void s_vlog(log_level_t level, const char *suffix, const char *fmt, va_list ap)
{
    char line[2048];
    char stamp[32];
    int64_t now = clock_now_ms();
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    int n = snprintf(line, sizeof line, "%s.%03dZ %s[%d] %-5s ", stamp, (int)(now % 1000), s_program,
                     (int)getpid(), s_names[level]);
    if (n < 0)
        return;
    if ((size_t)n < sizeof line)
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    if (suffix && (size_t)n < sizeof line - 1)
        n += snprintf(line + n, sizeof line - (size_t)n, "%s", suffix);
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    /* One write per line so concurrent threads never interleave within a line. */
    ssize_t w = write(STDERR_FILENO, line, (size_t)n);
    (void)w;
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    if (level < s_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    s_vlog(level, NULL, fmt, ap);
    va_end(ap);
}

void log_ratelimited(log_limit_t *limit, log_level_t level, const char *fmt, ...)
{
    enum { WINDOW_MS = 10000, BURST = 5 };
    if (level < s_level)
        return;
    int64_t now = clock_mono_ms();
    char suffix[64] = "";
    if (now - limit->window_start_ms >= WINDOW_MS) {
        if (limit->suppressed)
            snprintf(suffix, sizeof suffix, " (%u similar messages suppressed)", limit->suppressed);
        limit->window_start_ms = now;
        limit->in_window = 0;
        limit->suppressed = 0;
    }
    if (limit->in_window >= BURST) {
        limit->suppressed++;
        return;
    }
    limit->in_window++;
    va_list ap;
    va_start(ap, fmt);
    s_vlog(level, suffix[0] ? suffix : NULL, fmt, ap);
    va_end(ap);
}
