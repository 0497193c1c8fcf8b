/* bordermap: drawing the layers and the annotations that sit among them. */
#include "bordermap/measure.h"
#include "core/internal.h"
#include "draw/render.h"

#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Remember a legend entry the first time its text is drawn. An entry of the
 * layer's own legend shows the layer's style, not that of whichever feature
 * (perhaps restyled by a rule) happened to come first.
 */
static void note_legend(struct bm__render *r, size_t li, const char *text, const struct bm_style *s,
                        enum bm_geom_type type, const char *legend)
{
    struct bm_style base;
    const struct bm_map_layer *ml = &r->map->layers[li];
    if (!text)
        return;
    if (legend == ml->legend) {
        base = bm__style_defaults(type);
        bm__style_merge(&base, &ml->style);
        s = &base;
    }
    bm__note_legend(r, &(struct bm__legend_entry){text, *s, type, NULL, 0, 0});
}

void bm__note_legend(struct bm__render *r, const struct bm__legend_entry *e)
{
    for (size_t i = 0; i < r->drawn.n; i++)
        if (strcmp(r->drawn.e[i].text, e->text) == 0)
            return;
    if (r->drawn.n < sizeof r->drawn.e / sizeof r->drawn.e[0])
        r->drawn.e[r->drawn.n++] = *e;
}

/* ---- paths ------------------------------------------------------------- */

/* The loaded layer of map layer li: drawn, or only clipped to. */
static const struct bm_layer *layer_of(const struct bm__render *r, size_t li)
{
    return r->layers[li] ? r->layers[li] : (r->clips ? r->clips[li] : NULL);
}

static int feature_path(struct bm__render *r, size_t li, size_t feat, int close)
{
    const struct bm_layer *L = layer_of(r, li);
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    int any = 0;
    for (size_t k = 0; k < f->nparts; k++) {
        const double *xy = r->page_xy[li] + 2 * parts[k].first;
        if (bm__canvas_outside(&r->cv, xy, parts[k].count))
            continue;
        bm__canvas_part(&r->cv, xy, parts[k].count, close);
        any = 1;
    }
    return any;
}

static void set_stroke(cairo_t *cr, const struct bm_style *s, struct bm_color c, double width)
{
    bm__set_color(cr, c, s->opacity);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_dash(cr, s->dash, s->ndash, 0);
}

/* ---- markers ----------------------------------------------------------- */

static void draw_marker(cairo_t *cr, const struct bm_style *s, double x, double y)
{
    if (s->marker == BM_MARKER_NONE)
        return;
    if (s->marker == BM_MARKER_CAPITAL) {
        /* A ring around a dot: the convention for a national capital. */
        cairo_new_path(cr);
        cairo_arc(cr, x, y, s->marker_size / 2, 0, 2 * M_PI);
        cairo_set_source_rgba(cr, 1, 1, 1, s->opacity);
        cairo_fill_preserve(cr);
        set_stroke(cr, s, s->marker_fill, 0.9);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_stroke(cr);
        cairo_arc(cr, x, y, s->marker_size / 4, 0, 2 * M_PI);
        bm__set_color(cr, s->marker_fill, s->opacity);
        cairo_fill(cr);
        return;
    }
    cairo_new_path(cr);
    bm__marker_path(cr, s->marker, x, y, s->marker_size);
    bm__set_color(cr, s->marker_fill, s->opacity);
    cairo_fill_preserve(cr);
    struct bm_color halo = (s->set & BM_SET_STROKE) ? s->stroke : (struct bm_color){1, 1, 1, 1};
    set_stroke(cr, s, halo, 0.6);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_stroke(cr);
}

/* ---- layers ------------------------------------------------------------ */

/* Features [from, to) of layer li (polygons closed, else lines), as far as they show, held
 * by the canvas for bm__canvas_paint_held(); 1 when any showed. */
static int hold_features(struct bm__render *r, size_t li, size_t from, size_t to, int close)
{
    const struct bm_layer *L = layer_of(r, li);
    r->cv.held.len = 0;
    r->cv.hold = 1;
    int any = 0;
    for (size_t i = from; L && i < to; i++)
        if (!close || bm_layer_feature(L, i)->type == BM_GEOM_POLYGON)
            any |= feature_path(r, li, i, close);
    r->cv.hold = 0;
    return any;
}

/* Where a band's points may stop short of it: beyond half the stroke, a pixel and more. */
static double band_margin(const struct bm__render *r, double width)
{
    return width / 2 + 8 * r->cv.f.res;
}

