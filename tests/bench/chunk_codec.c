/*
 * chunk_codec.c - benchmark of the chunk codec (store/chunk): bytes per
 * value, encode and decode time per row, at zstd levels 1, 3, 9 and 19,
 * against an anchor measured in the same run: the same rows as CSV text in
 * one zstd frame at the same level (what "just compress the export" gives).
 *
 * Rows come from one of:
 *   --chunk FILE   the rows of a chunk (tests/fixtures/chunk/ has an hour of
 *                  a real agent at 5 s and the 1-minute rollups of it);
 *   --proc         this host sampled live (the default): /proc/stat,
 *                  /proc/meminfo, /proc/loadavg, /proc/diskstats and
 *                  /proc/net/dev every --interval-ms (default 50) for --rows
 *                  rows (default 720), with values computed and rounded as
 *                  the agent and store do (percentages and load with 2
 *                  decimals, rates per second and byte counts as integers),
 *                  while a child process makes CPU, disk and loopback load.
 *                  At 50 ms, rates are noisier than at 5 s: a harsh case.
 * --save FILE writes the rows as a chunk (to make a fixture).
 *
 *   build/bench/chunk_codec --chunk tests/fixtures/chunk/raw-1h-5s.chunk
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "chunk.h"

typedef struct {
    int64_t ts;
    uint64_t seq;
    size_t n;
    char **names;
    char **values;
} s_row_t;

typedef struct {
    s_row_t *rows;
    size_t n;
    size_t cap;
} s_rows_t;

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static s_row_t *s_row_new(s_rows_t *rows, int64_t ts, uint64_t seq, size_t cap)
{
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? rows->cap * 2 : 1024;
        rows->rows = realloc(rows->rows, rows->cap * sizeof *rows->rows);
    }
    s_row_t *r = &rows->rows[rows->n++];
    *r = (s_row_t){ts, seq, 0, malloc(cap * sizeof(char *)), malloc(cap * sizeof(char *))};
    return r;
}

static void s_cell(s_row_t *r, const char *name, const char *value)
{
    r->names[r->n] = strdup(name);
    r->values[r->n++] = strdup(value);
}

/* ---- rows from a chunk ---------------------------------------------------------- */

static int s_load_chunk(const char *path, s_rows_t *rows)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    static uint8_t buf[64 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    chunk_err_t err;
    chunk_t *c = chunk_open(buf, len, &err);
    const int64_t *ts;
    const uint64_t *seq;
    if (!c || chunk_timestamps(c, &ts, &seq, &err) < 0) {
        fprintf(stderr, "%s: %s\n", path, err.text);
        chunk_destroy(&c);
        return -1;
    }
    size_t ncols = chunk_columns(c);
    const char **names = malloc(ncols * sizeof *names), **values = malloc(ncols * sizeof *values);
    for (size_t i = 0; i < chunk_rows(c); i++) {
        size_t n;
        if (chunk_row(c, i, names, values, &n, &err) < 0) {
            fprintf(stderr, "%s: %s\n", path, err.text);
            return -1;
        }
        s_row_t *r = s_row_new(rows, ts[i], seq[i], n ? n : 1);
        for (size_t k = 0; k < n; k++)
            s_cell(r, names[k], values[k]);
    }
    free(names);
    free(values);
    chunk_destroy(&c);
    return 0;
}

/* ---- rows from /proc -------------------------------------------------------------- */

#define S_DEV_MAX 32
#define S_CPU_MAX 64

typedef struct {
    unsigned long long cpu[S_CPU_MAX + 1][8]; /* user nice system idle iowait irq softirq steal */
    int ncpu;
    char disk[S_DEV_MAX][32];
    unsigned long long dk[S_DEV_MAX][4]; /* reads, sectors read, writes, sectors written */
    unsigned long long dk_ms[S_DEV_MAX]; /* ms doing I/O */
    int ndisk;
    char nic[S_DEV_MAX][32];
    unsigned long long nc[S_DEV_MAX][4]; /* rx bytes, rx packets, tx bytes, tx packets */
    int nnic;
    double t;
} s_snap_t;

