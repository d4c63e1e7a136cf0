/*
 * gateway_http_anchor.c - the benchmark's anchor: a bare libmicrohttpd
 * server answering every request with the same bytes from memory, as fast
 * as libmicrohttpd goes: one persistent response (MHD_RESPMEM_PERSISTENT,
 * never copied), epoll worker threads (MHD_USE_EPOLL_INTERNAL_THREAD with a
 * thread pool), MHD_USE_TURBO, keep-alive.
 *
 * Keep-alive needs the two-call pattern: libmicrohttpd 0.9.75 answers
 * "Connection: close" (one TCP connection per request, about ten times
 * slower under wrk) when the response is queued on the access handler's
 * first call, before the request has been fully received. The first call
 * only marks the request; the second queues the response.
 *
 *     gateway_http_anchor PORT FILE THREADS
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    struct MHD_Response *response;
    int seen; /* address used as the "request started" marker */
} s_anchor_t;

static enum MHD_Result s_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)url, (void)method, (void)version, (void)upload;
    s_anchor_t *a = cls;
    if (!*con_cls) {
        *con_cls = &a->seen;
        return MHD_YES;
    }
    *upload_size = 0;
    return MHD_queue_response(conn, MHD_HTTP_OK, a->response);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gateway_http_anchor PORT FILE THREADS\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    static char body[1 << 20];
    size_t n = f ? fread(body, 1, sizeof body, f) : 0;
    if (f)
        fclose(f);
    s_anchor_t a = {0};
    a.response = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(a.response, "Content-Type", "application/json");
    /* blocked before the workers start so that sigwait gets them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    unsigned threads = (unsigned)atoi(argv[3]);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO, (uint16_t)atoi(argv[1]), NULL, NULL,
                         s_access, &a, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
                         20000, MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, MHD_OPTION_END);
    if (!d)
        return 1;
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(a.response);
    return 0;
}
