/*
 * Collector parsers on captured /proc files (tests/fixtures/proc/).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "collectors/collector.h"
#include "collectors/cpu.h"
#include "collectors/diskstats.h"
#include "collectors/loadavg.h"
#include "collectors/meminfo.h"
#include "collectors/mountinfo.h"
#include "collectors/netdev.h"
#include "collectors/pidstat.h"
#include "collectors/procs.h"
#include "collectors/tasks.h"
#include "fixture.h"
#include "sample.h"
#include "scan.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

Test(proc_stat, computes_per_core_usage_on_a_64_core_host)
{
    size_t l0, l1;
    char *t0 = fixture_read("proc/manycore/stat.0", &l0), *t1 = fixture_read("proc/manycore/stat.1", &l1);
    cpu_times_t tot0, tot1, c0[64], c1[64];
    size_t n0, n1;
    uint64_t running, blocked;
    cr_assert_eq(cpu_stat_parse(t0, l0, &tot0, c0, 64, &n0, NULL, NULL), 0);
    cr_assert_eq(cpu_stat_parse(t1, l1, &tot1, c1, 64, &n1, &running, &blocked), 0);
    cr_assert_eq(n1, 64);
    cr_assert_eq(running, 3);
    cr_assert_eq(blocked, 1);
    /* Core i got user += i, system += 10, idle += 90 - i of 100 jiffies. */
    for (size_t i = 0; i < 64; i++) {
        cpu_percent_t p;
        cr_assert(cpu_times_percent(&c0[i], &c1[i], &p));
        cr_assert(NEAR(p.user, (double)i), "core %zu user %f", i, p.user);
        cr_assert(NEAR(p.system, 10.0));
        cr_assert(NEAR(p.idle, 90.0 - (double)i));
        cr_assert(NEAR(p.usage, 10.0 + (double)i));
    }
    cpu_percent_t all;
    cr_assert(cpu_times_percent(&tot0, &tot1, &all));
    cr_assert(NEAR(all.user + all.system + all.idle + all.iowait, 100.0));
    cr_assert(NEAR(all.user, 31.5)); /* mean of 0..63 */
    free(t0);
    free(t1);
}

Test(proc_stat, reports_the_core_count_beyond_the_callers_array)
{
    size_t len;
    char *t = fixture_read("proc/manycore/stat.0", &len);
    cpu_times_t tot, cores[4];
    size_t n;
    cr_assert_eq(cpu_stat_parse(t, len, &tot, cores, 4, &n, NULL, NULL), 0);
    cr_assert_eq(n, 64, "the caller learns it must grow");
    free(t);
}

Test(proc_stat, counters_that_go_backwards_never_give_negative_percentages)
{
    cpu_times_t a = {.user = 100, .system = 100, .idle = 1000, .iowait = 50, .present = true};
    cpu_times_t b = {.user = 150, .system = 100, .idle = 1050, .iowait = 40, .present = true};
    cpu_percent_t p;
    cr_assert(cpu_times_percent(&a, &b, &p));
    cr_assert(p.iowait == 0 && p.user >= 0 && p.usage >= 0);
    cr_assert(NEAR(p.user, 50.0));
}

Test(proc_stat, rejects_text_without_the_aggregate_line)
{
    const char *t = "intr 1 2 3\ncpu0 1 2 3 4\n";
    cpu_times_t tot, c[2];
    size_t n;
    cr_assert_eq(cpu_stat_parse(t, strlen(t), &tot, c, 2, &n, NULL, NULL), -1);
}

Test(meminfo, computes_used_as_free_does_in_a_container)
{
    size_t len;
    char *t = fixture_read("proc/container/meminfo", &len);
    Nodelink__MemoryMetrics m;
    cr_assert_eq(meminfo_parse(t, len, &m), 0);
    cr_assert_eq(m.total_bytes, 2097152ull * 1024);
    cr_assert_eq(m.available_bytes, 1572864ull * 1024);
    cr_assert_eq(m.used_bytes, (2097152ull - 1572864ull) * 1024);
    cr_assert_eq(m.cached_bytes, (409600ull + 20480ull) * 1024);
    cr_assert_eq(m.swap_used_bytes, (1048576ull - 786432ull) * 1024);
    cr_assert(NEAR(m.usage_percent, 25.0));
    cr_assert(NEAR(m.swap_usage_percent, 25.0));
    free(t);
}