static void s_read_snap(s_snap_t *s)
{
    char line[1024];
    memset(s, 0, sizeof *s);
    s->t = s_now();
    FILE *f = fopen("/proc/stat", "r");
    while (f && fgets(line, sizeof line, f) && strncmp(line, "cpu", 3) == 0) {
        unsigned long long *v = s->cpu[s->ncpu];
        char name[16];
        if (sscanf(line, "%15s %llu %llu %llu %llu %llu %llu %llu %llu", name, &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &v[6], &v[7]) == 9 &&
            s->ncpu < S_CPU_MAX)
            s->ncpu++;
    }
    if (f)
        fclose(f);
    f = fopen("/proc/diskstats", "r");
    while (f && fgets(line, sizeof line, f) && s->ndisk < S_DEV_MAX) {
        unsigned maj, mnr;
        char name[32];
        unsigned long long rd, rdm, rds, rdt, wr, wrm, wrs, wrt, inflight, io_ms;
        if (sscanf(line, "%u %u %31s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &maj, &mnr, name,
                   &rd, &rdm, &rds, &rdt, &wr, &wrm, &wrs, &wrt, &inflight, &io_ms) != 13 ||
            strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0)
            continue;
        strcpy(s->disk[s->ndisk], name);
        unsigned long long *d = s->dk[s->ndisk];
        d[0] = rd, d[1] = rds, d[2] = wr, d[3] = wrs;
        s->dk_ms[s->ndisk++] = io_ms;
    }
    if (f)
        fclose(f);
    f = fopen("/proc/net/dev", "r");
    while (f && fgets(line, sizeof line, f) && s->nnic < S_DEV_MAX) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *name = line;
        while (*name == ' ')
            name++;
        unsigned long long rb, rp, x, tb, tp;
        if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &rb, &rp, &x, &x, &x, &x,
                   &x, &x, &tb, &tp) != 10)
            continue;
        snprintf(s->nic[s->nnic], sizeof s->nic[0], "%.31s", name);
        unsigned long long *n = s->nc[s->nnic++];
        n[0] = rb, n[1] = rp, n[2] = tb, n[3] = tp;
    }
    if (f)
        fclose(f);
}

/* A value as the store writes it: rounded to places, trailing zeros
 * dropped, whole numbers as integers, never "-0" (store/numfmt.h). */
static void s_lean(char *buf, size_t size, double v, int places)
{
    snprintf(buf, size, "%.*f", places, v);
    if (strchr(buf, '.')) {
        size_t n = strlen(buf);
        while (buf[n - 1] == '0')
            buf[--n] = '\0';
        if (buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
}

static void s_put(s_row_t *r, const char *name, double v, int places)
{
    char buf[64];
    s_lean(buf, sizeof buf, v, places);
    s_cell(r, name, buf);
}

static void s_cpu_row(s_row_t *r, const s_snap_t *a, const s_snap_t *b)
{
    for (int c = 0; c < b->ncpu && c < a->ncpu; c++) {
        double d[8], total = 0;
        for (int k = 0; k < 8; k++)
            total += d[k] = (double)(b->cpu[c][k] - a->cpu[c][k]);
        if (total <= 0)
            total = 1;
        char name[64];
        if (c == 0) {
            s_put(r, "cpu.usage_percent", 100 * (total - d[3] - d[4]) / total, 2);
            s_put(r, "cpu.user_percent", 100 * (d[0] + d[1]) / total, 2);
            s_put(r, "cpu.system_percent", 100 * (d[2] + d[5] + d[6]) / total, 2);
            s_put(r, "cpu.idle_percent", 100 * d[3] / total, 2);
            s_put(r, "cpu.iowait_percent", 100 * d[4] / total, 2);
        } else {
            snprintf(name, sizeof name, "cpu.core.%d.usage_percent", c - 1);
            s_put(r, name, 100 * (total - d[3] - d[4]) / total, 2);
        }
    }
}

static void s_mem_row(s_row_t *r)
{
    const char *keys[] = {
        "MemTotal:", "MemFree:", "MemAvailable:", "Buffers:", "Cached:", "SwapTotal:", "SwapFree:"};
    double kb[7] = {0};
    char line[256];
    FILE *f = fopen("/proc/meminfo", "r");
    while (f && fgets(line, sizeof line, f))
        for (int k = 0; k < 7; k++)
            if (strncmp(line, keys[k], strlen(keys[k])) == 0)
                kb[k] = atof(line + strlen(keys[k]));
    if (f)
        fclose(f);
    double total = kb[0] * 1024, avail = kb[2] * 1024, used = total - avail;
    s_put(r, "memory.total_bytes", total, 0);
    s_put(r, "memory.used_bytes", used, 0);
    s_put(r, "memory.available_bytes", avail, 0);
    s_put(r, "memory.free_bytes", kb[1] * 1024, 0);
    s_put(r, "memory.cached_bytes", kb[4] * 1024, 0);
    s_put(r, "memory.buffers_bytes", kb[3] * 1024, 0);
    s_put(r, "memory.usage_percent", total > 0 ? 100 * used / total : 0, 2);
    s_put(r, "memory.swap_total_bytes", kb[5] * 1024, 0);
    s_put(r, "memory.swap_used_bytes", (kb[5] - kb[6]) * 1024, 0);
}

static void s_load_row(s_row_t *r)
{
    double l1 = 0, l5 = 0, l15 = 0;
    int running = 0, total = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &running, &total) == 5) {
        s_put(r, "load.load1", l1, 2);
        s_put(r, "load.load5", l5, 2);
        s_put(r, "load.load15", l15, 2);
        s_put(r, "processes.running", running, 0);
        s_put(r, "processes.total", total, 0);
    }
    if (f)
        fclose(f);
}

