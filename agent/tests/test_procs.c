/*
 * Process counts: the pid set, the event-driven process set on a synthetic
 * proc tree, the kernel's runnable count, and the scanning fallback on the
 * fixture tree tests/fixtures/proc/procs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/collector.h"
#include "collectors/pidset.h"
#include "collectors/procs.h"
#include "collectors/procset.h"
#include "fixture.h"
#include "sample.h"

/* ------------------------------------------------------------ pidset */

Test(pidset, inserts_removes_and_refuses_pid_zero)
{
    pidset_t *s = pidset_new();
    cr_assert_not_null(s);
    cr_assert_eq(pidset_insert(s, 42), 1);
    cr_assert_eq(pidset_insert(s, 42), 0, "already there");
    cr_assert_eq(pidset_insert(s, 0), -1, "pid 0 is never a process");
    cr_assert(pidset_contains(s, 42));
    cr_assert(!pidset_contains(s, 43));
    cr_assert(!pidset_contains(s, 0));
    cr_assert_eq(pidset_count(s), 1);
    cr_assert(pidset_remove(s, 42));
    cr_assert(!pidset_remove(s, 42), "removed once");
    cr_assert_eq(pidset_count(s), 0);
    pidset_destroy(&s);
    cr_assert_null(s);
}

Test(pidset, grows_by_doubling_and_keeps_every_member)
{
    pidset_t *s = pidset_new();
    size_t cap0 = pidset_capacity(s);
    for (uint32_t pid = 1; pid <= 100000; pid++)
        cr_assert_eq(pidset_insert(s, pid), 1);
    cr_assert_eq(pidset_count(s), 100000);
    size_t cap = pidset_capacity(s);
    cr_assert(cap >= 200000 && (cap & (cap - 1)) == 0, "a power of two at most half full: %zu", cap);
    cr_assert(cap > cap0);
    for (uint32_t pid = 1; pid <= 100000; pid += 2)
        cr_assert(pidset_remove(s, pid));
    for (uint32_t pid = 1; pid <= 100001; pid++)
        cr_assert_eq(pidset_contains(s, pid), pid % 2 == 0 && pid <= 100000, "pid %u", pid);
    cr_assert_eq(pidset_count(s), 50000);
    cr_assert_eq(pidset_capacity(s), cap, "never shrinks");
    pidset_clear(s);
    cr_assert_eq(pidset_count(s), 0);
    cr_assert(!pidset_contains(s, 2));
    pidset_destroy(&s);
}

/* Random inserts and removals, clustered so probe runs collide and wrap
 * around the table, checked against a plain bitmap after every step. */
Test(pidset, agrees_with_a_bitmap_under_random_inserts_and_removals)
{
    enum { RANGE = 4096 };
    static bool ref[RANGE];
    memset(ref, 0, sizeof ref);
    pidset_t *s = pidset_new();
    size_t n = 0;
    uint32_t x = 12345;
    for (int step = 0; step < 200000; step++) {
        x = x * 1103515245u + 12345u;
        uint32_t pid = 1 + (x >> 8) % (RANGE - 1);
        if ((x >> 4) & 1) {
            cr_assert_eq(pidset_insert(s, pid), ref[pid] ? 0 : 1);
            n += !ref[pid];
            ref[pid] = true;
        } else {
            cr_assert_eq(pidset_remove(s, pid), ref[pid]);
            n -= ref[pid];
            ref[pid] = false;
        }
        if (step % 5000 == 0)
            for (uint32_t p = 1; p < RANGE; p++)
                cr_assert_eq(pidset_contains(s, p), ref[p], "step %d pid %u", step, p);
    }
    cr_assert_eq(pidset_count(s), n);
    for (uint32_t p = 1; p < RANGE; p++)
        cr_assert_eq(pidset_contains(s, p), ref[p]);
    pidset_destroy(&s);
}

/* ------------------------------------------------------------ parsing */

#define S(lit) lit, sizeof lit - 1

Test(procs, reads_state_and_flags_after_a_comm_with_parentheses)
{
    char st;
    uint32_t flags;
    const char *line = "21 (a) R (b)) Z 1 21 21 34816 -1 4194308 100 0 0 0 900 10\n";
    cr_assert(procset_parse_stat(line, strlen(line), &st, &flags));
    cr_assert_eq(st, 'Z');
    cr_assert_eq(flags, 4194308);
    cr_assert(flags & PROCSET_PF_EXITING);
    cr_assert_eq(procs_state(line, strlen(line)), 'Z');
    cr_assert(!procset_parse_stat(S("70 (truncated"), &st, &flags));
    cr_assert(!procset_parse_stat(S("70 (x) S 1 2 3 4"), &st, &flags), "no flags field");
    cr_assert(!procset_parse_stat(S("70 (x) S 1 2 3 4 5 99999999999"), &st, &flags), "flags beyond 32 bits");
    cr_assert(!procset_parse_stat(S(""), &st, &flags));
}

