/*
 * Privacy settings on system information: what keep, anonymize and exclude
 * do to host names, IP addresses, MAC addresses and package lists, on the
 * JSON rendered from an agent's message and on the copy the store keeps.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "privacy.h"
#include "wirejson.h"

#define S_HOST "worker-node-01"

/* ---------------------------------------------------------------- inputs */

/* System information as the gateway renders an agent's SystemInfoResponse:
 * eth0 and eth1 share an address, lo has no MAC. */
static json_t *s_from_agent(void)
{
    char *feat[] = {"sse4", "avx2"};
    char *eth0_ips[] = {"192.168.1.100", "fe80::1"};
    char *eth1_ips[] = {"192.168.1.100", "10.0.0.7/24"};
    char *lo_ips[] = {"127.0.0.1"};
    Nodelink__CpuInfo cpu = NODELINK__CPU_INFO__INIT;
    Nodelink__SystemHardware hw = NODELINK__SYSTEM_HARDWARE__INIT;
    Nodelink__OperatingSystem os = NODELINK__OPERATING_SYSTEM__INIT;
    Nodelink__InstalledPackage pkg[2] = {NODELINK__INSTALLED_PACKAGE__INIT,
                                         NODELINK__INSTALLED_PACKAGE__INIT};
    Nodelink__InstalledPackage *pkgs[2] = {&pkg[0], &pkg[1]};
    Nodelink__SystemSoftware sw = NODELINK__SYSTEM_SOFTWARE__INIT;
    Nodelink__NetworkInterface nic[3] = {NODELINK__NETWORK_INTERFACE__INIT, NODELINK__NETWORK_INTERFACE__INIT,
                                         NODELINK__NETWORK_INTERFACE__INIT};
    Nodelink__NetworkInterface *nics[3] = {&nic[0], &nic[1], &nic[2]};
    Nodelink__SystemInfoResponse s = NODELINK__SYSTEM_INFO_RESPONSE__INIT;
    cpu.model = "Intel Core i7-12700K", cpu.has_cores = 1, cpu.cores = 12, cpu.n_features = 2,
    cpu.features = feat;
    hw.cpu = &cpu, hw.architecture = "x86_64";
    os.name = "Linux", os.kernel_version = "6.2.0", os.distribution = "Ubuntu";
    pkg[0].name = "openssl", pkg[0].version = "3.0.2", pkg[0].package_manager = "dpkg";
    pkg[1].name = "nginx", pkg[1].version = "1.24.0", pkg[1].package_manager = "dpkg";
    sw.os = &os, sw.hostname = S_HOST, sw.has_uptime_seconds = 1, sw.uptime_seconds = 1234567;
    sw.n_packages = 2, sw.packages = pkgs;
    nic[0].name = "eth0", nic[0].mac_address = "aa:bb:cc:dd:ee:ff", nic[0].n_ip_addresses = 2;
    nic[0].ip_addresses = eth0_ips, nic[0].has_is_up = 1, nic[0].is_up = 1;
    nic[1].name = "eth1", nic[1].mac_address = "aa:bb:cc:dd:ee:00", nic[1].n_ip_addresses = 2;
    nic[1].ip_addresses = eth1_ips, nic[1].has_speed_mbps = 1, nic[1].speed_mbps = 1000;
    nic[2].name = "lo", nic[2].n_ip_addresses = 1, nic[2].ip_addresses = lo_ips;
    s.has_timestamp = 1, s.timestamp = 1690538400000ULL;
    s.hardware = &hw, s.software = &sw, s.n_network_interfaces = 3, s.network_interfaces = nics;
    json_t *j = wirejson_system_info(&s, "web-01", WIREJSON_ALL);
    cr_assert_not_null(j);
    return j;
}

/* The copy the store keeps in Redis, as text. */
static const char s_stored_text[] =
    "{\"agent_id\":\"web-01\",\"timestamp\":1690538400000,"
    "\"hardware\":{\"cpu\":{\"model\":\"AMD EPYC "
    "7763\",\"cores\":64},\"disks\":[],\"architecture\":\"x86_64\"},"
    "\"software\":{\"os\":{\"name\":\"Linux\"},\"hostname\":\"db-primary.example.com\",\"uptime_seconds\":99,"
    "\"packages\":[{\"name\":\"postgresql\",\"version\":\"16.1\"}]},"
    "\"network_interfaces\":[{\"name\":\"ens5\",\"mac_address\":\"02:42:ac:11:00:02\","
    "\"ip_addresses\":[\"172.17.0.2\",\"2001:db8::2\"],\"is_up\":true}]}";

