/*
 * sse.h - Server-Sent Event streams and their fan-out.
 *
 * Thousands of streams live in one process without a thread each: a
 * stream's connection is suspended in libmicrohttpd whenever its queue is
 * empty, and resumed by the subscriber thread when it queues an event.
 *
 *   subscriber thread: sse_hub_publish(sample) -> for each stream of that
 *       agent: interval check, filter, push a reference to the (shared,
 *       rendered once per distinct filter) event blob, resume if suspended.
 *   HTTP thread: the content reader copies queued blobs into MHD's buffer;
 *       with nothing queued it suspends the connection and returns 0.
 *
 * A slow client never delays the others: publishing only appends a pointer
 * to a bounded queue (sse_client_queue events). A stream whose queue is full
 * is killed: its queue is dropped, its socket shut down, and it is counted
 * (STAT_SSE_SLOW_DISCONNECTS).
 *
 * Interval: a stream gets the newest sample once per period: a sample is
 * sent when it is at least `interval - agent_interval/2` newer than the last
 * one sent (so a 3 s stream of a 1 s agent gets every third sample).
 *
 * Replay (Last-Event-ID): a stream is registered "holding": samples
 * published meanwhile are held instead of queued. The HTTP thread reads the
 * missed samples from the store and calls sse_stream_release() with them;
 * replayed and held samples are queued in timestamp order, each once
 * (strictly increasing timestamps), so a reconnecting client sees no hole
 * and no duplicate. They are queued before the client can read any, so
 * that stream's queue bound grows by their number (a replay longer than
 * sse_client_queue is not a slow client).
 *
 * Streams are indexed by agent: a sample visits only its own agent's
 * streams, so fan-out costs O(streams of that agent), not O(all streams).
 * The hub keeps no per-stream buffer beyond the queue of references; idle
 * streams hold no event memory (see docs/performance.md for the bytes).
 *
 * Locking: the hub lock guards the index of streams; each stream has its
 * own lock guarding its queue and flags. Order: hub, then stream.
 */
#ifndef NODELINK_SSE_H
#define NODELINK_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "snapshot.h"
#include "stats.h"

struct MHD_Connection;
struct MHD_Response;

typedef struct sse_hub_t sse_hub_t;
typedef struct sse_stream_t sse_stream_t;

sse_hub_t *sse_hub_new(size_t max_streams, size_t queue_max, int64_t keepalive_ms, gw_stats_t *stats);
void sse_hub_destroy(sse_hub_t **self);

/* A stream of agent_id's samples, at most one per interval_ms, restricted to
 * the metric selectors (n may be 0: everything; copied), resuming after
 * last_event_id (ms; < 0 = none). NULL on allocation failure. */
sse_stream_t *sse_stream_new(const char *agent_id, int64_t interval_ms, char *const *selectors, size_t n,
                             int64_t last_event_id);

/* Frees a stream that was never added. */
void sse_stream_free(sse_stream_t **self);

/* Registers the stream (holding) for conn. -1 when max_streams are open (the
 * caller answers 503 and frees the stream). conn may be NULL (a stream read
 * only through sse_stream_read, as the unit tests do): then there is no
 * connection to suspend, resume or shut down. */
int sse_hub_add(sse_hub_t *self, sse_stream_t *st, struct MHD_Connection *conn);

/* The samples to queue first (taken: replayed ones from the store, then the
 * latest in memory), in any order; ends holding and queues held samples. */
void sse_stream_release(sse_hub_t *self, sse_stream_t *st, snapshot_t **samples, size_t n);

/* The streaming response (chunked, text/event-stream) reading st. */
struct MHD_Response *sse_stream_response(sse_stream_t *st);

/* The response's content reader (HTTP thread): copies up to max queued
 * bytes into buf and returns their count. With nothing queued it suspends
 * the connection and returns 0; once shut down and drained,
 * MHD_CONTENT_READER_END_OF_STREAM; once killed (slow client),
 * MHD_CONTENT_READER_END_WITH_ERROR. */
ssize_t sse_stream_read(sse_stream_t *st, char *buf, size_t max);

/* Unregisters and frees (the request-completed callback). NULLs *st. */
void sse_hub_remove(sse_hub_t *self, sse_stream_t **st);

/* Subscriber thread: queue a new sample to the agent's streams. */
void sse_hub_publish(sse_hub_t *self, snapshot_t *s);

/* Subscriber thread, every quarter keep-alive period (200 ms to 1 s):
 * keep-alive comments. */
void sse_hub_tick(sse_hub_t *self, int64_t now_mono_ms);

/* Ends every stream (server stopping): readers return end-of-stream. */
void sse_hub_shutdown(sse_hub_t *self);

size_t sse_hub_count(sse_hub_t *self);

#endif