static void s_dev_rows(s_row_t *r, const s_snap_t *a, const s_snap_t *b)
{
    double dt = b->t - a->t > 0 ? b->t - a->t : 1;
    char name[96];
    static const char *disk_fields[] = {"read_ops_per_sec", "read_bytes_per_sec", "write_ops_per_sec",
                                        "write_bytes_per_sec"};
    static const char *nic_fields[] = {"bytes_recv_per_sec", "packets_recv_per_sec", "bytes_sent_per_sec",
                                       "packets_sent_per_sec"};
    for (int i = 0; i < b->ndisk && i < a->ndisk; i++) {
        for (int k = 0; k < 4; k++) {
            double d = (double)(b->dk[i][k] - a->dk[i][k]) * (k % 2 ? 512 : 1);
            snprintf(name, sizeof name, "disk.%s.%s", b->disk[i], disk_fields[k]);
            s_put(r, name, d / dt, k % 2 ? 0 : 2);
        }
        snprintf(name, sizeof name, "disk.%s.io_util_percent", b->disk[i]);
        s_put(r, name, fmin(100, (double)(b->dk_ms[i] - a->dk_ms[i]) / (dt * 10)), 2);
    }
    for (int i = 0; i < b->nnic && i < a->nnic; i++) {
        for (int k = 0; k < 4; k++) {
            snprintf(name, sizeof name, "net.%s.%s", b->nic[i], nic_fields[k]);
            s_put(r, name, (double)(b->nc[i][k] - a->nc[i][k]) / dt, k % 2 ? 2 : 0);
        }
        snprintf(name, sizeof name, "net.%s.bytes_recv_total", b->nic[i]);
        s_put(r, name, (double)b->nc[i][0], 0);
        snprintf(name, sizeof name, "net.%s.bytes_sent_total", b->nic[i]);
        s_put(r, name, (double)b->nc[i][2], 0);
    }
}

/* The load maker: bursts of CPU, file writes with fsync, loopback UDP. */
static void s_load_child(void)
{
    int sock = socket(AF_INET, SOCK_DGRAM, 0), rcv = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    bind(rcv, (struct sockaddr *)&addr, sizeof addr);
    getsockname(rcv, (struct sockaddr *)&addr, &alen);
    char path[] = "/tmp/chunk_codec_loadXXXXXX", buf[1400] = {0};
    int fd = mkstemp(path);
    unlink(path);
    unsigned seed = (unsigned)getpid();
    for (;;) {
        double until = s_now() + (rand_r(&seed) % 100) / 1000.0;
        volatile double x = 1;
        while (s_now() < until)
            x = x * 1.0000001 + 1;
        for (int i = rand_r(&seed) % 50; i > 0; i--)
            sendto(sock, buf, 64 + rand_r(&seed) % 1300, MSG_DONTWAIT, (struct sockaddr *)&addr, sizeof addr);
        while (recv(rcv, buf, sizeof buf, MSG_DONTWAIT) > 0)
            ;
        if (rand_r(&seed) % 4 == 0 && fd >= 0) {
            for (int i = rand_r(&seed) % 64; i > 0; i--)
                if (write(fd, buf, sizeof buf) < 0)
                    break;
            fsync(fd);
        }
        usleep((useconds_t)(rand_r(&seed) % 100000));
    }
}

