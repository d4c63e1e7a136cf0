/*
 * dmi.c - SMBIOS type 17 parsing. See dmi.h.
 *
 * Table layout: structures back to back, each a formatted area {type,
 * length, handle, fields...} of `length` bytes followed by its string set,
 * which ends with two NUL bytes. Type 127 ends the table.
 */
#include "dmi.h"

#include <stdio.h>
#include <string.h>

static const char *s_type_name(uint8_t t)
{
    switch (t) {
    case 0x03:
        return "DRAM";
    case 0x07:
        return "RAM";
    case 0x0F:
        return "SDRAM";
    case 0x11:
        return "RDRAM";
    case 0x12:
        return "DDR";
    case 0x13:
        return "DDR2";
    case 0x14:
        return "DDR2 FB-DIMM";
    case 0x18:
        return "DDR3";
    case 0x1A:
        return "DDR4";
    case 0x1B:
        return "LPDDR";
    case 0x1C:
        return "LPDDR2";
    case 0x1D:
        return "LPDDR3";
    case 0x1E:
        return "LPDDR4";
    case 0x20:
        return "HBM";
    case 0x21:
        return "HBM2";
    case 0x22:
        return "DDR5";
    case 0x23:
        return "LPDDR5";
    case 0x24:
        return "HBM3";
    default:
        return "";
    }
}

static uint16_t s_le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

int dmi_parse_memory(const unsigned char *buf, size_t len, dmi_memory_t *out)
{
    memset(out, 0, sizeof *out);
    size_t off = 0;
    while (off + 4 <= len) {
        uint8_t type = buf[off], flen = buf[off + 1];
        if (flen < 4 || off + flen > len)
            return -1;
        const unsigned char *s = buf + off;
        if (type == 17 && flen >= 0x17) {
            uint16_t size = s_le16(s + 0x0C);
            if (size != 0) {
                snprintf(out->type, sizeof out->type, "%s", s_type_name(s[0x12]));
                uint16_t speed = s_le16(s + 0x15);
                if (flen >= 0x22 && s_le16(s + 0x20) != 0 && s_le16(s + 0x20) != 0xFFFF)
                    speed = s_le16(s + 0x20);
                out->speed = speed == 0xFFFF ? 0 : speed;
                return 0;
            }
        }
        if (type == 127)
            break;
        /* Skip the string set: find the double NUL after the formatted area. */
        size_t p = off + flen;
        while (p + 1 < len && !(buf[p] == 0 && buf[p + 1] == 0))
            p++;
        off = p + 2;
    }
    return -1;
}
