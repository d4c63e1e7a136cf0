/*
 * The per-token rate limiter: token buckets of per_minute requests refilled
 * at per_minute/60 per second, driven by the time the caller passes (no
 * sleeping anywhere).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "ratelimit.h"

static ratelimit_t *s_limiter(int64_t per_minute)
{
    ratelimit_t *rl = ratelimit_new(per_minute);
    cr_assert_not_null(rl);
    return rl;
}

/* Takes n requests for key at now_ms; returns how many were allowed. */
static int64_t s_take_n(ratelimit_t *rl, const char *key, int64_t now_ms, int64_t n)
{
    int64_t allowed = 0, retry = 0;
    for (int64_t i = 0; i < n; i++)
        allowed += ratelimit_take(rl, key, now_ms, &retry);
    return allowed;
}

/* Empties key's bucket at now_ms (per_minute requests). */
static void s_drain(ratelimit_t *rl, const char *key, int64_t per_minute, int64_t now_ms)
{
    cr_assert_eq(s_take_n(rl, key, now_ms, per_minute), per_minute, "a fresh bucket allows its whole budget");
    int64_t retry = -1;
    cr_assert_not(ratelimit_take(rl, key, now_ms, &retry), "a drained bucket refuses");
}

Test(ratelimit, zero_per_minute_allows_every_request)
{
    ratelimit_t *rl = s_limiter(0);
    int64_t retry = -7;
    for (int i = 0; i < 100000; i++)
        cr_assert(ratelimit_take(rl, "ops", 1000, &retry));
    cr_assert_eq(retry, -7, "an allowed request leaves retry_after alone");
    ratelimit_destroy(&rl);
    cr_assert_null(rl);
}

Test(ratelimit, a_new_key_may_burst_its_whole_per_minute_budget_and_no_more)
{
    ratelimit_t *rl = s_limiter(60);
    cr_assert_eq(s_take_n(rl, "ops", 5000, 60), 60);
    cr_assert_eq(s_take_n(rl, "ops", 5000, 10), 0);
    ratelimit_destroy(&rl);
}

Test(ratelimit, a_burst_of_one_allows_one_request_per_minute)
{
    ratelimit_t *rl = s_limiter(1);
    cr_assert(ratelimit_take(rl, "ops", 0, NULL));
    cr_assert_not(ratelimit_take(rl, "ops", 59999, NULL));
    cr_assert(ratelimit_take(rl, "ops", 60000, NULL));
    cr_assert_not(ratelimit_take(rl, "ops", 60000, NULL));
    ratelimit_destroy(&rl);
}

Test(ratelimit, refills_at_per_minute_over_sixty_per_second)
{
    ratelimit_t *rl = s_limiter(120); /* 2 per second */
    s_drain(rl, "ops", 120, 0);
    cr_assert_eq(s_take_n(rl, "ops", 499, 5), 0, "0.998 of a request after 499 ms");
    cr_assert_eq(s_take_n(rl, "ops", 500, 5), 1, "one request after 500 ms");
    cr_assert_eq(s_take_n(rl, "ops", 10500, 100), 20, "ten seconds later: twenty");
    ratelimit_destroy(&rl);
}

Test(ratelimit, partial_refills_add_up_across_calls)
{
    ratelimit_t *rl = s_limiter(60); /* one per second */
    s_drain(rl, "ops", 60, 0);
    /* refused calls every 100 ms must not lose the fractions they refill */
    for (int64_t t = 100; t < 1000; t += 100)
        cr_assert_not(ratelimit_take(rl, "ops", t, NULL), "at %lld ms", (long long)t);
    cr_assert(ratelimit_take(rl, "ops", 1000, NULL));
    ratelimit_destroy(&rl);
}

Test(ratelimit, a_long_idle_key_gets_back_one_burst_not_more)
{
    ratelimit_t *rl = s_limiter(30);
    s_drain(rl, "ops", 30, 0);
    cr_assert_eq(s_take_n(rl, "ops", 3600000, 100), 30, "an hour later: one full bucket");
    ratelimit_destroy(&rl);
}

Test(ratelimit, retry_after_is_the_whole_seconds_until_one_request_is_available)
{
    static const struct {
        int64_t per_minute, expect_s;
    } cases[] = {
        {60, 1},  /* exactly one second per request: 1, not 2 */
        {120, 1}, /* half a second rounds up to one */
        {6, 10},  /* ten seconds per request */
        {7, 9},   /* 8.57 s rounds up */
        {1, 60},  /* a minute */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ratelimit_t *rl = s_limiter(cases[i].per_minute);
        s_take_n(rl, "ops", 0, cases[i].per_minute);
        int64_t retry = -1;
        cr_assert_not(ratelimit_take(rl, "ops", 0, &retry));
        cr_assert_eq(retry, cases[i].expect_s, "per_minute %lld: Retry-After %lld, expected %lld",
                     (long long)cases[i].per_minute, (long long)retry, (long long)cases[i].expect_s);
        ratelimit_destroy(&rl);
    }
}

