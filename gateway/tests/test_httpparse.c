#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpparse.h"

Test(httpparse, integers_in_range_parse_and_everything_else_is_refused)
{
    int64_t v = -7;
    cr_assert_eq(httpparse_int("42", 1, 100, &v), 0);
    cr_assert_eq(v, 42);
    cr_assert_eq(httpparse_int("-5", -10, 10, &v), 0);
    cr_assert_eq(v, -5);
    const char *bad[] = {"",  "0", "101", "4x", " 4", "4 ", "1e3", "0x10", "--1", "99999999999999999999999",
                         NULL};
    for (size_t i = 0; bad[i]; i++) {
        v = -7;
        cr_assert_eq(httpparse_int(bad[i], 1, 100, &v), -1, "'%s' accepted", bad[i]);
        cr_assert_eq(v, -7, "'%s' wrote the output", bad[i]);
    }
    cr_assert_eq(httpparse_int(NULL, 1, 100, &v), -1);
}

Test(httpparse, integer_bounds_are_inclusive)
{
    int64_t v;
    cr_assert_eq(httpparse_int("1", 1, 3600, &v), 0);
    cr_assert_eq(httpparse_int("3600", 1, 3600, &v), 0);
    cr_assert_eq(httpparse_int("9223372036854775807", 0, INT64_MAX, &v), 0);
    cr_assert_eq(v, INT64_MAX);
}

Test(httpparse, booleans_take_the_usual_spellings)
{
    bool b = false;
    const char *yes[] = {"true", "1", "yes", "on", "TRUE", NULL}, *no[] = {"false", "0", "no", "off", NULL};
    for (size_t i = 0; yes[i]; i++) {
        b = false;
        cr_assert_eq(httpparse_bool(yes[i], &b), 0, "%s", yes[i]);
        cr_assert(b, "%s", yes[i]);
    }
    for (size_t i = 0; no[i]; i++) {
        b = true;
        cr_assert_eq(httpparse_bool(no[i], &b), 0, "%s", no[i]);
        cr_assert_not(b, "%s", no[i]);
    }
    cr_assert_eq(httpparse_bool("maybe", &b), -1);
    cr_assert_eq(httpparse_bool("", &b), -1);
    cr_assert_eq(httpparse_bool(NULL, &b), -1);
}

static bool s_no_x(const char *item)
{
    return !strchr(item, 'x');
}

Test(httpparse, lists_split_on_commas_and_drop_spaces_and_empty_items)
{
    char *items[8], bad[32];
    int n = httpparse_list(" cpu.*, memory.used_bytes ,,load ,", items, 8, s_no_x, bad, sizeof bad);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(items[0], "cpu.*");
    cr_assert_str_eq(items[1], "memory.used_bytes");
    cr_assert_str_eq(items[2], "load");
    for (int i = 0; i < n; i++)
        free(items[i]);
    cr_assert_eq(httpparse_list(NULL, items, 8, s_no_x, bad, sizeof bad), 0);
    cr_assert_eq(httpparse_list(" , ,", items, 8, s_no_x, bad, sizeof bad), 0);
}

Test(httpparse, a_list_with_an_invalid_item_names_it_and_keeps_nothing)
{
    char *items[8] = {0}, bad[32] = "";
    cr_assert_eq(httpparse_list("cpu, max , mem", items, 8, s_no_x, bad, sizeof bad), -1);
    cr_assert_str_eq(bad, "max");
    /* the valid item before it was freed (LeakSanitizer would report it) */
    cr_assert_null(items[0]);
}

Test(httpparse, a_list_longer_than_its_room_is_refused)
{
    char *items[2] = {0}, bad[32] = "";
    cr_assert_eq(httpparse_list("a,b,c", items, 2, NULL, bad, sizeof bad), -2);
    cr_assert_null(items[0]);
    cr_assert_null(items[1]);
    cr_assert_eq(httpparse_list("a,b", items, 2, NULL, bad, sizeof bad), 2);
    free(items[0]);
    free(items[1]);
}