static json_t *s_stored(void)
{
    json_error_t e;
    json_t *j = json_loads(s_stored_text, 0, &e);
    cr_assert_not_null(j, "%s", e.text);
    return j;
}

static privacy_t *s_privacy(const char *host, const char *ip, const char *mac, const char *packages,
                            const char *salt)
{
    gw_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.privacy_hostname = (char *)host;
    cfg.privacy_ip = (char *)ip;
    cfg.privacy_mac = (char *)mac;
    cfg.privacy_packages = (char *)packages;
    cfg.privacy_salt = (char *)salt;
    privacy_t *p = privacy_new(&cfg);
    cr_assert_not_null(p);
    return p;
}

static json_t *s_applied(const privacy_t *p, json_t *j)
{
    privacy_apply(p, j);
    return j;
}

static json_t *s_nic(json_t *j, size_t i)
{
    json_t *n = json_array_get(json_object_get(j, "network_interfaces"), i);
    cr_assert(json_is_object(n), "interface %zu", i);
    return n;
}

static const char *s_ip(json_t *j, size_t nic, size_t i)
{
    return json_string_value(json_array_get(json_object_get(s_nic(j, nic), "ip_addresses"), i));
}

static const char *s_hostname(json_t *j)
{
    return json_string_value(json_object_get(json_object_get(j, "software"), "hostname"));
}

static bool s_is_anon(const char *v)
{
    if (!v || strlen(v) != 21 || strncmp(v, "anon-", 5) != 0)
        return false;
    return strspn(v + 5, "0123456789abcdef") == 16;
}

/* j rendered as text contains needle. */
static bool s_dump_has(const json_t *j, const char *needle)
{
    char *text = json_dumps(j, JSON_COMPACT);
    bool has = strstr(text, needle) != NULL;
    free(text);
    return has;
}

/* ---------------------------------------------------------------- keep */

