/* bordermap: annotations: buffer bands, distance lines, callouts. */
#include "bordermap/map.h"
#include "bordermap/measure.h"
#include "core/internal.h"
#include "draw/render.h"

#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append one shape of n lon/lat points, as page points, to shapes: a count, then the points. */
static int add_shape(struct bm__render *r, struct bm__buf *shapes, double *xy, size_t n)
{
    double count = (double)n;
    bm__to_page(&r->cv.f, xy, n);
    if (bm__buf_append(shapes, &count, sizeof count) != 0 ||
        bm__buf_append(shapes, xy, 2 * n * sizeof *xy) != 0)
        return -1;
    return 0;
}

/* Each shape of the band as its own closed path, then `paint` (fill or stroke) of it. */
static void each_shape(cairo_t *cr, const struct bm__buf *shapes, void (*paint)(cairo_t *))
{
    /* A band of a layer with nothing in view has no shapes, and no buffer: no
     * pointer arithmetic on NULL (undefined even by zero; found by fuzz_draw). */
    if (!shapes->data)
        return;
    const double *d = (const double *)(const void *)shapes->data;
    const double *end = d + shapes->len / sizeof *d;
    while (d < end) {
        size_t n = (size_t)d[0];
        const double *xy = d + 1;
        cairo_new_path(cr);
        for (size_t i = 0; i < n; i++)
            if (i == 0)
                cairo_move_to(cr, xy[0], xy[1]);
            else if (isfinite(xy[2 * i]))
                cairo_line_to(cr, xy[2 * i], xy[2 * i + 1]);
        cairo_close_path(cr);
        paint(cr);
        d = xy + 2 * n;
    }
}

/*
 * Does the closed shape of n page points hold the whole rectangle b? Exactly
 * when no edge of it meets b and b's corner lies inside it (even-odd).
 */
static int holds_rect(const double *xy, size_t n, struct bm__rect b)
{
    int inside = 0;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
        if (!isfinite(xi) || !isfinite(yi) || !isfinite(xj) || !isfinite(yj) ||
            bm__segment_meets_rect(xj, yj, xi, yi, b))
            return 0;
        if ((yi > b.y) != (yj > b.y) && b.x < xj + (b.y - yj) * (xi - xj) / (yi - yj))
            inside = !inside;
    }
    return inside;
}

/* Does any shape of the band hold the whole rectangle b? */
static int any_holds(const struct bm__buf *shapes, struct bm__rect b)
{
    if (!shapes->data) /* no shapes, no buffer: as in each_shape() */
        return 0;
    const double *d = (const double *)(const void *)shapes->data;
    const double *end = d + shapes->len / sizeof *d;
    while (d < end) {
        size_t n = (size_t)d[0];
        if (n >= 3 && holds_rect(d + 1, n, b))
            return 1;
        d += 1 + 2 * n;
    }
    return 0;
}

/* The box of the shapes' points on the page, widened by margin; -1 when they have none. */
static int shapes_box(const struct bm__buf *shapes, double margin, struct bm__rect *box)
{
    if (!shapes->data) /* as in each_shape() */
        return -1;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    const double *d = (const double *)(const void *)shapes->data;
    const double *end = d + shapes->len / sizeof *d;
    while (d < end) {
        size_t n = (size_t)d[0];
        for (size_t i = 0; i < n; i++) {
            double x = d[1 + 2 * i], y = d[2 + 2 * i];
            if (isfinite(x) && isfinite(y)) {
                x0 = fmin(x0, x);
                x1 = fmax(x1, x);
                y0 = fmin(y0, y);
                y1 = fmax(y1, y);
            }
        }
        d += 1 + 2 * n;
    }
    if (!(x1 >= x0 && y1 >= y0))
        return -1;
    *box = (struct bm__rect){x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin};
    return 0;
}

/*
 * Clip to box, widened to whole device pixels (so that the clip's own edge
 * antialiases nothing): a group pushed now is no larger than the box, where a
 * band around a border is a quarter of the frame. What the band draws lies
 * inside it, so the pixels are the same.
 */
static void clip_to_pixels(cairo_t *cr, struct bm__rect b)
{
    double x0 = b.x, y0 = b.y, x1 = b.x + b.w, y1 = b.y + b.h;
    cairo_user_to_device(cr, &x0, &y0);
    cairo_user_to_device(cr, &x1, &y1);
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    cairo_identity_matrix(cr);
    cairo_new_path(cr);
    double X0 = floor(fmin(x0, x1)), Y0 = floor(fmin(y0, y1));
    cairo_rectangle(cr, X0, Y0, ceil(fmax(x0, x1)) - X0, ceil(fmax(y0, y1)) - Y0);
    cairo_set_matrix(cr, &m);
    cairo_clip(cr);
}

