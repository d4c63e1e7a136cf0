/*
 * System information parts on fixture trees (tests/fixtures/{proc,sys,pkg}).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "arena.h"
#include "collectors/hwmon.h"
#include "fixture.h"
#include "sysinfo/cpuinfo.h"
#include "sysinfo/disktype.h"
#include "sysinfo/dmi.h"
#include "sysinfo/netif.h"
#include "sysinfo/osrelease.h"
#include "sysinfo/packages.h"
#include "sysinfo/sysinfo.h"

typedef struct {
    char names[16][64];
    char versions[16][64];
    size_t n;
} pkgs_t;

static void s_pkg(void *ctx, const char *name, const char *version)
{
    pkgs_t *p = ctx;
    cr_assert_lt(p->n, 16);
    snprintf(p->names[p->n], 64, "%s", name);
    snprintf(p->versions[p->n], 64, "%s", version);
    p->n++;
}

Test(cpuinfo, reads_model_threads_and_frequencies_of_a_64_thread_xeon)
{
    size_t len;
    char *t = fixture_read("proc/manycore/cpuinfo", &len);
    cpuinfo_t c;
    cpuinfo_parse(t, len, &c);
    cr_assert_str_eq(c.model, "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz");
    cr_assert_eq(c.processors, 64);
    cr_assert(fabs(c.model_ghz - 2.0) < 1e-9);
    cr_assert(fabs(c.max_mhz - 3200.125) < 1e-9);
    cr_assert_eq(strncmp(c.flags, "fpu vme", 7), 0);
    free(t);
}

Test(cpuinfo, counts_physical_cores_from_topology)
{
    cr_assert_eq(cpuinfo_physical_cores(fixture_path("sys/topology"), 4), 2);
    cr_assert_eq(cpuinfo_physical_cores(fixture_path("sys/nosensor"), 4), 0);
}

Test(osrelease, unquotes_values)
{
    size_t len;
    char *t = fixture_read("pkg/os/etc/os-release", &len);
    osrelease_t r;
    osrelease_parse(t, len, &r);
    cr_assert_str_eq(r.name, "Fedora Linux");
    cr_assert_str_eq(r.version_id, "39");
    cr_assert_str_eq(r.id, "fedora");
    cr_assert_str_eq(r.codename, "");
    free(t);
}

Test(sysinfo, reads_os_release_through_the_rootfs)
{
    arena_t *a = arena_new();
    sysinfo_env_t env = {"/proc", "/sys", fixture_path("pkg/os")};
    Nodelink__OperatingSystem *os = sysinfo_os(&env, a);
    cr_assert_str_eq(os->name, "Fedora Linux");
    cr_assert_str_eq(os->version, "39");
    cr_assert_str_eq(os->distribution, "fedora");
    arena_destroy(&a);
}

Test(dmi, reads_the_first_installed_module_type_and_configured_speed)
{
    size_t len;
    char *t = fixture_read("sys/dmi/firmware/dmi/tables/DMI", &len);
    dmi_memory_t m;
    cr_assert_eq(dmi_parse_memory((unsigned char *)t, len, &m), 0);
    cr_assert_str_eq(m.type, "DDR4");
    cr_assert_eq(m.speed, 2933);
    cr_assert_eq(dmi_parse_memory((unsigned char *)t, 10, &m), -1, "truncated table");
    free(t);
}

Test(packages, reads_installed_dpkg_packages_only)
{
    size_t len;
    char *t = fixture_read("pkg/dpkg/var/lib/dpkg/status", &len);
    pkgs_t p = {0};
    cr_assert_eq(packages_parse_dpkg(t, len, s_pkg, &p), 3);
    cr_assert_str_eq(p.names[0], "adduser");
    cr_assert_str_eq(p.versions[1], "2.36-9+deb12u4");
    cr_assert_str_eq(p.names[2], "vim");
    cr_assert_str_eq(p.versions[2], "2:9.0.1378-2");
    free(t);
}

Test(packages, reads_apk_and_pacman_databases)
{
    size_t len;
    char *t = fixture_read("pkg/apk/lib/apk/db/installed", &len);
    pkgs_t p = {0};
    cr_assert_eq(packages_parse_apk(t, len, s_pkg, &p), 2);
    cr_assert_str_eq(p.names[1], "busybox");
    cr_assert_str_eq(p.versions[0], "1.2.4-r2");
    free(t);
    t = fixture_read("pkg/pacman/var/lib/pacman/local/bash-5.2.015-1/desc", &len);
    cr_assert_eq(packages_parse_pacman_desc(t, len, s_pkg, &p), 1);
    cr_assert_str_eq(p.names[2], "bash");
    cr_assert_str_eq(p.versions[2], "5.2.015-1");
    free(t);
}

Test(packages, assembles_every_database_under_a_rootfs_including_rpm_sqlite)
{
    const char *roots[] = {"pkg/rpm", "pkg/pacman", "pkg/dpkg", "pkg/apk"};
    const size_t want[] = {2, 2, 3, 2};
    const char *mgr[] = {"rpm", "pacman", "dpkg", "apk"};
    for (int i = 0; i < 4; i++) {
        arena_t *a = arena_new();
        sysinfo_env_t env = {"/proc", "/sys", fixture_path(roots[i])};
        size_t n;
        Nodelink__InstalledPackage **pk = sysinfo_packages(&env, a, &n);
        cr_assert_eq(n, want[i], "%s: %zu packages", roots[i], n);
        cr_assert_str_eq(pk[0]->package_manager, mgr[i]);
        if (i == 0) {
            cr_assert_str_eq(pk[0]->name, "bash");
            cr_assert_str_eq(pk[0]->version, "5.2.15-3.fc39");
            cr_assert_str_eq(pk[1]->name, "openssl-libs");
            cr_assert_str_eq(pk[1]->version, "1:3.1.1-4.fc39", "epoch shown; garbage blob skipped");
        }
        arena_destroy(&a);
    }
}

Test(packages, rejects_rpm_headers_whose_offsets_lie)
{
    unsigned char blob[40] = {0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0x03, 0xE8, 0, 0, 0, 6, 0, 0, 0, 9, 0, 0, 0, 1};
    pkgs_t p = {0};
    cr_assert_eq(packages_parse_rpm_header(blob, 28, s_pkg, &p), 0);
    cr_assert_eq(packages_parse_rpm_header(blob, 4, s_pkg, &p), 0);
}

Test(disktype, tells_nvme_ssd_and_hdd_apart)
{
    const char *sys = fixture_path("sys/disks");
    char disk[64];
    disktype_whole_disk(sys, "nvme0n1p2", disk, sizeof disk);
    cr_assert_str_eq(disk, "nvme0n1");
    disktype_whole_disk(sys, "sda1", disk, sizeof disk);
    cr_assert_str_eq(disk, "sda");
    cr_assert_str_eq(disktype_of(sys, "/dev/nvme0n1p2"), "NVMe");
    cr_assert_str_eq(disktype_of(sys, "/dev/sda1"), "HDD");
    cr_assert_null(disktype_of(sys, "server:/export"));
}

Test(netif, reads_bonded_and_vlan_interfaces_from_sysfs)
{
    const char *sys = fixture_path("sys/net");
    netif_attrs_t a;
    cr_assert(netif_read(sys, "bond0", &a));
    cr_assert(a.up);
    cr_assert_eq(a.speed, 20000);
    cr_assert_str_eq(a.mac, "3c:ec:ef:00:00:01");
    cr_assert(netif_read(sys, "bond0.100", &a));
    cr_assert(!a.up, "lowerlayerdown");
    cr_assert_eq(a.speed, -1);
    cr_assert(netif_read(sys, "eno2", &a));
    cr_assert(!a.up && a.speed == -1);
    cr_assert(netif_read(sys, "lo", &a));
    cr_assert(a.up);
    cr_assert_str_eq(a.mac, "", "all-zero MAC is no MAC");
    cr_assert(!netif_read(sys, "eth9", &a));
    arena_t *ar = arena_new();
    sysinfo_env_t env = {"/proc", sys, "/"};
    size_t n;
    Nodelink__NetworkInterface **ifs = sysinfo_interfaces(&env, ar, &n);
    cr_assert_eq(n, 5);
    cr_assert_str_eq(ifs[0]->name, "bond0");
    cr_assert_eq(ifs[0]->n_ip_addresses, 0, "no addresses read outside our namespace");
    arena_destroy(&ar);
}

Test(hwmon, prefers_package_sensors_of_cpu_drivers)
{
    char paths[16][512];
    size_t n = hwmon_find_sensors(fixture_path("sys/hwmon"), paths, 16);
    cr_assert_eq(n, 3, "two coretemp packages and k10temp's Tdie; nvme ignored");
    cr_assert(strstr(paths[0], "hwmon1/temp1_input"));
    cr_assert(strstr(paths[1], "hwmon1/temp3_input"));
    cr_assert(strstr(paths[2], "hwmon2/temp2_input"), "Tdie over Tctl");
}

Test(hwmon, falls_back_to_thermal_zones_and_finds_nothing_without_sensors)
{
    char paths[16][512];
    size_t n = hwmon_find_sensors(fixture_path("sys/thermal"), paths, 16);
    cr_assert_eq(n, 1);
    cr_assert(strstr(paths[0], "thermal_zone1/temp"));
    cr_assert_eq(hwmon_find_sensors(fixture_path("sys/nosensor"), paths, 16), 0);
}
