/* bordermap: map furniture: graticule, legend, scale bar, north arrow, inset, credits. */
#include "bordermap/layer.h"
#include "core/internal.h"
#include "draw/render.h"

#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MM (72.0 / 25.4) /* points per millimetre */

static const struct bm_color INK = {0.1, 0.1, 0.1, 1}, GREY = {0.35, 0.35, 0.35, 1},
                             WHITE = {1, 1, 1, 1}, NONE = {0, 0, 0, 0};

/* A w x h box in a corner of the frame, below or beside what that corner holds already. */
static struct bm__rect corner_box(struct bm__render *r, enum bm_corner c, double w, double h)
{
    const struct bm__rect *f = &r->cv.f.map;
    double pad = 6;
    int right = c == BM_CORNER_TOP_RIGHT || c == BM_CORNER_BOTTOM_RIGHT;
    int bottom = c == BM_CORNER_BOTTOM_LEFT || c == BM_CORNER_BOTTOM_RIGHT;
    struct bm__rect b = {right ? f->x + f->w - pad - w : f->x + pad,
                         bottom ? f->y + f->h - pad - h : f->y + pad, w, h};
    /* Stack away from the corner until clear of earlier furniture. */
    for (int i = 0; i < 20 && bm__claims_hit(&r->cv, b); i++)
        b.y += bottom ? -6 : 6;
    return b;
}

static void panel(cairo_t *cr, struct bm__rect b)
{
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
}

static double text_w(PangoLayout *l)
{
    double w;
    bm__text_size(l, &w, NULL);
    return w;
}

static double text_h(PangoLayout *l)
{
    double h;
    bm__text_size(l, NULL, &h);
    return h;
}

/* ---- graticule ---------------------------------------------------------- */

static void graticule_label(struct bm__render *r, const char *text, double x, double y,
                            int vertical)
{
    cairo_t *cr = r->cv.cr;
    PangoLayout *l = bm__text_layout(&r->cv, text, "Noto Sans", 6);
    double w = text_w(l), h = text_h(l);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (vertical)
        cairo_rotate(cr, -M_PI / 2);
    bm__draw_text(&r->cv, l, -w / 2, -h / 2, GREY, NONE, 0);
    cairo_restore(cr);
    g_object_unref(l);
}

/* Trace a meridian (lon fixed) or a parallel (lat fixed) across the view: stroke it,
 * or (labels) put its value where it crosses the frame. */
static void graticule_line(struct bm__render *r, int meridian, double v, int labels)
{
    const struct bm_bbox *b = &r->cv.f.view;
    const struct bm__rect *f = &r->cv.f.map;
    double xy[2 * 101];
    for (int i = 0; i <= 100; i++) {
        double t = i / 100.0;
        xy[2 * i] = meridian ? v : b->west + t * (b->east - b->west);
        xy[2 * i + 1] = meridian ? b->south + t * (b->north - b->south) : v;
    }
    bm__to_page(&r->cv.f, xy, 101);
    cairo_t *cr = r->cv.cr;
    if (!labels) {
        cairo_new_path(cr);
        for (int i = 0; i <= 100; i++)
            if (isfinite(xy[2 * i]))
                cairo_line_to(cr, xy[2 * i], xy[2 * i + 1]);
        cairo_stroke(cr);
        return;
    }
    char text[32];
    double a = fabs(v);
    int whole = fabs(a - round(a)) < 1e-9;
    snprintf(text, sizeof text, whole ? "%.0f°%c" : "%.1f°%c", a,
             meridian ? (v < 0 ? 'W' : 'E') : (v < 0 ? 'S' : 'N'));
    /* Where the line crosses the frame's bottom and top (meridians) or left and right. */
    for (int i = 1; i <= 100; i++) {
        double x0 = xy[2 * i - 2], y0 = xy[2 * i - 1], x1 = xy[2 * i], y1 = xy[2 * i + 1];
        if (!isfinite(x0) || !isfinite(x1))
            continue;
        double edges[2] = {meridian ? f->y + f->h : f->x, meridian ? f->y : f->x + f->w};
        for (int e = 0; e < 2; e++) {
            double a0 = meridian ? y0 : x0, a1 = meridian ? y1 : x1;
            if ((a0 - edges[e]) * (a1 - edges[e]) > 0 || a0 == a1)
                continue;
            double t = (edges[e] - a0) / (a1 - a0);
            double cx = x0 + t * (x1 - x0), cy = y0 + t * (y1 - y0);
            if (meridian && cx > f->x + 8 && cx < f->x + f->w - 8)
                graticule_label(r, text, cx, e == 0 ? f->y + f->h + 6 : f->y - 6, 0);
            if (!meridian && cy > f->y + 8 && cy < f->y + f->h - 8)
                graticule_label(r, text, e == 0 ? f->x - 6 : f->x + f->w + 6, cy, 1);
        }
    }
}

