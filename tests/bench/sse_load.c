/*
 * sse_load.c - SSE load client of tests/bench/gateway_http: one process,
 * one epoll loop, N non-blocking sockets each holding one Server-Sent Event
 * stream, and the delivery latency of every event.
 *
 *     sse_load PORT STREAMS SECONDS PATH [AGENTS]
 *
 * PATH is the request path; "{id}" in it is replaced by the stream's agent
 * ("bench" when AGENTS is 1, else "bench0".."bench<AGENTS-1>", stream i on
 * agent i % AGENTS). Phases:
 *
 *   1. open: connects at most S_INFLIGHT sockets at a time (the gateway's
 *      listen backlog stays short) until every stream has its 200 header
 *      (or S_OPEN_TIMEOUT_S passed); prints "open <n> failed <f>" and
 *      flushes, so a driver can start publishing;
 *   2. measure for SECONDS: every event whose id (the sample timestamp, Unix
 *      ms, stamped by the publisher when it publishes) is newer than the end
 *      of phase 1 counts; latency = wall clock at receipt - id;
 *   3. prints one line and exits:
 *      "streams <open> events <n> p50_ms <> p99_ms <> max_ms <> closed <c>
 *       streams_without_events <z>"
 *
 * The body is decoded as HTTP/1.1 chunked transfer (as libmicrohttpd sends
 * an unknown-length response), then split into lines; only "id:" lines are
 * looked at. Loopback and the benchmark only: no TLS, no redirects.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define S_INFLIGHT 256 /* connections opening at once */
#define S_OPEN_TIMEOUT_S 60
#define S_HIST_MS 60000       /* latency histogram: 1 ms buckets */
#define S_LINE_KEEP 40        /* bytes of a line kept (enough for "id: <ms>") */
#define S_BATCH 1024          /* sockets handled per epoll_wait */
#define S_COALESCE_NS 1000000 /* 1 ms: the latency figures' resolution anyway */

typedef enum { C_IDLE, C_CONNECTING, C_HEAD, C_BODY, C_DONE } s_state_t;
typedef enum { K_SIZE, K_DATA, K_CRLF } s_chunk_t;

typedef struct {
    int fd;
    s_state_t state;
    s_chunk_t chunk;
    uint64_t chunk_left;
    bool chunk_ext;    /* after ';' on a chunk-size line */
    char head_tail[4]; /* last bytes of the header, to find "\r\n\r\n" */
    char line[S_LINE_KEEP];
    size_t line_len;
    uint64_t events;
} s_conn_t;

typedef struct {
    struct sockaddr_in addr;
    const char *path;
    int agents;
    int epfd;
    s_conn_t *conns;
    int n;
    int opened, failed, closed, inflight, next;
    double measure_from_ms; /* events with an older id are not counted */
    uint64_t hist[S_HIST_MS + 1];
    uint64_t events;
    double max_ms;
} s_load_t;

static double s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static double s_mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The request of stream i into buf; its length. */
static int s_request(const s_load_t *L, int i, char *buf, size_t cap)
{
    char id[32], path[1024];
    if (L->agents <= 1)
        snprintf(id, sizeof id, "bench");
    else
        snprintf(id, sizeof id, "bench%d", i % L->agents);
    const char *hole = strstr(L->path, "{id}");
    if (hole)
        snprintf(path, sizeof path, "%.*s%s%s", (int)(hole - L->path), L->path, id, hole + 4);
    else
        snprintf(path, sizeof path, "%s", L->path);
    return snprintf(buf, cap, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
                    path);
}