static int s_sample_proc(s_rows_t *rows, size_t n, int interval_ms)
{
    if (access("/proc/stat", R_OK) != 0) {
        fprintf(stderr, "chunk_codec: no /proc/stat; use --chunk FILE\n");
        return -1;
    }
    pid_t child = fork();
    if (child == 0)
        s_load_child();
    s_snap_t *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    s_read_snap(a);
    struct timespec wall;
    for (size_t i = 0; i < n; i++) {
        usleep((useconds_t)interval_ms * 1000);
        s_read_snap(b);
        clock_gettime(CLOCK_REALTIME, &wall);
        s_row_t *r = s_row_new(rows, (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000, 0,
                               4 * S_CPU_MAX + 20 + 12 * S_DEV_MAX);
        s_cpu_row(r, a, b);
        s_mem_row(r);
        s_load_row(r);
        s_dev_rows(r, a, b);
        s_snap_t *t = a;
        a = b;
        b = t;
    }
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    free(a);
    free(b);
    return 0;
}

/* ---- measuring ---------------------------------------------------------------------- */

static uint8_t *s_encode(const s_rows_t *rows, int level, size_t *len)
{
    chunk_builder_t *b = chunk_builder_new();
    chunk_err_t err;
    uint8_t *out = NULL;
    int rc = chunk_builder_set_level(b, level, &err);
    for (size_t i = 0; rc == 0 && i < rows->n; i++) {
        const s_row_t *r = &rows->rows[i];
        rc = chunk_builder_add(b, r->ts, r->seq, (const char *const *)r->names,
                               (const char *const *)r->values, r->n, &err);
    }
    if (rc == 0)
        rc = chunk_builder_finish(b, &out, len, &err);
    chunk_builder_destroy(&b);
    if (rc < 0) {
        fprintf(stderr, "chunk_codec: %s\n", err.text);
        exit(1);
    }
    return out;
}

/* Opens data and decodes the timestamps and all columns, or only column
 * `only` (when >= 0). */
static void s_decode(const uint8_t *data, size_t len, int only)
{
    chunk_err_t err;
    chunk_t *c = chunk_open(data, len, &err);
    int rc = c && chunk_timestamps(c, NULL, NULL, &err) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < chunk_columns(c); i++)
        if (only < 0 || (size_t)only == i)
            rc = chunk_column_decode(c, i, &err);
    if (rc < 0) {
        fprintf(stderr, "chunk_codec: decode: %s\n", err.text);
        exit(1);
    }
    chunk_destroy(&c);
}

/* The rows as CSV (what chunktool csv prints), the anchor's input. */
static char *s_csv(const uint8_t *data, size_t len, size_t *csv_len)
{
    chunk_err_t err;
    chunk_t *c = chunk_open(data, len, &err);
    const int64_t *ts;
    const uint64_t *seq;
    chunk_timestamps(c, &ts, &seq, &err);
    char *buf;
    FILE *f = open_memstream(&buf, csv_len);
    fputs("ts_ms,seq", f);
    for (size_t i = 0; i < chunk_columns(c); i++) {
        fprintf(f, ",%s", chunk_column_name(c, i));
        chunk_column_decode(c, i, &err);
    }
    fputc('\n', f);
    for (size_t r = 0; r < chunk_rows(c); r++) {
        fprintf(f, "%lld,%llu", (long long)ts[r], (unsigned long long)seq[r]);
        for (size_t i = 0; i < chunk_columns(c); i++) {
            const char *v = chunk_value(c, i, r, NULL);
            fprintf(f, ",%s", v ? v : "");
        }
        fputc('\n', f);
    }
    fclose(f);
    chunk_destroy(&c);
    return buf;
}

/* Seconds per call of the measured work, repeated for at least 0.3 s. */
#define S_TIME(per_call, work)                                                                               \
    do {                                                                                                     \
        size_t reps_ = 0;                                                                                    \
        double t0_ = s_now();                                                                                \
        do {                                                                                                 \
            work;                                                                                            \
            reps_++;                                                                                         \
        } while (s_now() - t0_ < 0.3 || reps_ < 3);                                                          \
        per_call = (s_now() - t0_) / (double)reps_;                                                          \
    } while (0)

