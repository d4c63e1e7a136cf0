/*
 * keys.c - Redis key names. See keys.h.
 */
#include "keys.h"

#include <stdio.h>

#include "topic.h"

static const char *const s_suffix[] = {
    [KEYS_RAW] = "metrics",   [KEYS_ROLLUP_1M] = "metrics:1m", [KEYS_ROLLUP_1H] = "metrics:1h",
    [KEYS_SYSTEM] = "system", [KEYS_CURSOR] = "cursor",
};

int keys_build(char *buf, size_t size, const char *agent_id, keys_kind_t kind)
{
    if (!agent_id || !topic_id_valid(agent_id) || (size_t)kind >= sizeof s_suffix / sizeof *s_suffix)
        return -1;
    int n = snprintf(buf, size, "nodelink:{%s}:%s", agent_id, s_suffix[kind]);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

keys_kind_t keys_tier(query_tier_t tier)
{
    return (keys_kind_t)tier;
}