Test(procs, reads_the_kernels_runnable_count_from_loadavg)
{
    uint32_t nr = 0;
    const char *ok = "0.52 0.58 0.59 4/345 12345\n";
    cr_assert(procs_parse_running(ok, strlen(ok), &nr));
    cr_assert_eq(nr, 4);
    cr_assert(!procs_parse_running(S("0.52 0.58 0.59 4 345"), &nr), "no slash");
    cr_assert(!procs_parse_running(S("0.52 0.58 4/345"), &nr), "two averages");
    cr_assert(!procs_parse_running(S("0.52 0.58 0.59 4"), &nr), "truncated");
    cr_assert(!procs_parse_running(S("0.52 0.58 0.59 99999999999/2"), &nr), "beyond 32 bits");
    cr_assert(!procs_parse_running(S(""), &nr));
}

Test(procs, derives_running_and_sleeping_so_the_four_counts_add_up)
{
    procs_counts_t c = procs_derive(100, 3, 5);
    cr_assert_eq(c.total, 100);
    cr_assert_eq(c.running, 4, "the reading thread itself is not counted");
    cr_assert_eq(c.sleeping, 93);
    cr_assert_eq(c.zombie, 3);
    c = procs_derive(10, 2, 50);
    cr_assert_eq(c.running, 8, "runnable threads beyond the live processes: clamped");
    cr_assert_eq(c.sleeping, 0);
    c = procs_derive(10, 2, 0);
    cr_assert_eq(c.running, 0, "never below zero");
    cr_assert_eq(c.sleeping, 8);
    c = procs_derive(5, 9, 1);
    cr_assert_eq(c.zombie, 5);
    cr_assert_eq(c.running + c.sleeping, 0);
    c = procs_derive(0, 0, 0);
    cr_assert_eq(c.total + c.running + c.sleeping + c.zombie, 0);
}

/* ------------------------------------------------------------ the fixture tree */

Test(procs, counts_processes_by_state_in_a_fixture_tree)
{
    procs_counts_t c;
    cr_assert_eq(procs_count(fixture_path("proc/pids"), &c), 0);
    cr_assert_eq(c.total, 4);
    cr_assert_eq(c.running, 1);
    cr_assert_eq(c.sleeping, 2, "S and D");
    cr_assert_eq(c.zombie, 1);
    /* 10 processes: S S I R R D T Z Z and one exiting (R, PF_EXITING); a
     * process in state X, a truncated stat, a directory without stat and
     * non-numeric entries are not counted. */
    cr_assert_eq(procs_count(fixture_path("proc/procs"), &c), 0);
    cr_assert_eq(c.total, 10);
    cr_assert_eq(c.running, 3);
    cr_assert_eq(c.zombie, 2);
    cr_assert_eq(c.sleeping, 5);
    cr_assert_eq(procs_count(fixture_path("proc/none"), &c), -1);
}

Test(procs, a_scan_sorts_live_processes_from_zombies_and_exiting_ones)
{
    procset_t *ps = procset_new(fixture_path("proc/procs"));
    cr_assert_not_null(ps);
    cr_assert_eq(procset_scan(ps), 0);
    cr_assert_eq(procset_total(ps), 10);
    cr_assert_eq(procset_zombies(ps), 2);
    cr_assert_eq(procset_exited(ps), 3, "two zombies and the exiting process are rechecked");
    cr_assert_eq(procset_scan(ps), 0);
    cr_assert_eq(procset_total(ps), 10, "a rescan starts afresh");
    procset_check(ps);
    cr_assert_eq(procset_total(ps), 10);
    cr_assert_eq(procset_exited(ps), 3);
    procset_destroy(&ps);
    cr_assert_null(procset_new(fixture_path("proc/none")));
}

static const Nodelink__ProcessMetrics *s_collect_at(void *c, sample_t *s, int64_t now_ns)
{
    sample_reset(s, 0, 1000);
    cr_assert_eq(collector_procs.collect(c, s, now_ns), 0);
    const Nodelink__ProcessMetrics *m = s->data.processes;
    cr_assert_not_null(m);
    cr_assert(m->has_total_processes && m->has_running_processes && m->has_sleeping_processes &&
              m->has_zombie_processes);
    cr_assert_eq(m->running_processes + m->sleeping_processes + m->zombie_processes, m->total_processes);
    return m;
}