/* Every meridian and parallel of the graticule: their lines, or their labels. */
static void graticule_lines(struct bm__render *r, int labels)
{
    double step = r->map->furniture.graticule_step;
    const struct bm_bbox *b = &r->cv.f.view;
    for (double lon = ceil(b->west / step) * step; lon <= b->east; lon += step)
        graticule_line(r, 1, lon, labels);
    for (double lat = ceil(b->south / step) * step; lat <= b->north; lat += step)
        graticule_line(r, 0, lat, labels);
}

void bm__draw_graticule(struct bm__render *r)
{
    if (!(r->map->furniture.graticule_step > 0))
        return;
    cairo_t *cr = r->cv.cr;
    cairo_save(cr);
    cairo_set_source_rgba(cr, 0.3, 0.35, 0.45, 0.45);
    cairo_set_line_width(cr, 0.35);
    graticule_lines(r, 0);
    cairo_restore(cr);
}

/* The graticule's labels sit outside the map's clip: they are drawn after it. */
static void graticule_labels(struct bm__render *r)
{
    if (r->map->furniture.graticule_step > 0 && r->map->furniture.graticule_labels)
        graticule_lines(r, 1);
}

/* ---- legend --------------------------------------------------------------- */

static void swatch(cairo_t *cr, const struct bm__legend_entry *e, double x, double y)
{
    const struct bm_style *s = &e->style;
    cairo_save(cr);
    if (e->type == BM_GEOM_POLYGON) {
        cairo_rectangle(cr, x, y + 1, 16, 8);
        bm__set_color(cr, s->fill, s->opacity);
        cairo_fill_preserve(cr);
        bm__set_color(cr, s->stroke.a > 0 ? s->stroke : (struct bm_color){0.5, 0.5, 0.5, 1}, 1);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    } else if (e->type == BM_GEOM_LINE) {
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
        if (s->casing.a > 0 && s->casing_width > 0) {
            cairo_move_to(cr, x, y + 5);
            cairo_line_to(cr, x + 16, y + 5);
            bm__set_color(cr, s->casing, s->opacity);
            cairo_set_line_width(cr, fmin(s->casing_width, 8));
            cairo_stroke(cr);
        }
        cairo_move_to(cr, x, y + 5);
        cairo_line_to(cr, x + 16, y + 5);
        bm__set_color(cr, s->stroke, s->opacity);
        cairo_set_line_width(cr, fmin(s->width, 6));
        cairo_set_dash(cr, s->dash, s->ndash, 0);
        cairo_stroke(cr);
    } else {
        bm__marker_path(cr, s->marker == BM_MARKER_CAPITAL ? BM_MARKER_CIRCLE : s->marker, x + 8,
                        y + 5, fmin(s->marker_size, 9));
        bm__set_color(cr, s->marker_fill, s->opacity);
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

/* A raster's colours by value as a gradient from x to x + w: its ramp, or its grey. */
static void ramp_gradient(cairo_t *cr, const struct bm__legend_entry *e, double x, double w)
{
    const struct bm_raster_style *rs = e->raster;
    cairo_pattern_t *g = cairo_pattern_create_linear(x, 0, x + w, 0);
    double op = (e->style.set & BM_SET_OPACITY) ? e->style.opacity : 1;
    if (rs->nramp == 0) {
        cairo_pattern_add_color_stop_rgba(g, 0, 0, 0, 0, op);
        cairo_pattern_add_color_stop_rgba(g, 1, 1, 1, 1, op);
    }
    double v0 = rs->nramp ? rs->ramp[0].value : 0,
           v1 = rs->nramp ? rs->ramp[rs->nramp - 1].value : 1;
    for (size_t i = 0; i < rs->nramp; i++) {
        struct bm_color k = rs->ramp[i].color;
        cairo_pattern_add_color_stop_rgba(g, (rs->ramp[i].value - v0) / (v1 - v0), k.r, k.g, k.b,
                                          k.a * op);
    }
    cairo_set_source(cr, g);
    cairo_pattern_destroy(g);
}

/* A value for the legend: whole numbers with grouped digits ("1,500"), others as %g. */
static void value_text(GString *t, double v)
{
    if (!(fabs(v - round(v)) < 1e-9 && fabs(v) < 1e15)) {
        g_string_append_printf(t, "%g", v);
        return;
    }
    char raw[32];
    snprintf(raw, sizeof raw, "%.0f", fabs(v));
    size_t n = strlen(raw);
    if (v < 0)
        g_string_append(t, "−"); /* a minus sign */
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            g_string_append_c(t, ',');
        g_string_append_c(t, raw[i]);
    }
}

/* The values under a raster's bar: its stops (or lowest and highest), where they fit. */
static void ramp_ticks(struct bm__render *r, const struct bm__legend_entry *e, double x, double w,
                       double y)
{
    const struct bm_raster_style *rs = e->raster;
    size_t n = rs->nramp ? rs->nramp : 2;
    double v0 = rs->nramp ? rs->ramp[0].value : e->lo;
    double v1 = rs->nramp ? rs->ramp[n - 1].value : e->hi;
    double last = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = rs->nramp ? rs->ramp[i].value : (i ? e->hi : e->lo);
        GString *t = g_string_new(NULL);
        value_text(t, v);
        PangoLayout *l = bm__text_layout(&r->cv, t->str, "Noto Sans", 5.5);
        g_string_free(t, TRUE);
        double tw = text_w(l), cx = v1 > v0 ? x + w * (v - v0) / (v1 - v0) : x;
        double tx = fmin(fmax(cx - tw / 2, x - 2), x + w + 2 - tw);
        if (tx > last + 2 || i == 0) {
            bm__draw_text(&r->cv, l, tx, y, INK, NONE, 0);
            last = tx + tw;
        }
        g_object_unref(l);
    }
}

