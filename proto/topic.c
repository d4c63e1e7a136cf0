/*
 * topic.c - building and parsing topic bytes. See topic.h for the format.
 */
#include "topic.h"

#include <stdio.h>
#include <string.h>

static const char *const s_kind_names[TOPIC_KIND_COUNT] = {
    [TOPIC_METRICS] = "metrics",
    [TOPIC_SYSTEM] = "system",
    [TOPIC_STATUS] = "status",
    [TOPIC_HEALTH] = "health",
};

static bool s_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

bool topic_id_valid_n(const char *id, size_t len)
{
    if (!id || len == 0 || len > TOPIC_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!s_id_char(id[i]))
            return false;
    return true;
}

bool topic_id_valid(const char *id)
{
    return id && topic_id_valid_n(id, strnlen(id, TOPIC_ID_MAX + 1));
}

const char *topic_kind_name(topic_kind_t kind)
{
    if ((int)kind < 0 || kind >= TOPIC_KIND_COUNT)
        return NULL;
    return s_kind_names[kind];
}

int topic_build(topic_kind_t kind, const char *id, char *buf, size_t size)
{
    const char *name = topic_kind_name(kind);
    if (!name || !topic_id_valid(id))
        return -1;
    int n = snprintf(buf, size, "%s.%s%c", name, id, TOPIC_TERMINATOR);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return n;
}

int topic_subscription(topic_kind_t kind, const char *id, char *buf, size_t size)
{
    if (id)
        return topic_build(kind, id, buf, size);
    const char *name = topic_kind_name(kind);
    if (!name)
        return -1;
    int n = snprintf(buf, size, "%s.", name);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return n;
}

int topic_parse(const void *data, size_t len, topic_kind_t *kind, char *id)
{
    const char *s = data;
    if (!s || len < 4 || len > TOPIC_MAX || s[len - 1] != TOPIC_TERMINATOR)
        return -1;
    const char *dot = memchr(s, '.', len);
    if (!dot)
        return -1;
    size_t name_len = (size_t)(dot - s);
    const char *idp = dot + 1;
    size_t id_len = len - 1 - name_len - 1;
    for (int k = 0; k < TOPIC_KIND_COUNT; k++) {
        if (strlen(s_kind_names[k]) == name_len && memcmp(s, s_kind_names[k], name_len) == 0) {
            if (!topic_id_valid_n(idp, id_len))
                return -1;
            memcpy(id, idp, id_len);
            id[id_len] = '\0';
            *kind = (topic_kind_t)k;
            return 0;
        }
    }
    return -1;
}
