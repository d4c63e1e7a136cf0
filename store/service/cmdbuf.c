/*
 * cmdbuf.c - the writer's command buffer. See cmdbuf.h.
 */
#include "cmdbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

void cmdbuf_release(cmdbuf_t *self)
{
    free(self->argv);
    free(self->argvlen);
    free(self->text);
    free(self->resp);
    memset(self, 0, sizeof *self);
}

void cmdbuf_attach(cmdbuf_t *self, redisContext *redis)
{
    self->redis = redis;
    self->pending = 0;
}

int cmdbuf_reserve(cmdbuf_t *self, size_t n, size_t text)
{
    if (n > self->argv_cap) {
        size_t cap = n * 2;
        const char **a = realloc(self->argv, cap * sizeof *a);
        if (a)
            self->argv = a;
        size_t *l = realloc(self->argvlen, cap * sizeof *l);
        if (l)
            self->argvlen = l;
        if (!a || !l)
            return -1;
        self->argv_cap = cap;
    }
    if (text > self->text_cap) {
        char *t = realloc(self->text, text * 2);
        if (!t)
            return -1;
        self->text = t;
        self->text_cap = text * 2;
    }
    return 0;
}

/* "<prefix><n>\r\n" */
static size_t s_resp_len(char *out, char prefix, size_t n)
{
    out[0] = prefix;
    size_t k = 1 + (size_t)numfmt_u64(n, out + 1);
    out[k++] = '\r';
    out[k++] = '\n';
    return k;
}

/* Formats the RESP command here (hiredis' generic formatter is a large
 * share of the store's CPU) and hands it to hiredis' output buffer. */
int cmdbuf_append(cmdbuf_t *self, int argc)
{
    size_t need = 16;
    for (int i = 0; i < argc; i++) {
        if (self->argvlen[i] == CMDBUF_STRLEN)
            self->argvlen[i] = strlen(self->argv[i]);
        need += self->argvlen[i] + 32;
    }
    if (need > self->resp_cap) {
        char *p = realloc(self->resp, need * 2);
        if (!p)
            return -1;
        self->resp = p;
        self->resp_cap = need * 2;
    }
    size_t off = s_resp_len(self->resp, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        off += s_resp_len(self->resp + off, '$', self->argvlen[i]);
        memcpy(self->resp + off, self->argv[i], self->argvlen[i]);
        off += self->argvlen[i];
        self->resp[off++] = '\r';
        self->resp[off++] = '\n';
    }
    if (redisAppendFormattedCommand(self->redis, self->resp, off) != REDIS_OK)
        return -1;
    self->pending++;
    return 0;
}

int cmdbuf_command(cmdbuf_t *self, int argc, ...)
{
    if (cmdbuf_reserve(self, (size_t)argc, 0))
        return -1;
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        self->argv[i] = va_arg(ap, const char *);
        self->argvlen[i] = CMDBUF_STRLEN;
    }
    va_end(ap);
    return cmdbuf_append(self, argc);
}

int cmdbuf_xadd_head(cmdbuf_t *self, const char *key, int64_t id_ms, uint64_t id_seq, int64_t retention_ms,
                     char *bufs)
{
    int argc = 0;
    self->argv[argc] = "XADD";
    self->argvlen[argc++] = CMDBUF_STRLEN;
    self->argv[argc] = key;
    self->argvlen[argc++] = CMDBUF_STRLEN;
    if (id_ms - retention_ms > 0) {
        numfmt_u64((uint64_t)(id_ms - retention_ms), bufs);
        self->argv[argc] = "MINID";
        self->argvlen[argc++] = CMDBUF_STRLEN;
        self->argv[argc] = "~";
        self->argvlen[argc++] = CMDBUF_STRLEN;
        self->argv[argc] = bufs;
        self->argvlen[argc++] = CMDBUF_STRLEN;
    }
    char *id = bufs + 48;
    int n = numfmt_u64((uint64_t)(id_ms > 0 ? id_ms : 0), id);
    id[n++] = '-';
    numfmt_u64(id_seq, id + n);
    self->argv[argc] = bufs + 48;
    self->argvlen[argc++] = CMDBUF_STRLEN;
    return argc;
}

int cmdbuf_send(cmdbuf_t *self)
{
    int done = 0;
    while (!done)
        if (redisBufferWrite(self->redis, &done) != REDIS_OK)
            return -1;
    return 0;
}

int cmdbuf_read(cmdbuf_t *self, size_t count, uint64_t *errors)
{
    for (; count; count--) {
        redisReply *r = NULL;
        if (redisGetReply(self->redis, (void **)&r) != REDIS_OK || !r)
            return -1;
        if (self->pending)
            self->pending--;
        if (r->type == REDIS_REPLY_ERROR) {
            (*errors)++;
            snprintf(self->error, sizeof self->error, "%s", r->str);
        } else if (r->type == REDIS_REPLY_ARRAY) {
            for (size_t i = 0; i < r->elements; i++)
                if (r->element[i]->type == REDIS_REPLY_ERROR) {
                    (*errors)++;
                    snprintf(self->error, sizeof self->error, "%s", r->element[i]->str);
                }
        }
        freeReplyObject(r);
    }
    return 0;
}

redisReply *cmdbuf_call(cmdbuf_t *self, int argc, const char **argv)
{
    return cmdbuf_call_len(self, argc, argv, NULL);
}

redisReply *cmdbuf_call_len(cmdbuf_t *self, int argc, const char **argv, const size_t *argvlen)
{
    redisReply *r = redisCommandArgv(self->redis, argc, argv, argvlen);
    if (!r) {
        self->error[0] = '\0';
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(self->error, sizeof self->error, "%s: %s", argv[0], r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}