/* A raster's entry: its name over a bar of its colours with their values (two rows). */
static void raster_entry(struct bm__render *r, const struct bm__legend_entry *e, PangoLayout *lay,
                         double x, double y, double w, double row)
{
    cairo_t *cr = r->cv.cr;
    bm__draw_text(&r->cv, lay, x, y + (row - text_h(lay)) / 2, INK, NONE, 0);
    cairo_rectangle(cr, x, y + row + 1, w, 6);
    ramp_gradient(cr, e, x, w);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 0.4);
    cairo_stroke(cr);
    ramp_ticks(r, e, x, w, y + row + 7.5);
}

#define RAMP_W 110 /* a raster's colour bar in the legend, pt */

static void legend(struct bm__render *r)
{
    enum bm_corner c = r->map->furniture.legend;
    if (c == BM_CORNER_NONE || r->drawn.n == 0)
        return;
    cairo_t *cr = r->cv.cr;
    PangoLayout *lay[64];
    double w = 0, row = 12, h = 8;
    for (size_t i = 0; i < r->drawn.n; i++) {
        const struct bm__legend_entry *e = &r->drawn.e[i];
        lay[i] = bm__text_layout(&r->cv, e->text, "Noto Sans", 7);
        /* A raster's text starts where the swatches do, its bar under it. */
        w = fmax(w, e->raster ? fmax(text_w(lay[i]), RAMP_W) - 21 : text_w(lay[i]));
        h += e->raster ? 2.2 * row : row;
    }
    struct bm__rect b = corner_box(r, c, w + 34, h);
    panel(cr, b);
    double y = b.y + 4;
    for (size_t i = 0; i < r->drawn.n; i++) {
        const struct bm__legend_entry *e = &r->drawn.e[i];
        if (e->raster) {
            raster_entry(r, e, lay[i], b.x + 6, y, b.w - 12, row);
            y += 2.2 * row;
        } else {
            swatch(cr, e, b.x + 6, y + 1);
            bm__draw_text(&r->cv, lay[i], b.x + 27, y + (row - text_h(lay[i])) / 2, INK, NONE, 0);
            y += row;
        }
        g_object_unref(lay[i]);
    }
    bm__claims_add(&r->cv, b, BM_BOX_FURNITURE, bm__claims_id(&r->cv), "legend");
}

