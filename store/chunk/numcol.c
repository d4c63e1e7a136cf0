/*
 * numcol.c - number cells as scaled integer sub-columns. See numcol.h.
 */
#include "numcol.h"

#include <stdlib.h>

#include "chunkfmt.h"
#include "decnum.h"

/* The parsed cells of a column: part k of cell c is mant[start[c] + k]
 * with dec[...] decimals; group[c] indexes the column's part counts. */
typedef struct {
    int64_t *mant;
    uint8_t *dec;
    uint32_t *start;
    uint8_t *group;
    size_t nparts_total;
    uint8_t ngroups;
    uint8_t group_parts[CHUNKFMT_PARTS_MAX];
    size_t group_cells[CHUNKFMT_PARTS_MAX];
} s_parsed_t;

static void s_parsed_free(s_parsed_t *p)
{
    free(p->mant);
    free(p->dec);
    free(p->start);
    free(p->group);
}

/* Splits one cell at single spaces and parses each part; the number of
 * parts, or 0 when the cell is not a canonical number list. */
static int s_parse_cell(const char *s, size_t len, int64_t *mant, uint8_t *dec)
{
    int n = 0;
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        int d;
        if (n == CHUNKFMT_PARTS_MAX || decnum_parse(s + i, j - i, &mant[n], &d) < 0)
            return 0;
        dec[n++] = (uint8_t)d;
        i = j + 1;
    }
    return n;
}

/* 1 parsed, 0 not numbers, -1 out of memory. */
static int s_parse(const uint8_t *cells, size_t ncells, s_parsed_t *p)
{
    /* a cell of len bytes has at most len / 2 + 1 parts */
    size_t cap = 0;
    const uint8_t *c = cells;
    for (size_t i = 0; i < ncells; c += 1 + c[0], i++)
        cap += c[0] / 2 + 1 < CHUNKFMT_PARTS_MAX ? c[0] / 2 + 1 : CHUNKFMT_PARTS_MAX;
    p->mant = malloc(cap * sizeof *p->mant);
    p->dec = malloc(cap);
    p->start = malloc(ncells * sizeof *p->start);
    p->group = malloc(ncells);
    if (!p->mant || !p->dec || !p->start || !p->group)
        return -1;
    int group_of[CHUNKFMT_PARTS_MAX + 1];
    for (int k = 0; k <= CHUNKFMT_PARTS_MAX; k++)
        group_of[k] = -1;
    c = cells;
    size_t at = 0;
    for (size_t i = 0; i < ncells; c += 1 + c[0], i++) {
        int n = s_parse_cell((const char *)c + 1, c[0], p->mant + at, p->dec + at);
        if (n == 0)
            return 0;
        if (group_of[n] < 0) {
            group_of[n] = p->ngroups;
            p->group_parts[p->ngroups++] = (uint8_t)n;
        }
        p->start[i] = (uint32_t)at;
        p->group[i] = (uint8_t)group_of[n];
        p->group_cells[group_of[n]]++;
        at += (size_t)n;
    }
    p->nparts_total = at;
    return 1;
}

/* The scale of part k of group g: its most decimals. */
static int s_scale(const s_parsed_t *p, size_t ncells, int g, int k)
{
    int scale = 0;
    for (size_t i = 0; i < ncells; i++)
        if (p->group[i] == g && p->dec[p->start[i] + k] > scale)
            scale = p->dec[p->start[i] + k];
    return scale;
}

/* The value the transform writes for v, given the previous value and delta
 * (all in wrapping uint64 arithmetic), as an int64. */
static int64_t s_xform(int xform, uint64_t v, uint64_t *prev, uint64_t *prev_delta)
{
    uint64_t delta = v - *prev;
    uint64_t out = xform == CHUNKFMT_PLAIN ? v : xform == CHUNKFMT_DELTA ? delta : delta - *prev_delta;
    *prev = v;
    *prev_delta = delta;
    int64_t s;
    memcpy(&s, &out, sizeof s);
    return s;
}

static uint64_t s_gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The greatest common divisor of what the transform writes (memory in
 * bytes: pages; disk space: blocks), or 1 when it is below 2 or above
 * INT64_MAX. */
static uint64_t s_divisor(int xform, const uint64_t *vals, size_t n)
{
    uint64_t g = 0, prev = 0, prev_delta = 0;
    for (size_t i = 0; i < n && g != 1; i++) {
        int64_t t = s_xform(xform, vals[i], &prev, &prev_delta);
        g = s_gcd(g, t < 0 ? 0 - (uint64_t)t : (uint64_t)t);
    }
    return g < 2 || g > INT64_MAX ? 1 : g;
}