Test(procs, the_scanning_collector_on_a_fixture_tree_gives_exact_counts)
{
    collector_env_t env = {fixture_path("proc/procs"), "/nonexistent", false, 10000, NULL};
    void *c = collector_procs.create(&env);
    cr_assert_not_null(c);
    static sample_t s;
    const Nodelink__ProcessMetrics *m = s_collect_at(c, &s, 100000000000);
    cr_assert_eq(m->total_processes, 10);
    cr_assert_eq(m->zombie_processes, 2);
    cr_assert_eq(m->running_processes, 3, "loadavg says 4 runnable, one of them the reader");
    cr_assert_eq(m->sleeping_processes, 5);
    collector_procs.destroy(&c);
    cr_assert_null(c);
}

/* ------------------------------------------------------------ a synthetic tree */

typedef struct {
    char root[64];
} tree_t;

static void s_tree_init(tree_t *t)
{
    snprintf(t->root, sizeof t->root, "/tmp/nodelink-procs-XXXXXX");
    cr_assert_not_null(mkdtemp(t->root));
}

static void s_tree_free(tree_t *t)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
    cr_assert_eq(system(cmd), 0);
}

/* Writes <root>/<pid>/stat with the given state and flags. */
static void s_put(const tree_t *t, uint32_t pid, char state, uint32_t flags)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%u", t->root, pid);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%u/stat", t->root, pid);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "%u (a (b) c) %c 1 %u %u 0 -1 %u 0 0 0 0 1 2 0 0 20 0 1 0 100 0 0\n", pid, state, pid, pid,
            flags);
    fclose(f);
}

/* The process vanishes (reaped). */
static void s_drop(const tree_t *t, uint32_t pid)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%u/stat", t->root, pid);
    cr_assert_eq(unlink(path), 0);
    snprintf(path, sizeof path, "%s/%u", t->root, pid);
    cr_assert_eq(rmdir(path), 0);
}

#define ALIVE 0x400100u   /* PF_RANDOMIZE | PF_SUPERPRIV: not exiting */
#define EXITING 0x400104u /* ... | PF_EXITING */

static void s_expect(procset_t *ps, uint32_t total, uint32_t zombies, size_t exited)
{
    procset_check(ps);
    cr_assert_eq(procset_total(ps), total, "total %u, expected %u", procset_total(ps), total);
    cr_assert_eq(procset_zombies(ps), zombies, "zombies %u, expected %u", procset_zombies(ps), zombies);
    cr_assert_eq(procset_exited(ps), exited, "exited list %zu, expected %zu", procset_exited(ps), exited);
    cr_assert(!procset_lost(ps));
}

Test(procset, follows_forks_exits_zombies_and_reaping)
{
    tree_t t;
    s_tree_init(&t);
    s_put(&t, 10, 'S', ALIVE);
    s_put(&t, 11, 'R', ALIVE);
    s_put(&t, 12, 'Z', EXITING);
    procset_t *ps = procset_new(t.root);
    cr_assert_eq(procset_scan(ps), 0);
    s_expect(ps, 3, 1, 1);

    s_put(&t, 20, 'S', ALIVE);
    procset_fork(ps, 20);
    s_expect(ps, 4, 1, 1);
    procset_fork(ps, 20);
    procset_fork(ps, 10);
    s_expect(ps, 4, 1, 1); /* repeated or already scanned: idempotent */

    s_put(&t, 10, 'Z', EXITING); /* exits, the parent has not waited yet */
    procset_exit(ps, 10);
    procset_exit(ps, 10);
    s_expect(ps, 4, 2, 2);
    s_expect(ps, 4, 2, 2); /* rechecked each sample while a zombie */

    s_drop(&t, 11); /* exits and is reaped before the sample */
    procset_exit(ps, 11);
    s_expect(ps, 3, 2, 2);

    s_drop(&t, 10); /* the zombie is reaped: no event, the check sees it */
    s_expect(ps, 2, 1, 1);

    s_drop(&t, 12);
    /* Unknown to the set (events were lost): an exit of it is resolved by reading. */
    s_put(&t, 30, 'S', ALIVE);
    procset_exit(ps, 30);
    procset_exit(ps, 99);
    s_expect(ps, 2, 0, 0);
    procset_destroy(&ps);
    s_tree_free(&t);
}

