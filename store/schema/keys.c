/*
 * keys.c - Redis key names. See keys.h.
 */
#include "keys.h"

#include <stdint.h>
#include <stdio.h>

#include "topic.h"

static const char *const s_suffix[] = {
    [KEYS_RAW] = "metrics",
    [KEYS_ROLLUP_1M] = "metrics:1m",
    [KEYS_ROLLUP_1H] = "metrics:1h",
    [KEYS_SYSTEM] = "system",
    [KEYS_CURSOR] = "cursor",
    [KEYS_CHUNKS_RAW] = "metrics:chunks",
    [KEYS_CHUNKS_1M] = "metrics:1m:chunks",
    [KEYS_CHUNKS_1H] = "metrics:1h:chunks",
};

keys_kind_t keys_chunks_of(keys_kind_t stream)
{
    return stream == KEYS_ROLLUP_1H   ? KEYS_CHUNKS_1H
           : stream == KEYS_ROLLUP_1M ? KEYS_CHUNKS_1M
                                      : KEYS_CHUNKS_RAW;
}

int64_t keys_span_ms(keys_kind_t stream)
{
    return stream == KEYS_ROLLUP_1H   ? KEYS_SPAN_1H_MS
           : stream == KEYS_ROLLUP_1M ? KEYS_SPAN_1M_MS
                                      : KEYS_SPAN_RAW_MS;
}

int64_t keys_span_start(int64_t ms, int64_t span_ms)
{
    int64_t r = ms % span_ms;
    return ms - (r < 0 ? r + span_ms : r);
}

int keys_build(char *buf, size_t size, const char *agent_id, keys_kind_t kind)
{
    if (!agent_id || !topic_id_valid(agent_id) || (size_t)kind >= sizeof s_suffix / sizeof *s_suffix)
        return -1;
    int n = snprintf(buf, size, "nodelink:{%s}:%s", agent_id, s_suffix[kind]);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int keys_parse_id(const char *s, size_t len, int64_t *ms, uint64_t *seq)
{
    uint64_t a = 0, b = 0;
    size_t i = 0;
    for (; i < len && s[i] != '-'; i++) {
        if (s[i] < '0' || s[i] > '9' || a > UINT64_MAX / 10 - 1)
            return -1;
        a = a * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == 0 || i >= len - 1 || a > INT64_MAX)
        return -1;
    for (i++; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || b > UINT64_MAX / 10 - 1)
            return -1;
        b = b * 10 + (uint64_t)(s[i] - '0');
    }
    *ms = (int64_t)a;
    *seq = b;
    return 0;
}
