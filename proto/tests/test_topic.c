#include <criterion/criterion.h>
#include <string.h>

#include "topic.h"

Test(topic, builds_and_parses_every_kind)
{
    char buf[TOPIC_MAX + 1], id[TOPIC_ID_MAX + 1];
    topic_kind_t kind;
    for (int k = 0; k < TOPIC_KIND_COUNT; k++) {
        int n = topic_build((topic_kind_t)k, "web-01.eu_x", buf, sizeof buf);
        cr_assert_gt(n, 0);
        cr_assert_eq(topic_parse(buf, (size_t)n, &kind, id), 0);
        cr_assert_eq(kind, (topic_kind_t)k);
        cr_assert_str_eq(id, "web-01.eu_x");
    }
    cr_assert_eq(topic_build(TOPIC_METRICS, "a1", buf, sizeof buf), 11);
    cr_assert_str_eq(buf, "metrics.a1:");
}

Test(topic, subscription_to_one_agent_is_not_a_prefix_of_another)
{
    char sub[TOPIC_MAX + 1], other[TOPIC_MAX + 1];
    int n = topic_subscription(TOPIC_METRICS, "a1", sub, sizeof sub);
    topic_build(TOPIC_METRICS, "a10", other, sizeof other);
    cr_assert_neq(strncmp(other, sub, (size_t)n), 0, "metrics.a1 subscription matches a10");
    n = topic_subscription(TOPIC_METRICS, NULL, sub, sizeof sub);
    cr_assert_eq(strncmp(other, sub, (size_t)n), 0, "kind subscription must match all agents");
}

Test(topic, rejects_invalid_ids_and_malformed_topics)
{
    char buf[TOPIC_MAX + 1], id[TOPIC_ID_MAX + 1];
    topic_kind_t kind;
    char long_id[70];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    cr_assert_eq(topic_build(TOPIC_METRICS, "", buf, sizeof buf), -1);
    cr_assert_eq(topic_build(TOPIC_METRICS, "a b", buf, sizeof buf), -1);
    cr_assert_eq(topic_build(TOPIC_METRICS, "a:b", buf, sizeof buf), -1);
    cr_assert_eq(topic_build(TOPIC_METRICS, long_id, buf, sizeof buf), -1);
    long_id[64] = '\0';
    cr_assert_gt(topic_build(TOPIC_METRICS, long_id, buf, sizeof buf), 0);
    const char *bad[] = {"metrics.a1", "metric.a1:", "metrics.:", "metrics.a/b:", "metricsa1:", ":", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(topic_parse(bad[i], strlen(bad[i]), &kind, id), -1, "accepted '%s'", bad[i]);
    cr_assert_not(topic_id_valid(NULL));
    cr_assert(topic_id_valid("A-z_0.9"));
}
