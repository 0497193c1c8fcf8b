/* bordermap: the canvas: page transform, colour, paths, claims and text (see canvas.h). */
#include "bordermap/measure.h"
#include "core/internal.h"
#include "draw/canvas.h"

#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void claims_free(struct bm__canvas *cv);

void bm__canvas_free(struct bm__canvas *cv)
{
    if (cv->strings)
        g_ptr_array_free(cv->strings, TRUE);
    cv->strings = NULL;
    if (cv->lengths)
        g_hash_table_destroy(cv->lengths);
    cv->lengths = NULL;
    if (cv->fonts_warned)
        g_hash_table_destroy(cv->fonts_warned);
    cv->fonts_warned = NULL;
    free(cv->scratch);
    free(cv->keep);
    free(cv->stack);
    bm__buf_free(&cv->held);
    cv->scratch = NULL;
    cv->keep = NULL;
    cv->stack = NULL;
    cv->scratch_cap = 0;
    claims_free(cv);
    if (cv->svg_text)
        g_string_free(cv->svg_text, TRUE);
    cv->svg_text = NULL;
    proj_destroy(cv->f.pj);
    proj_destroy(cv->f.step);
    cv->f.pj = NULL;
    cv->f.step = NULL;
}

/* ---- the page transform ------------------------------------------------- */

static PJ *make_projection(struct bm_ctx *ctx, struct bm__frame *f, const char *projection,
                           const char *what)
{
    const struct bm_bbox *e = &f->extent;
    if ((!projection || strcmp(projection, "auto") == 0) && fabs(e->south + e->north) < 2) {
        /* An extent about the equator: the cone's standard parallels would sum to
         * (nearly) 0, where the cone becomes a cylinder and PROJ refuses it. The
         * cylinder itself, Mercator, is its conformal limit. */
        snprintf(f->crs, sizeof f->crs, "+proj=merc +lon_0=%.6f +datum=WGS84 +units=m +type=crs",
                 (e->west + e->east) / 2);
    } else if (!projection || strcmp(projection, "auto") == 0) {
        /* Lambert conformal conic, standard parallels at 1/6 and 5/6 of the
         * extent: scale error under 1 % over 20 degrees of latitude, and
         * conformal, so the scale bar and the north arrow hold locally. */
        double dlat = e->north - e->south;
        snprintf(f->crs, sizeof f->crs,
                 "+proj=lcc +lat_1=%.6f +lat_2=%.6f +lat_0=%.6f +lon_0=%.6f +datum=WGS84 "
                 "+units=m +type=crs",
                 e->south + dlat / 6, e->north - dlat / 6, (e->south + e->north) / 2,
                 (e->west + e->east) / 2);
    } else {
        snprintf(f->crs, sizeof f->crs, "%s", projection);
    }
    PJ_CONTEXT *pc = bm__proj(ctx);
    PJ *raw = proj_create_crs_to_crs(pc, "EPSG:4326", f->crs, NULL);
    PJ *pj = raw ? proj_normalize_for_visualization(pc, raw) : NULL;
    proj_destroy(raw);
    if (!pj)
        bm__fail(ctx, BM_ERR_RENDER, "cannot set up the projection '%s' for '%s' (%s)", f->crs,
                 what, proj_context_errno_string(pc, proj_context_errno(pc)));
    return pj;
}

/* Fit the extent, projected, into the map frame: the frame's shape wins, centred. */
static int fit_extent(struct bm__frame *f)
{
    const struct bm_bbox *e = &f->extent;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (int i = 0; i <= 64; i++) {
        double t = i / 64.0;
        double pts[8] = {e->west + t * (e->east - e->west),
                         e->south,
                         e->west + t * (e->east - e->west),
                         e->north,
                         e->west,
                         e->south + t * (e->north - e->south),
                         e->east,
                         e->south + t * (e->north - e->south)};
        proj_trans_generic(f->pj, PJ_FWD, pts, 2 * sizeof(double), 4, pts + 1, 2 * sizeof(double),
                           4, NULL, 0, 0, NULL, 0, 0);
        for (int k = 0; k < 4; k++) {
            if (!isfinite(pts[2 * k]) || !isfinite(pts[2 * k + 1]) || pts[2 * k] == HUGE_VAL)
                continue;
            xmin = fmin(xmin, pts[2 * k]);
            xmax = fmax(xmax, pts[2 * k]);
            ymin = fmin(ymin, pts[2 * k + 1]);
            ymax = fmax(ymax, pts[2 * k + 1]);
        }
    }
    if (!(xmax > xmin && ymax > ymin))
        return -1;
    f->k = fmin(f->map.w / (xmax - xmin), f->map.h / (ymax - ymin));
    f->x0 = (xmin + xmax) / 2 - f->map.w / (2 * f->k);
    f->y0 = (ymin + ymax) / 2 + f->map.h / (2 * f->k);
    return 0;
}

/* The frame's extent in degrees: it holds more than the map's extent when its shape differs. */
static struct bm_bbox view_of(struct bm_ctx *ctx, const struct bm__frame *f)
{
    double xmin = f->x0, ymax = f->y0;
    double xmax = f->x0 + f->map.w / f->k, ymin = f->y0 - f->map.h / f->k;
    struct bm_bbox b = f->extent;
    if (!proj_trans_bounds(bm__proj(ctx), f->pj, PJ_INV, xmin, ymin, xmax, ymax, &b.west, &b.south,
                           &b.east, &b.north, 21))
        b = f->extent;
    /* A frame wider than the projection's sensible area (a 5,000 km radius) comes back
     * across the antimeridian (west > east) or upside down: then every longitude. */
    if (!(b.west < b.east) || !isfinite(b.west) || !isfinite(b.east)) {
        b.west = -180;
        b.east = 180;
    }
    if (!(b.south < b.north) || !isfinite(b.south) || !isfinite(b.north)) {
        b.south = -90;
        b.north = 90;
    }
    return b;
}

/*
 * The projection step of pj when pj is PROJ's pipeline of two steps, degrees
 * to radians and that projection (what EPSG:4326 to a PROJ string is); else
 * NULL. Projecting a layer's points is a quarter of drawing a map, and a
 * third of that is the pipeline's: the conversion as a step of its own, and
 * each step's preparations. bm__to_page() multiplies by unitconvert's own
 * factor and calls the step: the same arithmetic, so the same coordinates
 * to the last bit.
 */