/*
 * The shapes whose union is the geodesic buffer of a line layer: geodesic
 * circles around its vertices and quadrilaterals offset along each segment.
 */
static int band_shapes(struct bm__render *r, const struct bm_layer *L, double km,
                       struct bm__buf *shapes)
{
    struct geod_geodesic g = bm__wgs84();
    double d = km * 1000, step = d / 4; /* vertices closer than a quarter width add nothing */
    for (size_t fi = 0; fi < bm_layer_feature_count(L); fi++) {
        const struct bm_feature *f = bm_layer_feature(L, fi);
        for (size_t k = 0; k < f->nparts; k++) {
            const struct bm_part *p = bm_layer_parts(L) + f->first_part + k;
            const double *xy = bm_layer_xy(L) + 2 * p->first;
            double plat = xy[1], plon = xy[0];
            for (size_t i = 0; i < p->count; i++) {
                double lat = xy[2 * i + 1], lon = xy[2 * i], s12, azi;
                geod_inverse(&g, plat, plon, lat, lon, &s12, &azi, NULL);
                if (i > 0 && s12 < step && i + 1 < p->count)
                    continue;
                double circle[2 * 48];
                for (int j = 0; j < 48; j++)
                    geod_direct(&g, lat, lon, j * 7.5, d, &circle[2 * j + 1], &circle[2 * j], NULL);
                if (add_shape(r, shapes, circle, 48) != 0)
                    return -1;
                if (i > 0) {
                    /* The segment's band: offsets at right angles at both ends. */
                    double q[8], azi2;
                    geod_inverse(&g, plat, plon, lat, lon, NULL, &azi, &azi2);
                    geod_direct(&g, plat, plon, azi + 90, d, &q[1], &q[0], NULL);
                    geod_direct(&g, lat, lon, azi2 + 90, d, &q[3], &q[2], NULL);
                    geod_direct(&g, lat, lon, azi2 - 90, d, &q[5], &q[4], NULL);
                    geod_direct(&g, plat, plon, azi - 90, d, &q[7], &q[6], NULL);
                    if (add_shape(r, shapes, q, 4) != 0)
                        return -1;
                }
                plat = lat;
                plon = lon;
            }
        }
    }
    return 0;
}

/*
 * A geodesic buffer of a line layer. Each shape is filled opaque into a
 * group, painted once with the band's opacity, so that overlaps do not
 * darken. The outline (stroke, width) is the union's edge: every shape
 * stroked at twice the width, then every shape cut out of that, which
 * leaves the width outside the band.
 */
