/* bordermap: a recorded map to PNG, a band of rows at a time, on two cores. */
#include "core/internal.h"
#include "out/deflate.h"
#include "out/formats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h> /* crc32 */

/*
 * cairo_surface_write_to_png() lets libpng try every row filter at zlib's
 * default level: half the time of drawing a whole map. A map is mostly flat
 * colour, so one filter (Up) and run-length matches do nearly as well, many
 * times faster (deflate.c: a row's pixels equal to those above are counted,
 * not encoded byte by byte). Measured on the reference map (A4, 300 dpi;
 * callgrind): libpng with Up and zlib's Z_RLE at level 1, 0.91 G
 * instructions to filter and compress; deflate.c, see the README's speed
 * table.
 *
 * The map is not drawn on a page of pixels but recorded (formats.c), and
 * played back here a band of rows at a time: a page at 300 dpi is 35 MB, a
 * band 4 MB. While one band is played into one buffer, the band before it,
 * in the other, is encoded on a second thread; the file is one zlib stream.
 */

enum { BAND_BYTES = 4 << 20 }; /* a band's pixels, at most (but 64 rows at least) */

/* Rows of pixels as cairo drew them: n rows from data, stride apart. */
struct rows {
    const unsigned char *data;
    const unsigned char *above; /* the row above the first, as drawn; NULL: the image's top */
    int stride, w, n;
    int alpha; /* ARGB32 written as RGBA, else RGB24 as RGB */
};

/*
 * A row of an ARGB32 surface as PNG's bytes, R, G, B, A: cairo's colours are
 * premultiplied by their alpha and PNG's are not.
 */
static void rgba_row(const unsigned char *p, int w, unsigned char *out)
{
    for (int x = 0; x < w; x++, p += 4, out += 4) {
        uint32_t px;
        memcpy(&px, p, 4);
        unsigned a = px >> 24;
        for (int i = 0; i < 3; i++) {
            unsigned c = (px >> (16 - 8 * i)) & 255;
            out[i] = a ? (unsigned char)((c * 255u + a / 2) / a) : 0;
        }
        out[3] = (unsigned char)a;
    }
}

static const unsigned char UP = 2; /* the filter byte of a row filtered Up */

/* ARGB32 rows: each converted, less the row above, then encoded. */
static int rgba_rows(struct bm__deflate *z, const struct rows *r)
{
    size_t len = 4 * (size_t)r->w;
    unsigned char *cur = malloc(len), *up = calloc(1, len), *row = malloc(len);
    int ok = cur && up && row;
    if (ok && r->above)
        rgba_row(r->above, r->w, up);
    for (int y = 0; ok && y < r->n; y++) {
        rgba_row(r->data + (size_t)y * (size_t)r->stride, r->w, cur);
        for (size_t i = 0; i < len; i++)
            row[i] = (unsigned char)(cur[i] - up[i]);
        bm__deflate_bytes(z, &UP, 1);
        bm__deflate_bytes(z, row, len);
        unsigned char *t = up;
        up = cur;
        cur = t;
    }
    free(cur);
    free(up);
    free(row);
    return ok ? 0 : -1;
}

/*
 * RGB24 rows (a little-endian xRGB word a pixel): a pixel equal to the one
 * above is three zero bytes; those that differ, R, G and B less the pixel
 * above's. Pixels are compared two at a time (a 64-bit word).
 */
static int rgb_rows(struct bm__deflate *z, const struct rows *r)
{
    unsigned char *zero = r->above ? NULL : calloc(1, (size_t)r->stride);
    if (!r->above && !zero)
        return -1;
    for (int y = 0; y < r->n; y++) {
        const unsigned char *cur = r->data + (size_t)y * (size_t)r->stride;
        const unsigned char *up = y > 0 ? cur - r->stride : (r->above ? r->above : zero);
        bm__deflate_bytes(z, &UP, 1);
        for (int x = 0; x < r->w;) {
            int x0 = x;
            for (uint64_t c, u; x + 2 <= r->w; x += 2) {
                memcpy(&c, cur + 4 * x, 8);
                memcpy(&u, up + 4 * x, 8);
                if (c != u)
                    break;
            }
            for (uint32_t c, u; x < r->w; x++) {
                memcpy(&c, cur + 4 * x, 4);
                memcpy(&u, up + 4 * x, 4);
                if (c != u)
                    break;
            }
            bm__deflate_zeros(z, 3 * (size_t)(x - x0));
            unsigned char diff[3 * 64];
            int k = 0;
            for (uint32_t c, u; x < r->w && k < 64; x++, k++) {
                memcpy(&c, cur + 4 * x, 4);
                memcpy(&u, up + 4 * x, 4);
                if (c == u)
                    break;
                diff[3 * k] = (unsigned char)((c >> 16) - (u >> 16));
                diff[3 * k + 1] = (unsigned char)((c >> 8) - (u >> 8));
                diff[3 * k + 2] = (unsigned char)(c - u);
            }
            bm__deflate_bytes(z, diff, 3 * (size_t)k);
        }
    }
    free(zero);
    return 0;
}