static PJ *projection_step(struct bm_ctx *ctx, PJ *pj)
{
    static const char head[] = "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad step ";
    const char *def = proj_pj_info(pj).definition;
    if (!def || strncmp(def, head, sizeof head - 1) != 0 || strstr(def + sizeof head - 1, "step"))
        return NULL;
    char one[1024];
    /* PROJ's own string, with the + it reads parameters by */
    const char *in = def + sizeof head - 1;
    size_t n = 0;
    for (int first = 1; *in && n + 2 < sizeof one; in++, first = 0) {
        if (first || in[-1] == ' ')
            one[n++] = '+';
        one[n++] = *in;
    }
    if (*in)
        return NULL;
    one[n] = 0;
    PJ *step = proj_create(bm__proj(ctx), one);
    if (step && !proj_angular_input(step, PJ_FWD)) {
        proj_destroy(step);
        step = NULL;
    }
    return step;
}

int bm__frame_fit(struct bm_ctx *ctx, struct bm__frame *f, const char *projection, const char *what)
{
    f->pj = make_projection(ctx, f, projection, what);
    if (!f->pj)
        return -1;
    f->step = projection_step(ctx, f->pj);
    if (fit_extent(f) != 0) {
        bm__fail(ctx, BM_ERR_RENDER,
                 "the extent of '%s' cannot be drawn in its projection; choose another "
                 "projection or extent",
                 what);
        return -1;
    }
    f->view = view_of(ctx, f);
    return 0;
}

/* Points [0, n) of xy (radians) through pj, from a thread of their own. */
struct stretch {
    PJ *pj;
    double *xy;
    size_t n;
};

static void *project_stretch(void *arg)
{
    struct stretch *s = arg;
    proj_trans_generic(s->pj, PJ_FWD, s->xy, 2 * sizeof(double), s->n, s->xy + 1,
                       2 * sizeof(double), s->n, NULL, 0, 0, NULL, 0, 0);
    return NULL;
}

/*
 * The projection step over xy (radians): a large layer's second half on a
 * second core, through a copy of the step in a PROJ context of its own (PROJ's
 * objects are for one thread at a time). Each point is projected alone, so
 * the halves come out as the whole would. The same CPU, half the wait.
 */
static void project_step(PJ *step, double *xy, size_t n)
{
    enum { SPLIT_AT = 65536 }; /* below this, a thread costs more than it saves */
    struct stretch second = {NULL, xy, 0};
    PJ_CONTEXT *pc = NULL;
    pthread_t tid;
    int started = 0;
    if (n >= SPLIT_AT && sysconf(_SC_NPROCESSORS_ONLN) > 1 && (pc = proj_context_create())) {
        proj_log_level(pc, PJ_LOG_NONE); /* what fails is a NaN, as in the first half */
        second = (struct stretch){proj_clone(pc, step), xy + 2 * (n / 2), n - n / 2};
        started = second.pj && pthread_create(&tid, NULL, project_stretch, &second) == 0;
    }
    struct stretch first = {step, xy, started ? n / 2 : n};
    project_stretch(&first);
    if (started)
        pthread_join(tid, NULL);
    proj_destroy(second.pj);
    if (pc)
        proj_context_destroy(pc);
}

void bm__to_page(const struct bm__frame *f, double *xy, size_t n)
{
    if (f->step) {
        /* unitconvert's factor for degrees (PROJ's table: 0.017453292519943296) */
        for (size_t i = 0; i < 2 * n; i++)
            xy[i] *= 0.017453292519943296;
        project_step(f->step, xy, n);
    } else {
        proj_trans_generic(f->pj, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1, 2 * sizeof(double), n,
                           NULL, 0, 0, NULL, 0, 0);
    }
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y) || x == HUGE_VAL) {
            xy[2 * i] = xy[2 * i + 1] = NAN;
            continue;
        }
        xy[2 * i] = f->map.x + (x - f->x0) * f->k;
        xy[2 * i + 1] = f->map.y + (f->y0 - y) * f->k;
    }
}

int bm__point_to_page(const struct bm__frame *f, double lon, double lat, double *x, double *y)
{
    double xy[2] = {lon, lat};
    bm__to_page(f, xy, 1);
    *x = xy[0];
    *y = xy[1];
    return isfinite(*x) && isfinite(*y) ? 0 : -1;
}

void bm__frame_centre(const struct bm__frame *f, double *lat, double *lon)
{
    PJ_COORD c = proj_coord(f->x0 + f->map.w / (2 * f->k), f->y0 - f->map.h / (2 * f->k), 0, 0);
    PJ_COORD g = proj_trans(f->pj, PJ_INV, c);
    *lon = g.xy.x;
    *lat = g.xy.y;
}

double bm__frame_scale(const struct bm__frame *f)
{
    return 1 / (f->k * 0.0254 / 72);
}

/* ---- the page -------------------------------------------------------------- */

void bm__canvas_blank(struct bm__canvas *cv)
{
    cairo_set_source_rgb(cv->cr, 1, 1, 1);
    cairo_paint(cv->cr);
}

void bm__canvas_clip_map(struct bm__canvas *cv, struct bm_color background)
{
    const struct bm__rect *m = &cv->f.map;
    cairo_save(cv->cr);
    cairo_rectangle(cv->cr, m->x, m->y, m->w, m->h);
    cairo_clip(cv->cr);
    bm__set_color(cv->cr, background, 1);
    cairo_paint(cv->cr);
}

void bm__canvas_unclip(struct bm__canvas *cv)
{
    cairo_restore(cv->cr);
}

/* ---- colour, paths, symbols ------------------------------------------------- */

void bm__set_color(cairo_t *cr, struct bm_color c, double opacity)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * opacity);
}

int bm__canvas_reserve(struct bm__canvas *cv, size_t n, const char *what)
{
    if (n <= cv->scratch_cap)
        return 0;
    free(cv->scratch);
    free(cv->keep);
    free(cv->stack);
    cv->scratch = malloc(2 * n * sizeof *cv->scratch);
    cv->keep = malloc(n);
    cv->stack = malloc(4 * n * sizeof *cv->stack);
    cv->scratch_cap = n;
    if (!cv->scratch || !cv->keep || !cv->stack) {
        cv->scratch_cap = 0;
        bm__fail(cv->ctx, BM_ERR_NOMEM, "out of memory drawing '%s'", what);
        return -1;
    }
    return 0;
}

/* Squared distance from p to segment a-b. */
static double seg_dist2(const double *p, const double *a, const double *b)
{
    double dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2 : 0;
    t = t < 0 ? 0 : (t > 1 ? 1 : t);
    double ex = a[0] + t * dx - p[0], ey = a[1] + t * dy - p[1];
    return ex * ex + ey * ey;
}

/*
 * Douglas-Peucker over pts[0..n) on the page: mark in keep[] the points that
 * stray more than tol from the chord of their stretch. An explicit stack, so
 * a 100,000-point coastline cannot overflow the call stack.
 */