static void paint_area(cairo_t *cr, void *arg)
{
    const struct bm_style *s = arg;
    if (s->fill.a > 0) {
        bm__set_color(cr, s->fill, s->opacity);
        cairo_fill_preserve(cr);
    }
    if (s->stroke.a > 0 && s->width > 0) {
        set_stroke(cr, s, s->stroke, s->width);
        cairo_stroke_preserve(cr);
    }
}

static void paint_line(cairo_t *cr, void *arg)
{
    (void)arg;
    cairo_stroke_preserve(cr);
}

static void draw_polygons(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_layer *L = r->layers[li];
    cairo_t *cr = r->cv.cr;
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        if (bm_layer_feature(L, i)->type != BM_GEOM_POLYGON)
            continue;
        struct bm_style s;
        const char *legend;
        bm__feature_style(ml, L, i, &s, &legend);
        if (!hold_features(r, li, i, i + 1, 1))
            continue;
        r->drew[li] = 1;
        int stroked = s.stroke.a > 0 && s.width > 0;
        bm__canvas_paint_held(&r->cv,
                              stroked && s.ndash > 0 ? -1 : band_margin(r, stroked ? s.width : 0),
                              paint_area, &s);
        cairo_new_path(cr);
        if (legend)
            note_legend(r, li, bm__expand(&r->cv, legend, L, i), &s, BM_GEOM_POLYGON, legend);
    }
}

static void draw_lines(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_layer *L = r->layers[li];
    cairo_t *cr = r->cv.cr;
    /* All casings first, so that one line's casing never cuts another's stroke. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
            if (bm_layer_feature(L, i)->type != BM_GEOM_LINE)
                continue;
            struct bm_style s;
            const char *legend;
            bm__feature_style(ml, L, i, &s, &legend);
            if (pass == 0 && !(s.casing.a > 0 && s.casing_width > 0))
                continue;
            if (!hold_features(r, li, i, i + 1, 0))
                continue;
            r->drew[li] = 1;
            double margin;
            if (pass == 0) {
                set_stroke(cr, &s, s.casing, s.casing_width);
                cairo_set_dash(cr, NULL, 0, 0);
                margin = band_margin(r, s.casing_width);
            } else {
                set_stroke(cr, &s, s.stroke, s.width);
                margin = s.ndash > 0 ? -1 : band_margin(r, s.width);
                if (legend)
                    note_legend(r, li, bm__expand(&r->cv, legend, L, i), &s, BM_GEOM_LINE, legend);
            }
            bm__canvas_paint_held(&r->cv, margin, paint_line, NULL);
            cairo_new_path(cr);
        }
}

static void draw_points(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_layer *L = r->layers[li];
    const struct bm_label *lab = &ml->label;
    int rank = lab->rank_field ? bm_layer_field_index(L, lab->rank_field) : -1;
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        if (bm_layer_feature(L, i)->type != BM_GEOM_POINT)
            continue;
        double v;
        /* A place too minor to be labelled is not drawn either. */
        if (lab->enabled && lab->max_rank > 0 && rank >= 0 &&
            bm_layer_attr_double(L, i, (size_t)rank, &v) && v > lab->max_rank)
            continue;
        if (r->skip[li] && r->skip[li][i])
            continue;
        struct bm_style s;
        const char *legend;
        bm__feature_style(ml, L, i, &s, &legend);
        struct bm_style legend_style = s;
        int sf = ml->size_field ? bm_layer_field_index(L, ml->size_field) : -1;
        if (sf >= 0 && bm_layer_attr_double(L, i, (size_t)sf, &v) && v > 0)
            s.marker_size *= fmin(3, 1 + sqrt(v) / 3); /* area grows with the count, capped */
        const struct bm_part *p = bm_layer_parts(L) + bm_layer_feature(L, i)->first_part;
        const double *xy = r->page_xy[li] + 2 * p->first;
        const struct bm__rect *f = &r->cv.f.map;
        if (!(xy[0] >= f->x && xy[0] <= f->x + f->w && xy[1] >= f->y && xy[1] <= f->y + f->h))
            continue;
        draw_marker(r->cv.cr, &s, xy[0], xy[1]);
        r->drew[li] = 1;
        if (legend)
            note_legend(r, li, bm__expand(&r->cv, legend, L, i), &legend_style, BM_GEOM_POINT,
                        legend);
    }
}

/*
 * Events whose date is malformed are not drawn, with one warning per layer
 * that counts them and names the first by its line (a CSV's features are
 * numbered from 1 after the header) or feature id. A layer whose every date
 * is bad is an error: a map without its events would mislead.
 */