Test(meminfo, falls_back_without_memavailable_and_rejects_garbage)
{
    const char *old =
        "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\nSReclaimable: 50 kB\n";
    Nodelink__MemoryMetrics m;
    cr_assert_eq(meminfo_parse(old, strlen(old), &m), 0);
    cr_assert_eq(m.available_bytes, 400ull * 1024);
    cr_assert_eq(m.swap_usage_percent, 0);
    cr_assert_eq(meminfo_parse("garbage\n", 8, &m), -1);
}

Test(loadavg, parses_the_three_averages)
{
    size_t len;
    char *t = fixture_read("proc/container/loadavg", &len);
    Nodelink__LoadMetrics m;
    cr_assert_eq(loadavg_parse(t, len, &m), 0);
    cr_assert(NEAR(m.load1, 0.52) && NEAR(m.load5, 0.58) && NEAR(m.load15, 0.59));
    cr_assert_eq(loadavg_parse("0.1 x", 5, &m), -1);
    free(t);
}

Test(netdev, parses_bonded_and_vlan_interfaces_and_wide_counters)
{
    size_t len;
    char *t = fixture_read("proc/bond/net/dev", &len);
    netdev_counters_t c[8];
    size_t n = netdev_parse(t, len, c, 8);
    cr_assert_eq(n, 5);
    cr_assert_str_eq(c[1].name, "eno1");
    cr_assert_eq(c[1].rx_bytes, 18446744073709551000ull, "no space after the colon");
    cr_assert_eq(c[1].rx_errs, 1);
    cr_assert_eq(c[1].tx_drop, 4);
    cr_assert_str_eq(c[3].name, "bond0");
    cr_assert_eq(c[3].rx_drop, 9);
    cr_assert_str_eq(c[4].name, "bond0.100");
    cr_assert_eq(c[4].tx_packets, 20);
    free(t);
}

Test(netdev, parses_a_containers_interfaces)
{
    size_t len;
    char *t = fixture_read("proc/container/net/dev", &len);
    netdev_counters_t c[4];
    cr_assert_eq(netdev_parse(t, len, c, 4), 2);
    cr_assert_eq(c[1].rx_bytes, 1500000);
    cr_assert_eq(c[1].tx_bytes, 750000);
    cr_assert_eq(c[1].rx_errs, 2);
    cr_assert_eq(c[1].tx_drop, 5);
    free(t);
}

Test(sample, rates_of_counters_that_reset_are_zero_never_negative)
{
    cr_assert_eq(sample_rate(1000, 3000, 2.0), 1000);
    cr_assert_eq(sample_rate(3000, 1000, 2.0), 0, "reset");
    cr_assert_eq(sample_rate(UINT64_MAX - 5, 10, 1.0), 0, "wrap");
    cr_assert_eq(sample_rate(10, 20, 0), 0);
}

Test(mountinfo, keeps_real_filesystems_once_each_on_an_nvme_and_sata_host)
{
    size_t len;
    char *t = fixture_read("proc/host/mountinfo", &len);
    mount_entry_t m[16];
    size_t n = mountinfo_parse(t, len, m, 16);
    cr_assert_eq(n, 4, "/, /boot/efi, /srv/data disk, /mnt/nfs");
    cr_assert_str_eq(m[0].mount_point, "/");
    cr_assert_str_eq(m[0].source, "/dev/nvme0n1p2");
    cr_assert_eq(m[0].major, 259);
    cr_assert_eq(m[0].minor, 2);
    cr_assert_str_eq(m[1].mount_point, "/boot/efi");
    cr_assert_str_eq(m[2].mount_point, "/srv/data disk", "octal escape decoded; bind of a subdir dropped");
    cr_assert_str_eq(m[2].fstype, "xfs");
    cr_assert_str_eq(m[3].fstype, "nfs4");
    free(t);
}

