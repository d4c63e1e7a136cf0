/*
 * sse_anchor.c - the SSE anchor of tests/bench/gateway_http: a bare
 * libmicrohttpd server holding Server-Sent Event streams the way the gateway
 * does (epoll worker threads, a connection suspended while it has nothing
 * to send, resumed by another thread when an event is due), with nothing
 * else: no routing, no queue, no filtering.
 *
 *     sse_anchor PORT THREADS CONNECTION_MEMORY_LIMIT
 *
 * Once a second a publisher thread stamps an event with the wall clock (ms,
 * the event id, as the gateway's events carry the sample timestamp) and
 * resumes every stream; each stream's reader then copies that one event.
 * sse_load measures delivery exactly as against the gateway.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct s_anchor_t s_anchor_t;

typedef struct s_stream_t {
    struct s_stream_t *prev, *next;
    s_anchor_t *anchor;
    struct MHD_Connection *conn;
    pthread_mutex_t lock; /* guards sent_ts and suspended */
    int64_t sent_ts;      /* id of the last event written */
    bool suspended;
    bool linked; /* in the anchor's list (after the second access call) */
} s_stream_t;

/* Locking as in the gateway: the list lock (publisher, open, close), then a
 * stream's own lock (publisher, reader). */
struct s_anchor_t {
    pthread_mutex_t lock; /* guards the list */
    s_stream_t *head;
    atomic_int_fast64_t event_ts; /* the current event (its text follows from it) */
};

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes the current event once per stream; suspends when there is none. */
static ssize_t s_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    s_stream_t *st = cls;
    int64_t ts = atomic_load(&st->anchor->event_ts);
    ssize_t n = 0;
    pthread_mutex_lock(&st->lock);
    if (ts > st->sent_ts) {
        n = snprintf(buf, max,
                     "id: %lld\nevent: metrics\ndata: {\"agent_id\":\"bench\",\"timestamp\":%lld,"
                     "\"cpu\":{\"usage_percent\":1.0}}\n\n",
                     (long long)ts, (long long)ts);
        n = n < 0 || (size_t)n >= max ? 0 : n;
        st->sent_ts = ts;
    }
    if (n == 0) {
        st->suspended = true;
        MHD_suspend_connection(st->conn);
    }
    pthread_mutex_unlock(&st->lock);
    return n;
}

static void s_unlink(s_anchor_t *a, s_stream_t *st)
{
    if (!st->linked)
        return;
    pthread_mutex_lock(&a->lock);
    if (st->prev)
        st->prev->next = st->next;
    else
        a->head = st->next;
    if (st->next)
        st->next->prev = st->prev;
    pthread_mutex_unlock(&a->lock);
}

static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)url, (void)method, (void)version, (void)upload, (void)upload_size;
    s_anchor_t *a = cls;
    if (!*con_cls) { /* first call: headers only (keep-alive, see gateway_http_anchor.c) */
        s_stream_t *st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        st->anchor = a;
        st->conn = conn;
        pthread_mutex_init(&st->lock, NULL);
        st->sent_ts = s_now_ms(); /* only events from now on */
        *con_cls = st;
        return MHD_YES;
    }
    s_stream_t *st = *con_cls;
    pthread_mutex_lock(&a->lock);
    st->next = a->head;
    if (a->head)
        a->head->prev = st;
    a->head = st;
    st->linked = true;
    pthread_mutex_unlock(&a->lock);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 512, s_reader, st, NULL);
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)conn, (void)toe;
    s_stream_t *st = *con_cls;
    if (!st)
        return;
    s_unlink(cls, st);
    pthread_mutex_destroy(&st->lock);
    free(st);
    *con_cls = NULL;
}

/* Once a second: a new event for every stream. */
static void *s_publisher(void *arg)
{
    s_anchor_t *a = arg;
    for (;;) {
        sleep(1);
        pthread_mutex_lock(&a->lock);
        atomic_store(&a->event_ts, s_now_ms());
        for (s_stream_t *st = a->head; st; st = st->next) {
            pthread_mutex_lock(&st->lock);
            if (st->suspended) {
                st->suspended = false;
                MHD_resume_connection(st->conn);
            }
            pthread_mutex_unlock(&st->lock);
        }
        pthread_mutex_unlock(&a->lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: sse_anchor PORT THREADS CONNECTION_MEMORY_LIMIT\n");
        return 2;
    }
    static s_anchor_t a;
    pthread_mutex_init(&a.lock, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME, (uint16_t)atoi(argv[1]),
        NULL, NULL, s_access, &a, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)atol(argv[3]), MHD_OPTION_CONNECTION_LIMIT, 20000,
        MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, MHD_OPTION_NOTIFY_COMPLETED,
        s_completed, &a, MHD_OPTION_END);
    if (!d)
        return 1;
    pthread_t pub;
    pthread_create(&pub, NULL, s_publisher, &a);
    int sig;
    sigwait(&set, &sig);
    _exit(0); /* the publisher never stops; streams end with the process */
}