static void s_close(s_load_t *L, s_conn_t *c, bool failed)
{
    if (c->fd >= 0) {
        epoll_ctl(L->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    if (c->state == C_CONNECTING || c->state == C_HEAD) {
        L->inflight--;
        L->failed += failed;
    } else if (c->state == C_BODY) {
        L->closed++;
    }
    c->state = C_DONE;
}

static void s_start(s_load_t *L, s_conn_t *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        L->failed++;
        c->state = C_DONE;
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->state = C_CONNECTING;
    L->inflight++;
    if (connect(c->fd, (struct sockaddr *)&L->addr, sizeof L->addr) != 0 && errno != EINPROGRESS) {
        s_close(L, c, true);
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    if (epoll_ctl(L->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
        s_close(L, c, true);
}

/* The socket is writable: connected; send the request (it fits the socket
 * buffer of a fresh connection). */
static void s_on_connected(s_load_t *L, s_conn_t *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    char req[1200];
    int n = s_request(L, (int)(c - L->conns), req, sizeof req);
    if (err || send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        s_close(L, c, true);
        return;
    }
    c->state = C_HEAD;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(L->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void s_on_line(s_load_t *L, s_conn_t *c)
{
    size_t n = c->line_len < S_LINE_KEEP ? c->line_len : S_LINE_KEEP - 1;
    c->line[n] = '\0';
    if (strncmp(c->line, "id:", 3) != 0)
        return;
    double id = strtod(c->line + 3, NULL);
    c->events++;
    if (id <= L->measure_from_ms || L->measure_from_ms == 0)
        return;
    double lat = s_wall_ms() - id;
    if (lat < 0)
        lat = 0;
    if (lat > L->max_ms)
        L->max_ms = lat;
    L->hist[lat >= S_HIST_MS ? S_HIST_MS : (size_t)lat]++;
    L->events++;
}

/* Event-stream bytes (chunk payload). */
static void s_on_payload(s_load_t *L, s_conn_t *c, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            s_on_line(L, c);
            c->line_len = 0;
        } else {
            if (c->line_len < S_LINE_KEEP)
                c->line[c->line_len] = p[i];
            c->line_len++;
        }
    }
}

/* Chunked transfer decoding. false when the stream ended. */
static bool s_on_body(s_load_t *L, s_conn_t *c, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (c->chunk == K_SIZE) {
            char ch = p[i++];
            if (ch == '\n') {
                if (c->chunk_left == 0)
                    return false; /* last chunk */
                c->chunk = K_DATA;
                c->chunk_ext = false;
            } else if (!c->chunk_ext) {
                int v = ch >= '0' && ch <= '9'   ? ch - '0'
                        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                        : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                                 : -1;
                if (v >= 0 && c->chunk_left < (UINT64_MAX >> 4))
                    c->chunk_left = c->chunk_left * 16 + (uint64_t)v;
                else if (ch != '\r')
                    c->chunk_ext = true; /* chunk extension: ignored */
            }
        } else if (c->chunk == K_DATA) {
            size_t take = n - i < c->chunk_left ? n - i : (size_t)c->chunk_left;
            s_on_payload(L, c, p + i, take);
            i += take;
            c->chunk_left -= take;
            if (c->chunk_left == 0)
                c->chunk = K_CRLF;
        } else { /* "\r\n" after the data */
            if (p[i++] == '\n')
                c->chunk = K_SIZE;
        }
    }
    return true;
}

/* Response head: 200 expected; the rest of buf is body. */
static void s_on_head(s_load_t *L, s_conn_t *c, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        memmove(c->head_tail, c->head_tail + 1, 3);
        c->head_tail[3] = p[i];
        if (c->state == C_HEAD && c->line_len < S_LINE_KEEP - 1)
            c->line[c->line_len++] = p[i]; /* status line */
        if (memcmp(c->head_tail, "\r\n\r\n", 4) == 0) {
            c->line[c->line_len] = '\0';
            c->line_len = 0;
            if (strncmp(c->line, "HTTP/1.1 200", 12) != 0) {
                s_close(L, c, true);
                return;
            }
            c->state = C_BODY;
            c->chunk = K_SIZE;
            c->chunk_left = 0;
            L->inflight--;
            L->opened++;
            if (!s_on_body(L, c, p + i + 1, n - i - 1))
                s_close(L, c, false);
            return;
        }
    }
}

static void s_on_readable(s_load_t *L, s_conn_t *c, char *buf, size_t cap)
{
    for (;;) {
        ssize_t n = recv(c->fd, buf, cap, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            s_close(L, c, true);
            return;
        }
        if (c->state == C_HEAD)
            s_on_head(L, c, buf, (size_t)n);
        else if (c->state == C_BODY && !s_on_body(L, c, buf, (size_t)n))
            s_close(L, c, false);
        if (c->state == C_DONE || (size_t)n < cap)
            return;
    }
}

/* One round of the loop; returns the number of ready sockets. */
static int s_poll(s_load_t *L, int timeout_ms)
{
    static char buf[1 << 16];
    struct epoll_event evs[S_BATCH];
    int k = epoll_wait(L->epfd, evs, S_BATCH, timeout_ms);
    for (int i = 0; i < k; i++) {
        s_conn_t *c = evs[i].data.ptr;
        if (c->state == C_CONNECTING && (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            s_on_connected(L, c);
        else if (c->state == C_HEAD || c->state == C_BODY)
            s_on_readable(L, c, buf, sizeof buf);
    }
    return k;
}

static double s_percentile(const s_load_t *L, double q)
{
    uint64_t want = (uint64_t)((double)L->events * q + 0.5), seen = 0;
    for (size_t i = 0; i <= S_HIST_MS; i++) {
        seen += L->hist[i];
        if (seen >= want && seen > 0)
            return (double)i + 0.5;
    }
    return -1;
}

static int s_run(s_load_t *L, double seconds)
{
    double t0 = s_mono_s();
    while (L->opened + L->failed < L->n && s_mono_s() - t0 < S_OPEN_TIMEOUT_S) {
        while (L->inflight < S_INFLIGHT && L->next < L->n)
            s_start(L, &L->conns[L->next++]);
        s_poll(L, 50);
    }
    printf("open %d failed %d\n", L->opened, L->failed);
    fflush(stdout);
    L->measure_from_ms = s_wall_ms();
    double t1 = s_mono_s();
    while (s_mono_s() - t1 < seconds) {
        /* Coalescing: after a partial batch, wait a little before the next
         * epoll_wait instead of sleeping in it, so that the server's sends
         * do not each have to wake this process (a cost the server pays in
         * its send path, which would be charged to the server otherwise). */
        if (s_poll(L, 50) < S_BATCH)
            nanosleep(&(struct timespec){0, S_COALESCE_NS}, NULL);
    }
    int silent = 0;
    for (int i = 0; i < L->n; i++)
        silent += L->conns[i].state == C_BODY && L->conns[i].events == 0;
    printf("streams %d events %llu p50_ms %.1f p99_ms %.1f max_ms %.1f closed %d "
           "streams_without_events %d\n",
           L->opened, (unsigned long long)L->events, s_percentile(L, 0.50), s_percentile(L, 0.99), L->max_ms,
           L->closed, silent);
    fflush(stdout);
    return L->opened > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: sse_load PORT STREAMS SECONDS PATH [AGENTS]\n");
        return 2;
    }
    static s_load_t L;
    L.n = atoi(argv[2]);
    L.path = argv[4];
    L.agents = argc > 5 ? atoi(argv[5]) : 1;
    L.addr.sin_family = AF_INET;
    L.addr.sin_port = htons((uint16_t)atoi(argv[1]));
    L.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)L.n + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    L.conns = calloc((size_t)(L.n > 0 ? L.n : 1), sizeof *L.conns);
    L.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (L.n <= 0 || !L.conns || L.epfd < 0)
        return 2;
    for (int i = 0; i < L.n; i++)
        L.conns[i].fd = -1;
    int rc = s_run(&L, atof(argv[3]));
    for (int i = 0; i < L.n; i++)
        if (L.conns[i].fd >= 0)
            close(L.conns[i].fd);
    free(L.conns);
    close(L.epfd);
    return rc;
}
