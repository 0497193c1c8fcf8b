/* bordermap: a raw deflate stream of bytes that are mostly runs (see deflate.h). */
#include "out/deflate.h"

#include <stdlib.h>
#include <string.h>

/*
 * Why not zlib: a map's rows filtered Up are 97 % zeros (the reference map:
 * 664,000 bytes of 26 million differ from the pixel above). zlib's Z_RLE
 * finds the same runs, but compares them byte by byte, 14 instructions a
 * byte: 40 % of drawing the reference map. Here a run of zeros is counted a
 * whole row of equal pixels at a time (png.c), and its Adler-32 computed in
 * closed form. The code is RFC 1951's: literals and lengths, distance 1 (a
 * run repeats the byte before it), Huffman codes of their own per block.
 */

#define BLOCK_TOKENS 16384 /* per block: zlib's at memLevel 8, a code fitted to a stretch */
#define ADLER_MOD 65521u
#define MATCH_FLAG 0x80000000u

static const unsigned short LEN_BASE[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                            15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                            67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned char LEN_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                            2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
/* The order in which a block's header gives the code lengths' code lengths. */
static const unsigned char CL_ORDER[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                           11, 4,  12, 3, 13, 2, 14, 1, 15};

/* ---- bits ---------------------------------------------------------------- */

/* Room for n more bytes of output. */
static int reserve(struct bm__deflate *d, size_t n)
{
    if (!d->ok)
        return -1;
    if (d->out_len + n <= d->out_cap)
        return 0;
    size_t cap = d->out_cap ? d->out_cap : 1 << 16;
    while (cap < d->out_len + n)
        cap *= 2;
    unsigned char *p = realloc(d->out, cap);
    if (!p) {
        d->ok = 0;
        return -1;
    }
    d->out = p;
    d->out_cap = cap;
    return 0;
}

/* n (at most 31) bits of v, least significant first, as deflate packs them. */
static inline void put(struct bm__deflate *d, uint32_t v, int n)
{
    d->bits |= (uint64_t)v << d->nbits;
    d->nbits += n;
    if (d->nbits >= 32) {
        unsigned char *o = d->out + d->out_len;
        o[0] = (unsigned char)d->bits;
        o[1] = (unsigned char)(d->bits >> 8);
        o[2] = (unsigned char)(d->bits >> 16);
        o[3] = (unsigned char)(d->bits >> 24);
        d->out_len += 4;
        d->bits >>= 32;
        d->nbits -= 32;
    }
}

/* The bits so far, padded with zeros to a whole byte. */
static void align(struct bm__deflate *d)
{
    while (d->nbits > 0) {
        d->out[d->out_len++] = (unsigned char)d->bits;
        d->bits >>= 8;
        d->nbits = d->nbits > 8 ? d->nbits - 8 : 0;
    }
    d->bits = 0;
}

/* ---- Huffman codes ---------------------------------------------------------- */

static int by_count(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/*
 * Code lengths of at most maxbits for the n symbols counted in freq (0: not
 * used). At least two symbols get a code, so that it is complete whatever
 * was used (zlib's inflate refuses an incomplete code). A Huffman tree, built
 * from the leaves sorted by count with two queues; when it is too deep, the
 * counts are halved (keeping each at least 1) and it is built again: the
 * code is then not quite optimal, which the rare deep blocks can afford.
 */
static void huff_lengths(const uint32_t *freq, int n, int maxbits, unsigned char *len)
{
    uint32_t f[286];
    int sym[286], parent[2 * 286], depth[2 * 286], used = 0;
    uint64_t w[2 * 286];
    for (int i = 0; i < n; i++) {
        f[i] = freq[i];
        used += f[i] > 0;
    }
    for (int i = 0; used < 2; i++)
        if (!f[i]) {
            f[i] = 1;
            used++;
        }
    for (;;) {
        /* the used symbols by count, and by symbol where counts are equal */
        uint64_t key[286];
        int nl = 0;
        for (int i = 0; i < n; i++) {
            len[i] = 0;
            if (f[i])
                key[nl++] = (uint64_t)f[i] << 16 | (unsigned)i;
        }
        qsort(key, (size_t)nl, sizeof *key, by_count);
        for (int k = 0; k < nl; k++)
            sym[k] = (int)(key[k] & 0xffff);
        for (int k = 0; k < nl; k++)
            w[k] = f[sym[k]];
        int li = 0, ii = nl, next = nl;
        while (next < 2 * nl - 1) {
            int two[2];
            for (int t = 0; t < 2; t++)
                two[t] = li < nl && (ii >= next || w[li] <= w[ii]) ? li++ : ii++;
            w[next] = w[two[0]] + w[two[1]];
            parent[two[0]] = parent[two[1]] = next++;
        }
        int deepest = 0;
        depth[2 * nl - 2] = 0;
        for (int k = 2 * nl - 3; k >= 0; k--)
            depth[k] = depth[parent[k]] + 1;
        for (int k = 0; k < nl; k++) {
            len[sym[k]] = (unsigned char)depth[k];
            deepest = depth[k] > deepest ? depth[k] : deepest;
        }
        if (deepest <= maxbits)
            return;
        for (int i = 0; i < n; i++)
            if (f[i])
                f[i] = (f[i] >> 1) | 1;
    }
}

/* The canonical codes of the lengths (RFC 1951, 3.2.2), bit-reversed for put(). */
static void canonical(const unsigned char *len, int n, uint16_t *code)
{
    int count[16] = {0}, next[16] = {0};
    for (int i = 0; i < n; i++)
        count[len[i]]++;
    count[0] = 0;
    for (int b = 1, c = 0; b < 16; b++) {
        c = (c + count[b - 1]) << 1;
        next[b] = c;
    }
    for (int i = 0; i < n; i++) {
        if (!len[i])
            continue;
        unsigned c = (unsigned)next[len[i]]++, r = 0;
        for (int b = 0; b < len[i]; b++, c >>= 1)
            r = (r << 1) | (c & 1);
        code[i] = (uint16_t)r;
    }
}

/*
 * The header's description of both codes: their lengths, one sequence,
 * run-length coded (16: the last length 3-6 times more, 17: 3-10 zeros,
 * 18: 11-138 zeros) with a Huffman code of its own, whose lengths come first.
 */
static void put_lengths(struct bm__deflate *d, const unsigned char *ll, int nlit,
                        const unsigned char *dl, int ndist)
{
    unsigned char all[286 + 30], sym[286 + 30], extra[286 + 30], cl[19];
    uint32_t cf[19] = {0};
    uint16_t cc[19];
    int n = nlit + ndist, ns = 0;
    memcpy(all, ll, (size_t)nlit);
    memcpy(all + nlit, dl, (size_t)ndist);
    for (int i = 0; i < n;) {
        int l = all[i], r = 1;
        while (i + r < n && all[i + r] == l)
            r++;
        if (l == 0 && r >= 3) {
            int take = r > 138 ? 138 : r;
            sym[ns] = take >= 11 ? 18 : 17;
            extra[ns++] = (unsigned char)(take - (take >= 11 ? 11 : 3));
            i += take;
        } else if (l != 0 && r >= 4) {
            sym[ns++] = (unsigned char)l;
            i++;
            for (r--; r >= 3;) {
                int take = r > 6 ? 6 : r;
                sym[ns] = 16;
                extra[ns++] = (unsigned char)(take - 3);
                i += take;
                r -= take;
            }
        } else {
            sym[ns++] = (unsigned char)l;
            i++;
        }
    }
    for (int k = 0; k < ns; k++)
        cf[sym[k]]++;
    huff_lengths(cf, 19, 7, cl);
    canonical(cl, 19, cc);
    int nclen = 19;
    while (nclen > 4 && !cl[CL_ORDER[nclen - 1]])
        nclen--;
    put(d, (uint32_t)(nlit - 257), 5);
    put(d, (uint32_t)(ndist - 1), 5);
    put(d, (uint32_t)(nclen - 4), 4);
    for (int k = 0; k < nclen; k++)
        put(d, cl[CL_ORDER[k]], 3);
    for (int k = 0; k < ns; k++) {
        put(d, cc[sym[k]], cl[sym[k]]);
        if (sym[k] >= 16)
            put(d, extra[k], sym[k] == 16 ? 2 : (sym[k] == 17 ? 3 : 7));
    }
}

/* The tokens so far as one block with its own codes (final: the stream's last). */
static void put_block(struct bm__deflate *d, int final)
{
    unsigned char ll[286], dl[30];
    uint16_t lc[286], dc[30];
    d->lit_freq[256] = 1; /* the end of the block */
    huff_lengths(d->lit_freq, 286, 15, ll);
    huff_lengths(d->dist_freq, 30, 15, dl);
    canonical(ll, 286, lc);
    canonical(dl, 30, dc);
    int nlit = 286, ndist = 30;
    while (nlit > 257 && !ll[nlit - 1])
        nlit--;
    while (ndist > 1 && !dl[ndist - 1])
        ndist--;
    /* the header (under 600 bytes), then at most 15 + 5 + 15 bits a token */
    if (reserve(d, 640 + 5 * d->ntok) == 0) {
        put(d, final ? 1 : 0, 1);
        put(d, 2, 2); /* dynamic Huffman codes */
        put_lengths(d, ll, nlit, dl, ndist);
        for (size_t k = 0; k < d->ntok; k++) {
            uint32_t t = d->tok[k];
            if (!(t & MATCH_FLAG)) {
                put(d, lc[t], ll[t]);
                continue;
            }
            unsigned len = t & 511, c = d->len_code[len];
            put(d, lc[257 + c], ll[257 + c]);
            if (LEN_EXTRA[c])
                put(d, len - LEN_BASE[c], LEN_EXTRA[c]);
            put(d, dc[0], dl[0]); /* distance 1: code 0, no extra bits */
        }
        put(d, lc[256], ll[256]);
    }
    d->ntok = 0;
    memset(d->lit_freq, 0, sizeof d->lit_freq);
    memset(d->dist_freq, 0, sizeof d->dist_freq);
}

/* ---- tokens ---------------------------------------------------------------- */

static inline void literal(struct bm__deflate *d, unsigned v)
{
    d->tok[d->ntok++] = v;
    d->lit_freq[v]++;
    /* Adler-32 (RFC 1950): reduced every 4,096 bytes, long before 64 bits overflow */
    d->a += v;
    d->b += d->a;
    if (++d->a_bytes == 4096) {
        d->a %= ADLER_MOD;
        d->b %= ADLER_MOD;
        d->a_bytes = 0;
    }
    if (d->ntok == BLOCK_TOKENS)
        put_block(d, 0);
}

/* A match of len (3-258) bytes at distance 1; the bytes are in the sums already. */
static inline void match(struct bm__deflate *d, unsigned len)
{
    d->tok[d->ntok++] = MATCH_FLAG | len;
    d->lit_freq[257 + d->len_code[len]]++;
    d->dist_freq[0]++;
    if (d->ntok == BLOCK_TOKENS)
        put_block(d, 0);
}

/*
 * n bytes of value v in Adler-32's sums: a short run byte by byte, as
 * literals are; a long one at once, a += n v, b += n a + v n (n + 1) / 2,
 * reduced (two divisions: dearer than a few additions).
 */
static void adler_run(struct bm__deflate *d, unsigned v, size_t n)
{
    if (n <= 32) {
        for (size_t k = 0; k < n; k++) {
            d->a += v;
            d->b += d->a;
        }
        d->a_bytes += n;
        if (d->a_bytes >= 4096) {
            d->a %= ADLER_MOD;
            d->b %= ADLER_MOD;
            d->a_bytes = 0;
        }
        return;
    }
    while (n > 0) {
        uint64_t k = n > (1u << 20) ? (1u << 20) : n;
        d->b = (d->b + k * d->a + v * (k * (k + 1) / 2)) % ADLER_MOD;
        d->a = (d->a + k * v) % ADLER_MOD;
        n -= k;
    }
    d->a_bytes = 0;
}

/* n more bytes that repeat the last one: matches of 258 now, the rest when the run ends. */
static void add_run(struct bm__deflate *d, size_t n)
{
    adler_run(d, d->prev, n);
    d->run += n;
    while (d->run >= 258) {
        match(d, 258);
        d->run -= 258;
    }
}

/* The pending run as a match, or as literals when too short for one. */
static void end_run(struct bm__deflate *d)
{
    if (d->run >= 3) {
        match(d, (unsigned)d->run);
    } else {
        /* as literal() but for the sums, which add_run() counted */
        for (size_t k = 0; k < d->run; k++) {
            d->tok[d->ntok++] = d->prev;
            d->lit_freq[d->prev]++;
            if (d->ntok == BLOCK_TOKENS)
                put_block(d, 0);
        }
    }
    d->run = 0;
}

static inline int zero8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w == 0;
}

void bm__deflate_bytes(struct bm__deflate *d, const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned v = p[i];
        if (d->have_prev && v == d->prev) {
            size_t j = i + 1;
            if (v == 0) /* zeros, the usual run: eight at a time */
                while (j + 8 <= n && zero8(p + j))
                    j += 8;
            while (j < n && p[j] == v)
                j++;
            add_run(d, j - i);
            i = j;
            continue;
        }
        if (d->run)
            end_run(d);
        literal(d, v);
        d->prev = v;
        d->have_prev = 1;
        i++;
    }
}

