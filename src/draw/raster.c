/* bordermap: drawing raster layers: warped to the page, coloured by value, clipped, blended. */
#include "core/internal.h"
#include "data/raster.h"
#include "draw/render.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * A raster page takes the data at up to 4 grid pixels per data pixel;
 * beyond that cairo's bilinear filter, scaling the grid to the page,
 * draws the same smooth surface at a fraction of the warper's cost. A
 * vector page (PDF, SVG) takes one grid pixel per data pixel: the viewer
 * interpolates, and the file stays small.
 */
#define OVERSAMPLE_PIXELS 1.0
#define OVERSAMPLE_VECTOR 1.0

/* Colours of values v0..v1 in LUT steps, premultiplied ARGB32. */
#define LUT 1024
struct colours {
    double v0, v1;
    uint32_t argb[LUT];
};

static uint32_t premultiplied(struct bm_color c)
{
    double a = fmin(fmax(c.a, 0), 1);
    uint32_t A = (uint32_t)lround(a * 255), R = (uint32_t)lround(c.r * a * 255),
             G = (uint32_t)lround(c.g * a * 255), B = (uint32_t)lround(c.b * a * 255);
    return A << 24 | R << 16 | G << 8 | B;
}

/* The colour of value v: the ramp's stops blended, or a grey from lo (black) to hi (white). */
static struct bm_color colour_of(const struct bm_raster_style *rs, double lo, double hi, double v)
{
    if (rs->nramp == 0) {
        double t = hi > lo ? fmin(fmax((v - lo) / (hi - lo), 0), 1) : 0.5;
        return (struct bm_color){t, t, t, 1};
    }
    const struct bm_ramp_stop *s = rs->ramp;
    size_t n = rs->nramp;
    if (v <= s[0].value)
        return s[0].color;
    if (v >= s[n - 1].value)
        return s[n - 1].color;
    size_t i = 1;
    while (i + 1 < n && v > s[i].value)
        i++;
    double t = (v - s[i - 1].value) / (s[i].value - s[i - 1].value);
    struct bm_color a = s[i - 1].color, b = s[i].color;
    return (struct bm_color){a.r + t * (b.r - a.r), a.g + t * (b.g - a.g), a.b + t * (b.b - a.b),
                             a.a + t * (b.a - a.a)};
}

/* Are all the ramp's colours greys (the default ramp is)? */
static int all_grey(const struct bm_raster_style *rs)
{
    for (size_t i = 0; i < rs->nramp; i++) {
        struct bm_color c = rs->ramp[i].color;
        if (fabs(c.r - c.g) > 1e-9 || fabs(c.g - c.b) > 1e-9)
            return 0;
    }
    return 1;
}

/*
 * The colours of the ramp in the LUT. over: a grey ramp that multiplies is
 * painted as black over what is beneath, at an alpha of 1 - grey (times the
 * colour's alpha): d * g = 0 * (1 - g) + d * g, the same pixels as the
 * multiply operator, which cairo (pixman) composites several times slower
 * and a PDF holds as a blend mode that some viewers lack.
 */
static void make_colours(const struct bm_raster_style *rs, double lo, double hi, int over,
                         struct colours *c)
{
    c->v0 = rs->nramp ? rs->ramp[0].value : lo;
    c->v1 = rs->nramp ? rs->ramp[rs->nramp - 1].value : hi;
    for (int i = 0; i < LUT; i++) {
        struct bm_color k = colour_of(rs, lo, hi, c->v0 + (c->v1 - c->v0) * i / (LUT - 1));
        if (over)
            k = (struct bm_color){0, 0, 0, k.a * (1 - k.r)};
        c->argb[i] = premultiplied(k);
    }
}

/* Colour the warped values into img; returns how many pixels have data. */
static size_t paint_values(const float *v, cairo_surface_t *img, const struct colours *c)
{
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    double k = c->v1 > c->v0 ? (LUT - 1) / (c->v1 - c->v0) : 0;
    size_t any = 0;
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) {
            float f = v[(size_t)y * (size_t)w + (size_t)x];
            if (f == BM__RASTER_NONE) {
                row[x] = 0;
                continue;
            }
            double t = (f - c->v0) * k;
            int i = t <= 0 ? 0 : (t >= LUT - 1 ? LUT - 1 : (int)lround(t));
            row[x] = c->argb[i];
            any++;
        }
    }
    cairo_surface_mark_dirty(img);
    return any;
}

