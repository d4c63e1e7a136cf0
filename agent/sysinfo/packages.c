/*
 * packages.c - installed packages from the package managers' databases.
 */
#include "sysinfo.h"

Nodelink__InstalledPackage **sysinfo_packages(const sysinfo_env_t *env, arena_t *a, size_t *n)
{
    (void)env;
    (void)a;
    *n = 0;
    return NULL;
}