static void buffer_band(struct bm__render *r, const struct bm_annotation *a, size_t li)
{
    struct bm_style s = bm__annotation_style(a);
    struct bm__buf shapes = {0};
    cairo_t *cr = r->cv.cr;
    if (band_shapes(r, r->layers[li], a->km, &shapes) != 0) {
        bm__buf_free(&shapes);
        return;
    }
    /* A band wider than the map (1,000 km on a town): one shape already covers the whole
     * frame, so the union is the frame and its edge lies outside. Filling every shape
     * anyway cost seconds apiece on a large page (the security review: 53 s for three). */
    struct bm__rect frame = r->cv.f.map;
    frame.x -= 2;
    frame.y -= 2;
    frame.w += 4;
    frame.h += 4;
    int full = any_holds(&shapes, frame);
    cairo_save(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    /* On a raster page each group below would be a frame-sized image (35 MB at 300 dpi). */
    struct bm__rect box;
    if (!full && r->cv.f.pixels && shapes_box(&shapes, s.width + 2 * r->cv.f.res, &box) == 0)
        clip_to_pixels(cr, box);
    if (s.fill.a > 0 && s.opacity > 0) {
        cairo_push_group(cr);
        cairo_set_source_rgb(cr, s.fill.r, s.fill.g, s.fill.b);
        if (full) {
            cairo_rectangle(cr, frame.x, frame.y, frame.w, frame.h);
            cairo_fill(cr);
        } else {
            each_shape(cr, &shapes, cairo_fill);
        }
        cairo_pop_group_to_source(cr);
        cairo_paint_with_alpha(cr, s.opacity * s.fill.a);
    }
    if (s.stroke.a > 0 && s.width > 0 && !full) {
        cairo_push_group(cr);
        cairo_set_source_rgb(cr, s.stroke.r, s.stroke.g, s.stroke.b);
        cairo_set_line_width(cr, 2 * s.width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_dash(cr, NULL, 0, 0);
        each_shape(cr, &shapes, cairo_stroke);
        cairo_set_operator(cr, CAIRO_OPERATOR_DEST_OUT);
        each_shape(cr, &shapes, cairo_fill);
        cairo_pop_group_to_source(cr);
        cairo_paint_with_alpha(cr, s.stroke.a);
    }
    cairo_restore(cr);
    bm__buf_free(&shapes);
}

/*
 * Points along the geodesic from a to b, every ~2 km (at most 400), on the page
 * (pt); its length in *length, m. NULL when out of memory; else the caller frees.
 */
static double *geodesic_points(struct bm__render *r, const struct bm_annotation *a, size_t *n,
                               double *length)
{
    struct geod_geodesic g = bm__wgs84();
    struct geod_geodesicline line;
    geod_inverseline(&line, &g, a->lat, a->lon, a->lat2, a->lon2,
                     GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_DISTANCE_IN);
    *length = line.s13;
    size_t m = (size_t)fmin(400, fmax(2, line.s13 / 2000));
    double *xy = malloc(2 * (m + 1) * sizeof *xy);
    if (!xy)
        return NULL;
    for (size_t i = 0; i <= m; i++)
        geod_position(&line, line.s13 * (double)i / (double)m, &xy[2 * i + 1], &xy[2 * i], NULL);
    *n = m + 1;
    bm__to_page(&r->cv.f, xy, *n);
    return xy;
}

static void distance_line(struct bm__render *r, const struct bm_annotation *a)
{
    size_t n;
    double len;
    double *xy = geodesic_points(r, a, &n, &len);
    if (!xy)
        return;
    struct bm_style s = bm__annotation_style(a);
    cairo_t *cr = r->cv.cr;
    /* A white halo 0.9 pt wider on each side, then the line (stroke, width, dash). */
    for (int pass = 0; pass < 2; pass++) {
        cairo_new_path(cr);
        for (size_t i = 0; i < n; i++)
            if (isfinite(xy[2 * i]))
                cairo_line_to(cr, xy[2 * i], xy[2 * i + 1]);
        cairo_set_line_width(cr, pass ? s.width : s.width + 1.8);
        cairo_set_dash(cr, pass ? s.dash : NULL, pass ? s.ndash : 0, 0);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        if (pass)
            bm__set_color(cr, s.stroke, 1);
        else
            cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    free(xy);
}

/*
 * The work of the buffer bands is bounded before any is drawn: each band walks
 * every vertex of its layer, so a recipe of many bands on detailed layers would
 * take minutes. Returns 0, or -1 with the reason on the context.
 */
static int check_buffer_work(struct bm__render *r)
{
    const struct bm_map *m = r->map;
    unsigned long long total = 0;
    size_t bands = 0;
    for (size_t i = 0; i < m->nannotations; i++) {
        const struct bm_annotation *a = &m->annotations[i];
        for (size_t li = 0; a->kind == BM_ANN_BUFFER && li < m->nlayers; li++)
            if (strcmp(m->layers[li].name, a->layer) == 0 && r->layers[li]) {
                total += bm_layer_point_count(r->layers[li]);
                bands++;
            }
    }
    if (total <= BM_BUFFER_VERTICES_MAX)
        return 0;
    bm__fail(r->ctx, BM_ERR_RENDER,
             "the %zu buffer bands of '%s' would walk %llu vertices, more than the %d bordermap "
             "buffers in one map; give fewer bands, or buffer a simpler layer",
             bands, m->path, total, BM_BUFFER_VERTICES_MAX);
    return -1;
}

int bm__draw_annotations_under(struct bm__render *r)
{
    const struct bm_map *m = r->map;
    if (check_buffer_work(r) != 0)
        return -1;
    for (size_t i = 0; i < m->nannotations; i++) {
        const struct bm_annotation *a = &m->annotations[i];
        if (a->kind == BM_ANN_BUFFER) {
            for (size_t li = 0; li < m->nlayers; li++)
                if (strcmp(m->layers[li].name, a->layer) == 0 && r->layers[li])
                    buffer_band(r, a, li);
        } else if (a->kind == BM_ANN_DISTANCE) {
            distance_line(r, a);
        }
    }
    return 0;
}

/* ---- over the map: callout boxes and the distance labels ---------------- */

static const struct bm_color INK = {0.1, 0.1, 0.1, 1}, WHITE = {1, 1, 1, 1};

/* Place a box of w x h near (x, y), clear of everything claimed, inside the frame. */
static int place_box(struct bm__render *r, double x, double y, double w, double h, double gap,
                     struct bm__rect *out)
{
    static const double dirs[][2] = {{1, -1}, {-1, -1}, {1, 1},  {-1, 1},
                                     {1, 0},  {-1, 0},  {0, -1}, {0, 1}};
    for (int ring = 1; ring <= 4; ring++)
        for (size_t d = 0; d < 8; d++) {
            double cx = x + dirs[d][0] * (gap * ring + w / 2);
            double cy = y + dirs[d][1] * (gap * ring + h / 2);
            struct bm__rect b = {cx - w / 2, cy - h / 2, w, h};
            if (!bm__rect_free(&r->cv, b, 3))
                continue;
            *out = b;
            return 0;
        }
    return -1;
}

/*
 * A callout whose place lies outside the map: an arrow inside the frame's
 * edge, on the line from the frame's centre towards the place, pointing at
 * it, and beside its tail the note and the place's geodesic distance from
 * the map's centre ("Mangshi airport · 81 km"), so that the reader knows
 * which way and how far.
 */
static void locator(struct bm__render *r, const struct bm_annotation *a, double x, double y)
{
    const struct bm__rect *f = &r->cv.f.map;
    double cx = f->x + f->w / 2, cy = f->y + f->h / 2, dx = x - cx, dy = y - cy;
    double len = hypot(dx, dy);
    if (!(len > 0))
        return;
    double ux = dx / len, uy = dy / len, inset = 8, arrow = 26;
    /* How far along the ray from the centre the frame's edge is, less the inset. */
    double tx = fabs(ux) > 1e-9 ? (f->w / 2 - inset) / fabs(ux) : INFINITY;
    double ty = fabs(uy) > 1e-9 ? (f->h / 2 - inset) / fabs(uy) : INFINITY;
    double t = fmin(tx, ty);
    double clat, clon;
    bm__frame_centre(&r->cv.f, &clat, &clon);
    struct bm_geodesic g;
    bm_geod_inverse(r->ctx, clat, clon, a->lat, a->lon, &g);
    char text[1024];
    snprintf(text, sizeof text, "%s · %.0f km", a->text, g.distance / 1000);
    struct bm_style s = bm__annotation_style(a);
    cairo_t *cr = r->cv.cr;
    PangoLayout *lay = bm__text_layout(&r->cv, text, "Noto Sans", 7.5);
    bm__text_wrap(lay, 120);
    double w, h;
    bm__text_size_exact(lay, &w, &h);
    w += 8;
    h += 6;
    /* The arrow where the ray meets the edge, else slid along that edge (a label or the
     * north arrow there) by up to 120 pt each way, pointing from there to the place; it is
     * claimed first, then the box is placed beside its tail, clear of it. */
    double ex = tx < ty ? 0 : 1, ey = tx < ty ? 1 : 0; /* along the edge met */
    double hx = 0, hy = 0, bx = 0, by = 0;
    struct bm__rect shaft = {0, 0, 0, 0};
    int found = 0;
    for (int k = 0; k < 21 && !found; k++) {
        double slide = 12.0 * ((k + 1) / 2) * (k % 2 ? 1 : -1);
        hx = cx + ux * t + ex * slide;
        hy = cy + uy * t + ey * slide;
        double vx = x - hx, vy = y - hy, vl = hypot(vx, vy);
        if (!(vl > 0))
            continue;
        bx = hx - vx / vl * arrow;
        by = hy - vy / vl * arrow;
        shaft = (struct bm__rect){fmin(bx, hx) - 3.5, fmin(by, hy) - 3.5, fabs(hx - bx) + 7,
                                  fabs(hy - by) + 7};
        found = bm__rect_free(&r->cv, shaft, 0);
    }
    if (!found) {
        /* A frame too small for it, or the edge taken (the legend): no locator. */
        g_object_unref(lay);
        return;
    }
    ux = (hx - bx) / arrow;
    uy = (hy - by) / arrow;
    size_t id = bm__claims_id(&r->cv);
    bm__claims_add(&r->cv, shaft, BM_BOX_CALLOUT, id, text);
    struct bm__rect b;
    if (place_box(r, bx, by, w, h, 4, &b) != 0) {
        g_object_unref(lay);
        return;
    }
    cairo_save(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    /* A white halo, then the shaft and a filled head. */
    for (int pass = 0; pass < 2; pass++) {
        double nx = -uy, ny = ux, head = 7;
        cairo_new_path(cr);
        cairo_move_to(cr, bx, by);
        cairo_line_to(cr, hx - ux * head, hy - uy * head);
        cairo_set_line_width(cr, pass ? 1.6 : 3.6);
        if (pass)
            bm__set_color(cr, s.stroke, 1);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_stroke(cr);
        cairo_move_to(cr, hx, hy);
        cairo_line_to(cr, hx - ux * head + nx * 3.5, hy - uy * head + ny * 3.5);
        cairo_line_to(cr, hx - ux * head - nx * 3.5, hy - uy * head - ny * 3.5);
        cairo_close_path(cr);
        if (!pass) {
            cairo_set_line_width(cr, 2);
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
            cairo_stroke(cr);
        } else {
            cairo_fill(cr);
        }
    }
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    bm__set_color(cr, s.fill, 1);
    cairo_fill_preserve(cr);
    bm__set_color(cr, s.stroke, 1);
    cairo_set_line_width(cr, s.width);
    cairo_stroke(cr);
    cairo_restore(cr);
    bm__draw_text(&r->cv, lay, b.x + 4, b.y + 3, INK, WHITE, 0);
    bm__claims_add(&r->cv, b, BM_BOX_CALLOUT, id, text);
    g_object_unref(lay);
}

static void callout(struct bm__render *r, const struct bm_annotation *a)
{
    double x, y;
    if (bm__point_to_page(&r->cv.f, a->lon, a->lat, &x, &y) != 0)
        return;
    const struct bm__rect *f = &r->cv.f.map;
    if (x < f->x || x > f->x + f->w || y < f->y || y > f->y + f->h) {
        locator(r, a, x, y);
        return;
    }
    struct bm_style s = bm__annotation_style(a);
    cairo_t *cr = r->cv.cr;
    PangoLayout *lay = bm__text_layout(&r->cv, a->text, "Noto Sans", 7.5);
    bm__text_wrap(lay, 120);
    double w, h;
    bm__text_size_exact(lay, &w, &h);
    w += 8;
    h += 6;
    struct bm__rect b;
    if (place_box(r, x, y, w, h, 18, &b) == 0) {
        /* The leader runs from the place to the nearest point of the box. */
        double lx = fmin(fmax(x, b.x), b.x + b.w), ly = fmin(fmax(y, b.y), b.y + b.h);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, lx, ly);
        bm__set_color(cr, s.stroke, 1);
        cairo_set_line_width(cr, s.width);
        cairo_stroke(cr);
        cairo_rectangle(cr, b.x, b.y, b.w, b.h);
        bm__set_color(cr, s.fill, 1);
        cairo_fill_preserve(cr);
        bm__set_color(cr, s.stroke, 1);
        cairo_stroke(cr);
        bm__draw_text(&r->cv, lay, b.x + 4, b.y + 3, INK, WHITE, 0);
        bm__claims_add(&r->cv, b, BM_BOX_CALLOUT, bm__claims_id(&r->cv), a->text);
    }
    cairo_arc(cr, x, y, 2, 0, 2 * M_PI);
    bm__set_color(cr, s.stroke, 1);
    cairo_fill(cr);
    g_object_unref(lay);
}

static void distance_label(struct bm__render *r, const struct bm_annotation *a)
{
    size_t n;
    double len;
    double *xy = geodesic_points(r, a, &n, &len);
    if (!xy)
        return;
    double x = xy[2 * (n / 2)], y = xy[2 * (n / 2) + 1];
    free(xy);
    if (!isfinite(x))
        return;
    char text[64];
    snprintf(text, sizeof text, "%.1f km", len / 1000);
    PangoLayout *lay = bm__text_layout(&r->cv, text, "Noto Sans Bold", 7.5);
    double w, h;
    bm__text_size_exact(lay, &w, &h);
    struct bm__rect b;
    if (place_box(r, x, y, w, h, 3, &b) == 0) {
        bm__draw_text(&r->cv, lay, b.x, b.y, INK, WHITE, 1.6);
        bm__claims_add(&r->cv, b, BM_BOX_ANNOTATION, bm__claims_id(&r->cv), text);
    }
    g_object_unref(lay);
}

void bm__draw_annotations_over(struct bm__render *r)
{
    const struct bm_map *m = r->map;
    for (size_t i = 0; i < m->nannotations; i++) {
        if (m->annotations[i].kind == BM_ANN_CALLOUT)
            callout(r, &m->annotations[i]);
        else if (m->annotations[i].kind == BM_ANN_DISTANCE)
            distance_label(r, &m->annotations[i]);
    }
}
