/*
 * agent_overhead - CPU cost of one agent sample, in process, with the real
 * collectors on this machine's /proc and /sys.
 *
 *   agent_overhead [samples] [mode] [interval_ms]
 *
 * mode 0: every collector except process tracking (the default)
 * mode 1: every collector, with process counts and task processes
 * mode 2: the task processes collector alone
 * mode 3: as mode 0, but sleeping interval_ms before each sample, as the
 *         agent does: the cost of a sample with cold caches, wake-up included
 * mode 4: sleeping interval_ms, collecting nothing: what one wake-up of an
 *         idle thread costs on this machine (the floor of any sampler)
 * mode 5: the process counts collector alone, on /proc: the one-off start
 *         (subscription to the process connector and the initial scan),
 *         the steady-state sample back to back (`samples` of them), one
 *         sample after 500 processes started and exited since the previous
 *         one (per exit), and the scanning fallback's full scan (10 scans).
 *         Prints mode=connector or mode=scan (which the collector chose).
 *
 * Prints CPU microseconds per sample (getrusage user+system over `samples`
 * collections, default 2000), the encoded frame size, and the process's
 * peak RSS. With tracking=1 the process counts and task processes
 * collectors run too. Driven by agent_overhead.py, which runs it side by
 * side with prometheus-node-exporter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "collectors/collector.h"
#include "collectors/procs.h"
#include "sampler.h"
#include "taskreg.h"

static double s_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* CPU time of this process in microseconds (nanosecond resolution). */
static double s_cpu_precise_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static uint32_t s_procs_collect(void *c, sample_t *s)
{
    sample_reset(s, 0, 1000);
    if (collector_procs.collect(c, s, clock_mono_ns()) != 0 || !s->data.processes)
        return 0;
    return s->data.processes->total_processes;
}

/* Mode 5: the process counts collector alone. */
static int s_procs_bench(int n)
{
    enum { CHURN = 500, SCANS = 10 };
    static sample_t s;
    collector_env_t env = {"/proc", "/sys", false, 10000, NULL};
    double t0 = s_cpu_precise_us();
    void *c = collector_procs.create(&env);
    double start_us = s_cpu_precise_us() - t0;
    if (!c)
        return 1;
    uint32_t total = s_procs_collect(c, &s);
    t0 = s_cpu_precise_us();
    for (int i = 0; i < n; i++)
        s_procs_collect(c, &s);
    double steady_us = (s_cpu_precise_us() - t0) / n;
    for (int i = 0; i < CHURN; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid > 0)
            waitpid(pid, NULL, 0);
    }
    t0 = s_cpu_precise_us();
    s_procs_collect(c, &s);
    double churn_us = s_cpu_precise_us() - t0;
    procs_counts_t pc;
    t0 = s_cpu_precise_us();
    for (int i = 0; i < SCANS; i++)
        procs_count("/proc", &pc);
    double scan_us = (s_cpu_precise_us() - t0) / SCANS;
    /* The collector logs its mode; the scan mode has no subscription to
     * drain, and its first sample scans. */
    printf("start_us=%.0f steady_us=%.2f churn_sample_us=%.0f per_exit_us=%.2f scan_us=%.0f total=%u "
           "scan_total=%u\n",
           start_us, steady_us, churn_us, churn_us / CHURN, scan_us, total, pc.total);
    collector_procs.destroy(&c);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int mode = argc > 2 ? atoi(argv[2]) : 0;
    int gap_ms = argc > 3 ? atoi(argv[3]) : 1000;
    struct timespec gap = {gap_ms / 1000, (long)(gap_ms % 1000) * 1000000L};
    if (mode == 5)
        return n > 0 ? s_procs_bench(n) : 1;
    char *task_only[] = {"task"};
    taskreg_t *reg = taskreg_new();
    sampler_opts_t o = {
        .agent_id = "bench",
        .epoch = 1,
        .env = {"/proc", "/sys", true, 10000, reg},
        .tracking_enabled = mode == 1 || mode == 2,
        .selection = {mode == 2 ? task_only : NULL, mode == 2 ? 1 : 0, NULL, 0},
        .interval_ms = 1000,
        .streaming = true,
        .retention_ms = 0,
        .history_bytes = 0,
    };
    sampler_t *s = sampler_new(&o, NULL);
    if (!s || n <= 0)
        return 1;
    const Nodelink__MetricsDataResponse *m = sampler_collect(s, 0); /* warm up */
    double t0 = s_cpu_us();
    for (int i = 0; i < n; i++) {
        if (mode >= 3)
            nanosleep(&gap, NULL);
        if (mode != 4)
            m = sampler_collect(s, (uint64_t)clock_now_ms());
    }
    double per = (s_cpu_us() - t0) / n;
    Nodelink__MetricsResponse mr = NODELINK__METRICS_RESPONSE__INIT;
    mr.response_type_case = NODELINK__METRICS_RESPONSE__RESPONSE_TYPE_METRICS_DATA;
    mr.metrics_data = (Nodelink__MetricsDataResponse *)m;
    Nodelink__TaskResponse tr = NODELINK__TASK_RESPONSE__INIT;
    tr.response_case = NODELINK__TASK_RESPONSE__RESPONSE_METRICS_RESPONSE;
    tr.metrics_response = &mr;
    tr.agent_id = "bench";
    tr.has_sequence = tr.has_epoch = 1;
    tr.sequence = 123456;
    tr.epoch = 0x123456789abcdefULL;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("cpu_us_per_sample=%.1f frame_bytes=%zu maxrss_kb=%ld disks=%zu ifaces=%zu tasks=%zu\n", per,
           nodelink__task_response__get_packed_size(&tr), ru.ru_maxrss, m->n_disks, m->n_network_interfaces,
           m->processes ? m->processes->n_task_processes : 0);
    sampler_destroy(&s);
    taskreg_destroy(&reg);
    return 0;
}