static void simplify(const double *pts, size_t n, double tol, unsigned char *keep, size_t *stack)
{
    size_t top = 0;
    memset(keep, 0, n);
    keep[0] = keep[n - 1] = 1;
    stack[top++] = 0;
    stack[top++] = n - 1;
    while (top > 0) {
        size_t b = stack[--top], a = stack[--top], worst = 0;
        double dmax = tol * tol;
        for (size_t i = a + 1; i < b; i++) {
            double d = seg_dist2(pts + 2 * i, pts + 2 * a, pts + 2 * b);
            if (d > dmax) {
                dmax = d;
                worst = i;
            }
        }
        if (worst) {
            keep[worst] = 1;
            stack[top++] = a;
            stack[top++] = worst;
            stack[top++] = worst;
            stack[top++] = b;
        }
    }
}

static int tiny(const double *pts, size_t m, double size)
{
    double x0 = pts[0], x1 = pts[0], y0 = pts[1], y1 = pts[1];
    for (size_t i = 1; i < m; i++) {
        x0 = bm__lo(x0, pts[2 * i]);
        x1 = bm__hi(x1, pts[2 * i]);
        y0 = bm__lo(y0, pts[2 * i + 1]);
        y1 = bm__hi(y1, pts[2 * i + 1]);
    }
    return x1 - x0 < size && y1 - y0 < size;
}

/* A simplified part kept in cv->held: its count, closed or not, its rows (top and
 * bottom, page y), then its points. */
enum { HEAD = 4 };

static void hold_part(struct bm__canvas *cv, const double *pts, size_t m, const unsigned char *keep,
                      int close)
{
    size_t at = cv->held.len;
    double head[HEAD] = {0, close, INFINITY, -INFINITY};
    if (bm__buf_reserve(&cv->held, sizeof head + 2 * m * sizeof(double)) != 0) {
        cv->failed = 1; /* the drawing fails: a map without this part would mislead */
        bm__fail(cv->ctx, BM_ERR_NOMEM, "out of memory drawing a shape of %zu points", m);
        return;
    }
    bm__buf_append(&cv->held, head, sizeof head);
    size_t kept = 0;
    for (size_t k = 0; k < m; k++)
        if (m <= 2 || keep[k]) {
            bm__buf_append(&cv->held, pts + 2 * k, 2 * sizeof(double));
            head[2] = bm__lo(head[2], pts[2 * k + 1]);
            head[3] = bm__hi(head[3], pts[2 * k + 1]);
            kept++;
        }
    head[0] = (double)kept;
    memcpy(cv->held.data + at, head, sizeof head);
}

/* -1 above [lo, hi], 1 below, 0 within. */
static int beyond(double y, double lo, double hi)
{
    return y < lo ? -1 : (y > hi ? 1 : 0);
}

/* The held parts as the current path, less what lies beyond [lo, hi] (page y). */
static void held_path(struct bm__canvas *cv, double lo, double hi)
{
    cairo_t *cr = cv->cr;
    const double *p = (const double *)(void *)cv->held.data;
    const double *end = p + cv->held.len / sizeof(double);
    while (p < end) {
        size_t m = (size_t)p[0];
        int close = p[1] != 0;
        double top = p[2], bottom = p[3];
        const double *pts = p + HEAD;
        p = pts + 2 * m;
        /* A part wholly beyond one side of the band adds nothing to it. */
        if (bottom < lo || top > hi)
            continue;
        int whole = top >= lo && bottom <= hi; /* all of it within: every point */
        cairo_move_to(cr, pts[0], pts[1]);
        int prev = beyond(pts[1], lo, hi);
        for (size_t k = 1; k < m; k++) {
            int side = whole ? 0 : beyond(pts[2 * k + 1], lo, hi);
            int next = whole || k + 1 == m ? 0 : beyond(pts[2 * k + 3], lo, hi);
            if (!(side != 0 && side == prev && side == next))
                cairo_line_to(cr, pts[2 * k], pts[2 * k + 1]);
            prev = side;
        }
        if (close)
            cairo_close_path(cr);
    }
}

void bm__canvas_paint_held(struct bm__canvas *cv, double margin,
                           void (*paint)(cairo_t *cr, void *arg), void *arg)
{
    cairo_t *cr = cv->cr;
    if (cv->held.len == 0)
        return; /* every part a speck: nothing to paint (an empty clip would hide all) */
    /* The shape's rows on the device, and the bands they fall in. */
    double y0 = INFINITY, y1 = -INFINITY;
    const double *p = (const double *)(void *)cv->held.data;
    const double *end = p + cv->held.len / sizeof(double);
    for (; p < end; p += HEAD + 2 * (size_t)p[0]) {
        y0 = bm__lo(y0, p[2]);
        y1 = bm__hi(y1, p[3]);
    }
    int k0 = 0, k1 = 0;
    if (cv->band_rows > 0 && margin >= 0 && y0 <= y1) {
        double x = 0, top = y0 - margin, bottom = y1 + margin;
        cairo_user_to_device(cr, &x, &top);
        cairo_user_to_device(cr, &x, &bottom);
        k0 = (int)fmax(0, floor(top / cv->band_rows));
        k1 = (int)fmin((cv->page_rows - 1) / cv->band_rows, floor(bottom / cv->band_rows));
    }
    if (k1 <= k0) {
        cairo_new_path(cr);
        held_path(cv, -INFINITY, INFINITY);
        paint(cr, arg);
        return;
    }
    for (int k = k0; k <= k1; k++) {
        cairo_matrix_t m;
        cairo_save(cr);
        cairo_get_matrix(cr, &m);
        cairo_identity_matrix(cr);
        cairo_new_path(cr);
        cairo_rectangle(cr, 0, (double)k * cv->band_rows, 1 << 20, cv->band_rows);
        cairo_clip(cr);
        cairo_set_matrix(cr, &m);
        double x = 0, lo = (double)k * cv->band_rows, hi = (double)(k + 1) * cv->band_rows;
        cairo_device_to_user(cr, &x, &lo);
        cairo_device_to_user(cr, &x, &hi);
        held_path(cv, lo - margin, hi + margin);
        paint(cr, arg);
        cairo_restore(cr);
    }
    cairo_new_path(cr);
}

/*
 * First every point closer than a device pixel to the last one kept is
 * dropped (cheap, and most of a detailed coastline goes), then Douglas-Peucker
 * with half a pixel's tolerance removes what no eye could see. This keeps
 * 300,000-vertex coastlines cheap to stroke and small in a PDF.
 */
