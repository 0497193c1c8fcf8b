/*
 * bordermap internal: a raw deflate stream (RFC 1951) of bytes that are mostly
 * runs, as the rows of a map filtered Up are: 97 % of their bytes are zeros.
 *
 * The bytes are cut into literals and matches at distance 1 (runs of one
 * byte), as zlib's Z_RLE strategy does, but a run is counted, not scanned
 * byte by byte; the blocks get their own Huffman codes. The Adler-32 of the
 * bytes is kept alongside (a zlib stream's trailer). Streams made of
 * consecutive parts (bands of an image encoded in parallel) are joined by
 * ending every part but the last on a byte boundary, as zlib's
 * Z_SYNC_FLUSH does.
 */
#ifndef BM_DEFLATE_H
#define BM_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

struct bm__deflate {
    /* the compressed bytes so far (malloc'd, owned: bm__deflate_free) */
    unsigned char *out;
    size_t out_len, out_cap;
    uint32_t adler; /* Adler-32 of every byte given, once finished */
    int ok;         /* 0 once out of memory: the stream is lost */
    /* private */
    uint64_t bits;
    int nbits;
    uint32_t *tok; /* this block's literals and matches */
    size_t ntok;
    uint32_t lit_freq[286], dist_freq[30];
    int have_prev;  /* a byte was given: a run can repeat it */
    unsigned prev;  /* the last byte given */
    size_t run;     /* bytes after the last literal that repeat prev, not yet a match */
    uint64_t a, b;  /* Adler-32's sums, reduced now and then */
    size_t a_bytes; /* bytes added to a since it was last reduced */
    unsigned char len_code[259];
};

/* Start an empty stream. 0, or -1 when out of memory (free it all the same). */
int bm__deflate_init(struct bm__deflate *d);

/* Append n bytes at p. */
void bm__deflate_bytes(struct bm__deflate *d, const unsigned char *p, size_t n);

/* Append n zero bytes. */
void bm__deflate_zeros(struct bm__deflate *d, size_t n);

/*
 * End the stream: with its final block when last is set, else on a byte
 * boundary after an empty stored block, so that another stream can follow.
 * Returns 0, or -1 when out of memory at any point.
 */
int bm__deflate_finish(struct bm__deflate *d, int last);

/* Free what d holds. */
void bm__deflate_free(struct bm__deflate *d);

#endif