Test(ratelimit, retry_after_is_enough_and_not_a_second_more)
{
    /* From many points in the refill cycle: waiting Retry-After seconds
     * always succeeds; a second less (when there is one) still fails. */
    static const int64_t rates[] = {1, 7, 59, 60, 61, 120, 1000, 3600};
    for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
        int64_t pm = rates[r];
        for (int64_t offset = 0; offset < 3000; offset += 137) {
            ratelimit_t *rl = s_limiter(pm);
            s_take_n(rl, "ops", 0, pm);
            int64_t t = offset, retry = 0;
            /* use up whatever refilled by t, so that t is refused */
            while (ratelimit_take(rl, "ops", t, &retry))
                ;
            cr_assert_geq(retry, 1);
            if (retry > 1)
                cr_assert_not(ratelimit_take(rl, "ops", t + (retry - 1) * 1000, NULL),
                              "per_minute %lld at %lld ms: Retry-After %lld is a second too long",
                              (long long)pm, (long long)t, (long long)retry);
            cr_assert(ratelimit_take(rl, "ops", t + retry * 1000, NULL),
                      "per_minute %lld at %lld ms: waiting Retry-After %lld s is not enough", (long long)pm,
                      (long long)t, (long long)retry);
            ratelimit_destroy(&rl);
        }
    }
}

Test(ratelimit, a_refused_request_costs_nothing)
{
    ratelimit_t *rl = s_limiter(60);
    s_drain(rl, "ops", 60, 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_not(ratelimit_take(rl, "ops", 500, NULL));
    cr_assert(ratelimit_take(rl, "ops", 1000, NULL), "hammering while limited does not push the refill back");
    ratelimit_destroy(&rl);
}

Test(ratelimit, keys_have_independent_buckets)
{
    ratelimit_t *rl = s_limiter(10);
    s_drain(rl, "team-web", 10, 0);
    cr_assert_eq(s_take_n(rl, "ops", 0, 20), 10, "another key still has its whole burst");
    cr_assert_eq(s_take_n(rl, "team-web", 0, 5), 0);
    ratelimit_destroy(&rl);
}

Test(ratelimit, keys_are_copied_not_borrowed)
{
    ratelimit_t *rl = s_limiter(2);
    char key[16];
    snprintf(key, sizeof key, "alpha");
    cr_assert_eq(s_take_n(rl, key, 0, 2), 2);
    snprintf(key, sizeof key, "beta");
    cr_assert_eq(s_take_n(rl, key, 0, 2), 2, "the caller's buffer now names another key");
    cr_assert_eq(s_take_n(rl, "alpha", 0, 1), 0, "alpha is still drained");
    cr_assert_eq(s_take_n(rl, "beta", 0, 1), 0);
    ratelimit_destroy(&rl);
}

Test(ratelimit, many_keys_each_get_their_own_budget)
{
    ratelimit_t *rl = s_limiter(3);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "token-%d", i);
        cr_assert_eq(s_take_n(rl, key, i, 4), 3, "%s", key);
    }
    for (int i = 0; i < 5000; i += 499) {
        snprintf(key, sizeof key, "token-%d", i);
        cr_assert_not(ratelimit_take(rl, key, 5000, NULL), "%s is still limited", key);
    }
    ratelimit_destroy(&rl);
}

Test(ratelimit, pruning_forgets_only_buckets_idle_long_enough_to_be_full)
{
    ratelimit_t *rl = s_limiter(60);
    s_drain(rl, "idle", 60, 0);
    s_drain(rl, "busy", 60, 59000);
    /* 61 s: the prune pass runs; "idle" was idle a full minute and is full
     * again either way, "busy" was used 2 s ago and must keep its debt */
    cr_assert_eq(s_take_n(rl, "idle", 61000, 100), 60);
    cr_assert_eq(s_take_n(rl, "busy", 61000, 100), 2);
    /* and again two minutes on, past the next pass */
    s_drain(rl, "busy", 60, 200000);
    cr_assert_eq(s_take_n(rl, "busy", 200500, 5), 0);
    ratelimit_destroy(&rl);
}

