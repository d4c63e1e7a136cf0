/*
 * loadavg.c - the load collector. See loadavg.h.
 */
#include "loadavg.h"
#include "collector.h"

#include "../procfile.h"
#include "../scan.h"

int loadavg_parse(const char *text, size_t len, Nodelink__LoadMetrics *m)
{
    scan_t s = scan_init(text, len);
    double v[3];
    for (int i = 0; i < 3; i++)
        if (!scan_double(&s, &v[i]) || v[i] < 0)
            return -1;
    nodelink__load_metrics__init(m);
    m->has_load1 = m->has_load5 = m->has_load15 = 1;
    m->load1 = v[0];
    m->load5 = v[1];
    m->load15 = v[2];
    return 0;
}

bool loadavg_parse_runnable(const char *text, size_t len, uint32_t *runnable)
{
    scan_t s = scan_init(text, len);
    double avg;
    uint64_t nr;
    for (int i = 0; i < 3; i++)
        if (!scan_double(&s, &avg))
            return false;
    if (!scan_u64(&s, &nr) || nr > UINT32_MAX || scan_eof(&s) || *s.p != '/')
        return false;
    *runnable = (uint32_t)nr;
    return true;
}

static void *s_create(const collector_env_t *env)
{
    return procfile_new_at(env->proc_root, "loadavg");
}

static int s_collect(void *self, sample_t *sample, int64_t now_ns)
{
    (void)now_ns;
    const char *text;
    long len = procfile_read(self, &text);
    if (len < 0)
        return -1;
    Nodelink__LoadMetrics m;
    if (loadavg_parse(text, (size_t)len, &m) != 0)
        return -1;
    *sample_load(sample) = m;
    sample->has_runnable = loadavg_parse_runnable(text, (size_t)len, &sample->runnable);
    return 0;
}

static void s_destroy(void **self)
{
    procfile_destroy((procfile_t **)self);
}

const collector_def_t collector_loadavg = {"loadavg", "load", NULL, s_create, s_collect, s_destroy};
