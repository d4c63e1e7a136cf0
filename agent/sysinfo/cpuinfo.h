/*
 * cpuinfo.h - CPU model, topology and frequencies.
 *
 *   model     "model name" (x86), else "Model"/"Hardware"/"Processor" (ARM)
 *   threads   logical CPUs ("processor" entries of /proc/cpuinfo)
 *   cores     distinct (physical_package_id, core_id) pairs of
 *             /sys/devices/system/cpu/cpuN/topology; = threads without topology
 *   base GHz  cpufreq base_frequency, else the "@ 2.40GHz" of an x86 model
 *             name, else the highest "cpu MHz"
 *   max GHz   cpufreq cpuinfo_max_freq, else the highest "cpu MHz"
 *   features  "flags" (x86) or "Features" (ARM) of the first CPU
 */
#ifndef NODELINK_SYSINFO_CPUINFO_H
#define NODELINK_SYSINFO_CPUINFO_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char model[256];
    const char *flags; /* into the parsed text */
    size_t flags_len;
    uint32_t processors;
    double max_mhz;   /* highest "cpu MHz" seen; 0 when none */
    double model_ghz; /* from "@ x.xxGHz" in the model name; 0 when none */
} cpuinfo_t;

/* Parses /proc/cpuinfo text (borrowed by out->flags). */
void cpuinfo_parse(const char *text, size_t len, cpuinfo_t *out);

/* Counts distinct (package, core) pairs under sys_root for CPUs 0..threads-1
 * present in sysfs. 0 when topology is unreadable. */
uint32_t cpuinfo_physical_cores(const char *sys_root, uint32_t threads);

#endif
