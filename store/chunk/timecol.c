/*
 * timecol.c - timestamps (delta of delta) and seq (sparse). See timecol.h.
 */
#include "timecol.h"

static int64_t s_signed(uint64_t u)
{
    int64_t s;
    memcpy(&s, &u, sizeof s);
    return s;
}

void timecol_encode(const int64_t *ts, size_t n, varbuf_t *out)
{
    uint64_t prev = n ? (uint64_t)ts[0] : 0, prev_delta = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t delta = (uint64_t)ts[i] - prev;
        varbuf_put_sv(out, s_signed(delta - prev_delta));
        prev = (uint64_t)ts[i];
        prev_delta = delta;
    }
}

int timecol_decode(const uint8_t *raw, size_t len, size_t n, int64_t first, int64_t last, int64_t *ts,
                   const char **why)
{
    varread_t r = varread_make(raw, len);
    uint64_t prev = (uint64_t)first, prev_delta = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t dod;
        if (varread_sv(&r, &dod) < 0) {
            *why = "timestamps truncated";
            return -1;
        }
        uint64_t delta = prev_delta + (uint64_t)dod;
        prev += delta;
        prev_delta = delta;
        ts[i] = s_signed(prev);
    }
    if (varread_left(&r) != 0) {
        *why = "bytes after the timestamps";
        return -1;
    }
    if (n && (ts[0] != first || ts[n - 1] != last)) {
        *why = "timestamps disagree with the header's first and last";
        return -1;
    }
    return 0;
}

void seqcol_encode(const uint64_t *seq, size_t n, varbuf_t *out)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += seq[i] != 0;
    varbuf_put_uv(out, count);
    size_t next = 0;
    for (size_t i = 0; i < n; i++)
        if (seq[i]) {
            varbuf_put_uv(out, i - next);
            varbuf_put_uv(out, seq[i]);
            next = i + 1;
        }
}

int seqcol_decode(const uint8_t *raw, size_t len, size_t n, uint64_t *seq, const char **why)
{
    varread_t r = varread_make(raw, len);
    uint64_t count;
    if (varread_uv(&r, &count) < 0 || count > n) {
        *why = "bad seq count";
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        seq[i] = 0;
    uint64_t next = 0;
    for (uint64_t k = 0; k < count; k++) {
        uint64_t gap, v;
        if (varread_uv(&r, &gap) < 0 || gap >= n - next || varread_uv(&r, &v) < 0 || v == 0) {
            *why = "bad seq entry";
            return -1;
        }
        next += gap;
        seq[next++] = v;
    }
    if (varread_left(&r) != 0) {
        *why = "bytes after the seq entries";
        return -1;
    }
    return 0;
}

int timecol_check_order(const int64_t *ts, const uint64_t *seq, size_t n, const char **why)
{
    for (size_t i = 1; i < n; i++)
        if (ts[i] < ts[i - 1] || (ts[i] == ts[i - 1] && seq[i] <= seq[i - 1])) {
            *why = "rows not in increasing (ts, seq) order";
            return -1;
        }
    return 0;
}