/* ---- playing the recording back, band by band -------------------------------- */

enum { NBUF = 2 }; /* bands in memory at once: one being played, the one before being encoded */

struct bands {
    cairo_surface_t *rec; /* the map as recorded */
    cairo_format_t fmt;
    int w, h, stride, band_h, nb, alpha;
    unsigned char *buf[NBUF]; /* band k is played into buf[k % NBUF] */
    unsigned char *last;      /* the last row of the band encoded last */
    struct bm__deflate z;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int played, encoded; /* bands so far; guarded by mu */
    int failed;          /* guarded by mu */
};

/* Band k's rows played into its buffer. 0 or -1. */
static int play_band(struct bands *b, int k)
{
    int y0 = k * b->band_h, n = y0 + b->band_h < b->h ? b->band_h : b->h - y0;
    cairo_surface_t *band = cairo_image_surface_create_for_data(b->buf[k % NBUF], b->fmt, b->w,
                                                                n, b->stride);
    cairo_t *cr = cairo_create(band);
    /* SOURCE over the band: cairo plays the recording straight into it, each
     * operation clipped to the band's rows, as if the band were the page. */
    cairo_set_source_surface(cr, b->rec, 0, -y0);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    cairo_paint(cr);
    int ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS;
    cairo_destroy(cr);
    cairo_surface_flush(band);
    ok = ok && cairo_surface_status(band) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(band);
    return ok ? 0 : -1;
}

/* Band k's rows encoded, after the band above it; its last row kept for the next. 0 or -1. */
static int encode_band(struct bands *b, int k)
{
    int y0 = k * b->band_h, n = y0 + b->band_h < b->h ? b->band_h : b->h - y0;
    const unsigned char *data = b->buf[k % NBUF];
    struct rows r = {data, k > 0 ? b->last : NULL, b->stride, b->w, n, b->alpha};
    int bad = (b->alpha ? rgba_rows(&b->z, &r) : rgb_rows(&b->z, &r)) != 0;
    memcpy(b->last, data + (size_t)(n - 1) * (size_t)b->stride, (size_t)b->stride);
    return bad ? -1 : 0;
}

/* The second thread: each band once it is played, in order. */
static void *encoder(void *arg)
{
    struct bands *b = arg;
    for (int k = 0; k < b->nb; k++) {
        pthread_mutex_lock(&b->mu);
        while (b->played <= k && !b->failed)
            pthread_cond_wait(&b->cv, &b->mu);
        int stop = b->failed;
        pthread_mutex_unlock(&b->mu);
        if (stop)
            break;
        int bad = encode_band(b, k) != 0;
        pthread_mutex_lock(&b->mu);
        b->encoded = k + 1;
        b->failed |= bad;
        pthread_cond_signal(&b->cv);
        pthread_mutex_unlock(&b->mu);
        if (bad)
            break;
    }
    return NULL;
}

/*
 * Every band played and encoded into b->z: played on this thread while the
 * band before is encoded on a second, where there is a second core. One
 * thread plays, for cairo is not safe to share between threads beyond what
 * it promises (pixman's reference counts are not atomic: ThreadSanitizer
 * found two threads playing one map's recording at the same colours racing
 * on them). 0 or -1.
 */
