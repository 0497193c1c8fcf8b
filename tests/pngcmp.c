/* bordermap tests: comparing a rendered PNG with its reviewed golden. */
#include "pngcmp.h"

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>

static cairo_surface_t *read_png(const char *path, char *why, size_t size)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        snprintf(why, size, "cannot read %s: %s", path,
                 cairo_status_to_string(cairo_surface_status(s)));
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_surface_t *rgb = cairo_image_surface_create(
        CAIRO_FORMAT_ARGB32, cairo_image_surface_get_width(s), cairo_image_surface_get_height(s));
    /* Flatten on white, so that an alpha PNG compares as it shows. */
    cairo_t *cr = cairo_create(rgb);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    cairo_surface_flush(rgb);
    return rgb;
}

/* Two images to compare and their pixels: 4 bytes (B, G, R, A) each, stride bytes a row. */
struct pair {
    cairo_surface_t *a, *b;
    unsigned char *pa, *pb;
    int w, h, stride; /* a's */
};

static void pair_free(struct pair *p)
{
    cairo_surface_destroy(p->a);
    cairo_surface_destroy(p->b);
}

/*
 * Read the PNGs a and b into p. Returns 0; -1 when one cannot be read; 1 when
 * their sizes differ (p->w and p->h are a's). Both failures free p and put
 * their message in why (size bytes).
 */
static int pair_read(const char *a, const char *b, struct pair *p, char *why, size_t size)
{
    *p = (struct pair){0};
    p->a = read_png(a, why, size);
    p->b = p->a ? read_png(b, why, size) : NULL;
    if (!p->b) {
        pair_free(p);
        return -1;
    }
    p->w = cairo_image_surface_get_width(p->a);
    p->h = cairo_image_surface_get_height(p->a);
    if (p->w != cairo_image_surface_get_width(p->b) ||
        p->h != cairo_image_surface_get_height(p->b)) {
        snprintf(why, size, "%s is %d x %d pixels, %s is %d x %d", a, p->w, p->h, b,
                 cairo_image_surface_get_width(p->b), cairo_image_surface_get_height(p->b));
        pair_free(p);
        return 1;
    }
    p->pa = cairo_image_surface_get_data(p->a);
    p->pb = cairo_image_surface_get_data(p->b);
    p->stride = cairo_image_surface_get_stride(p->a);
    return 0;
}

/*
 * Write the image of the differences to path: a faded to grey, and each pixel
 * whose mark (a byte a pixel, row by row) is m > 0 in colour[m - 1] (B, G, R).
 * Overwrites a's pixels.
 */
static void write_diff(struct pair *p, const unsigned char *mark, const unsigned char colour[][3],
                       const char *path)
{
    for (int y = 0; y < p->h; y++)
        for (int x = 0; x < p->w; x++) {
            unsigned char *px = p->pa + y * p->stride + 4 * x;
            int m = mark[(size_t)y * (size_t)p->w + (size_t)x];
            int grey = 192 + (px[0] + px[1] + px[2]) / 12;
            for (int c = 0; c < 3; c++)
                px[c] = (unsigned char)(m ? colour[m - 1][c] : grey);
        }
    cairo_surface_mark_dirty(p->a);
    cairo_surface_write_to_png(p->a, path);
}

int png_compare(const char *a, const char *b, struct png_diff *d, const char *diff_png, char *why,
                size_t size)
{
    struct pair p;
    int rc = pair_read(a, b, &p, why, size);
    if (rc < 0)
        return -1;
    int w = p.w, h = p.h, st = p.stride;
    *d = (struct png_diff){w, h, 0, 0, 0, w, h, -1, -1};
    if (rc > 0)
        return 1;
    const unsigned char *pa = p.pa, *pb = p.pb;
    unsigned char *mark = calloc((size_t)w * (size_t)h, 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int most = 0;
            for (int c = 0; c < 3; c++) {
                int v = abs(pa[y * st + 4 * x + c] - pb[y * st + 4 * x + c]);
                most = v > most ? v : most;
            }
            d->max = most > d->max ? most : d->max;
            if (most > 2)
                d->over2++;
            if (most > 8) {
                d->over8++;
                d->x0 = x < d->x0 ? x : d->x0;
                d->y0 = y < d->y0 ? y : d->y0;
                d->x1 = x > d->x1 ? x : d->x1;
                d->y1 = y > d->y1 ? y : d->y1;
            }
            if (mark)
                mark[(size_t)y * (size_t)w + (size_t)x] = most > 8 ? 2 : most > 2;
        }
    if (diff_png && mark && d->over2 > 0) {
        /* Orange over 2 levels, red over 8. */
        static const unsigned char colour[2][3] = {{0, 140, 255}, {0, 0, 255}};
        write_diff(&p, mark, colour, diff_png);
    }
    free(mark);
    pair_free(&p);
    return 0;
}

/* Has pixel (x, y) of a no pixel of b within reach whose channels are all within level? */
static int far_from(const unsigned char *pa, const unsigned char *pb, int st, int w, int h, int x,
                    int y, int reach, int level)
{
    const unsigned char *p = pa + y * st + 4 * x;
    for (int v = y - reach; v <= y + reach; v++)
        for (int u = x - reach; u <= x + reach; u++) {
            if (u < 0 || v < 0 || u >= w || v >= h)
                continue;
            const unsigned char *q = pb + v * st + 4 * u;
            if (abs(p[0] - q[0]) <= level && abs(p[1] - q[1]) <= level && abs(p[2] - q[2]) <= level)
                return 0;
        }
    return 1;
}

int png_compare_near(const char *a, const char *b, int reach, int level, long *far,
                     const char *diff_png, char *why, size_t size)
{
    struct pair p;
    int rc = pair_read(a, b, &p, why, size);
    if (rc != 0)
        return rc;
    int w = p.w, h = p.h, st = p.stride;
    const unsigned char *pa = p.pa, *pb = p.pb;
    unsigned char *mark = calloc((size_t)w * (size_t)h, 1);
    *far = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int f = far_from(pa, pb, st, w, h, x, y, reach, level) ||
                    far_from(pb, pa, st, w, h, x, y, reach, level);
            *far += f;
            if (mark)
                mark[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)f;
        }
    if (diff_png && mark && *far > 0) {
        static const unsigned char red[1][3] = {{0, 0, 255}};
        write_diff(&p, mark, red, diff_png);
    }
    free(mark);
    pair_free(&p);
    return 0;
}

int png_diff_ok(const struct png_diff *d)
{
    return d->over8 <= PNG_MAX_OVER8 && d->over2 <= PNG_MAX_OVER2;
}