/*
 * The grid of pixels px pt square over the map frame, its origin on a
 * whole multiple of px from the page's (so that at the device's own
 * resolution grid pixels are device pixels); (*x, *y) its corner on the page.
 */
static void grid_for(const struct bm__frame *f, double px, struct bm__grid *g, double *x, double *y)
{
    *x = floor(f->map.x / px) * px;
    *y = floor(f->map.y / px) * px;
    g->w = (int)ceil((f->map.x + f->map.w - *x) / px);
    g->h = (int)ceil((f->map.y + f->map.h - *y) / px);
    g->gt[0] = f->x0 + (*x - f->map.x) / f->k;
    g->gt[1] = px / f->k;
    g->gt[2] = 0;
    g->gt[3] = f->y0 - (*y - f->map.y) / f->k;
    g->gt[4] = 0;
    g->gt[5] = -px / f->k;
    g->crs = f->crs;
}

/* The map layer named name (the recipe checked there is one). */
static size_t layer_named(const struct bm_map *m, const char *name)
{
    size_t i = 0;
    while (i + 1 < m->nlayers && strcmp(m->layers[i].name, name) != 0)
        i++;
    return i;
}

struct image {
    struct bm__canvas *cv;
    cairo_surface_t *img;
    double x, y, px, opacity;
    int multiply;
};

/* The image through the current path (bm__canvas_paint_held). */
static void paint_clipped(cairo_t *cr, void *arg)
{
    const struct image *im = arg;
    cairo_clip(cr);
    bm__canvas_image(im->cv, im->img, im->x, im->y, im->px, im->opacity, im->multiply);
}

/* Paint img, through the clip layer's polygons when there is one. 1 when anything showed. */
static int paint(struct bm__render *r, size_t li, cairo_surface_t *img, double x, double y,
                 double px, int multiply)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    cairo_t *cr = r->cv.cr;
    double opacity = (ml->style.set & BM_SET_OPACITY) ? ml->style.opacity : 1;
    struct image im = {&r->cv, img, x, y, px, opacity, multiply};
    if (!ml->raster.clip) {
        bm__canvas_image(&r->cv, img, x, y, px, opacity, multiply);
        return 1;
    }
    size_t ci = layer_named(r->map, ml->raster.clip);
    if (bm__layer_on_page(r, ci) != 0)
        return -1;
    /* The clip layer's outlines, held, so that a banded page clips each band by its own. */
    if (!bm__hold_polygons(r, ci))
        return 0; /* nothing of the clip layer in view: nothing of the raster either */
    cairo_save(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    bm__canvas_paint_held(&r->cv, 8 * r->cv.f.res, paint_clipped, &im);
    cairo_restore(cr);
    return 1;
}

int bm__draw_raster(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm__raster *R = r->rasters[li];
    const struct bm__frame *f = &r->cv.f;
    if (!R || R->w == 0 || R->h == 0)
        return 0; /* the view misses the raster */
    struct bm__grid g;
    double px = f->res, x, y;
    grid_for(f, px, &g, &x, &y);
    double ratio = bm__raster_grid_ratio(r->ctx, R, &g);
    double most = f->pixels ? OVERSAMPLE_PIXELS : OVERSAMPLE_VECTOR;
    if (ratio > most) {
        px *= ratio / most;
        grid_for(f, px, &g, &x, &y);
    }
    float *v = malloc((size_t)g.w * (size_t)g.h * sizeof *v);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, g.w, g.h);
    struct colours *c = malloc(sizeof *c);
    int status = 0;
    if (!v || !c || cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        bm__fail(r->ctx, BM_ERR_NOMEM, "out of memory drawing '%s'", ml->source);
        status = -1;
    } else if (bm__raster_warp(r->ctx, R, &g, v) != BM_OK) {
        status = -1;
    } else {
        int multiply = ml->raster.blend == BM_BLEND_MULTIPLY,
            over = multiply && all_grey(&ml->raster);
        make_colours(&ml->raster, R->min, R->max, over, c);
        if (paint_values(v, img, c) > 0)
            status = paint(r, li, img, x, y, px, multiply && !over);
    }
    if (status > 0) {
        r->drew[li] = 1;
        if (ml->legend)
            bm__note_legend(r, &(struct bm__legend_entry){bm__expand(&r->cv, ml->legend, NULL, 0),
                                                          ml->style, BM_GEOM_NONE, &ml->raster,
                                                          R->min, R->max});
    }
    cairo_surface_destroy(img);
    free(c);
    free(v);
    return status < 0 ? -1 : 0;
}