void bm__canvas_part(struct bm__canvas *cv, const double *xy, size_t n, int close)
{
    cairo_t *cr = cv->cr;
    double res = cv->f.res;
    for (size_t i = 0; i < n;) {
        /* A run of projectable points, thinned into the scratch buffer. */
        size_t m = 0;
        double *pts = cv->scratch;
        for (; i < n && !isfinite(xy[2 * i]); i++)
            ;
        for (; i < n && isfinite(xy[2 * i]); i++) {
            double x = xy[2 * i], y = xy[2 * i + 1];
            int last = i + 1 == n || !isfinite(xy[2 * i + 2]);
            if (m > 0 && !last && fabs(x - pts[2 * m - 2]) < res && fabs(y - pts[2 * m - 1]) < res)
                continue;
            pts[2 * m] = x;
            pts[2 * m + 1] = y;
            m++;
        }
        /* A ring that thins to a point or a line, or fits in two pixels, is a speck
         * no one can see (the OSM polygons hold thousands of such islets and ponds). */
        if (m == 0 || (close && (m < 3 || tiny(pts, m, 2 * res))))
            continue;
        unsigned char *keep = cv->keep;
        if (m > 2)
            simplify(pts, m, res / 2, keep, cv->stack);
        if (cv->hold) {
            hold_part(cv, pts, m, keep, close);
            continue;
        }
        cairo_move_to(cr, pts[0], pts[1]);
        for (size_t k = 1; k < m; k++)
            if (m <= 2 || keep[k])
                cairo_line_to(cr, pts[2 * k], pts[2 * k + 1]);
        if (close)
            cairo_close_path(cr);
    }
}

int bm__canvas_outside(const struct bm__canvas *cv, const double *xy, size_t n)
{
    const struct bm__rect *f = &cv->f.map;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        x0 = bm__lo(x0, xy[2 * i]);
        x1 = bm__hi(x1, xy[2 * i]);
        y0 = bm__lo(y0, xy[2 * i + 1]);
        y1 = bm__hi(y1, xy[2 * i + 1]);
    }
    return x1 < f->x || x0 > f->x + f->w || y1 < f->y || y0 > f->y + f->h;
}

void bm__canvas_image(struct bm__canvas *cv, cairo_surface_t *img, double x, double y, double px,
                      double opacity, int multiply)
{
    cairo_t *cr = cv->cr;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, px, px);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_t *pat = cairo_get_source(cr);
    /* Pixel for pixel on the device: no filter; else bilinear, and the edges padded
     * so that the image does not fade out towards its border. */
    int exact = cv->f.pixels && fabs(px - cv->f.res) < 1e-9 * px;
    cairo_pattern_set_filter(pat, exact ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_BILINEAR);
    cairo_pattern_set_extend(pat, CAIRO_EXTEND_PAD);
    cairo_set_operator(cr, multiply ? CAIRO_OPERATOR_MULTIPLY : CAIRO_OPERATOR_OVER);
    cairo_rectangle(cr, 0, 0, cairo_image_surface_get_width(img),
                    cairo_image_surface_get_height(img));
    cairo_clip(cr);
    cairo_paint_with_alpha(cr, opacity);
    cairo_restore(cr);
}

void bm__marker_path(cairo_t *cr, enum bm_marker m, double x, double y, double size)
{
    double r = size / 2;
    switch (m) {
    case BM_MARKER_SQUARE:
        cairo_rectangle(cr, x - r, y - r, size, size);
        break;
    case BM_MARKER_TRIANGLE:
        cairo_move_to(cr, x, y - r * 1.15);
        cairo_line_to(cr, x + r, y + r * 0.75);
        cairo_line_to(cr, x - r, y + r * 0.75);
        cairo_close_path(cr);
        break;
    case BM_MARKER_STAR:
        for (int i = 0; i < 10; i++) {
            double a = -M_PI / 2 + i * M_PI / 5, rr = i % 2 ? r * 0.45 : r * 1.2;
            if (i == 0)
                cairo_move_to(cr, x + rr * cos(a), y + rr * sin(a));
            else
                cairo_line_to(cr, x + rr * cos(a), y + rr * sin(a));
        }
        cairo_close_path(cr);
        break;
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
        cairo_close_path(cr);
    }
}

/* ---- claims ------------------------------------------------------------------ */