Test(privacy, keep_everywhere_changes_nothing)
{
    privacy_t *p = s_privacy("keep", "keep", "keep", "keep", "");
    json_t *before = s_from_agent(), *after = s_applied(p, s_from_agent());
    cr_assert(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    before = s_stored(), after = s_applied(p, s_stored());
    cr_assert(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    privacy_destroy(&p);
    cr_assert_null(p);
}

/* ---------------------------------------------------------------- host name */

Test(privacy, excluding_the_hostname_removes_only_the_hostname)
{
    privacy_t *p = s_privacy("exclude", "keep", "keep", "keep", "");
    json_t *want = s_from_agent(), *j = s_applied(p, s_from_agent());
    json_object_del(json_object_get(want, "software"), "hostname");
    cr_assert(json_equal(want, j));
    cr_assert_not(s_dump_has(j, S_HOST));
    json_decref(want);
    json_decref(j);
    privacy_destroy(&p);
}

Test(privacy, anonymizing_the_hostname_gives_anon_and_16_hex_digits_in_its_place)
{
    privacy_t *p = s_privacy("anonymize", "keep", "keep", "keep", "s3cret");
    json_t *want = s_from_agent(), *j = s_applied(p, s_from_agent());
    const char *h = s_hostname(j);
    cr_assert(s_is_anon(h), "'%s'", h ? h : "(none)");
    cr_assert_not(s_dump_has(j, S_HOST));
    /* nothing else moved */
    json_object_set_new(json_object_get(want, "software"), "hostname", json_string(h));
    cr_assert(json_equal(want, j));
    json_decref(want);
    json_decref(j);
    privacy_destroy(&p);
}

Test(privacy, an_anonymized_value_is_stable_per_salt_and_distinct_per_value)
{
    privacy_t *a = s_privacy("anonymize", "keep", "keep", "keep", "s3cret");
    privacy_t *a2 = s_privacy("anonymize", "keep", "keep", "keep", "s3cret");
    privacy_t *b = s_privacy("anonymize", "keep", "keep", "keep", "other");
    json_t *j1 = s_applied(a, s_from_agent()), *j2 = s_applied(a, s_from_agent());
    json_t *j3 = s_applied(a2, s_from_agent()), *j4 = s_applied(b, s_from_agent());
    cr_assert_str_eq(s_hostname(j1), s_hostname(j2), "the same host, the same name");
    cr_assert_str_eq(s_hostname(j1), s_hostname(j3), "across restarts with the same salt");
    cr_assert_str_neq(s_hostname(j1), s_hostname(j4), "another salt, another name");
    json_t *other = s_from_agent();
    json_object_set_new(json_object_get(other, "software"), "hostname", json_string("worker-node-02"));
    privacy_apply(a, other);
    cr_assert_str_neq(s_hostname(j1), s_hostname(other), "dashboards can still tell hosts apart");
    json_decref(j1);
    json_decref(j2);
    json_decref(j3);
    json_decref(j4);
    json_decref(other);
    privacy_destroy(&a);
    privacy_destroy(&a2);
    privacy_destroy(&b);
}

Test(privacy, without_a_salt_the_fixed_key_differs_from_any_set_salt)
{
    privacy_t *none = s_privacy("anonymize", "keep", "keep", "keep", "");
    privacy_t *none2 = s_privacy("anonymize", "keep", "keep", "keep", "");
    privacy_t *salted = s_privacy("anonymize", "keep", "keep", "keep", "s3cret");
    json_t *j1 = s_applied(none, s_from_agent()), *j2 = s_applied(none2, s_from_agent());
    json_t *j3 = s_applied(salted, s_from_agent());
    cr_assert(s_is_anon(s_hostname(j1)));
    cr_assert_str_eq(s_hostname(j1), s_hostname(j2));
    cr_assert_str_neq(s_hostname(j1), s_hostname(j3));
    json_decref(j1);
    json_decref(j2);
    json_decref(j3);
    privacy_destroy(&none);
    privacy_destroy(&none2);
    privacy_destroy(&salted);
}

/* ---------------------------------------------------------------- addresses */

Test(privacy, excluding_ip_addresses_removes_every_interfaces_list_and_nothing_else)
{
    privacy_t *p = s_privacy("keep", "exclude", "keep", "keep", "");
    json_t *want = s_from_agent(), *j = s_applied(p, s_from_agent());
    for (size_t i = 0; i < 3; i++)
        json_object_del(s_nic(want, i), "ip_addresses");
    cr_assert(json_equal(want, j));
    cr_assert_not(s_dump_has(j, "192.168."));
    cr_assert_not(s_dump_has(j, "fe80::"));
    cr_assert_not(s_dump_has(j, "127.0.0.1"));
    json_decref(want);
    json_decref(j);
    privacy_destroy(&p);
}

Test(privacy, anonymizing_ip_addresses_replaces_each_keeping_count_and_sameness)
{
    privacy_t *p = s_privacy("keep", "anonymize", "keep", "keep", "s3cret");
    json_t *j = s_applied(p, s_from_agent());
    size_t counts[3] = {2, 2, 1};
    for (size_t n = 0; n < 3; n++) {
        cr_assert_eq(json_array_size(json_object_get(s_nic(j, n), "ip_addresses")), counts[n]);
        for (size_t i = 0; i < counts[n]; i++)
            cr_assert(s_is_anon(s_ip(j, n, i)), "interface %zu address %zu: '%s'", n, i, s_ip(j, n, i));
    }
    cr_assert_str_eq(s_ip(j, 0, 0), s_ip(j, 1, 0), "192.168.1.100 on eth0 and eth1: one value");
    cr_assert_str_neq(s_ip(j, 0, 0), s_ip(j, 0, 1));
    cr_assert_str_neq(s_ip(j, 1, 0), s_ip(j, 1, 1));
    cr_assert_str_eq(json_string_value(json_object_get(s_nic(j, 0), "mac_address")), "aa:bb:cc:dd:ee:ff");
    cr_assert_str_eq(s_hostname(j), S_HOST);
    json_decref(j);
    privacy_destroy(&p);
}

Test(privacy, excluding_mac_addresses_removes_them_and_keeps_the_rest_of_each_interface)
{
    privacy_t *p = s_privacy("keep", "keep", "exclude", "keep", "");
    json_t *want = s_from_agent(), *j = s_applied(p, s_from_agent());
    json_object_del(s_nic(want, 0), "mac_address");
    json_object_del(s_nic(want, 1), "mac_address");
    cr_assert(json_equal(want, j));
    cr_assert_not(s_dump_has(j, "aa:bb:cc"));
    json_decref(want);
    json_decref(j);
    privacy_destroy(&p);
}

Test(privacy, anonymizing_mac_addresses_replaces_each_and_adds_none_where_there_was_none)
{
    privacy_t *p = s_privacy("keep", "keep", "anonymize", "keep", "s3cret");
    json_t *j = s_applied(p, s_from_agent());
    const char *m0 = json_string_value(json_object_get(s_nic(j, 0), "mac_address"));
    const char *m1 = json_string_value(json_object_get(s_nic(j, 1), "mac_address"));
    cr_assert(s_is_anon(m0), "'%s'", m0 ? m0 : "(none)");
    cr_assert(s_is_anon(m1), "'%s'", m1 ? m1 : "(none)");
    cr_assert_str_neq(m0, m1);
    cr_assert_null(json_object_get(s_nic(j, 2), "mac_address"), "lo had no MAC and gets none");
    cr_assert_str_eq(s_ip(j, 0, 0), "192.168.1.100");
    json_decref(j);
    privacy_destroy(&p);
}

/* ---------------------------------------------------------------- packages */

Test(privacy, excluding_packages_removes_the_list_only)
{
    privacy_t *p = s_privacy("keep", "keep", "keep", "exclude", "");
    json_t *want = s_from_agent(), *j = s_applied(p, s_from_agent());
    json_object_del(json_object_get(want, "software"), "packages");
    cr_assert(json_equal(want, j));
    cr_assert_not(s_dump_has(j, "openssl"));
    json_decref(want);
    json_decref(j);
    privacy_destroy(&p);
}

Test(privacy, anonymize_for_packages_means_exclude)
{
    privacy_t *p = s_privacy("keep", "keep", "keep", "anonymize", "");
    json_t *j = s_applied(p, s_from_agent());
    cr_assert_null(json_object_get(json_object_get(j, "software"), "packages"));
    cr_assert_not(s_dump_has(j, "nginx"));
    json_decref(j);
    privacy_destroy(&p);
}

/* ---------------------------------------------------------------- all at once */

Test(privacy, everything_hidden_leaves_no_hidden_value_anywhere_in_the_output)
{
    static const char *secrets[] = {S_HOST,        "192.168.1.100", "fe80::1",   "10.0.0.7",  "127.0.0.1",
                                    "aa:bb:cc:dd", "openssl",       "3.0.2",     "nginx",     "db-primary",
                                    "172.17.0.2",  "2001:db8::2",   "02:42:ac:", "postgresql"};
    static const char *modes[] = {"anonymize", "exclude"};
    for (size_t m = 0; m < 2; m++) {
        privacy_t *p = s_privacy(modes[m], modes[m], modes[m], "exclude", "s3cret");
        json_t *inputs[2] = {s_applied(p, s_from_agent()), s_applied(p, s_stored())};
        for (size_t k = 0; k < 2; k++) {
            for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
                cr_assert_not(s_dump_has(inputs[k], secrets[i]), "%s: '%s' leaked", modes[m], secrets[i]);
            /* what is not private is still there */
            cr_assert(s_dump_has(inputs[k], "\"architecture\":\"x86_64\""));
            cr_assert(s_dump_has(inputs[k], "\"agent_id\":\"web-01\""));
            json_decref(inputs[k]);
        }
        privacy_destroy(&p);
    }
}

Test(privacy, the_stored_copy_is_treated_like_the_agents_message)
{
    privacy_t *p = s_privacy("anonymize", "exclude", "anonymize", "exclude", "s3cret");
    json_t *j = s_applied(p, s_stored());
    cr_assert(s_is_anon(s_hostname(j)));
    cr_assert(s_is_anon(json_string_value(json_object_get(s_nic(j, 0), "mac_address"))));
    cr_assert_null(json_object_get(s_nic(j, 0), "ip_addresses"));
    cr_assert_null(json_object_get(json_object_get(j, "software"), "packages"));
    cr_assert_str_eq(json_string_value(json_object_get(s_nic(j, 0), "name")), "ens5");
    json_decref(j);
    privacy_destroy(&p);
}

/* ---------------------------------------------------------------- twice, parts, odd input */

Test(privacy, excluding_twice_is_the_same_as_once)
{
    privacy_t *p = s_privacy("exclude", "exclude", "exclude", "exclude", "");
    json_t *once = s_applied(p, s_from_agent());
    json_t *twice = s_applied(p, s_applied(p, s_from_agent()));
    cr_assert(json_equal(once, twice));
    json_decref(once);
    json_decref(twice);
    privacy_destroy(&p);
}

Test(privacy, the_input_object_is_rewritten_in_place_and_other_copies_are_untouched)
{
    privacy_t *p = s_privacy("exclude", "keep", "keep", "keep", "");
    json_t *stored = s_from_agent();
    json_t *copy = json_deep_copy(stored);
    privacy_apply(p, copy);
    cr_assert_str_eq(s_hostname(stored), S_HOST, "the complete copy stays complete");
    cr_assert_null(s_hostname(copy));
    json_decref(stored);
    json_decref(copy);
    privacy_destroy(&p);
}

Test(privacy, answers_limited_to_some_parts_are_handled)
{
    privacy_t *p = s_privacy("anonymize", "anonymize", "anonymize", "exclude", "s3cret");
    json_t *hw = wirejson_system_info_select(s_from_agent(), WIREJSON_HARDWARE);
    json_t *want = json_deep_copy(hw);
    privacy_apply(p, hw);
    cr_assert(json_equal(want, hw), "no software or network part: nothing to do");
    json_decref(hw);
    json_decref(want);
    json_t *net = s_applied(p, wirejson_system_info_select(s_from_agent(), WIREJSON_NETWORK));
    cr_assert(s_is_anon(s_ip(net, 0, 0)));
    cr_assert_null(json_object_get(net, "software"));
    json_decref(net);
    json_t *none = s_applied(p, json_pack("{s:s, s:[]}", "agent_id", "web-01", "network_interfaces"));
    cr_assert_eq(json_array_size(json_object_get(none, "network_interfaces")), 0);
    json_decref(none);
    privacy_destroy(&p);
}

Test(privacy, input_that_is_not_system_information_is_left_alone)
{
    privacy_t *p = s_privacy("anonymize", "anonymize", "anonymize", "exclude", "s3cret");
    privacy_apply(p, NULL);
    json_t *arr = json_pack("[s]", S_HOST);
    privacy_apply(p, arr);
    cr_assert_str_eq(json_string_value(json_array_get(arr, 0)), S_HOST);
    json_decref(arr);
    /* wrong types inside: no crash, nothing invented */
    json_t *odd = json_pack("{s:s, s:[i, s, {}], s:{s:i}}", "software", "not an object", "network_interfaces",
                            7, "eth9", "hardware", "cores", 4);
    json_t *want = json_deep_copy(odd);
    privacy_apply(p, odd);
    cr_assert(json_equal(want, odd));
    json_decref(odd);
    json_decref(want);
    json_t *ips = json_pack("{s:[{s:[i, s, n]}]}", "network_interfaces", "ip_addresses", 4, "10.1.2.3");
    privacy_apply(p, ips);
    json_t *list = json_object_get(s_nic(ips, 0), "ip_addresses");
    cr_assert_eq(json_integer_value(json_array_get(list, 0)), 4);
    cr_assert(s_is_anon(json_string_value(json_array_get(list, 1))));
    cr_assert(json_is_null(json_array_get(list, 2)));
    json_decref(ips);
    privacy_destroy(&p);
}

Test(privacy, without_privacy_settings_nothing_is_applied)
{
    json_t *j = s_from_agent(), *want = s_from_agent();
    privacy_apply(NULL, j);
    cr_assert(json_equal(want, j));
    json_decref(j);
    json_decref(want);
    privacy_destroy(NULL);
    privacy_t *p = NULL;
    privacy_destroy(&p);
}
