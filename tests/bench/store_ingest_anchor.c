/*
 * store_ingest_anchor.c - the anchor of the store_ingest benchmark: a plain
 * hiredis XADD loop writing the very entries nodelink-store wrote (same ids,
 * fields and values, read back from SRC_KEY) into DST_KEY, pipelined DEPTH
 * commands deep, on one connection. Prints one JSON line:
 *   {"entries": N, "seconds": S, "per_sec": R}
 *
 *   store_ingest_anchor HOST PORT SRC_KEY DST_KEY DEPTH
 */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads every entry of key (paged XRANGE); returns the replies (owned). */
static redisReply **s_read_all(redisContext *c, const char *key, size_t *n_pages)
{
    redisReply **pages = NULL;
    size_t n = 0;
    char from[64] = "-";
    for (;;) {
        redisReply *r = redisCommand(c, "XRANGE %s %s + COUNT 1000", key, from);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            fprintf(stderr, "XRANGE failed\n");
            exit(1);
        }
        if (r->elements == 0) {
            freeReplyObject(r);
            break;
        }
        pages = realloc(pages, (n + 1) * sizeof *pages);
        pages[n++] = r;
        snprintf(from, sizeof from, "(%s", r->element[r->elements - 1]->element[0]->str);
        if (r->elements < 1000)
            break;
    }
    *n_pages = n;
    return pages;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT SRC_KEY DST_KEY DEPTH\n", argv[0]);
        return 2;
    }
    redisContext *c = redisConnect(argv[1], atoi(argv[2]));
    if (!c || c->err) {
        fprintf(stderr, "connect failed\n");
        return 1;
    }
    size_t depth = (size_t)atol(argv[5]), n_pages, entries = 0, pending = 0;
    redisReply **pages = s_read_all(c, argv[3], &n_pages);
    const char *av[1024];
    size_t al[1024];
    double t0 = s_now();
    for (size_t p = 0; p < n_pages; p++)
        for (size_t i = 0; i < pages[p]->elements; i++) {
            redisReply *e = pages[p]->element[i], *fv = e->element[1];
            size_t ac = 0;
            av[ac] = "XADD", al[ac++] = 4;
            av[ac] = argv[4], al[ac++] = strlen(argv[4]);
            av[ac] = e->element[0]->str, al[ac++] = e->element[0]->len;
            for (size_t k = 0; k < fv->elements && ac < 1024; k++)
                av[ac] = fv->element[k]->str, al[ac++] = fv->element[k]->len;
            redisAppendCommandArgv(c, (int)ac, av, al);
            entries++;
            if (++pending == depth) {
                for (; pending; pending--) {
                    redisReply *r;
                    if (redisGetReply(c, (void **)&r) != REDIS_OK)
                        return 1;
                    freeReplyObject(r);
                }
            }
        }
    for (; pending; pending--) {
        redisReply *r;
        if (redisGetReply(c, (void **)&r) != REDIS_OK)
            return 1;
        freeReplyObject(r);
    }
    double secs = s_now() - t0;
    printf("{\"entries\": %zu, \"seconds\": %.4f, \"per_sec\": %.0f}\n", entries, secs,
           secs > 0 ? (double)entries / secs : 0);
    for (size_t p = 0; p < n_pages; p++)
        freeReplyObject(pages[p]);
    free(pages);
    redisFree(c);
    return 0;
}
