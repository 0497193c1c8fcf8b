/* bordermap tests: the PNG writer's deflate streams, read back by zlib's inflate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "out/deflate.h"

static uint32_t seed = 2463534242u;
static uint32_t next_random(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

/* The raw deflate stream in[0..n) inflated by zlib; fails unless it holds exactly want. */
static void inflates_to(const unsigned char *in, size_t n, const unsigned char *want,
                        size_t want_len)
{
    z_stream z = {0};
    assert_int_equal(inflateInit2(&z, -15), Z_OK);
    unsigned char *got = malloc(want_len + 16);
    assert_non_null(got);
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)n;
    z.next_out = got;
    z.avail_out = (uInt)(want_len + 16);
    int r = inflate(&z, Z_FINISH);
    if (r != Z_STREAM_END)
        fail_msg("inflate: %d (%s) after %lu bytes out of %zu", r, z.msg ? z.msg : "",
                 (unsigned long)z.total_out, want_len);
    assert_int_equal(z.avail_in, 0); /* nothing after the final block */
    assert_int_equal(z.total_out, want_len);
    assert_memory_equal(got, want, want_len);
    inflateEnd(&z);
    free(got);
}

/*
 * Encode data[0..n) in chunks of random sizes, zeros through
 * bm__deflate_zeros() where a chunk is all zeros, as png.c does; check the
 * stream against zlib's inflate and the checksum against zlib's adler32().
 */
static void round_trip(const unsigned char *data, size_t n)
{
    struct bm__deflate d;
    assert_int_equal(bm__deflate_init(&d), 0);
    for (size_t i = 0; i < n;) {
        size_t k = 1 + next_random() % 700;
        k = k > n - i ? n - i : k;
        size_t z = 0;
        while (z < k && data[i + z] == 0)
            z++;
        if (z == k)
            bm__deflate_zeros(&d, k);
        else
            bm__deflate_bytes(&d, data + i, k);
        i += k;
    }
    assert_int_equal(bm__deflate_finish(&d, 1), 0);
    inflates_to(d.out, d.out_len, data, n);
    assert_int_equal(d.adler, (uint32_t)adler32(adler32(0, NULL, 0), data, (uInt)n));
    bm__deflate_free(&d);
}

static void empty_stream(void **state)
{
    (void)state;
    round_trip((const unsigned char *)"", 0);
}

static void zeros_random_and_runs(void **state)
{
    (void)state;
    size_t n = 300000;
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    /* zeros only: one literal, then matches of 258 across many blocks */
    memset(buf, 0, n);
    round_trip(buf, n);
    /* noise: literals only, every block a flat code */
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)next_random();
    round_trip(buf, n);
    /* runs of every length 1 to 600, of any byte, zeros included */
    for (size_t i = 0; i < n;) {
        size_t k = 1 + next_random() % 600;
        unsigned char v = (unsigned char)(next_random() % 4 == 0 ? 0 : next_random());
        for (size_t j = 0; j < k && i < n; j++)
            buf[i++] = v;
    }
    round_trip(buf, n);
    /* a map's rows: zeros with a few bytes of an edge now and then */
    for (size_t i = 0; i < n; i++)
        buf[i] = next_random() % 40 == 0 ? (unsigned char)(next_random() % 7 - 3) : 0;
    round_trip(buf, n);
    free(buf);
}

/*
 * Counts in the Fibonacci sequence make the deepest Huffman trees: 18 symbols
 * counted 1, 2, 3, 5, ... 4181 in one block, with its end (counted 1), would
 * need codes of 18 bits, more than deflate's 15, so the code must be limited
 * (a length over 15 cannot even be written in the block's header).
 */
static void deep_codes_are_limited(void **state)
{
    (void)state;
    size_t left[18] = {1, 2}, n = 3;
    for (int s = 2; s < 18; s++)
        n += left[s] = left[s - 1] + left[s - 2];
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    /* the most left first, never the one just taken: no runs, so every byte a literal */
    for (size_t i = 0; i < n; i++) {
        int best = -1;
        for (int s = 0; s < 18; s++)
            if (left[s] && (i == 0 || buf[i - 1] != 1 + s) && (best < 0 || left[s] > left[best]))
                best = s;
        assert_true(best >= 0);
        buf[i] = (unsigned char)(1 + best);
        left[best]--;
    }
    struct bm__deflate d;
    assert_int_equal(bm__deflate_init(&d), 0);
    bm__deflate_bytes(&d, buf, n); /* 10,944 literals: one block */
    assert_int_equal(bm__deflate_finish(&d, 1), 0);
    inflates_to(d.out, d.out_len, buf, n);
    bm__deflate_free(&d);
    free(buf);
}

/* Streams ended without their final block join into one, as the bands of a PNG do. */
static void parts_join(void **state)
{
    (void)state;
    size_t n = 100000, cut[3] = {0, 1, 33333};
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = i % 5000 < 4000 ? 0 : (unsigned char)(i / 7);
    for (int c = 0; c < 3; c++) {
        struct bm__deflate a, b;
        assert_int_equal(bm__deflate_init(&a), 0);
        assert_int_equal(bm__deflate_init(&b), 0);
        bm__deflate_bytes(&a, buf, cut[c]);
        bm__deflate_bytes(&b, buf + cut[c], n - cut[c]);
        assert_int_equal(bm__deflate_finish(&a, 0), 0);
        assert_int_equal(bm__deflate_finish(&b, 1), 0);
        unsigned char *both = malloc(a.out_len + b.out_len);
        assert_non_null(both);
        memcpy(both, a.out, a.out_len);
        memcpy(both + a.out_len, b.out, b.out_len);
        inflates_to(both, a.out_len + b.out_len, buf, n);
        uLong whole = adler32_combine(a.adler, b.adler, (z_off_t)(n - cut[c]));
        assert_int_equal(whole, adler32(adler32(0, NULL, 0), buf, (uInt)n));
        free(both);
        bm__deflate_free(&a);
        bm__deflate_free(&b);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_stream),
        cmocka_unit_test(zeros_random_and_runs),
        cmocka_unit_test(deep_codes_are_limited),
        cmocka_unit_test(parts_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