Test(procset, a_reused_pid_is_a_new_live_process)
{
    tree_t t;
    s_tree_init(&t);
    s_put(&t, 10, 'S', ALIVE);
    procset_t *ps = procset_new(t.root);
    cr_assert_eq(procset_scan(ps), 0);
    s_put(&t, 10, 'Z', EXITING);
    procset_exit(ps, 10);
    s_expect(ps, 1, 1, 1);
    /* Reaped, and the pid handed to a new process, all between two samples. */
    s_put(&t, 10, 'S', ALIVE);
    procset_exit(ps, 10);
    procset_fork(ps, 10);
    cr_assert_eq(procset_exited(ps), 0, "the fork took it off the exited list");
    s_expect(ps, 1, 0, 0);
    /* The new process exits too and is reaped: counted once, then gone. */
    procset_exit(ps, 10);
    s_drop(&t, 10);
    s_expect(ps, 0, 0, 0);
    procset_destroy(&ps);
    s_tree_free(&t);
}

Test(procset, a_leader_exit_of_a_live_process_puts_it_back_and_exiting_ones_wait)
{
    tree_t t;
    s_tree_init(&t);
    s_put(&t, 10, 'S', ALIVE);
    s_put(&t, 11, 'S', ALIVE);
    procset_t *ps = procset_new(t.root);
    cr_assert_eq(procset_scan(ps), 0);
    /* A thread of 10 exec'd: the old leader's exit is reported, pid 10 lives on. */
    procset_exit(ps, 10);
    s_expect(ps, 2, 0, 0);
    /* 11 is still on its way out (PF_EXITING, not yet a zombie): kept and
     * still counted, then a zombie, then reaped. */
    s_put(&t, 11, 'R', EXITING);
    procset_exit(ps, 11);
    s_expect(ps, 2, 0, 1);
    s_put(&t, 11, 'Z', EXITING);
    s_expect(ps, 2, 1, 1);
    s_put(&t, 11, 'X', EXITING);
    s_expect(ps, 1, 0, 0);
    /* A later fork of 11 is a new process. */
    s_put(&t, 11, 'S', ALIVE);
    procset_fork(ps, 11);
    s_expect(ps, 2, 0, 0);
    procset_destroy(&ps);
    s_tree_free(&t);
}

Test(procset, many_short_lived_processes_leave_nothing_behind)
{
    tree_t t;
    s_tree_init(&t);
    procset_t *ps = procset_new(t.root);
    cr_assert_eq(procset_scan(ps), 0);
    for (uint32_t pid = 100; pid < 3100; pid++)
        procset_fork(ps, pid); /* started and exited between two samples */
    for (uint32_t pid = 100; pid < 3100; pid++)
        procset_exit(ps, pid);
    cr_assert_eq(procset_exited(ps), 3000);
    s_expect(ps, 0, 0, 0);
    procset_destroy(&ps);
    s_tree_free(&t);
}

/* ------------------------------------------------------------ collector, scan mode */

Test(procs, scans_at_most_once_per_scan_interval_and_derives_running_each_sample)
{
    tree_t t;
    s_tree_init(&t);
    s_put(&t, 10, 'S', ALIVE);
    s_put(&t, 11, 'R', ALIVE);
    collector_env_t env = {t.root, "/nonexistent", false, 10000, NULL};
    void *c = collector_procs.create(&env);
    cr_assert_not_null(c, "a proc_root other than /proc: the scanning collector");
    static sample_t s;
    const int64_t sec = 1000000000;
    const Nodelink__ProcessMetrics *m = s_collect_at(c, &s, 100 * sec);
    cr_assert_eq(m->total_processes, 2, "the first sample scans");
    cr_assert_eq(m->running_processes, 1, "no loadavg: the processes in state R");
    s_put(&t, 12, 'Z', EXITING);
    m = s_collect_at(c, &s, 105 * sec);
    cr_assert_eq(m->total_processes, 2, "5 s later: the last counts, not a new scan");
    /* The kernel's runnable count is read every sample. */
    char path[128];
    snprintf(path, sizeof path, "%s/loadavg", t.root);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("0.00 0.01 0.05 1/80 999\n", f);
    fclose(f);
    m = s_collect_at(c, &s, 106 * sec);
    cr_assert_eq(m->total_processes, 2);
    cr_assert_eq(m->running_processes, 0, "only the reader was runnable");
    cr_assert_eq(m->sleeping_processes, 2);
    m = s_collect_at(c, &s, 110 * sec - sec / 2);
    cr_assert_eq(m->total_processes, 3, "due (within a tenth of the interval): scanned again");
    cr_assert_eq(m->zombie_processes, 1);
    collector_procs.destroy(&c);
    cr_assert_null(c);
    s_tree_free(&t);
}