/* ---- scale bar and north arrow -------------------------------------------- */

static void scalebar(struct bm__render *r)
{
    enum bm_corner c = r->map->furniture.scalebar;
    if (c == BM_CORNER_NONE)
        return;
    double lat, lon, lat2, lon2, x0, y0, x1, y1;
    bm__frame_centre(&r->cv.f, &lat, &lon);
    /* Page length of 10 km due east at the centre: the scale there, geodesically. */
    struct geod_geodesic g = bm__wgs84();
    geod_direct(&g, lat, lon, 90, 10000, &lat2, &lon2, NULL);
    if (bm__point_to_page(&r->cv.f, lon, lat, &x0, &y0) ||
        bm__point_to_page(&r->cv.f, lon2, lat2, &x1, &y1))
        return;
    double pt_per_km = hypot(x1 - x0, y1 - y0) / 10;
    double target = r->cv.f.map.w / 6 / pt_per_km, mag = pow(10, floor(log10(target))), km = mag;
    static const double nice[] = {1, 2, 5, 10};
    for (int i = 0; i < 4; i++)
        if (nice[i] * mag <= target)
            km = nice[i] * mag;
    double len = km * pt_per_km;
    r->scalebar_km = km;
    r->scalebar_pt = len;
    char end[32], cap[96];
    snprintf(end, sizeof end, "%g km", km);
    snprintf(cap, sizeof cap, "Scale true at %.1f° %c", fabs(lat), lat < 0 ? 'S' : 'N');
    cairo_t *cr = r->cv.cr;
    PangoLayout *le = bm__text_layout(&r->cv, end, "Noto Sans", 6.5);
    PangoLayout *lz = bm__text_layout(&r->cv, "0", "Noto Sans", 6.5);
    PangoLayout *lc = bm__text_layout(&r->cv, cap, "Noto Sans", 6);
    double w = fmax(len + text_w(le) / 2 + 12, text_w(lc) + 12);
    struct bm__rect b = corner_box(r, c, w, 34);
    panel(cr, b);
    double bx = b.x + 6, by = b.y + 14;
    for (int i = 0; i < 4; i++) {
        cairo_rectangle(cr, bx + i * len / 4, by, len / 4, 4);
        if (i % 2 == 0)
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
    bm__draw_text(&r->cv, lz, bx - text_w(lz) / 2, b.y + 3, INK, NONE, 0);
    bm__draw_text(&r->cv, le, bx + len - text_w(le) / 2, b.y + 3, INK, NONE, 0);
    bm__draw_text(&r->cv, lc, bx, by + 6, GREY, NONE, 0);
    g_object_unref(le);
    g_object_unref(lz);
    g_object_unref(lc);
    bm__claims_add(&r->cv, b, BM_BOX_FURNITURE, bm__claims_id(&r->cv), "scale bar");
}

static void north_arrow(struct bm__render *r)
{
    enum bm_corner c = r->map->furniture.north_arrow;
    if (c == BM_CORNER_NONE)
        return;
    double lat, lon, x0, y0, x1, y1;
    bm__frame_centre(&r->cv.f, &lat, &lon);
    /* True north at the centre: the page direction of a short step up the meridian. */
    if (bm__point_to_page(&r->cv.f, lon, lat, &x0, &y0) ||
        bm__point_to_page(&r->cv.f, lon, fmin(lat + 0.1, 89.9), &x1, &y1))
        return;
    double angle = atan2(x1 - x0, -(y1 - y0));
    struct bm__rect b = corner_box(r, c, 26, 36);
    cairo_t *cr = r->cv.cr;
    cairo_save(cr);
    cairo_translate(cr, b.x + 13, b.y + 21);
    cairo_rotate(cr, angle);
    cairo_move_to(cr, 0, -12);
    cairo_line_to(cr, 6, 9);
    cairo_line_to(cr, 0, 5);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_fill(cr);
    cairo_move_to(cr, 0, -12);
    cairo_line_to(cr, -6, 9);
    cairo_line_to(cr, 0, 5);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    PangoLayout *l = bm__text_layout(&r->cv, "N", "Noto Sans Bold", 8);
    bm__draw_text(&r->cv, l, -text_w(l) / 2, -13 - text_h(l), INK, WHITE, 1.2);
    g_object_unref(l);
    cairo_restore(cr);
    bm__claims_add(&r->cv, b, BM_BOX_FURNITURE, bm__claims_id(&r->cv), "north arrow");
}

/* ---- inset and credits ----------------------------------------------------- */

/* The inset's window on the world: about 3.5 times the view, 30 to 120 degrees wide. */
static struct bm_bbox inset_window(const struct bm_bbox *v, double aspect)
{
    double cx = (v->west + v->east) / 2, cy = (v->south + v->north) / 2;
    double w = fmin(fmax(3.5 * (v->east - v->west), 30), 120);
    double kx = cos(cy * M_PI / 180);
    double h = w * kx / aspect;
    struct bm_bbox b = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
    if (b.north > 85) {
        b.south -= b.north - 85;
        b.north = 85;
    }
    if (b.south < -85) {
        b.north += -85 - b.south;
        b.south = -85;
    }
    return b;
}

/* The inset's size on the page, pt. */
static void inset_size(const struct bm__render *r, double *w, double *h)
{
    *w = fmax(r->cv.f.map.w * 0.17, 70);
    *h = *w * 0.78;
}

struct bm_bbox bm__inset_window(const struct bm__render *r)
{
    double w, h;
    inset_size(r, &w, &h);
    return inset_window(&r->cv.f.view, w / h);
}

static void inset(struct bm__render *r)
{
    enum bm_corner c = r->map->furniture.inset;
    const struct bm_layer *L = r->world;
    if (c == BM_CORNER_NONE || !L)
        return; /* no world map: no inset rather than no map */
    double w, h;
    inset_size(r, &w, &h);
    struct bm_bbox e = bm__inset_window(r);
    struct bm__rect b = corner_box(r, c, w, h);
    cairo_t *cr = r->cv.cr;
    cairo_save(cr);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_set_source_rgb(cr, 0.87, 0.91, 0.95);
    cairo_fill_preserve(cr);
    cairo_clip(cr);
    /* Equirectangular: at this size the locator's job is where, not how big. */
    double sx = b.w / (e.east - e.west), sy = b.h / (e.north - e.south);
    int iso = bm_layer_field_index(L, "iso_a3");
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        const struct bm_feature *f = bm_layer_feature(L, i);
        cairo_new_path(cr);
        for (size_t k = 0; k < f->nparts; k++) {
            const struct bm_part *p = bm_layer_parts(L) + f->first_part + k;
            const double *xy = bm_layer_xy(L) + 2 * p->first;
            int wraps = 0; /* a ring across the antimeridian would streak the inset */
            for (size_t j = 1; j < p->count && !wraps; j++)
                wraps = fabs(xy[2 * j] - xy[2 * j - 2]) > 180;
            if (wraps)
                continue;
            cairo_new_sub_path(cr);
            for (size_t j = 0; j < p->count; j++)
                cairo_line_to(cr, b.x + (xy[2 * j] - e.west) * sx,
                              b.y + (e.north - xy[2 * j + 1]) * sy);
            cairo_close_path(cr);
        }
        const char *a3 = iso >= 0 ? bm_layer_attr(L, i, (size_t)iso) : NULL;
        if (a3 && (strcmp(a3, "MMR") == 0))
            cairo_set_source_rgb(cr, 0.84, 0.82, 0.76); /* reads as a darker grey in print */
        else
            cairo_set_source_rgb(cr, 0.96, 0.96, 0.94);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.62, 0.62, 0.62);
        cairo_set_line_width(cr, 0.25);
        cairo_stroke(cr);
    }
    /* The map's own view, outlined in red (a ring when it is too small to see). */
    const struct bm_bbox *v = &r->cv.f.view;
    double vx = b.x + (v->west - e.west) * sx, vy = b.y + (e.north - v->north) * sy;
    double vw = (v->east - v->west) * sx, vh = (v->north - v->south) * sy;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.2);
    if (vw < 5 && vh < 5) {
        cairo_new_path(cr);
        cairo_arc(cr, vx + vw / 2, vy + vh / 2, 4, 0, 2 * M_PI);
    } else {
        cairo_rectangle(cr, vx, vy, vw, vh);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    bm__claims_add(&r->cv, b, BM_BOX_FURNITURE, bm__claims_id(&r->cv), "inset");
}

