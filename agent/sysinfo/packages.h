/*
 * packages.h - installed packages, read from the package managers' own
 * databases (never by running dpkg/rpm/apk/pacman):
 *
 *   dpkg    <rootfs>/var/lib/dpkg/status: paragraphs whose Status ends in
 *           "installed"; version as dpkg prints it (epoch:upstream-revision)
 *   apk     <rootfs>/lib/apk/db/installed: "P:" name, "V:" version
 *   pacman  <rootfs>/var/lib/pacman/local/<pkg>/desc: %NAME% and %VERSION%
 *   rpm     <rootfs>/var/lib/rpm/rpmdb.sqlite (rpm >= 4.16, the default of
 *           Fedora >= 33, RHEL >= 9): each row of the Packages table is an
 *           rpm header blob; NAME, EPOCH, VERSION, RELEASE are decoded from
 *           it ("epoch:version-release", epoch only when set). The older
 *           Berkeley DB "Packages" and SUSE's "Packages.db" (ndb) formats are
 *           not read: their packages are absent (documented in docs/agent.md).
 * Every database present is read; package_manager names the source.
 */
#ifndef NODELINK_SYSINFO_PACKAGES_H
#define NODELINK_SYSINFO_PACKAGES_H

#include <stddef.h>

/* Called once per installed package; strings valid during the call. */
typedef void (*packages_fn)(void *ctx, const char *name, const char *version);

/* Parsers of each database's text/blob, for tests. Return the number of
 * packages reported. */
size_t packages_parse_dpkg(const char *text, size_t len, packages_fn fn, void *ctx);
size_t packages_parse_apk(const char *text, size_t len, packages_fn fn, void *ctx);
/* One pacman desc file. */
size_t packages_parse_pacman_desc(const char *text, size_t len, packages_fn fn, void *ctx);
/* One rpm header blob (as stored in rpmdb.sqlite, without the magic). */
size_t packages_parse_rpm_header(const unsigned char *blob, size_t len, packages_fn fn, void *ctx);

#endif