static void s_measure(const s_rows_t *rows, size_t values, int level, int probe)
{
    size_t len = 0, csv_len, z_len = 0;
    uint8_t *data = s_encode(rows, level, &len);
    double enc, dec_all, dec_one, z_time;
    S_TIME(enc, free(s_encode(rows, level, &len)));
    S_TIME(dec_all, s_decode(data, len, -1));
    S_TIME(dec_one, s_decode(data, len, probe));
    char *csv = s_csv(data, len, &csv_len);
    size_t bound = ZSTD_compressBound(csv_len);
    void *z = malloc(bound);
    S_TIME(z_time, z_len = ZSTD_compress(z, bound, csv, csv_len, level));
    double n = (double)rows->n;
    printf("%5d %9zu %9.3f %12.2f %14.2f %13.2f %12.3f %9.2f %7.3f\n", level, len,
           (double)len / (double)values, enc / n * 1e6, dec_all / n * 1e6, dec_one / n * 1e6,
           (double)z_len / (double)values, z_time / n * 1e6, (double)len / (double)z_len);
    free(z);
    free(csv);
    free(data);
}

int main(int argc, char **argv)
{
    const char *chunk_path = NULL, *save = NULL;
    size_t nrows = 720;
    int interval_ms = 50;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
            chunk_path = argv[++i];
        else if (strcmp(argv[i], "--save") == 0 && i + 1 < argc)
            save = argv[++i];
        else if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            nrows = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--interval-ms") == 0 && i + 1 < argc)
            interval_ms = atoi(argv[++i]);
        else if (strcmp(argv[i], "--proc") != 0) {
            fprintf(
                stderr,
                "usage: chunk_codec [--chunk FILE | --proc [--rows N] [--interval-ms MS]] [--save FILE]\n");
            return 2;
        }
    }
    s_rows_t rows = {0};
    if (chunk_path ? s_load_chunk(chunk_path, &rows) < 0 : s_sample_proc(&rows, nrows, interval_ms) < 0)
        return 1;
    for (size_t i = 1; i < rows.n; i++) /* a wall clock that stepped back: the next seq */
        if (rows.rows[i].ts <= rows.rows[i - 1].ts) {
            rows.rows[i].ts = rows.rows[i - 1].ts;
            rows.rows[i].seq = rows.rows[i - 1].seq + 1;
        }
    size_t values = 0;
    int probe = -1;
    for (size_t i = 0; i < rows.n; i++)
        values += rows.rows[i].n;
    if (rows.n == 0 || values == 0) {
        fprintf(stderr, "chunk_codec: no rows\n");
        return 1;
    }
    size_t len;
    uint8_t *data = s_encode(&rows, CHUNK_LEVEL_DEFAULT, &len);
    chunk_err_t err;
    chunk_t *c = chunk_open(data, len, &err);
    probe = chunk_column_find(c, "cpu.usage_percent");
    printf("source: %s\nrows %zu, metrics %zu, values %zu, span %.1f s\n",
           chunk_path ? chunk_path : "/proc of this host", rows.n, chunk_columns(c), values,
           (double)(chunk_last_ms(c) - chunk_first_ms(c)) / 1000.0);
    chunk_destroy(&c);
    if (save) {
        FILE *f = fopen(save, "wb");
        if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
            perror(save);
            return 1;
        }
    }
    free(data);
    printf("level     bytes   B/value  enc us/row  dec-all us/row  dec-1 us/row  anchor B/val  anchor us  "
           "ratio\n");
    int levels[] = {1, 3, 9, 19};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        s_measure(&rows, values, levels[i], probe < 0 ? 0 : probe);
    printf("anchor: the same rows as CSV in one zstd frame at the same level; ratio = chunk / anchor bytes\n"
           "dec-1: open + timestamps + one column (cpu.usage_percent), as a history query does\n");
    for (size_t i = 0; i < rows.n; i++) {
        for (size_t k = 0; k < rows.rows[i].n; k++) {
            free(rows.rows[i].names[k]);
            free(rows.rows[i].values[k]);
        }
        free(rows.rows[i].names);
        free(rows.rows[i].values);
    }
    free(rows.rows);
    return 0;
}