static int check_dates(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_layer *L = r->layers[li];
    if (!ml->date_field)
        return 0;
    int k = bm_layer_field_index(L, ml->date_field);
    if (k < 0) {
        bm__fail(r->ctx, BM_ERR_FIELD, "no field '%s' in '%s' for the dates of layer '%s'",
                 ml->date_field, ml->source, ml->name);
        return -1;
    }
    r->skip[li] = calloc(bm_layer_feature_count(L) + 1, 1);
    if (!r->skip[li])
        return -1;
    size_t bad = 0, n = bm_layer_feature_count(L), first = 0;
    for (size_t i = 0; i < n; i++) {
        if (bm__is_iso_datetime(bm_layer_attr(L, i, (size_t)k)))
            continue;
        r->skip[li][i] = 1;
        if (bad++ == 0)
            first = i;
    }
    if (bad == 0)
        return 0;
    /* Once per layer: how many, and the first, by its line or feature id. */
    char where[64], clip[64];
    const char *d = bm_layer_attr(L, first, (size_t)k);
    bm__feature_where(L, (long long)bm_layer_feature(L, first)->fid, where, sizeof where);
    d = bm__clip(d ? d : "", clip, sizeof clip);
    if (bad == n) {
        bm__fail(r->ctx, BM_ERR_FIELD,
                 "no events to draw in layer '%s' ('%s'): all %zu rows have a bad date in %s "
                 "(first: %s, '%s'); expected YYYY-MM-DD",
                 ml->name, ml->source, n, ml->date_field, where, d);
        return -1;
    }
    bm__warn(r->ctx,
             "'%s': %zu row(s) with a bad date in %s skipped (first: %s, '%s'); expected "
             "YYYY-MM-DD",
             ml->source, bad, ml->date_field, where, d);
    return 0;
}

int bm__layer_on_page(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_layer *L = layer_of(r, li);
    if (r->page_xy[li] || !L)
        return 0;
    size_t n = bm_layer_point_count(L);
    r->page_xy[li] = malloc((2 * n + 2) * sizeof(double));
    if (!r->page_xy[li]) {
        bm__fail(r->ctx, BM_ERR_NOMEM, "out of memory drawing '%s'", ml->source);
        return -1;
    }
    /* A layer that nothing matched has no points, and no buffer to copy from
     * (memcpy from NULL is undefined even for 0 bytes; found by fuzz_draw). */
    if (n > 0)
        memcpy(r->page_xy[li], bm_layer_xy(L), 2 * n * sizeof(double));
    bm__to_page(&r->cv.f, r->page_xy[li], n);
    /* Scratch for simplifying: as large as the layer's largest part. */
    size_t most = 0;
    for (size_t f = 0; f < bm_layer_feature_count(L); f++) {
        const struct bm_feature *feat = bm_layer_feature(L, f);
        for (size_t k = 0; k < feat->nparts; k++)
            most = most > bm_layer_parts(L)[feat->first_part + k].count
                       ? most
                       : bm_layer_parts(L)[feat->first_part + k].count;
    }
    return bm__canvas_reserve(&r->cv, most, ml->source);
}

int bm__hold_polygons(struct bm__render *r, size_t li)
{
    const struct bm_layer *L = layer_of(r, li);
    return hold_features(r, li, 0, L ? bm_layer_feature_count(L) : 0, 1);
}

/* A layer's points on the page, its bad dates and room to simplify its parts. 0 or -1. */
static int prepare_layer(struct bm__render *r, size_t li)
{
    return check_dates(r, li) != 0 ? -1 : bm__layer_on_page(r, li);
}

int bm__draw_layers(struct bm__render *r)
{
    const struct bm_map *m = r->map;
    r->page_xy = calloc(m->nlayers + 1, sizeof *r->page_xy);
    r->skip = calloc(m->nlayers + 1, sizeof *r->skip);
    r->drew = calloc(m->nlayers + 1, 1);
    if (!r->page_xy || !r->skip || !r->drew)
        return -1;
    for (size_t li = 0; li < m->nlayers; li++) {
        if (r->rasters[li]) {
            if (bm__draw_raster(r, li) != 0)
                return -1;
            continue;
        }
        if (!r->layers[li])
            continue; /* outside its scale range: not drawn, not labelled */
        if (prepare_layer(r, li) != 0)
            return -1;
        cairo_save(r->cv.cr);
        /* A layer may mix families: areas under lines under points. */
        draw_polygons(r, li);
        draw_lines(r, li);
        draw_points(r, li);
        cairo_restore(r->cv.cr);
    }
    return 0;
}