/* Bytes of a sub-column written with transform xform and divisor g. */
static size_t s_size(int xform, uint64_t g, const uint64_t *vals, size_t n)
{
    size_t size = g > 1 ? varbuf_uv_size(g) : 0;
    uint64_t prev = 0, prev_delta = 0;
    for (size_t i = 0; i < n; i++)
        size += varbuf_uv_size(varbuf_zigzag(s_xform(xform, vals[i], &prev, &prev_delta) / (int64_t)g));
    return size;
}

/* Rescales part k of group g into vals (the group's cells in order); false
 * when a value does not fit in int64 at the part's scale. */
static bool s_subcolumn(const s_parsed_t *p, size_t ncells, int g, int k, int scale, uint64_t *vals)
{
    size_t n = 0;
    for (size_t i = 0; i < ncells; i++) {
        if (p->group[i] != g)
            continue;
        int64_t v;
        if (!decnum_rescale(p->mant[p->start[i] + k], p->dec[p->start[i] + k], scale, &v))
            return false;
        vals[n++] = (uint64_t)v;
    }
    return true;
}

/* Writes a sub-column with the transform and divisor that make it shortest
 * (ties: the simpler transform, no divisor). */
static void s_put_subcolumn(const uint64_t *vals, size_t n, int scale, varbuf_t *out)
{
    int best = CHUNKFMT_PLAIN;
    uint64_t divisor = 1;
    size_t best_size = SIZE_MAX;
    for (int x = CHUNKFMT_PLAIN; x <= CHUNKFMT_DOD; x++) {
        uint64_t d = s_divisor(x, vals, n);
        for (uint64_t g = 1;; g = d) {
            size_t size = s_size(x, g, vals, n);
            if (size < best_size) {
                best = x;
                divisor = g;
                best_size = size;
            }
            if (g == d)
                break;
        }
    }
    varbuf_put_u8(out, (uint8_t)(scale | best << 4 | (divisor > 1 ? CHUNKFMT_DIVIDED : 0)));
    if (divisor > 1)
        varbuf_put_uv(out, divisor);
    uint64_t prev = 0, prev_delta = 0;
    for (size_t i = 0; i < n; i++)
        varbuf_put_sv(out, s_xform(best, vals[i], &prev, &prev_delta) / (int64_t)divisor);
}

int numcol_encode(const uint8_t *cells, size_t ncells, varbuf_t *out)
{
    s_parsed_t p = {0};
    uint64_t *vals = NULL;
    int rc = s_parse(cells, ncells, &p);
    if (rc <= 0)
        goto done;
    rc = -1;
    if (!(vals = malloc(ncells * sizeof *vals)))
        goto done;
    /* check every sub-column fits before writing anything */
    int scale[CHUNKFMT_PARTS_MAX][CHUNKFMT_PARTS_MAX];
    for (int g = 0; g < p.ngroups; g++)
        for (int k = 0; k < p.group_parts[g]; k++) {
            scale[g][k] = s_scale(&p, ncells, g, k);
            if (!s_subcolumn(&p, ncells, g, k, scale[g][k], vals)) {
                rc = 0;
                goto done;
            }
        }
    varbuf_put_u8(out, p.ngroups);
    varbuf_put_bytes(out, p.group_parts, p.ngroups);
    if (p.ngroups > 1)
        varbuf_put_bytes(out, p.group, ncells);
    for (int g = 0; g < p.ngroups; g++)
        for (int k = 0; k < p.group_parts[g]; k++) {
            s_subcolumn(&p, ncells, g, k, scale[g][k], vals);
            s_put_subcolumn(vals, p.group_cells[g], scale[g][k], out);
        }
    rc = out->failed ? -1 : 1;
done:
    free(vals);
    s_parsed_free(&p);
    return rc;
}

/* One sub-column being read: where its next varint is, and the state of
 * its transform. */
typedef struct {
    varread_t at;
    uint8_t scale;
    uint8_t xform;
    uint64_t divisor;
    uint64_t prev;
    uint64_t prev_delta;
} s_cursor_t;

/* The layout read from a column's number header. */
typedef struct {
    uint8_t ngroups;
    uint8_t parts[CHUNKFMT_PARTS_MAX];
    size_t cells[CHUNKFMT_PARTS_MAX];
    s_cursor_t cur[CHUNKFMT_PARTS_MAX][CHUNKFMT_PARTS_MAX];
} s_layout_t;