void bm__deflate_zeros(struct bm__deflate *d, size_t n)
{
    if (n == 0)
        return;
    if (!d->have_prev || d->prev != 0) {
        if (d->run)
            end_run(d);
        literal(d, 0);
        d->prev = 0;
        d->have_prev = 1;
        n--;
    }
    add_run(d, n);
}

/* ---- the stream -------------------------------------------------------------- */

int bm__deflate_init(struct bm__deflate *d)
{
    memset(d, 0, sizeof *d);
    d->ok = 1;
    d->a = 1;
    for (unsigned len = 3, c = 0; len <= 258; len++) {
        while (c < 28 && LEN_BASE[c + 1] <= len)
            c++;
        d->len_code[len] = (unsigned char)c;
    }
    d->tok = malloc(BLOCK_TOKENS * sizeof *d->tok);
    if (!d->tok || reserve(d, 1 << 16) != 0) {
        d->ok = 0;
        return -1;
    }
    return 0;
}

int bm__deflate_finish(struct bm__deflate *d, int last)
{
    end_run(d);
    put_block(d, last);
    if (reserve(d, 16) != 0)
        return -1;
    if (!last) {
        /* an empty stored block: the stream ends on a byte boundary, not finished */
        put(d, 0, 3);
        align(d);
        static const unsigned char empty[4] = {0, 0, 0xff, 0xff};
        memcpy(d->out + d->out_len, empty, 4);
        d->out_len += 4;
    } else {
        align(d);
    }
    d->adler = (uint32_t)((d->b % ADLER_MOD) << 16 | (d->a % ADLER_MOD));
    return d->ok ? 0 : -1;
}

void bm__deflate_free(struct bm__deflate *d)
{
    free(d->tok);
    free(d->out);
    d->tok = NULL;
    d->out = NULL;
}
