#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "metricname.h"
#include "wirejson.h"

/* The specification's snapshot example, as a message. Static storage: the
 * tests only read it. */
static Nodelink__MetricsDataResponse *s_sample(void)
{
    static double cores[4] = {23.1, 28.7, 24.2, 26.8};
    static Nodelink__CpuMetrics cpu = NODELINK__CPU_METRICS__INIT;
    static Nodelink__MemoryMetrics mem = NODELINK__MEMORY_METRICS__INIT;
    static Nodelink__DiskMetrics disk = NODELINK__DISK_METRICS__INIT;
    static Nodelink__DiskMetrics *disks[1] = {&disk};
    static Nodelink__LoadMetrics load = NODELINK__LOAD_METRICS__INIT;
    static Nodelink__MetricsDataResponse d = NODELINK__METRICS_DATA_RESPONSE__INIT;
    cpu.has_usage_percent = 1, cpu.usage_percent = 25.4;
    cpu.n_core_usage = 4, cpu.core_usage = cores;
    cpu.has_user_percent = 1, cpu.user_percent = 18.3;
    cpu.has_iowait_percent = 1, cpu.iowait_percent = 0.0;
    mem.has_total_bytes = 1, mem.total_bytes = 34359738368ULL;
    mem.has_usage_percent = 1, mem.usage_percent = 37.5;
    mem.has_swap_used_bytes = 1, mem.swap_used_bytes = 0;
    disk.device = "/dev/nvme0n1p1", disk.mount_point = "/";
    disk.has_usage_percent = 1, disk.usage_percent = 25.0;
    disk.has_read_bytes_per_sec = 1, disk.read_bytes_per_sec = 1048576;
    load.has_load1 = 1, load.load1 = 1.25;
    d.has_timestamp = 1, d.timestamp = 1690538400000ULL;
    d.cpu = &cpu, d.memory = &mem, d.load = &load;
    d.n_disks = 1, d.disks = disks;
    d.has_interval_ms = 1, d.interval_ms = 5000;
    return &d;
}

static char *s_dump(json_t *j)
{
    cr_assert_not_null(j);
    char *s = wirejson_dumps(j);
    json_decref(j);
    return s;
}

Test(wirejson, renders_a_sample_in_the_specification_shape)
{
    char *s = s_dump(wirejson_metrics(s_sample(), "agent1", NULL, NULL));
    cr_assert_str_eq(
        s, "{\"agent_id\":\"agent1\",\"timestamp\":1690538400000,"
           "\"cpu\":{\"usage_percent\":25.4,\"core_usage\":[23.1,28.7,24.2,26.8],\"user_percent\":18.3,"
           "\"iowait_percent\":0.0},"
           "\"memory\":{\"total_bytes\":34359738368,\"usage_percent\":37.5,\"swap_used_bytes\":0},"
           "\"disks\":[{\"device\":\"/dev/nvme0n1p1\",\"mount_point\":\"/\",\"usage_percent\":25.0,"
           "\"read_bytes_per_sec\":1048576}],\"network_interfaces\":[],"
           "\"load\":{\"load1\":1.25}}");
    free(s);
}

Test(wirejson, leaves_out_absent_fields_and_nodelink_extensions)
{
    json_t *j = wirejson_metrics(s_sample(), NULL, NULL, NULL);
    cr_assert_null(json_object_get(j, "agent_id"));
    cr_assert_null(json_object_get(j, "interval_ms"));
    cr_assert_null(json_object_get(j, "processes"));
    cr_assert_null(json_object_get(json_object_get(j, "cpu"), "temperature_celsius"));
    json_decref(j);
}

static bool s_allow_list(void *ctx, const char *name)
{
    for (const char *const *sel = ctx; *sel; sel++)
        if (metric_selector_matches(*sel, name))
            return true;
    return false;
}

Test(wirejson, filters_by_metric_names_and_drops_empty_groups)
{
    const char *sel[] = {"cpu.usage_percent", "memory.usage_percent", NULL};
    char *s = s_dump(wirejson_metrics(s_sample(), NULL, s_allow_list, sel));
    cr_assert_str_eq(s, "{\"timestamp\":1690538400000,\"cpu\":{\"usage_percent\":25.4},"
                        "\"memory\":{\"usage_percent\":37.5}}");
    free(s);
}

Test(wirejson, keeps_a_devices_identity_with_its_selected_metrics)
{
    const char *sel[] = {"disk.nvme0n1p1.read_bytes_per_sec", NULL};
    char *s = s_dump(wirejson_metrics(s_sample(), NULL, s_allow_list, sel));
    cr_assert_str_eq(s, "{\"timestamp\":1690538400000,\"disks\":[{\"device\":\"/dev/nvme0n1p1\","
                        "\"mount_point\":\"/\",\"read_bytes_per_sec\":1048576}]}");
    free(s);
}

Test(wirejson, keeps_core_usage_when_one_core_is_selected)
{
    const char *sel[] = {"cpu.core.2", NULL};
    char *s = s_dump(wirejson_metrics(s_sample(), NULL, s_allow_list, sel));
    cr_assert_str_eq(s, "{\"timestamp\":1690538400000,\"cpu\":{\"core_usage\":[23.1,28.7,24.2,26.8]}}");
    free(s);
}