static int s_get_layout(varread_t *r, size_t ncells, s_layout_t *l, const uint8_t **group, const char **why)
{
    bool seen[CHUNKFMT_PARTS_MAX + 1] = {false};
    if (varread_u8(r, &l->ngroups) < 0 || l->ngroups == 0 || l->ngroups > CHUNKFMT_PARTS_MAX) {
        *why = "bad number group count";
        return -1;
    }
    for (int g = 0; g < l->ngroups; g++) {
        if (varread_u8(r, &l->parts[g]) < 0 || l->parts[g] == 0 || l->parts[g] > CHUNKFMT_PARTS_MAX ||
            seen[l->parts[g]]) {
            *why = "bad number group";
            return -1;
        }
        seen[l->parts[g]] = true;
        l->cells[g] = 0;
    }
    *group = NULL;
    if (l->ngroups > 1 && varread_bytes(r, ncells, group) < 0) {
        *why = "number groups truncated";
        return -1;
    }
    for (size_t c = 0; c < ncells; c++) {
        uint8_t g = *group ? (*group)[c] : 0;
        if (g >= l->ngroups) {
            *why = "bad number group index";
            return -1;
        }
        l->cells[g]++;
    }
    return 0;
}

/* Finds where each sub-column starts (reading its header and skipping its
 * varints), so that cells can then be read in order from all of them at
 * once without holding any sub-column in memory. */
static int s_locate(varread_t *r, s_layout_t *l, const char **why)
{
    for (int g = 0; g < l->ngroups; g++)
        for (int k = 0; k < l->parts[g]; k++) {
            uint8_t hdr;
            uint64_t divisor = 1;
            if (varread_u8(r, &hdr) < 0 || (hdr & 15) > DECNUM_SCALE_MAX || (hdr >> 4 & 3) > CHUNKFMT_DOD ||
                (hdr & 0x80) || ((hdr & CHUNKFMT_DIVIDED) && (varread_uv(r, &divisor) < 0 || divisor < 2))) {
                *why = "bad number sub-column header";
                return -1;
            }
            s_cursor_t *cur = &l->cur[g][k];
            *cur = (s_cursor_t){.at = *r, .scale = hdr & 15, .xform = hdr >> 4 & 3, .divisor = divisor};
            for (size_t i = 0; i < l->cells[g]; i++) {
                uint64_t skip;
                if (varread_uv(r, &skip) < 0) {
                    *why = "number sub-column truncated";
                    return -1;
                }
            }
        }
    return 0;
}

/* The next value of a located sub-column (its varints were checked). */
static int64_t s_next(s_cursor_t *cur)
{
    int64_t z = 0;
    (void)varread_sv(&cur->at, &z);
    uint64_t u = (uint64_t)z * cur->divisor, v;
    if (cur->xform == CHUNKFMT_PLAIN)
        v = u;
    else if (cur->xform == CHUNKFMT_DELTA)
        v = cur->prev + u;
    else
        v = cur->prev + (cur->prev_delta + u);
    cur->prev_delta = v - cur->prev;
    cur->prev = v;
    int64_t s;
    memcpy(&s, &v, sizeof s);
    return s;
}

int numcol_decode(varread_t *r, size_t ncells, const uint32_t *rows, uint32_t *off, uint8_t *len,
                  varbuf_t *arena, const char **why)
{
    s_layout_t l;
    const uint8_t *group;
    if (s_get_layout(r, ncells, &l, &group, why) < 0 || s_locate(r, &l, why) < 0)
        return -1;
    for (size_t c = 0; c < ncells; c++) {
        int g = group ? group[c] : 0;
        char text[CHUNKFMT_PARTS_MAX * (DECNUM_TEXT_MAX + 1)];
        size_t n = 0;
        for (int k = 0; k < l.parts[g]; k++) {
            if (k)
                text[n++] = ' ';
            n += decnum_format(s_next(&l.cur[g][k]), l.cur[g][k].scale, text + n);
        }
        if (n > 255) {
            *why = "number cell longer than 255 bytes";
            return -1;
        }
        off[rows[c]] = (uint32_t)arena->len;
        len[rows[c]] = (uint8_t)n;
        text[n++] = '\0';
        varbuf_put_bytes(arena, text, n);
    }
    if (arena->failed) {
        *why = "out of memory";
        return -1;
    }
    return 0;
}
