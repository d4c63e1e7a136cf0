/*
 * cpuinfo.c - the CpuInfo part of system information. See cpuinfo.h.
 */
#include "cpuinfo.h"
#include "sysinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../procfile.h"
#include "../scan.h"

/* Splits "key<tabs>: value" lines; returns false on lines without ':'. */
static bool s_kv(scan_t *s, const char **k, size_t *kl, const char **v, size_t *vl)
{
    const char *eol = memchr(s->p, '\n', (size_t)(s->end - s->p));
    if (!eol)
        eol = s->end;
    const char *colon = memchr(s->p, ':', (size_t)(eol - s->p));
    if (!colon)
        return false;
    const char *ke = colon;
    while (ke > s->p && (ke[-1] == ' ' || ke[-1] == '\t'))
        ke--;
    const char *vs = colon + 1;
    while (vs < eol && (*vs == ' ' || *vs == '\t'))
        vs++;
    *k = s->p;
    *kl = (size_t)(ke - s->p);
    *v = vs;
    *vl = (size_t)(eol - vs);
    return true;
}

static bool s_is(const char *k, size_t kl, const char *want)
{
    return kl == strlen(want) && memcmp(k, want, kl) == 0;
}

static double s_model_ghz(const char *model)
{
    const char *at = strstr(model, "@ ");
    if (!at)
        return 0;
    char *end;
    double v = strtod(at + 2, &end);
    if (end == at + 2 || strncmp(end, "GHz", 3) != 0 || v <= 0 || v > 100)
        return 0;
    return v;
}

/* Which key names the model: a higher rank wins ("model name" on x86;
 * "Model", "Hardware" or an old-style "Processor : ARMv7 ..." on ARM). */
static int s_model_rank(const char *k, size_t kl, const char *v, size_t vl)
{
    if (s_is(k, kl, "model name"))
        return 4;
    if (s_is(k, kl, "Model"))
        return 3;
    if (s_is(k, kl, "Hardware"))
        return 2;
    if (s_is(k, kl, "Processor") && vl && !(v[0] >= '0' && v[0] <= '9'))
        return 1;
    return 0;
}

void cpuinfo_parse(const char *text, size_t len, cpuinfo_t *out)
{
    memset(out, 0, sizeof *out);
    scan_t s = scan_init(text, len);
    int model_rank = 0;
    for (; !scan_eof(&s); scan_next_line(&s)) {
        const char *k, *v;
        size_t kl, vl;
        if (!s_kv(&s, &k, &kl, &v, &vl))
            continue;
        int rank = s_model_rank(k, kl, v, vl);
        if (rank > model_rank) {
            model_rank = rank;
            scan_copy(v, vl < sizeof out->model ? vl : sizeof out->model - 1, out->model, sizeof out->model);
        } else if (s_is(k, kl, "processor")) {
            if (vl && v[0] >= '0' && v[0] <= '9')
                out->processors++;
        } else if ((s_is(k, kl, "flags") || s_is(k, kl, "Features")) && !out->flags) {
            out->flags = v;
            out->flags_len = vl;
        } else if (s_is(k, kl, "cpu MHz")) {
            scan_t n = scan_init(v, vl);
            double mhz;
            if (scan_double(&n, &mhz) && mhz > out->max_mhz && mhz < 100000)
                out->max_mhz = mhz;
        }
    }
    out->model_ghz = s_model_ghz(out->model);
}

static bool s_read_u64(const char *path, uint64_t *v)
{
    char buf[64];
    return procfile_slurp(path, buf, sizeof buf) > 0 && scan_parse_u64(buf, v);
}

uint32_t cpuinfo_physical_cores(const char *sys_root, uint32_t threads)
{
    if (threads == 0)
        return 0;
    uint64_t *keys = calloc(threads, sizeof *keys);
    if (!keys)
        return 0;
    uint32_t n = 0;
    char path[4096];
    for (uint32_t cpu = 0; cpu < threads; cpu++) {
        uint64_t pkg, core;
        snprintf(path, sizeof path, "%s/devices/system/cpu/cpu%u/topology/physical_package_id", sys_root,
                 cpu);
        if (!s_read_u64(path, &pkg))
            continue;
        snprintf(path, sizeof path, "%s/devices/system/cpu/cpu%u/topology/core_id", sys_root, cpu);
        if (!s_read_u64(path, &core))
            continue;
        uint64_t key = pkg << 32 | (core & 0xffffffffu);
        bool seen = false;
        for (uint32_t i = 0; i < n && !seen; i++)
            seen = keys[i] == key;
        if (!seen)
            keys[n++] = key;
    }
    free(keys);
    return n;
}

static double s_cpufreq_ghz(const char *sys_root, const char *attr)
{
    char path[4096];
    uint64_t khz;
    snprintf(path, sizeof path, "%s/devices/system/cpu/cpu0/cpufreq/%s", sys_root, attr);
    if (!s_read_u64(path, &khz) || khz == 0)
        return 0;
    return (double)khz / 1e6;
}

/* Splits the flags into the repeated features field. */
static void s_features(Nodelink__CpuInfo *ci, const cpuinfo_t *p, arena_t *a)
{
    size_t n = 0;
    for (size_t i = 0; i < p->flags_len; i++)
        if (p->flags[i] != ' ' && (i == 0 || p->flags[i - 1] == ' '))
            n++;
    ci->features = n ? arena_alloc(a, n * sizeof *ci->features) : NULL;
    if (!ci->features)
        return;
    scan_t s = scan_init(p->flags, p->flags_len);
    const char *w;
    size_t wl;
    while (ci->n_features < n && scan_word(&s, NULL, &w, &wl))
        ci->features[ci->n_features++] = arena_strndup(a, w, wl);
}

Nodelink__CpuInfo *sysinfo_cpu(const sysinfo_env_t *env, arena_t *a, uint32_t *cores, uint32_t *threads)
{
    procfile_t *f = procfile_new_at(env->proc_root, "cpuinfo");
    const char *text;
    long len = f ? procfile_read(f, &text) : -1;
    if (len < 0) {
        procfile_destroy(&f);
        return NULL;
    }
    cpuinfo_t p;
    cpuinfo_parse(text, (size_t)len, &p);
    Nodelink__CpuInfo *ci = arena_alloc(a, sizeof *ci);
    if (ci) {
        nodelink__cpu_info__init(ci);
        if (p.model[0])
            ci->model = arena_strdup(a, p.model);
        *threads = p.processors;
        *cores = cpuinfo_physical_cores(env->sys_root, p.processors);
        if (*cores == 0)
            *cores = p.processors;
        ci->has_cores = ci->has_threads = *threads > 0;
        ci->cores = *cores;
        ci->threads = *threads;
        double base = s_cpufreq_ghz(env->sys_root, "base_frequency");
        double max = s_cpufreq_ghz(env->sys_root, "cpuinfo_max_freq");
        if (base <= 0)
            base = p.model_ghz > 0 ? p.model_ghz : p.max_mhz / 1000.0;
        if (max <= 0)
            max = p.max_mhz / 1000.0 > base ? p.max_mhz / 1000.0 : base;
        ci->has_base_frequency_ghz = base > 0;
        ci->base_frequency_ghz = base;
        ci->has_max_frequency_ghz = max > 0;
        ci->max_frequency_ghz = max;
        s_features(ci, &p, a);
    }
    procfile_destroy(&f);
    return ci;
}