Test(httpparse, event_ids_are_non_negative_integers)
{
    cr_assert_eq(httpparse_event_id(NULL), -1);
    cr_assert_eq(httpparse_event_id(""), -1);
    cr_assert_eq(httpparse_event_id("0"), 0);
    cr_assert_eq(httpparse_event_id("1700000000000"), 1700000000000LL);
    cr_assert_eq(httpparse_event_id("-3"), -2);
    cr_assert_eq(httpparse_event_id("12abc"), -2);
}

Test(httpparse, patterns_match_literal_segments_and_one_agent_id)
{
    char id[TOPIC_ID_MAX + 1];
    cr_assert(httpparse_match("/agents/{id}/metrics", "/agents/web-01/metrics", id));
    cr_assert_str_eq(id, "web-01");
    cr_assert(httpparse_match("/healthz", "/healthz", id));
    cr_assert_str_eq(id, "");
    cr_assert_not(httpparse_match("/agents/{id}/metrics", "/agents/web-01/metrics/", id));
    cr_assert_not(httpparse_match("/agents/{id}/metrics", "/agents//metrics", id));
    cr_assert_not(httpparse_match("/agents/{id}/metrics", "/agents/a/b/metrics", id));
    cr_assert_not(httpparse_match("/agents/{id}/metrics", "/agents/web 01/metrics", id));
    cr_assert_not(httpparse_match("/metrics", "/metricsx", id));
    cr_assert_not(httpparse_match("/metrics", "/metric", id));
    cr_assert_not(httpparse_match("/metrics", "metrics", id));
}

Test(httpparse, an_agent_id_longer_than_the_limit_matches_nothing)
{
    char id[TOPIC_ID_MAX + 1], path[TOPIC_ID_MAX + 32];
    char long_id[TOPIC_ID_MAX + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    snprintf(path, sizeof path, "/agents/%s/metrics", long_id);
    cr_assert_not(httpparse_match("/agents/{id}/metrics", path, id));
    long_id[TOPIC_ID_MAX] = '\0'; /* exactly the limit */
    snprintf(path, sizeof path, "/agents/%s/metrics", long_id);
    cr_assert(httpparse_match("/agents/{id}/metrics", path, id));
    cr_assert_eq(strlen(id), TOPIC_ID_MAX);
}

Test(httpparse, the_api_prefix_is_one_whole_segment)
{
    cr_assert_str_eq(httpparse_strip_api("/api/healthz"), "/healthz");
    cr_assert_str_eq(httpparse_strip_api("/api"), "/");
    cr_assert_str_eq(httpparse_strip_api("/apis/x"), "/apis/x");
    cr_assert_str_eq(httpparse_strip_api("/healthz"), "/healthz");
}

Test(httpparse, listen_addresses_of_every_form)
{
    struct sockaddr_storage a;
    bool v6;
    cr_assert_eq(httpparse_listen("127.0.0.1:8080", &a, &v6), 0);
    cr_assert_not(v6);
    const struct sockaddr_in *in = (const struct sockaddr_in *)&a;
    cr_assert_eq(ntohs(in->sin_port), 8080);
    cr_assert_eq(ntohl(in->sin_addr.s_addr), 0x7f000001u);
    cr_assert_eq(httpparse_listen("*:80", &a, &v6), 0);
    cr_assert_eq(in->sin_addr.s_addr, 0u);
    cr_assert_eq(httpparse_listen("localhost:0", &a, &v6), 0);
    cr_assert_eq(ntohl(in->sin_addr.s_addr), 0x7f000001u);
    cr_assert_eq(httpparse_listen("[::1]:9090", &a, &v6), 0);
    cr_assert(v6);
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a;
    cr_assert_eq(ntohs(in6->sin6_port), 9090);
    cr_assert(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
    const char *bad[] = {"8080",    ":8080", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "host:80",
                         "[::1:80", "[]:80", "::1:80",     "127.0.0.1:80x",   "1.2.3.4.5:80", NULL};
    for (size_t i = 0; bad[i]; i++)
        cr_assert_eq(httpparse_listen(bad[i], &a, &v6), -1, "'%s' accepted", bad[i]);
}
