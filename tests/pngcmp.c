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

int png_compare(const char *a, const char *b, struct png_diff *d, const char *diff_png, char *why,
                size_t size)
{
    cairo_surface_t *sa = read_png(a, why, size);
    cairo_surface_t *sb = sa ? read_png(b, why, size) : NULL;
    if (!sb) {
        cairo_surface_destroy(sa);
        return -1;
    }
    int w = cairo_image_surface_get_width(sa), h = cairo_image_surface_get_height(sa);
    *d = (struct png_diff){w, h, 0, 0, 0, w, h, -1, -1};
    if (w != cairo_image_surface_get_width(sb) || h != cairo_image_surface_get_height(sb)) {
        snprintf(why, size, "%s is %d x %d pixels, %s is %d x %d", a, w, h, b,
                 cairo_image_surface_get_width(sb), cairo_image_surface_get_height(sb));
        cairo_surface_destroy(sa);
        cairo_surface_destroy(sb);
        return 1;
    }
    unsigned char *pa = cairo_image_surface_get_data(sa), *pb = cairo_image_surface_get_data(sb);
    int st = cairo_image_surface_get_stride(sa);
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
        /* The differences over a faded copy of a. */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                unsigned char *p = pa + y * st + 4 * x;
                int m = mark[(size_t)y * (size_t)w + (size_t)x];
                int grey = 192 + (p[0] + p[1] + p[2]) / 12;
                p[0] = (unsigned char)(m ? 0 : grey);
                p[1] = (unsigned char)(m == 2 ? 0 : m ? 140 : grey);
                p[2] = (unsigned char)(m ? 255 : grey);
            }
        cairo_surface_mark_dirty(sa);
        cairo_surface_write_to_png(sa, diff_png);
    }
    free(mark);
    cairo_surface_destroy(sa);
    cairo_surface_destroy(sb);
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
    cairo_surface_t *sa = read_png(a, why, size);
    cairo_surface_t *sb = sa ? read_png(b, why, size) : NULL;
    if (!sb) {
        cairo_surface_destroy(sa);
        return -1;
    }
    int w = cairo_image_surface_get_width(sa), h = cairo_image_surface_get_height(sa);
    if (w != cairo_image_surface_get_width(sb) || h != cairo_image_surface_get_height(sb)) {
        snprintf(why, size, "%s is %d x %d pixels, %s is %d x %d", a, w, h, b,
                 cairo_image_surface_get_width(sb), cairo_image_surface_get_height(sb));
        cairo_surface_destroy(sa);
        cairo_surface_destroy(sb);
        return 1;
    }
    unsigned char *pa = cairo_image_surface_get_data(sa), *pb = cairo_image_surface_get_data(sb);
    int st = cairo_image_surface_get_stride(sa);
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
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                unsigned char *p = pa + y * st + 4 * x;
                int grey = 192 + (p[0] + p[1] + p[2]) / 12;
                int m = mark[(size_t)y * (size_t)w + (size_t)x];
                p[0] = (unsigned char)(m ? 0 : grey);
                p[1] = (unsigned char)(m ? 0 : grey);
                p[2] = (unsigned char)(m ? 255 : grey);
            }
        cairo_surface_mark_dirty(sa);
        cairo_surface_write_to_png(sa, diff_png);
    }
    free(mark);
    cairo_surface_destroy(sa);
    cairo_surface_destroy(sb);
    return 0;
}

int png_diff_ok(const struct png_diff *d)
{
    return d->over8 <= PNG_MAX_OVER8 && d->over2 <= PNG_MAX_OVER2;
}
