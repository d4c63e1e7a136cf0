/*
 * fixture.h - helpers for tests that read captured kernel files under
 * tests/fixtures/ (NODELINK_FIXTURES, set by ctest).
 */
#ifndef NODELINK_AGENT_TEST_FIXTURE_H
#define NODELINK_AGENT_TEST_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static inline const char *fixture_root(void)
{
    const char *r = getenv("NODELINK_FIXTURES");
    return r ? r : "../tests/fixtures";
}

/* fixture_path("proc/host") -> "<root>/proc/host" (static buffer, one at a time per slot). */
static inline const char *fixture_path(const char *rel)
{
    static char buf[4][4096];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(buf[slot], sizeof buf[slot], "%s/%s", fixture_root(), rel);
    return buf[slot];
}

/* Reads a whole fixture file; caller frees. Fails the test when missing. */
static inline char *fixture_read(const char *rel, size_t *len)
{
    FILE *f = fopen(fixture_path(rel), "rb");
    cr_assert_not_null(f, "fixture %s missing", rel);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