Test(mountinfo, reports_a_containers_volume_not_its_overlay_root)
{
    size_t len;
    char *t = fixture_read("proc/container/mountinfo", &len);
    mount_entry_t m[8];
    size_t n = mountinfo_parse(t, len, m, 8);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(m[0].mount_point, "/data", "shorter of two bind mounts of one device");
    cr_assert(mountinfo_pseudo_fs("overlay") && mountinfo_pseudo_fs("tmpfs") && !mountinfo_pseudo_fs("ext4"));
    free(t);
}

Test(diskstats, finds_devices_by_number_or_name)
{
    size_t l0, l1;
    char *t0 = fixture_read("proc/host/diskstats", &l0), *t1 = fixture_read("proc/host/diskstats.1", &l1);
    diskstats_counters_t a, b;
    cr_assert(diskstats_find(t0, l0, 259, 2, NULL, &a));
    cr_assert(diskstats_find(t1, l1, 259, 2, NULL, &b));
    cr_assert_eq(b.reads - a.reads, 100);
    cr_assert_eq((b.sectors_read - a.sectors_read) * 512, 2000 * 512);
    cr_assert_eq(b.writes - a.writes, 200);
    cr_assert_eq(b.io_ticks_ms - a.io_ticks_ms, 500);
    cr_assert(diskstats_find(t0, l0, 0, 99, "sda1", &a), "old kernels: 14 fields, by name");
    cr_assert_eq(a.sectors_written, 599000);
    cr_assert(!diskstats_find(t0, l0, 0, 99, "sdz", &a));
    free(t0);
    free(t1);
}

Test(pidstat, parses_a_comm_with_spaces_and_parentheses)
{
    size_t len;
    char *t = fixture_read("proc/pids/100/stat", &len);
    pidstat_t ps;
    cr_assert_eq(pidstat_parse(t, len, &ps), 0);
    cr_assert_eq(ps.state, 'S');
    cr_assert_eq(ps.ppid, 1);
    cr_assert_eq(ps.utime, 250);
    cr_assert_eq(ps.stime, 50);
    cr_assert_eq(ps.threads, 3);
    cr_assert_eq(ps.starttime, 12345);
    cr_assert_eq(ps.vsize, 10485760);
    cr_assert_eq(ps.rss_pages, 256);
    cr_assert_eq(procs_state(t, len), 'S');
    cr_assert_eq(pidstat_parse("12 (x) S 1", 10, &ps), -1);
    free(t);
}

Test(tasks, finds_the_task_id_in_an_environment_and_rejects_bad_ids)
{
    size_t len;
    char *t = fixture_read("proc/pids/100/environ", &len);
    char id[65];
    cr_assert(tasks_env_id(t, len, id));
    cr_assert_str_eq(id, "build-42");
    free(t);
    t = fixture_read("proc/pids/101/environ", &len);
    cr_assert(!tasks_env_id(t, len, id), "spaces are not allowed in ids");
    free(t);
    cr_assert(!tasks_env_id("NODELINK_TASK_ID=", 17, id));
}

Test(tasks, parses_storage_io_counters)
{
    size_t len;
    char *t = fixture_read("proc/pids/100/io", &len);
    uint64_t r, w;
    cr_assert(tasks_io_parse(t, len, &r, &w));
    cr_assert_eq(r, 4096);
    cr_assert_eq(w, 8192);
    free(t);
}

Test(scan, never_reads_past_the_end_of_truncated_numbers)
{
    const char text[] = "12345";
    scan_t s = scan_init(text, 3);
    uint64_t v;
    cr_assert(scan_u64(&s, &v));
    cr_assert_eq(v, 123);
    s = scan_init("99999999999999999999999", 23);
    cr_assert(!scan_u64(&s, &v), "overflow rejected");
}
