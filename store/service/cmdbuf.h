/*
 * cmdbuf.h - the writer's command buffer: Redis commands formatted here and
 * appended to one hiredis connection's output, replies counted and read.
 *
 * The writer builds every batch as a pipeline: commands are appended
 * (cmdbuf_append, cmdbuf_command), pushed to the socket (cmdbuf_send) and
 * their replies read later (cmdbuf_read). Synchronous calls (cmdbuf_call,
 * for re-syncing an agent) need every appended reply read first.
 *
 * Arguments: cmdbuf_reserve(n, text) makes room for n arguments in argv /
 * argvlen and text bytes of scratch in text; the caller fills them and calls
 * cmdbuf_append(argc). An argvlen of CMDBUF_STRLEN means strlen at append
 * time. argv strings are copied on append.
 *
 * The connection is borrowed (cmdbuf_attach); a function that fails on it
 * returns -1 and the caller drops the connection. Error replies are counted,
 * the last one kept in error. Never logs.
 */
#ifndef NODELINK_CMDBUF_H
#define NODELINK_CMDBUF_H

#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

#define CMDBUF_STRLEN ((size_t)-1)

typedef struct {
    /* the caller's, after cmdbuf_reserve */
    const char **argv;
    size_t *argvlen;
    char *text;
    /* read only for the caller */
    redisContext *redis; /* NULL while detached */
    size_t pending;      /* replies owed for appended commands */
    char error[256];     /* the last error reply (or call failure) */
    /* private */
    size_t argv_cap, text_cap;
    char *resp; /* one formatted command */
    size_t resp_cap;
} cmdbuf_t;

/* Frees the scratch buffers (not the connection). */
void cmdbuf_release(cmdbuf_t *self);

/* Uses redis (borrowed) from now on; NULL detaches. Pending replies are
 * forgotten either way. */
void cmdbuf_attach(cmdbuf_t *self, redisContext *redis);

/* Makes room for n argv slots and text bytes. -1 on allocation failure. */
int cmdbuf_reserve(cmdbuf_t *self, size_t n, size_t text);

/* Appends the command argv[0..argc). -1 on allocation failure. */
int cmdbuf_append(cmdbuf_t *self, int argc);

/* Appends a command of argc plain strings. */
int cmdbuf_command(cmdbuf_t *self, int argc, ...);

/* Fills argv[0..) with "XADD key [MINID ~ cutoff] <ms>-<seq>" (the cutoff
 * left out when the retention reaches before 1970) and returns the argc
 * used; field/value pairs follow. The strings live in bufs (3 * 48 bytes). */
int cmdbuf_xadd_head(cmdbuf_t *self, const char *key, int64_t id_ms, uint64_t id_seq, int64_t retention_ms,
                     char *bufs);

/* Pushes the appended commands to the socket (blocking, bounded by the
 * connection's timeout). 0, or -1 on a connection failure. */
int cmdbuf_send(cmdbuf_t *self);

/* Reads count replies, counting error replies (inside EXEC arrays too)
 * into *errors. 0, or -1 on a connection failure. */
int cmdbuf_read(cmdbuf_t *self, size_t count, uint64_t *errors);

/* Runs one command synchronously (no reply may be pending). The reply, or
 * NULL with the reason in error ("" for a connection failure: see
 * redis->errstr). An error reply is a failure. */
redisReply *cmdbuf_call(cmdbuf_t *self, int argc, const char **argv);

/* The same with argument lengths (binary values); NULL argvlen: strlen. */
redisReply *cmdbuf_call_len(cmdbuf_t *self, int argc, const char **argv, const size_t *argvlen);

#endif
