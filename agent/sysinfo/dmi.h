/*
 * dmi.h - memory type and speed from SMBIOS type 17 ("Memory Device")
 * structures, read from <sys_root>/firmware/dmi/tables/DMI (root only; VMs
 * often have none). The first installed module (size != 0) gives the type
 * (DDR4, ...) and speed: its configured speed (SMBIOS >= 2.7) when set, else
 * its rated speed, in MT/s (reported as MHz, as dmidecode does).
 * Nothing is invented: no table, no installed module or an unknown type
 * leaves the fields empty.
 */
#ifndef NODELINK_SYSINFO_DMI_H
#define NODELINK_SYSINFO_DMI_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char type[16];  /* "" when unknown */
    uint32_t speed; /* 0 when unknown */
} dmi_memory_t;

/* Walks the SMBIOS structure table in buf. 0 when a memory device was
 * found, -1 otherwise. */
int dmi_parse_memory(const unsigned char *buf, size_t len, dmi_memory_t *out);

#endif