static int overlaps(struct bm__rect a, struct bm__rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/*
 * The claims by cell of the page (CLAIM_CELL pt, at most CLAIM_CELLS a side),
 * so that a test looks at the claims near a box, not all of them: a layer of
 * 20,000 labelled points made each test a scan of 20,000 boxes (half the
 * render's time). A claim lies in every cell its box touches (cells past the
 * page's edge are the edge's); one that is not finite in the list of those
 * always looked at.
 */
#define CLAIM_CELL 32.0
#define CLAIM_CELLS 256

static void claim_cells(const struct bm__canvas *cv, struct bm__rect r, int *x0, int *y0, int *x1,
                        int *y1)
{
    const struct bm__claim_grid *g = &cv->claim_grid;
    double a = floor((r.x - g->x0) / g->cell), b = floor((r.x + r.w - g->x0) / g->cell);
    double c = floor((r.y - g->y0) / g->cell), d = floor((r.y + r.h - g->y0) / g->cell);
    *x0 = (int)fmin(g->nx - 1, fmax(0, a));
    *x1 = (int)fmin(g->nx - 1, fmax(0, b));
    *y0 = (int)fmin(g->ny - 1, fmax(0, c));
    *y1 = (int)fmin(g->ny - 1, fmax(0, d));
}

static int finite_rect(struct bm__rect r)
{
    return isfinite(r.x) && isfinite(r.y) && isfinite(r.w) && isfinite(r.h);
}

static int claims_hit_in(const struct bm__canvas *cv, const struct bm__buf *ids, struct bm__rect r)
{
    for (size_t q = 0; q < BM__BUF_COUNT(ids, size_t); q++)
        if (overlaps(BM__BUF_AT(&cv->claims, struct bm__rect, BM__BUF_AT(ids, size_t, q)), r))
            return 1;
    return 0;
}

int bm__claims_hit(const struct bm__canvas *cv, struct bm__rect r)
{
    const struct bm__claim_grid *g = &cv->claim_grid;
    if (!g->cells) {
        for (size_t i = 0; i < BM__BUF_COUNT(&cv->claims, struct bm__rect); i++)
            if (overlaps(BM__BUF_AT(&cv->claims, struct bm__rect, i), r))
                return 1;
        return 0;
    }
    if (claims_hit_in(cv, &g->odd, r))
        return 1;
    if (!finite_rect(r)) /* NaN overlaps nothing; an infinite box, anything */
        return BM__BUF_COUNT(&cv->claims, struct bm__rect) > 0 && !isnan(r.x + r.y + r.w + r.h);
    int x0, y0, x1, y1;
    claim_cells(cv, r, &x0, &y0, &x1, &y1);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            if (claims_hit_in(cv, &g->cells[(size_t)y * (size_t)g->nx + (size_t)x], r))
                return 1;
    return 0;
}

/* Put claim i in its cells; the grid made at the first claim, over the page. */
static int claims_index(struct bm__canvas *cv, size_t i, struct bm__rect r)
{
    struct bm__claim_grid *g = &cv->claim_grid;
    if (!g->cells) {
        const struct bm__rect *p = &cv->f.page;
        double w = p->w > 0 ? p->w : 842, h = p->h > 0 ? p->h : 842;
        g->cell = fmax(CLAIM_CELL, fmax(w, h) / CLAIM_CELLS);
        g->x0 = p->x;
        g->y0 = p->y;
        g->nx = (int)ceil(w / g->cell) + 1;
        g->ny = (int)ceil(h / g->cell) + 1;
        g->cells = calloc((size_t)g->nx * (size_t)g->ny, sizeof *g->cells);
        if (!g->cells)
            return -1;
        /* The claims before the grid (none, as called) go in too. */
        for (size_t k = 0; k < i; k++)
            if (claims_index(cv, k, BM__BUF_AT(&cv->claims, struct bm__rect, k)) != 0)
                return -1;
    }
    if (!finite_rect(r))
        return bm__buf_append(&g->odd, &i, sizeof i);
    int x0, y0, x1, y1;
    claim_cells(cv, r, &x0, &y0, &x1, &y1);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            if (bm__buf_append(&g->cells[(size_t)y * (size_t)g->nx + (size_t)x], &i, sizeof i) != 0)
                return -1;
    return 0;
}

/* Free the grid's cells (the claims stay); failed is kept. */
static void claim_grid_free(struct bm__claim_grid *g)
{
    if (g->cells)
        for (size_t i = 0; i < (size_t)g->nx * (size_t)g->ny; i++)
            bm__buf_free(&g->cells[i]);
    free(g->cells);
    g->cells = NULL;
    bm__buf_free(&g->odd);
}

static void claims_free(struct bm__canvas *cv)
{
    claim_grid_free(&cv->claim_grid);
    memset(&cv->claim_grid, 0, sizeof cv->claim_grid);
    bm__buf_free(&cv->claims);
    bm__buf_free(&cv->notes);
    bm__buf_free(&cv->names);
}

int bm__claims_add(struct bm__canvas *cv, struct bm__rect r, enum bm_box_kind kind, size_t id,
                   const char *text)
{
    /* The text is kept as an offset: names moves as it grows. */
    struct bm__claim_note note = {kind, id, text ? cv->names.len + 1 : 0};
    if (text && bm__buf_append(&cv->names, text, strlen(text) + 1) != 0)
        return -1;
    size_t i = BM__BUF_COUNT(&cv->claims, struct bm__rect);
    if (bm__buf_append(&cv->notes, &note, sizeof note) != 0 ||
        bm__buf_append(&cv->claims, &r, sizeof r) != 0)
        return -1;
    if (!cv->claim_grid.failed && claims_index(cv, i, r) != 0) {
        /* Out of memory: back to scanning every claim, which needs no grid. */
        claim_grid_free(&cv->claim_grid);
        cv->claim_grid.failed = 1;
    }
    return 0;
}

const struct bm_placed_box *bm__claims_publish(struct bm__canvas *cv, size_t *n)
{
    struct bm__buf boxes = {0};
    size_t count = BM__BUF_COUNT(&cv->claims, struct bm__rect);
    *n = 0;
    if (bm__buf_reserve(&boxes, count * sizeof(struct bm_placed_box) + 1) != 0)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        struct bm__rect r = BM__BUF_AT(&cv->claims, struct bm__rect, i);
        struct bm__claim_note note = BM__BUF_AT(&cv->notes, struct bm__claim_note, i);
        struct bm_placed_box b = {r.x, r.y, r.w, r.h, note.kind, note.id, NULL};
        bm__buf_append(&boxes, &b, sizeof b); /* reserved above */
    }
    /* The context keeps both buffers; the texts then stay where they are. */
    char *names;
    struct bm_placed_box *b =
        (struct bm_placed_box *)(void *)bm__ctx_keep_boxes(cv->ctx, &boxes, &cv->names, &names);
    for (size_t i = 0; i < count; i++) {
        size_t at = BM__BUF_AT(&cv->notes, struct bm__claim_note, i).text;
        if (at)
            b[i].text = names + at - 1;
    }
    *n = count;
    return b;
}

size_t bm__claims_id(struct bm__canvas *cv)
{
    return ++cv->next_id;
}

int bm__rect_free(const struct bm__canvas *cv, struct bm__rect b, double margin)
{
    const struct bm__rect *f = &cv->f.map;
    return b.x >= f->x + margin && b.y >= f->y + margin && b.x + b.w <= f->x + f->w - margin &&
           b.y + b.h <= f->y + f->h - margin && !bm__claims_hit(cv, b);
}

int bm__segment_meets_rect(double x0, double y0, double x1, double y1, struct bm__rect b)
{
    const struct bm_bbox box = {b.x, b.y, b.x + b.w, b.y + b.h};
    return bm__segment_meets_box(x0, y0, x1, y1, &box);
}

/* ---- text ------------------------------------------------------------------------ */

/* The font families fontconfig offers, lower-cased: made once per process. */
static GHashTable *installed;

static void list_families(void)
{
    installed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    FcPattern *all = FcPatternCreate();
    FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, (char *)NULL);
    FcFontSet *fs = all && os ? FcFontList(NULL, all, os) : NULL;
    for (int i = 0; fs && i < fs->nfont; i++) {
        FcChar8 *name;
        for (int k = 0; FcPatternGetString(fs->fonts[i], FC_FAMILY, k, &name) == FcResultMatch; k++)
            g_hash_table_add(installed, g_utf8_strdown((const char *)name, -1));
    }
    if (fs)
        FcFontSetDestroy(fs);
    if (os)
        FcObjectSetDestroy(os);
    if (all)
        FcPatternDestroy(all);
}

/* pthread_once, not g_once: ThreadSanitizer sees its ordering, while g_once's
 * ready flag is set inside glib, where it cannot (issue 16's CI saw a race). */
static pthread_once_t families_once = PTHREAD_ONCE_INIT;

/*
 * Fontconfig loaded (its configuration and font list: the first FcFontList
 * loads them) and the families listed, before Pango is asked for anything.
 * Every way to text goes through here first, so that Pango never loads
 * fontconfig at the same time as another thread does (fontconfig
 * would then load it twice and keep one).
 */
void bm__fonts_ready(void)
{
    pthread_once(&families_once, list_families);
}