static int play_and_encode(struct bands *b)
{
    pthread_t tid;
    int threaded = b->nb > 1 && sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
                   pthread_create(&tid, NULL, encoder, b) == 0;
    int bad = 0;
    for (int k = 0; k < b->nb && !bad; k++) {
        if (!threaded) {
            bad = play_band(b, k) != 0 || encode_band(b, k) != 0;
            continue;
        }
        /* buf[k % NBUF] held band k - NBUF: wait until it is encoded. */
        pthread_mutex_lock(&b->mu);
        while (b->encoded < k - (NBUF - 1) && !b->failed)
            pthread_cond_wait(&b->cv, &b->mu);
        bad = b->failed;
        pthread_mutex_unlock(&b->mu);
        bad = bad || play_band(b, k) != 0;
        pthread_mutex_lock(&b->mu);
        b->played = k + 1;
        b->failed |= bad;
        pthread_cond_signal(&b->cv);
        pthread_mutex_unlock(&b->mu);
    }
    if (threaded) {
        pthread_join(tid, NULL);
        bad = bad || b->failed || b->encoded < b->nb;
    }
    return bad ? -1 : 0;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* One PNG chunk: length, type, data, CRC of type and data. */
static int chunk(struct bm__outfile *f, const char *type, const unsigned char *data, size_t len,
                 const unsigned char *tail, size_t tail_len)
{
    unsigned char head[8];
    put32(head, (uint32_t)(len + tail_len));
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0, head + 4, 4);
    if (len) /* crc32() with no data returns its initial value, not crc */
        crc = crc32(crc, data, (uInt)len);
    if (tail_len)
        crc = crc32(crc, tail, (uInt)tail_len);
    unsigned char c[4];
    put32(c, (uint32_t)crc);
    return bm__output_write(f, head, 8) == 0 && (!len || bm__output_write(f, data, len) == 0) &&
                   (!tail_len || bm__output_write(f, tail, tail_len) == 0) &&
                   bm__output_write(f, c, 4) == 0
               ? 0
               : -1;
}

int bm__png_band_rows(int w_px, int alpha)
{
    int stride = cairo_format_stride_for_width(alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24, w_px);
    int rows = stride > 0 ? BAND_BYTES / stride : 64;
    return rows < 64 ? 64 : rows;
}

int bm__write_png(const struct bm__output *o, cairo_surface_t *rec)
{
    double dpi = o->dpi;
    int w = o->w_px, h = o->h_px;
    struct bands b = {.rec = rec,
                      .fmt = o->alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                      .w = w,
                      .h = h,
                      .alpha = o->alpha};
    b.stride = cairo_format_stride_for_width(b.fmt, w);
    if (b.stride <= 0 || h <= 0)
        return -1;
    b.band_h = bm__png_band_rows(w, o->alpha);
    b.band_h = b.band_h > h ? h : b.band_h;
    b.nb = (h + b.band_h - 1) / b.band_h;
    size_t band_bytes = (size_t)b.stride * (size_t)b.band_h;
    int nbuf = b.nb < NBUF ? b.nb : NBUF, ok = 1;
    for (int i = 0; i < nbuf; i++)
        ok = ok && (b.buf[i] = malloc(band_bytes)) != NULL;
    b.last = malloc((size_t)b.stride);
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    ok = ok && b.last && bm__deflate_init(&b.z) == 0 &&
         cairo_surface_status(rec) == CAIRO_STATUS_SUCCESS && play_and_encode(&b) == 0 &&
         bm__deflate_finish(&b.z, 1) == 0;
    pthread_mutex_destroy(&b.mu);
    pthread_cond_destroy(&b.cv);
    for (int i = 0; i < NBUF; i++)
        free(b.buf[i]);
    free(b.last);
    struct bm__outfile *f = o->file;
    if (ok) {
        static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        unsigned char ihdr[13], phys[9], zhead[2] = {0x78, 0x01}, zend[4];
        put32(ihdr, (uint32_t)w);
        put32(ihdr + 4, (uint32_t)h);
        ihdr[8] = 8;                /* bits per channel */
        ihdr[9] = o->alpha ? 6 : 2; /* RGBA or RGB */
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        uint32_t ppm = (uint32_t)(dpi / 0.0254 + 0.5);
        put32(phys, ppm);
        put32(phys + 4, ppm);
        phys[8] = 1; /* per metre */
        put32(zend, b.z.adler);
        ok = bm__output_write(f, sig, 8) == 0 && chunk(f, "IHDR", ihdr, 13, NULL, 0) == 0 &&
             chunk(f, "pHYs", phys, 9, NULL, 0) == 0 && chunk(f, "IDAT", zhead, 2, NULL, 0) == 0 &&
             chunk(f, "IDAT", b.z.out, b.z.out_len, zend, 4) == 0 &&
             chunk(f, "IEND", NULL, 0, NULL, 0) == 0;
    }
    bm__deflate_free(&b.z);
    return ok ? 0 : -1;
}
