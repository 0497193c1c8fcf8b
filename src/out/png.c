/* bordermap: writing a cairo image to PNG quickly, on every core. */
#include "core/internal.h"
#include "out/deflate.h"
#include "out/formats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h> /* crc32, adler32_combine */

/*
 * cairo_surface_write_to_png() lets libpng try every row filter at zlib's
 * default level: half the time of drawing a whole map. A map is mostly flat
 * colour, so one filter (Up) and run-length matches do nearly as well, many
 * times faster (deflate.c: a row's pixels equal to those above are counted,
 * not encoded byte by byte); and the image is cut into bands that are
 * encoded in parallel, then joined into one zlib stream the way pigz does
 * it (each band but the last ends on a byte boundary; the Adler-32 checksums
 * are combined). Measured on the reference map (A4, 300 dpi; callgrind):
 * libpng with Up and zlib's Z_RLE at level 1, 0.91 G instructions to filter
 * and compress; deflate.c, see the README's speed table.
 */

struct band {
    const unsigned char *data; /* the surface */
    int stride, w, y0, y1;     /* rows [y0, y1) */
    int last;
    int alpha; /* ARGB32 written as RGBA, else RGB24 as RGB */
    struct bm__deflate z;
    int ok;
};

/*
 * Row y of an ARGB32 surface as PNG's bytes, R, G, B, A: cairo's colours are
 * premultiplied by their alpha and PNG's are not.
 */
static void rgba_row(const struct band *b, int y, unsigned char *out)
{
    const unsigned char *p = b->data + (size_t)y * (size_t)b->stride;
    for (int x = 0; x < b->w; x++, p += 4, out += 4) {
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

/* The rows of an ARGB32 band: each converted, less the row above, then encoded. */
static int rgba_band(struct band *b)
{
    size_t len = 4 * (size_t)b->w;
    unsigned char *cur = malloc(len), *up = calloc(1, len), *row = malloc(len);
    int ok = cur && up && row;
    if (ok && b->y0 > 0)
        rgba_row(b, b->y0 - 1, up);
    for (int y = b->y0; ok && y < b->y1; y++) {
        rgba_row(b, y, cur);
        for (size_t i = 0; i < len; i++)
            row[i] = (unsigned char)(cur[i] - up[i]);
        bm__deflate_bytes(&b->z, &UP, 1);
        bm__deflate_bytes(&b->z, row, len);
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
 * The rows of an RGB24 band (a little-endian xRGB word a pixel): a pixel
 * equal to the one above is three zero bytes; those that differ, R, G and B
 * less the pixel above's. Pixels are compared two at a time (a 64-bit word).
 */
static int rgb_band(struct band *b)
{
    unsigned char *zero = b->y0 == 0 ? calloc(1, (size_t)b->stride) : NULL;
    if (b->y0 == 0 && !zero)
        return -1;
    for (int y = b->y0; y < b->y1; y++) {
        const unsigned char *cur = b->data + (size_t)y * (size_t)b->stride;
        const unsigned char *up = y > 0 ? cur - b->stride : zero;
        bm__deflate_bytes(&b->z, &UP, 1);
        for (int x = 0; x < b->w;) {
            int x0 = x;
            for (uint64_t c, u; x + 2 <= b->w; x += 2) {
                memcpy(&c, cur + 4 * x, 8);
                memcpy(&u, up + 4 * x, 8);
                if (c != u)
                    break;
            }
            for (uint32_t c, u; x < b->w; x++) {
                memcpy(&c, cur + 4 * x, 4);
                memcpy(&u, up + 4 * x, 4);
                if (c != u)
                    break;
            }
            bm__deflate_zeros(&b->z, 3 * (size_t)(x - x0));
            unsigned char diff[3 * 64];
            int k = 0;
            for (uint32_t c, u; x < b->w && k < 64; x++, k++) {
                memcpy(&c, cur + 4 * x, 4);
                memcpy(&u, up + 4 * x, 4);
                if (c == u)
                    break;
                diff[3 * k] = (unsigned char)((c >> 16) - (u >> 16));
                diff[3 * k + 1] = (unsigned char)((c >> 8) - (u >> 8));
                diff[3 * k + 2] = (unsigned char)(c - u);
            }
            bm__deflate_bytes(&b->z, diff, 3 * (size_t)k);
        }
    }
    free(zero);
    return 0;
}

static void *deflate_band(void *arg)
{
    struct band *b = arg;
    b->ok = bm__deflate_init(&b->z) == 0 && (b->alpha ? rgba_band(b) : rgb_band(b)) == 0 &&
            bm__deflate_finish(&b->z, b->last) == 0;
    return NULL;
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

int bm__write_png(const struct bm__output *o, cairo_surface_t *s)
{
    double dpi = o->dpi;
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    cairo_surface_flush(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int nb = (int)(cores < 1 ? 1 : (cores > 8 ? 8 : cores));
    if (h < 64 * nb)
        nb = 1;
    struct band bands[8];
    pthread_t tid[8];
    int started[8] = {0};
    for (int i = 0; i < nb; i++) {
        bands[i] = (struct band){.data = data,
                                 .stride = cairo_image_surface_get_stride(s),
                                 .w = w,
                                 .y0 = h * i / nb,
                                 .y1 = h * (i + 1) / nb,
                                 .last = i == nb - 1,
                                 .alpha = o->alpha};
        started[i] = i > 0 && pthread_create(&tid[i], NULL, deflate_band, &bands[i]) == 0;
    }
    deflate_band(&bands[0]);
    for (int i = 1; i < nb; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            deflate_band(&bands[i]);
    int ok = data != NULL;
    for (int i = 0; i < nb; i++)
        ok = ok && bands[i].ok;
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
        uLong adler = bands[0].z.adler;
        for (int i = 1; i < nb; i++) {
            z_off_t len = (z_off_t)(bands[i].y1 - bands[i].y0) *
                          (z_off_t)(1 + (o->alpha ? 4 : 3) * (size_t)w);
            adler = adler32_combine(adler, bands[i].z.adler, len);
        }
        put32(zend, (uint32_t)adler);
        ok = bm__output_write(f, sig, 8) == 0 && chunk(f, "IHDR", ihdr, 13, NULL, 0) == 0 &&
             chunk(f, "pHYs", phys, 9, NULL, 0) == 0 && chunk(f, "IDAT", zhead, 2, NULL, 0) == 0;
        for (int i = 0; ok && i < nb; i++)
            ok = chunk(f, "IDAT", bands[i].z.out, bands[i].z.out_len, i == nb - 1 ? zend : NULL,
                       i == nb - 1 ? 4 : 0) == 0;
        ok = ok && chunk(f, "IEND", NULL, 0, NULL, 0) == 0;
    }
    for (int i = 0; i < nb; i++)
        bm__deflate_free(&bands[i].z);
    return ok ? 0 : -1;
}