/* Has key been seen on this canvas before? Notes it if not. */
static int seen_before(struct bm__canvas *cv, const char *key)
{
    if (!cv->fonts_warned)
        cv->fonts_warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (g_hash_table_contains(cv->fonts_warned, key))
        return 1;
    g_hash_table_add(cv->fonts_warned, g_strdup(key));
    return 0;
}

/*
 * Keep of a font description only what is installed: the families fontconfig
 * offers (else Noto Sans, with a warning once per drawing), and no font
 * variations. Pango keeps every description it is asked for, so free text from
 * a recipe ("Font1", "Font2", ...) would grow a long-running process without end.
 */
static void installed_only(struct bm__canvas *cv, PangoFontDescription *fd)
{
    const char *family = pango_font_description_get_family(fd);
    GString *kept = g_string_new(NULL);
    char **names = g_strsplit(family ? family : "", ",", -1);
    for (int i = 0; names[i]; i++) {
        char *name = g_strstrip(names[i]), *key = g_utf8_strdown(name, -1);
        if (name[0] && g_hash_table_contains(installed, key))
            g_string_append_printf(kept, "%s%s", kept->len ? "," : "", name);
        else if (name[0] && !seen_before(cv, key))
            bm__warn(cv->ctx, "no font '%s' is installed; its text is drawn in Noto Sans", name);
        g_free(key);
    }
    g_strfreev(names);
    pango_font_description_set_family(fd, kept->len ? kept->str : "Noto Sans");
    g_string_free(kept, TRUE);
    pango_font_description_unset_fields(fd, PANGO_FONT_MASK_VARIATIONS);
}

PangoLayout *bm__text_layout(struct bm__canvas *cv, const char *text, const char *font, double size)
{
    bm__fonts_ready();
    PangoLayout *lay = pango_cairo_create_layout(cv->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font ? font : "Noto Sans");
    installed_only(cv, fd);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(lay, text, -1);
    return lay;
}

double bm__text_height(const char *text, const char *font, double size, double width)
{
    bm__fonts_ready();
    PangoContext *pc = pango_font_map_create_context(pango_cairo_font_map_get_default());
    PangoLayout *lay = pango_layout_new(pc);
    PangoFontDescription *fd = pango_font_description_from_string(font ? font : "Noto Sans");
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(lay, text, -1);
    /* A little narrower than the page will be: hinted widths there may be wider. */
    bm__text_wrap(lay, width * 0.98);
    int w, h;
    pango_layout_get_size(lay, &w, &h);
    g_object_unref(lay);
    g_object_unref(pc);
    return (double)h / PANGO_SCALE;
}

void bm__text_wrap(PangoLayout *lay, double width)
{
    pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(lay, PANGO_WRAP_WORD);
}

int bm__text_cut(PangoLayout *lay, double width)
{
    pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
    pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
    return pango_layout_is_ellipsized(lay);
}

void bm__text_size(PangoLayout *lay, double *w, double *h)
{
    PangoRectangle ink, logical;
    pango_layout_get_pixel_extents(lay, &ink, &logical);
    if (w)
        *w = logical.width;
    if (h)
        *h = logical.height;
}

void bm__text_size_exact(PangoLayout *lay, double *w, double *h)
{
    int tw, th;
    pango_layout_get_size(lay, &tw, &th);
    if (w)
        *w = tw / (double)PANGO_SCALE;
    if (h)
        *h = th / (double)PANGO_SCALE;
}

/*
 * PDF readers (poppler's pdftotext, a viewer's search) build words from
 * glyphs that share a baseline; the glyphs of a turned label share none, so
 * its text came out one letter per line. Each run of such a layout is
 * shown here as one cluster of all its glyphs: cairo then writes the run's
 * text once, as the ActualText of the run, and readers take it as a word.
 * The glyphs and their places are Pango's, as pango_cairo_show_layout()
 * would draw them.
 */
static int pdf_turned(cairo_t *cr)
{
    cairo_matrix_t m;
    cairo_get_matrix(cr, &m);
    return (m.xy != 0 || m.yx != 0) &&
           cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_PDF;
}

/*
 * Call each for every run of the layout drawn at (x, y), pt: the run, the
 * layout's text (the run's is at run->item->offset), where the run starts and
 * its baseline, both pt, as Pango places them; data is passed on.
 */
static void each_run(PangoLayout *lay, double x, double y,
                     void (*each)(PangoGlyphItem *run, const char *text, double x, double baseline,
                                  void *data),
                     void *data)
{
    const char *text = pango_layout_get_text(lay);
    PangoLayoutIter *it = pango_layout_get_iter(lay);
    do {
        PangoGlyphItem *run = pango_layout_iter_get_run_readonly(it);
        if (!run)
            continue;
        PangoRectangle logical;
        pango_layout_iter_get_run_extents(it, NULL, &logical);
        each(run, text, x + (double)logical.x / PANGO_SCALE,
             y + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE, data);
    } while (pango_layout_iter_next_run(it));
    pango_layout_iter_free(it);
}

/* One run as one word (see pdf_turned); data is the cairo context. */
static void show_run_as_word(PangoGlyphItem *run, const char *text, double x, double y, void *data)
{
    cairo_t *cr = data;
    PangoGlyphString *gs = run->glyphs;
    cairo_glyph_t *g = malloc((size_t)gs->num_glyphs * sizeof *g);
    if (!g)
        return;
    int n = 0, at = 0;
    for (int i = 0; i < gs->num_glyphs; i++) {
        const PangoGlyphInfo *gi = &gs->glyphs[i];
        if (gi->glyph != PANGO_GLYPH_EMPTY && !(gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG))
            g[n++] =
                (cairo_glyph_t){gi->glyph, x + (double)(at + gi->geometry.x_offset) / PANGO_SCALE,
                                y + (double)gi->geometry.y_offset / PANGO_SCALE};
        at += gi->geometry.width;
    }
    cairo_scaled_font_t *sf =
        pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(run->item->analysis.font));
    if (n > 0 && sf) {
        cairo_text_cluster_t one = {run->item->length, n};
        cairo_save(cr);
        cairo_set_scaled_font(cr, sf);
        cairo_show_text_glyphs(cr, text + run->item->offset, run->item->length, g, n, &one, 1, 0);
        cairo_restore(cr);
    }
    free(g);
}

/* ---- SVG with real text (see out/svg.c) ---- */

static void svg_colour(GString *g, const char *attr, struct bm_color c, const char *opacity)
{
    g_string_append_printf(g, " %s=\"#%02x%02x%02x\"", attr, (int)lround(c.r * 255),
                           (int)lround(c.g * 255), (int)lround(c.b * 255));
    if (c.a < 1)
        g_string_append_printf(g, " %s=\"%.3g\"", opacity, c.a);
}