char *bm__credits_text(const struct bm_map *m, const unsigned char *drew)
{
    GString *t = g_string_new(NULL);
    for (size_t i = 0; i < m->nlayers; i++) {
        const char *c = m->layers[i].credit;
        if (!c || (drew && !drew[i]))
            continue;
        size_t j = 0; /* each source once, where it first shows */
        while (j < i &&
               !(m->layers[j].credit && strcmp(m->layers[j].credit, c) == 0 && (!drew || drew[j])))
            j++;
        if (j == i)
            g_string_append_printf(t, "%s%s", t->len ? "; " : "", c);
    }
    const char *more = m->furniture.credits;
    if (more && t->len)
        g_string_append(t, strchr(".!?", t->str[t->len - 1]) ? " " : ". ");
    if (more)
        g_string_append(t, more);
    return g_string_free(t, t->len == 0);
}

/* The credits under the frame, right-aligned, wrapped at its width (setup_frame left room). */
static void credits(struct bm__render *r)
{
    char *text = bm__credits_text(r->map, r->drew);
    const struct bm__rect *f = &r->cv.f.map;
    if (!text)
        return;
    PangoLayout *l = bm__text_layout(&r->cv, text, "Noto Sans", BM__CREDITS_PT);
    bm__text_wrap(l, f->w);
    pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
    double gl = r->map->furniture.graticule_step > 0 && r->map->furniture.graticule_labels ? 12 : 0;
    bm__draw_text(&r->cv, l, f->x, f->y + f->h + gl + 3, GREY, NONE, 0);
    g_object_unref(l);
    g_free(text);
}

