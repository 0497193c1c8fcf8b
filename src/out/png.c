/* bordermap: writing a cairo image to PNG quickly, on every core. */
#include "core/internal.h"
#include "out/formats.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/*
 * cairo_surface_write_to_png() lets libpng try every row filter at zlib's
 * default level: half the time of drawing a whole map. A map is mostly flat
 * colour, so one filter (Up) and zlib's run-length strategy at level 1 do
 * nearly as well, several times faster; and the image is cut into bands that
 * are filtered and deflated in parallel, then joined into one zlib stream
 * the way pigz does it (each band but the last ends on a byte boundary with
 * a sync flush; the Adler-32 checksums are combined). Measured on the
 * reference map (A4, 300 dpi; hyperfine): cairo's writer 0.81 s in all;
 * libpng with Up + RLE, one thread, 0.52 s; bands on two cores: see the
 * README's speed table.
 */

struct band {
    const unsigned char *data; /* the surface */
    int stride, w, y0, y1;     /* rows [y0, y1) */
    int last;
    int alpha;          /* ARGB32 written as RGBA, else RGB24 as RGB */
    unsigned char *out; /* raw deflate of the band */
    size_t out_len;
    uLong adler; /* of the band's filtered bytes */
    uLong raw_len;
    int ok;
};

/*
 * Row y of the surface as PNG's bytes: R, G, B from CAIRO_FORMAT_RGB24 (a
 * little-endian xRGB word per pixel, so B, G, R, x in memory), or R, G, B, A
 * from CAIRO_FORMAT_ARGB32, whose colours are premultiplied by their alpha
 * and PNG's are not.
 */
static void raw_row(const struct band *b, int y, unsigned char *out)
{
    const unsigned char *p = b->data + (size_t)y * (size_t)b->stride;
    for (int x = 0; x < b->w; x++, p += 4) {
        if (!b->alpha) {
            out[0] = p[2];
            out[1] = p[1];
            out[2] = p[0];
            out += 3;
            continue;
        }
        unsigned a = p[3];
        for (int i = 0; i < 3; i++)
            out[i] = a ? (unsigned char)((p[2 - i] * 255u + a / 2) / a) : 0;
        out[3] = (unsigned char)a;
        out += 4;
    }
}

/* One row, filtered Up: the filter byte, then each byte less the one above (none: 0). */
static void filter_row(const unsigned char *cur, const unsigned char *up, size_t len,
                       unsigned char *row)
{
    row[0] = 2; /* Up */
    for (size_t i = 0; i < len; i++)
        row[1 + i] = (unsigned char)(cur[i] - (up ? up[i] : 0));
}

static void *deflate_band(void *arg)
{
    struct band *b = arg;
    size_t raw_len = (b->alpha ? 4 : 3) * (size_t)b->w, row_len = 1 + raw_len;
    unsigned char *row = malloc(row_len), *cur = malloc(raw_len), *up = malloc(raw_len);
    z_stream z = {0};
    b->ok = 0;
    if (!row || !cur || !up || deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_RLE) != Z_OK) {
        free(row);
        free(cur);
        free(up);
        return NULL;
    }
    if (b->y0 > 0)
        raw_row(b, b->y0 - 1, up);
    size_t cap = deflateBound(&z, (uLong)(row_len * (size_t)(b->y1 - b->y0))) + 64;
    b->out = malloc(cap);
    b->adler = adler32(0, NULL, 0);
    b->raw_len = 0;
    z.next_out = b->out;
    z.avail_out = (uInt)cap;
    int ok = b->out != NULL;
    for (int y = b->y0; ok && y < b->y1; y++) {
        raw_row(b, y, cur);
        filter_row(cur, y > 0 ? up : NULL, raw_len, row);
        unsigned char *t = up;
        up = cur;
        cur = t;
        b->adler = adler32(b->adler, row, (uInt)row_len);
        b->raw_len += row_len;
        z.next_in = row;
        z.avail_in = (uInt)row_len;
        int flush = y + 1 < b->y1 ? Z_NO_FLUSH : (b->last ? Z_FINISH : Z_SYNC_FLUSH);
        int r = deflate(&z, flush);
        ok = (r == Z_OK || r == Z_STREAM_END || r == Z_BUF_ERROR) && z.avail_in == 0;
    }
    b->out_len = cap - z.avail_out;
    deflateEnd(&z);
    free(row);
    free(cur);
    free(up);
    b->ok = ok;
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
        bands[i] = (struct band){data,
                                 cairo_image_surface_get_stride(s),
                                 w,
                                 h * i / nb,
                                 h * (i + 1) / nb,
                                 i == nb - 1,
                                 o->alpha,
                                 NULL,
                                 0,
                                 0,
                                 0,
                                 0};
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
        uLong adler = bands[0].adler;
        for (int i = 1; i < nb; i++)
            adler = adler32_combine(adler, bands[i].adler, (z_off_t)bands[i].raw_len);
        put32(zend, (uint32_t)adler);
        ok = bm__output_write(f, sig, 8) == 0 && chunk(f, "IHDR", ihdr, 13, NULL, 0) == 0 &&
             chunk(f, "pHYs", phys, 9, NULL, 0) == 0 && chunk(f, "IDAT", zhead, 2, NULL, 0) == 0;
        for (int i = 0; ok && i < nb; i++)
            ok = chunk(f, "IDAT", bands[i].out, bands[i].out_len, i == nb - 1 ? zend : NULL,
                       i == nb - 1 ? 4 : 0) == 0;
        ok = ok && chunk(f, "IEND", NULL, 0, NULL, 0) == 0;
    }
    for (int i = 0; i < nb; i++)
        free(bands[i].out);
    return ok ? 0 : -1;
}
