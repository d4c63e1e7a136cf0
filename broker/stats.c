/*
 * stats.c - names of the broker's counters. See stats.h.
 */
#include "stats.h"

static const char *const s_names[STAT_COUNT] = {
    [STAT_FRAMES_IN] = "frames_in",
    [STAT_FRAMES_FORWARDED] = "frames_forwarded",
    [STAT_DROP_PARTS] = "drop_bad_parts",
    [STAT_DROP_OVERSIZED] = "drop_oversized",
    [STAT_DROP_BAD_TOPIC] = "drop_bad_topic",
    [STAT_DROP_UNDECODABLE] = "drop_undecodable",
    [STAT_DROP_ID_MISMATCH] = "drop_id_mismatch",
    [STAT_DROP_BAD_CONTENT] = "drop_bad_content",
    [STAT_DROP_FORBIDDEN] = "drop_forbidden",
    [STAT_DROP_TOO_MANY] = "drop_too_many_agents",
    [STAT_SEQUENCE_GAPS] = "sequence_gaps",
    [STAT_SEQUENCE_RESETS] = "sequence_resets",
    [STAT_SEQUENCE_REPLAYS] = "sequence_replays",
    [STAT_SUBSCRIPTIONS] = "subscriptions",
    [STAT_SUBSCRIPTIONS_REFUSED] = "subscriptions_refused",
    [STAT_CONTROL_IN] = "control_in",
    [STAT_CONTROL_INVALID] = "control_invalid",
    [STAT_CONTROL_FORBIDDEN] = "control_forbidden",
    [STAT_AGENTS_CONNECTED] = "agents_connected",
    [STAT_AGENTS_REFUSED] = "agents_refused",
    [STAT_AGENTS_EXPIRED] = "agents_expired",
    [STAT_TASKS_ROUTED] = "tasks_routed",
    [STAT_TASKS_FAILED] = "tasks_failed",
    [STAT_TASKS_TIMED_OUT] = "tasks_timed_out",
    [STAT_RESPONSES_ROUTED] = "responses_routed",
    [STAT_RESPONSES_ORPHANED] = "responses_orphaned",
};

const char *stats_name(stat_id_t id)
{
    if ((int)id < 0 || id >= STAT_COUNT)
        return "unknown";
    return s_names[id];
}