/* Text as XML character data: the markup characters escaped, control characters dropped. */
static void svg_escape(GString *g, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '&')
            g_string_append(g, "&amp;");
        else if (c == '<')
            g_string_append(g, "&lt;");
        else if (c == '>')
            g_string_append(g, "&gt;");
        else if (c == '"')
            g_string_append(g, "&quot;");
        else if (c >= 0x20 || c == '\t')
            g_string_append_c(g, (char)c);
    }
}

/* Open a <text> element: where the page's transform puts it, its fill and its halo. */
static void svg_open(struct bm__canvas *cv, struct bm_color color, struct bm_color halo,
                     double halo_width)
{
    cairo_matrix_t m;
    cairo_get_matrix(cv->cr, &m);
    GString *g = g_string_new("<text xml:space=\"preserve\"");
    if (m.xx != 1 || m.yx != 0 || m.xy != 0 || m.yy != 1 || m.x0 != 0 || m.y0 != 0)
        g_string_append_printf(g, " transform=\"matrix(%.6g %.6g %.6g %.6g %.3f %.3f)\"", m.xx,
                               m.yx, m.xy, m.yy, m.x0, m.y0);
    svg_colour(g, "fill", color, "fill-opacity");
    /* The halo: the glyphs' outline stroked beneath their fill, as cairo draws it. */
    if (halo.a > 0 && halo_width > 0) {
        svg_colour(g, "stroke", halo, "stroke-opacity");
        g_string_append_printf(g,
                               " stroke-width=\"%.3f\" stroke-linejoin=\"round\" "
                               "paint-order=\"stroke\"",
                               2 * halo_width);
    }
    g_string_append_c(g, '>');
    cv->svg_text = g;
    cv->svg_box[0] = cv->svg_box[1] = INFINITY;
    cv->svg_box[2] = cv->svg_box[3] = -INFINITY;
}

/* The box (user space, pt) grown by margin, into the element's box on the device. */
static void svg_grow(struct bm__canvas *cv, double x, double y, double w, double h, double margin)
{
    const double cx[4] = {x - margin, x + w + margin, x - margin, x + w + margin};
    const double cy[4] = {y - margin, y - margin, y + h + margin, y + h + margin};
    for (int i = 0; i < 4; i++) {
        double dx = cx[i], dy = cy[i];
        cairo_user_to_device(cv->cr, &dx, &dy);
        cv->svg_box[0] = fmin(cv->svg_box[0], dx);
        cv->svg_box[1] = fmin(cv->svg_box[1], dy);
        cv->svg_box[2] = fmax(cv->svg_box[2], dx);
        cv->svg_box[3] = fmax(cv->svg_box[3], dy);
    }
}

/*
 * Where a run starts, x; and where each of its characters goes when each is one
 * glyph of its own (Latin, Chinese): a viewer's own shaping (librsvg hints its
 * advances to its pixels) then cannot drift from Pango's placement along a
 * long label. A run of clusters (Burmese syllables) keeps its start only, so
 * that the viewer shapes it whole.
 */
static void svg_glyph_x(GString *g, const PangoGlyphItem *run, const char *text, double x)
{
    const PangoGlyphString *gs = run->glyphs;
    const char *s = text + run->item->offset;
    int one_each = !(run->item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS) &&
                   !(run->item->analysis.level & 1) &&
                   g_utf8_strlen(s, run->item->length) == gs->num_glyphs;
    for (int i = 0, at = 0; one_each && i < gs->num_glyphs; i++) {
        one_each = gs->log_clusters[i] == at;
        at += (int)(g_utf8_next_char(s + at) - (s + at));
    }
    g_string_append_printf(g, "%.3f", x);
    double at = x;
    for (int i = 0; one_each && i + 1 < gs->num_glyphs; i++) {
        at += (double)gs->glyphs[i].geometry.width / PANGO_SCALE;
        g_string_append_printf(g, " %.3f", at);
    }
}

/* A tspan's font: family, size, weight and style, as Pango chose it. */
static void svg_font(GString *g, PangoFont *font)
{
    PangoFontDescription *fd = pango_font_describe_with_absolute_size(font);
    const char *family = pango_font_description_get_family(fd);
    g_string_append(g, " font-family=\"");
    svg_escape(g, family ? family : "Noto Sans", family ? strlen(family) : 9);
    g_string_append_printf(g, "\" font-size=\"%.3f\"",
                           (double)pango_font_description_get_size(fd) / PANGO_SCALE);
    int weight = pango_font_description_get_weight(fd);
    if (weight != PANGO_WEIGHT_NORMAL)
        g_string_append_printf(g, " font-weight=\"%d\"", weight);
    if (pango_font_description_get_style(fd) != PANGO_STYLE_NORMAL)
        g_string_append(g, " font-style=\"italic\"");
    pango_font_description_free(fd);
}

/* A <tspan> of one run, starting at x on its baseline, in the run's font; data is the GString. */
static void svg_tspan(PangoGlyphItem *run, const char *text, double x, double baseline, void *data)
{
    GString *g = data;
    g_string_append(g, "<tspan x=\"");
    svg_glyph_x(g, run, text, x);
    g_string_append_printf(g, "\" y=\"%.3f\"", baseline);
    svg_font(g, run->item->analysis.font);
    g_string_append_c(g, '>');
    /* An ellipsis run stands for the text it cut: it shows only the ellipsis. */
    if (run->item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS)
        g_string_append(g, "\u2026");
    else
        svg_escape(g, text + run->item->offset, (size_t)run->item->length);
    g_string_append(g, "</tspan>");
}

/* A <tspan> per run of the layout at (x, y), where Pango placed it, in the run's font. */
static void svg_runs(struct bm__canvas *cv, PangoLayout *lay, double x, double y, double halo_width)
{
    each_run(lay, x, y, svg_tspan, cv->svg_text);
    PangoRectangle ink, logical;
    pango_layout_get_extents(lay, &ink, &logical);
    svg_grow(cv, x + (double)ink.x / PANGO_SCALE, y + (double)ink.y / PANGO_SCALE,
             (double)ink.width / PANGO_SCALE, (double)ink.height / PANGO_SCALE, halo_width + 1);
}

/* Close the element, keep it, and draw its numbered marker over its box. */
static void svg_close(struct bm__canvas *cv)
{
    GString *g = cv->svg_text;
    cv->svg_text = NULL;
    g_string_append(g, "</text>");
    guint i = cv->svg_texts->len;
    g_ptr_array_add(cv->svg_texts, g_string_free(g, FALSE));
    const double *b = cv->svg_box;
    if (!(b[2] > b[0] && b[3] > b[1]) || i >= 1u << 24)
        return;
    cairo_t *cr = cv->cr;
    cairo_save(cr);
    cairo_identity_matrix(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, b[0], b[1], b[2] - b[0], b[3] - b[1]);
    cairo_set_source_rgba(cr, (i >> 16 & 255) / 255.0, (i >> 8 & 255) / 255.0, (i & 255) / 255.0,
                          BM__SVG_MARK_ALPHA);
    cairo_fill(cr);
    cairo_restore(cr);
}