Test(wirejson, summarises_cpu_and_memory_usage)
{
    char *s = s_dump(wirejson_metrics_summary(s_sample()));
    cr_assert_str_eq(s, "{\"cpu\":{\"usage_percent\":25.4},\"memory\":{\"usage_percent\":37.5}}");
    free(s);
}

static Nodelink__SystemInfoResponse *s_system(void)
{
    static char *feat[2] = {"sse4", "avx2"};
    static char *ips[2] = {"192.168.1.100", "fe80::1"};
    static Nodelink__CpuInfo cpu = NODELINK__CPU_INFO__INIT;
    static Nodelink__SystemHardware hw = NODELINK__SYSTEM_HARDWARE__INIT;
    static Nodelink__OperatingSystem os = NODELINK__OPERATING_SYSTEM__INIT;
    static Nodelink__SystemSoftware sw = NODELINK__SYSTEM_SOFTWARE__INIT;
    static Nodelink__NetworkInterface nic = NODELINK__NETWORK_INTERFACE__INIT;
    static Nodelink__NetworkInterface *nics[1] = {&nic};
    static Nodelink__SystemInfoResponse s = NODELINK__SYSTEM_INFO_RESPONSE__INIT;
    cpu.model = "Intel Core i7-12700K", cpu.has_cores = 1, cpu.cores = 12;
    cpu.has_base_frequency_ghz = 1, cpu.base_frequency_ghz = 3.6;
    cpu.n_features = 2, cpu.features = feat;
    hw.cpu = &cpu, hw.architecture = "x86_64";
    os.name = "Linux", os.kernel_version = "6.2.0";
    sw.os = &os, sw.hostname = "worker-node-01", sw.has_uptime_seconds = 1, sw.uptime_seconds = 1234567;
    nic.name = "eth0", nic.mac_address = "aa:bb:cc:dd:ee:ff", nic.n_ip_addresses = 2;
    nic.ip_addresses = ips, nic.has_is_up = 1, nic.is_up = 1;
    s.has_timestamp = 1, s.timestamp = 1690538400000ULL;
    s.hardware = &hw, s.software = &sw, s.n_network_interfaces = 1, s.network_interfaces = nics;
    return &s;
}

Test(wirejson, renders_system_information_in_the_specification_shape)
{
    char *s = s_dump(wirejson_system_info(s_system(), "agent1", WIREJSON_ALL));
    cr_assert_str_eq(
        s, "{\"agent_id\":\"agent1\",\"timestamp\":1690538400000,\"hardware\":{\"cpu\":{\"model\":\"Intel "
           "Core i7-12700K\","
           "\"cores\":12,\"base_frequency_ghz\":3.6,\"features\":[\"sse4\",\"avx2\"]},\"disks\":[],"
           "\"architecture\":\"x86_64\"},\"software\":{\"os\":{\"name\":\"Linux\",\"kernel_version\":"
           "\"6.2.0\"},\"hostname\":\"worker-node-01\",\"uptime_seconds\":1234567,\"packages\":[]},"
           "\"network_interfaces\":[{\"name\":\"eth0\",\"mac_address\":\"aa:bb:cc:dd:ee:ff\","
           "\"ip_addresses\":[\"192.168.1.100\",\"fe80::1\"],\"is_up\":true}]}");
    free(s);
}

Test(wirejson, limits_system_information_to_the_requested_parts)
{
    json_t *j = wirejson_system_info(s_system(), NULL, WIREJSON_HARDWARE);
    cr_assert_not_null(json_object_get(j, "hardware"));
    cr_assert_null(json_object_get(j, "software"));
    cr_assert_null(json_object_get(j, "network_interfaces"));
    cr_assert_not_null(json_object_get(j, "timestamp"));
    json_decref(j);
}

Test(wirejson, renders_control_messages_whole_with_enum_names)
{
    Nodelink__AgentStatus st = NODELINK__AGENT_STATUS__INIT;
    st.agent_id = "a1";
    st.has_state = 1;
    st.state = NODELINK__AGENT_STATUS__STATE__DISCONNECTED;
    st.has_gaps = 1;
    st.gaps = 3;
    char *s = s_dump(wirejson_message(&st.base));
    cr_assert_str_eq(s, "{\"agent_id\":\"a1\",\"state\":\"DISCONNECTED\",\"gaps\":3}");
    free(s);
}

Test(wirejson, clamps_huge_unsigned_values_and_skips_invalid_utf8)
{
    Nodelink__DiskMetrics disk = NODELINK__DISK_METRICS__INIT;
    disk.device = "\xff\xfe";
    disk.has_total_bytes = 1;
    disk.total_bytes = UINT64_MAX;
    char *s = s_dump(wirejson_message(&disk.base));
    cr_assert_str_eq(s, "{\"total_bytes\":9223372036854775807}");
    free(s);
}

Test(wirejson, returns_null_for_null_input)
{
    cr_assert_null(wirejson_metrics(NULL, "a", NULL, NULL));
    cr_assert_null(wirejson_system_info(NULL, "a", WIREJSON_ALL));
    cr_assert_null(wirejson_message(NULL));
}
