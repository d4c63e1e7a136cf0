/*
 * sysenv.c - where system information is read from. See sysenv.h.
 */
#include "sysenv.h"

#include <stdio.h>
#include <string.h>

void sysenv_path(char *buf, size_t size, const char *root, const char *path)
{
    if (!root || !*root || strcmp(root, "/") == 0)
        snprintf(buf, size, "%s", path);
    else
        snprintf(buf, size, "%s%s", root, path);
}

const char *sysenv_mountinfo(const sysinfo_env_t *env)
{
    return strcmp(env->proc_root, "/proc") != 0 ? "1/mountinfo" : "self/mountinfo";
}