Test(ratelimit, a_clock_that_steps_back_costs_no_requests)
{
    ratelimit_t *rl = s_limiter(60);
    cr_assert(ratelimit_take(rl, "ops", 100000, NULL)); /* 59 left */
    cr_assert_eq(s_take_n(rl, "ops", 40000, 100), 59, "a minute earlier: the 59 left, no more, no less");
    cr_assert_eq(s_take_n(rl, "ops", 101000, 5), 1, "a second after the newest time: one more");
    ratelimit_destroy(&rl);
}

Test(ratelimit, requests_seen_slightly_out_of_order_never_grant_extra)
{
    /* Threads read the clock before taking the lock, so a call can carry a
     * time a little older than the previous one. */
    ratelimit_t *rl = s_limiter(60);
    s_drain(rl, "ops", 60, 0);
    int64_t allowed = 0;
    for (int64_t t = 1; t <= 10000; t++) {
        allowed += ratelimit_take(rl, "ops", t, NULL);
        allowed += ratelimit_take(rl, "ops", t - 1, NULL);
    }
    /* 10 s of refill is 10 requests: an older time counts as no time
     * elapsed, so the steps back neither cost nor add anything */
    cr_assert_eq(allowed, 10);
    ratelimit_destroy(&rl);
}

Test(ratelimit, a_ten_year_gap_refills_one_burst)
{
    ratelimit_t *rl = s_limiter(5);
    s_drain(rl, "ops", 5, 1000);
    cr_assert_eq(s_take_n(rl, "ops", (int64_t)315576000000 /* 10 years */, 10), 5);
    ratelimit_destroy(&rl);
}

Test(ratelimit, extreme_clock_values_neither_overflow_nor_exceed_one_burst)
{
    ratelimit_t *rl = s_limiter(5); /* one per 12 s */
    cr_assert_eq(s_take_n(rl, "ops", INT64_MIN, 10), 5);
    cr_assert_eq(s_take_n(rl, "ops", INT64_MIN + 11999, 10), 0);
    cr_assert_eq(s_take_n(rl, "ops", INT64_MIN + 12000, 10), 1);
    cr_assert_eq(s_take_n(rl, "ops", INT64_MAX, 10), 5, "the whole int64 range later: one bucket");
    cr_assert_eq(s_take_n(rl, "ops", INT64_MIN, 10), 0, "and back to the start: nothing more");
    ratelimit_destroy(&rl);
}

Test(ratelimit, huge_budgets_neither_overflow_nor_limit)
{
    ratelimit_t *rl = s_limiter(INT64_MAX);
    cr_assert_eq(s_take_n(rl, "ops", 0, 1000), 1000);
    cr_assert_eq(s_take_n(rl, "ops", INT64_MAX, 1000), 1000);
    ratelimit_destroy(&rl);
    rl = s_limiter(100000000); /* the configuration's maximum */
    cr_assert_eq(s_take_n(rl, "ops", 0, 100000), 100000);
    ratelimit_destroy(&rl);
}

Test(ratelimit, destroy_accepts_null_and_nulls_the_pointer)
{
    ratelimit_destroy(NULL);
    ratelimit_t *rl = NULL;
    ratelimit_destroy(&rl);
    rl = s_limiter(10);
    cr_assert(ratelimit_take(rl, "ops", 0, NULL));
    ratelimit_destroy(&rl);
    cr_assert_null(rl);
}

#define S_THREADS 4
#define S_PER_THREAD 5000

typedef struct {
    ratelimit_t *rl;
    const char *key;
    int64_t allowed;
} s_worker_t;

static void *s_worker(void *arg)
{
    s_worker_t *w = arg;
    for (int i = 0; i < S_PER_THREAD; i++)
        w->allowed += ratelimit_take(w->rl, w->key, 7000, NULL);
    return NULL;
}

Test(ratelimit, concurrent_takes_never_exceed_the_budget)
{
    ratelimit_t *rl = s_limiter(1000);
    s_worker_t w[S_THREADS];
    pthread_t th[S_THREADS];
    for (int i = 0; i < S_THREADS; i++) {
        w[i] = (s_worker_t){rl, i % 2 ? "odd" : "even", 0};
        cr_assert_eq(pthread_create(&th[i], NULL, s_worker, &w[i]), 0);
    }
    int64_t even = 0, odd = 0;
    for (int i = 0; i < S_THREADS; i++) {
        pthread_join(th[i], NULL);
        *(i % 2 ? &odd : &even) += w[i].allowed;
    }
    cr_assert_eq(even, 1000, "two threads sharing a key get exactly its budget, got %lld", (long long)even);
    cr_assert_eq(odd, 1000, "got %lld", (long long)odd);
    ratelimit_destroy(&rl);
}
