/*
 * hwmon.h - CPU temperature from hwmon or thermal zones.
 *
 * Sensor choice, made once when the collector starts:
 *   1. hwmon chips (<sys_root>/class/hwmon/hwmonN/name) of a CPU driver:
 *      coretemp, k10temp, zenpower, cpu_thermal, cpu-thermal, soc_thermal,
 *      k8temp, via_cputemp, ... For each chip, the package input: the temp
 *      whose label is "Package id N", "Tdie" or "Tctl" (Tdie preferred over
 *      Tctl, which AMD offsets on some models), else temp1.
 *   2. otherwise thermal zones (<sys_root>/class/thermal/thermal_zoneN/type)
 *      of type x86_pkg_temp, cpu-thermal, cpu_thermal, soc_thermal, cpu.
 * With several sockets the hottest package is reported. Without any such
 * sensor the collector reports nothing (the field is absent, not 0).
 * Inputs are millidegrees Celsius.
 */
#ifndef NODELINK_COLLECTOR_HWMON_H
#define NODELINK_COLLECTOR_HWMON_H

#include <stdbool.h>
#include <stddef.h>

#define HWMON_MAX_SENSORS 16

/* Finds the sensor inputs (full paths) under sys_root. Returns how many
 * were found (at most max). */
size_t hwmon_find_sensors(const char *sys_root, char (*paths)[512], size_t max);

/* True when name is a CPU temperature driver / zone type we read. */
bool hwmon_cpu_chip(const char *name);

#endif