int bm__text_pieces_begin(struct bm__canvas *cv, struct bm_color color, struct bm_color halo,
                          double halo_width)
{
    if (!cv->svg_texts)
        return 0;
    if (cv->svg_text)
        svg_close(cv);
    cv->piece_color = color;
    cv->piece_halo = halo;
    cv->piece_halo_width = halo_width;
    return 1;
}

/* Each piece is a <text> of its own, turned by its transform: librsvg ignores the
 * rotate attribute of SVG text, and a viewer advancing along x would set a piece of
 * several glyphs (a Burmese syllable) off its line. */
void bm__text_piece(struct bm__canvas *cv, PangoFont *font, const char *text, size_t len, double x,
                    double y, double angle, double width)
{
    if (!cv->svg_texts || len == 0)
        return;
    cairo_t *cr = cv->cr;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    svg_open(cv, cv->piece_color, cv->piece_halo, cv->piece_halo_width);
    GString *g = cv->svg_text;
    g_string_append(g, "<tspan x=\"0\" y=\"0\"");
    svg_font(g, font);
    g_string_append_c(g, '>');
    svg_escape(g, text, len);
    g_string_append(g, "</tspan>");
    /* The piece's box: a text height above its baseline and a third below. */
    PangoFontDescription *fd = pango_font_describe_with_absolute_size(font);
    double size = (double)pango_font_description_get_size(fd) / PANGO_SCALE;
    pango_font_description_free(fd);
    double halo = cv->piece_halo.a > 0 && cv->piece_halo_width > 0 ? cv->piece_halo_width : 0;
    svg_grow(cv, 0, -size, width, 4 * size / 3, halo + 1);
    svg_close(cv);
    cairo_restore(cr);
}

void bm__text_group_begin(struct bm__canvas *cv)
{
    cv->svg_grouping = cv->svg_texts != NULL;
}

void bm__text_group_end(struct bm__canvas *cv)
{
    if (cv->svg_grouping && cv->svg_text)
        svg_close(cv);
    cv->svg_grouping = 0;
}

void bm__draw_text(struct bm__canvas *cv, PangoLayout *lay, double x, double y,
                   struct bm_color color, struct bm_color halo, double halo_width)
{
    cairo_t *cr = cv->cr;
    if (cv->svg_texts) {
        double margin = halo.a > 0 && halo_width > 0 ? halo_width : 0;
        if (!cv->svg_text)
            svg_open(cv, color, halo, halo_width);
        svg_runs(cv, lay, x, y, margin);
        if (!cv->svg_grouping)
            svg_close(cv);
        return;
    }
    cairo_save(cr);
    cairo_move_to(cr, x, y);
    if (halo.a > 0 && halo_width > 0) {
        pango_cairo_layout_path(cr, lay);
        bm__set_color(cr, halo, 1);
        cairo_set_line_width(cr, 2 * halo_width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_move_to(cr, x, y);
    }
    bm__set_color(cr, color, 1);
    if (pdf_turned(cr))
        each_run(lay, x, y, show_run_as_word, cr);
    else
        pango_cairo_show_layout(cr, lay);
    cairo_restore(cr);
}

const char *bm__canvas_keep(struct bm__canvas *cv, GString *g)
{
    if (!cv->strings)
        cv->strings = g_ptr_array_new_with_free_func(g_free);
    char *s = g_string_free(g, FALSE);
    g_ptr_array_add(cv->strings, s);
    return s;
}

void bm__km_text(GString *out, double metres, int unit)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%.1f", metres / 1000);
    const char *dot = strchr(raw, '.');
    size_t whole = dot ? (size_t)(dot - raw) : strlen(raw);
    for (size_t i = 0; i < whole; i++) {
        if (i > 0 && (whole - i) % 3 == 0)
            g_string_append_c(out, ',');
        g_string_append_c(out, raw[i]);
    }
    g_string_append_printf(out, "%s%s", dot ? dot : "", unit ? " km" : "");
}

/*
 * The geodesic length of a whole layer, measured once per canvas: a label or
 * legend may name {layer_length} on every feature, any number of times (the
 * security review's recipe: 70 s of CPU for one token on the divisions).
 */
/*
 * The lengths a drawing's templates ask for, each computed once: a label's
 * {length} is asked for each time the labels are gathered, and the legend's
 * {layer_length} sums the same features (the border's 11,000 geodesic
 * segments: 3 % of the situation map, three times over). Per layer: its
 * features' lengths, then their sum (NAN until computed).
 */
static double *lengths_of(struct bm__canvas *cv, const struct bm_layer *L)
{
    if (!cv->lengths)
        cv->lengths = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    double *known = g_hash_table_lookup(cv->lengths, L);
    if (known)
        return known;
    size_t n = bm_layer_feature_count(L);
    known = g_new(double, n + 1);
    for (size_t i = 0; i <= n; i++)
        known[i] = NAN;
    g_hash_table_insert(cv->lengths, (gpointer)L, known);
    return known;
}

static double feature_length(struct bm__canvas *cv, const struct bm_layer *L, size_t feat)
{
    double *known = lengths_of(cv, L);
    if (isnan(known[feat]))
        known[feat] = bm_feature_length(L, feat);
    return known[feat];
}

static double layer_length(struct bm__canvas *cv, const struct bm_layer *L)
{
    size_t n = bm_layer_feature_count(L);
    double *known = lengths_of(cv, L);
    if (isnan(known[n])) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += feature_length(cv, L, i);
        known[n] = total;
    }
    return known[n];
}

const char *bm__expand(struct bm__canvas *cv, const char *tmpl, const struct bm_layer *L,
                       size_t feat)
{
    if (!strchr(tmpl, '{'))
        return tmpl;
    GString *out = g_string_new(NULL);
    for (const char *p = tmpl; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (!close) {
            g_string_append_c(out, *p++);
            continue;
        }
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(close - p - 1), p + 1);
        if (strcmp(key, "length") == 0 && L) {
            bm__km_text(out, feature_length(cv, L, feat), 1);
        } else if (strcmp(key, "layer_length") == 0 && L) {
            bm__km_text(out, layer_length(cv, L), 1);
        } else {
            int k = L ? bm_layer_field_index(L, key) : -1;
            const char *v = k >= 0 ? bm_layer_attr(L, feat, (size_t)k) : NULL;
            g_string_append(out, v ? v : "");
        }
        p = close + 1;
    }
    return bm__canvas_keep(cv, out);
}