/* The frame's outline. */
static void neatline(struct bm__render *r)
{
    const struct bm__rect *f = &r->cv.f.map;
    cairo_t *cr = r->cv.cr;
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, f->x, f->y, f->w, f->h);
    cairo_stroke(cr);
}

void bm__draw_furniture(struct bm__render *r)
{
    neatline(r);
    graticule_labels(r);
    inset(r);
    north_arrow(r);
    scalebar(r);
    legend(r);
    credits(r);
}

/* ---- the title block ---------------------------------------------------------- */

double bm__title_height(const struct bm_map *m)
{
    double h = 0;
    if (m->title)
        h += 22;
    if (m->subtitle || m->date)
        h += 14;
    return h > 0 ? h + 6 : 0;
}

/* One line of the title block, cut with an ellipsis (and a warning) where it is wider
 * than the map frame, so that it never runs off the page. */
static void title_line(struct bm__render *r, const char *text, const char *font, double size,
                       double y, struct bm_color ink)
{
    PangoLayout *t = bm__text_layout(&r->cv, text, font, size);
    double x = 8 * MM;
    char clip[64];
    if (bm__text_cut(t, r->cv.f.map.x + r->cv.f.map.w - x))
        bm__warn(r->ctx, "the line '%s' is wider than the map and was cut; shorten it",
                 bm__clip(text, clip, sizeof clip));
    bm__draw_text(&r->cv, t, x, y, ink, NONE, 0);
    g_object_unref(t);
}

void bm__draw_title(struct bm__render *r)
{
    const struct bm_map *m = r->map;
    double y = 8 * MM;
    if (m->title) {
        title_line(r, m->title, "Noto Sans Bold", 16, y, INK);
        y += 22;
    }
    if (m->subtitle || m->date) {
        char *line = g_strdup_printf("%s%s%s", m->subtitle ? m->subtitle : "",
                                     m->subtitle && m->date ? " · " : "", m->date ? m->date : "");
        title_line(r, line, "Noto Sans", 10, y, (struct bm_color){0.3, 0.3, 0.3, 1});
        g_free(line);
    }
}
