/*
 * netdev.c - the network collector: one NetworkMetrics per interface of
 * /proc/net/dev. See netdev.h.
 *
 * Rates are deltas over the elapsed time, matched by interface name. An
 * interface seen for the first time, or whose counters went backwards
 * (re-created, driver reset), reports no rates in that sample and rates
 * from the next one on; a vanished interface simply disappears. Errors and
 * drops are the kernel's totals.
 */
#include "collector.h"
#include "netdev.h"

#include <stdlib.h>
#include <string.h>

#include "../procfile.h"
#include "../scan.h"
#include "clock.h"

#define NETDEV_MAX 512

size_t netdev_parse(const char *text, size_t len, netdev_counters_t *out, size_t max)
{
    size_t n = 0;
    scan_t s = scan_init(text, len);
    for (; !scan_eof(&s) && n < max; scan_next_line(&s)) {
        const char *w;
        size_t wl;
        if (!scan_word(&s, ":|", &w, &wl) || s.p >= s.end || *s.p != ':')
            continue;
        s.p++;
        netdev_counters_t *c = &out[n];
        if (!scan_copy(w, wl, c->name, sizeof c->name))
            continue;
        uint64_t f[16];
        int i = 0;
        while (i < 16 && scan_u64(&s, &f[i]))
            i++;
        if (i < 12)
            continue;
        c->rx_bytes = f[0];
        c->rx_packets = f[1];
        c->rx_errs = f[2];
        c->rx_drop = f[3];
        c->tx_bytes = f[8];
        c->tx_packets = f[9];
        c->tx_errs = f[10];
        c->tx_drop = f[11];
        n++;
    }
    return n;
}

typedef struct {
    procfile_t *file;
    netdev_counters_t *cur, *prev;
    size_t n_cur, n_prev;
    int64_t prev_ns;
    Nodelink__NetworkMetrics *pb;
    Nodelink__NetworkMetrics **ptrs;
} netdev_collector_t;

static void s_destroy(void **self_p)
{
    netdev_collector_t *self = *self_p;
    if (!self)
        return;
    procfile_destroy(&self->file);
    free(self->cur);
    free(self->prev);
    free(self->pb);
    free(self->ptrs);
    free(self);
    *self_p = NULL;
}

static const netdev_counters_t *s_find_prev(const netdev_collector_t *self, const char *name, size_t hint)
{
    if (hint < self->n_prev && strcmp(self->prev[hint].name, name) == 0)
        return &self->prev[hint];
    for (size_t i = 0; i < self->n_prev; i++)
        if (strcmp(self->prev[i].name, name) == 0)
            return &self->prev[i];
    return NULL;
}

static void s_fill(Nodelink__NetworkMetrics *m, const netdev_counters_t *c, const netdev_counters_t *p,
                   double el)
{
    nodelink__network_metrics__init(m);
    m->interface = (char *)c->name;
    m->has_errors_in = m->has_errors_out = m->has_drops_in = m->has_drops_out = 1;
    m->errors_in = c->rx_errs;
    m->errors_out = c->tx_errs;
    m->drops_in = c->rx_drop;
    m->drops_out = c->tx_drop;
    if (!p || el <= 0 || c->rx_bytes < p->rx_bytes || c->tx_bytes < p->tx_bytes ||
        c->rx_packets < p->rx_packets || c->tx_packets < p->tx_packets)
        return;
    m->has_bytes_sent_per_sec = m->has_bytes_recv_per_sec = 1;
    m->has_packets_sent_per_sec = m->has_packets_recv_per_sec = 1;
    m->bytes_sent_per_sec = sample_rate(p->tx_bytes, c->tx_bytes, el);
    m->bytes_recv_per_sec = sample_rate(p->rx_bytes, c->rx_bytes, el);
    m->packets_sent_per_sec = sample_rate(p->tx_packets, c->tx_packets, el);
    m->packets_recv_per_sec = sample_rate(p->rx_packets, c->rx_packets, el);
}

static int s_collect(void *vself, sample_t *sample, int64_t now_ns)
{
    netdev_collector_t *self = vself;
    const char *text;
    long len = procfile_read(self->file, &text);
    if (len < 0)
        return -1;
    self->n_cur = netdev_parse(text, (size_t)len, self->cur, NETDEV_MAX);
    double el = (double)(now_ns - self->prev_ns) / 1e9;
    for (size_t i = 0; i < self->n_cur; i++) {
        s_fill(&self->pb[i], &self->cur[i], s_find_prev(self, self->cur[i].name, i), el);
        self->ptrs[i] = &self->pb[i];
    }
    /* The sample points into cur, which becomes prev: both stay intact until
     * the next collection rewrites the (then) cur array. */
    netdev_counters_t *t = self->prev;
    self->prev = self->cur;
    self->cur = t;
    self->n_prev = self->n_cur;
    self->prev_ns = now_ns;
    sample->data.network_interfaces = self->ptrs;
    sample->data.n_network_interfaces = self->n_prev;
    return 0;
}

static void *s_create(const collector_env_t *env)
{
    netdev_collector_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->file = procfile_new_at(env->proc_root, "net/dev");
    self->cur = calloc(NETDEV_MAX, sizeof *self->cur);
    self->prev = calloc(NETDEV_MAX, sizeof *self->prev);
    self->pb = calloc(NETDEV_MAX, sizeof *self->pb);
    self->ptrs = calloc(NETDEV_MAX, sizeof *self->ptrs);
    if (!self->file || !self->cur || !self->prev || !self->pb || !self->ptrs) {
        void *p = self;
        s_destroy(&p);
        return NULL;
    }
    sample_t baseline;
    sample_reset(&baseline, 0, 0);
    s_collect(self, &baseline, clock_mono_ns());
    return self;
}

const collector_def_t collector_netdev = {"netdev", "net", NULL, s_create, s_collect, s_destroy};
