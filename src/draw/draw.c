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

/* ---- styles (defaults and merging: src/map/style.c) -------------------- */

static int rule_matches(const struct bm_rule *rule, const struct bm_layer *L, size_t feat)
{
    int k = bm_layer_field_index(L, rule->field);
    const char *v = k >= 0 ? bm_layer_attr(L, feat, (size_t)k) : NULL;
    for (size_t i = 0; v && i < rule->nvalues; i++)
        if (strcasecmp(v, rule->values[i]) == 0)
            return 1;
    return 0;
}

void bm__feature_style(const struct bm_map_layer *ml, const struct bm_layer *L, size_t feat,
                       struct bm_style *out, const char **legend)
{
    *out = bm__style_defaults(bm_layer_feature(L, feat)->type);
    bm__style_merge(out, &ml->style);
    *legend = ml->legend;
    for (size_t i = 0; i < ml->nrules; i++)
        if (rule_matches(&ml->rules[i], L, feat)) {
            bm__style_merge(out, &ml->rules[i].style);
            if (ml->rules[i].legend)
                *legend = ml->rules[i].legend;
        }
}

/* ---- text templates ------------------------------------------------------ */

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

/* A text made while drawing, kept (and freed) with the drawing. */
static const char *keep_text(struct bm__render *r, GString *g)
{
    if (!r->strings)
        r->strings = g_ptr_array_new_with_free_func(g_free);
    char *s = g_string_free(g, FALSE);
    g_ptr_array_add(r->strings, s);
    return s;
}

const char *bm__expand(struct bm__render *r, const char *tmpl, const struct bm_layer *L,
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
            bm__km_text(out, bm_feature_length(L, feat), 1);
        } else if (strcmp(key, "layer_length") == 0 && L) {
            double total = 0;
            for (size_t i = 0; i < bm_layer_feature_count(L); i++)
                total += bm_feature_length(L, i);
            bm__km_text(out, total, 1);
        } else {
            int k = L ? bm_layer_field_index(L, key) : -1;
            const char *v = k >= 0 ? bm_layer_attr(L, feat, (size_t)k) : NULL;
            g_string_append(out, v ? v : "");
        }
        p = close + 1;
    }
    return keep_text(r, out);
}

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
    for (size_t i = 0; i < r->drawn.n; i++)
        if (strcmp(r->drawn.e[i].text, text) == 0)
            return;
    if (r->drawn.n < sizeof r->drawn.e / sizeof r->drawn.e[0])
        r->drawn.e[r->drawn.n++] = (struct bm__legend_entry){text, *s, type};
}

/* ---- paths ------------------------------------------------------------- */

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
        x0 = fmin(x0, pts[2 * i]);
        x1 = fmax(x1, pts[2 * i]);
        y0 = fmin(y0, pts[2 * i + 1]);
        y1 = fmax(y1, pts[2 * i + 1]);
    }
    return x1 - x0 < size && y1 - y0 < size;
}

/*
 * Add one part to the path, simplified to the output resolution: first every
 * point closer than a device pixel to the last one kept is dropped (cheap,
 * and most of a detailed coastline goes), then Douglas-Peucker with half a
 * pixel's tolerance removes what no eye could see. This keeps 300,000-vertex
 * coastlines cheap to stroke and small in a PDF.
 */
static void add_part(struct bm__render *r, const double *xy, size_t n, int close)
{
    cairo_t *cr = r->cr;
    double res = r->f.res;
    for (size_t i = 0; i < n;) {
        /* A run of projectable points, thinned into the scratch buffer. */
        size_t m = 0;
        double *pts = r->scratch;
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
        unsigned char *keep = r->keep;
        if (m > 2)
            simplify(pts, m, res / 2, keep, r->stack);
        cairo_move_to(cr, pts[0], pts[1]);
        for (size_t k = 1; k < m; k++)
            if (m <= 2 || keep[k])
                cairo_line_to(cr, pts[2 * k], pts[2 * k + 1]);
        if (close)
            cairo_close_path(cr);
    }
}

/* Is the part's bounding box outside the frame? */
static int outside(const struct bm__rect *f, const double *xy, size_t n)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        x0 = fmin(x0, xy[2 * i]);
        x1 = fmax(x1, xy[2 * i]);
        y0 = fmin(y0, xy[2 * i + 1]);
        y1 = fmax(y1, xy[2 * i + 1]);
    }
    return x1 < f->x || x0 > f->x + f->w || y1 < f->y || y0 > f->y + f->h;
}

static int feature_path(struct bm__render *r, size_t li, size_t feat, int close)
{
    const struct bm_layer *L = r->layers[li];
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    int any = 0;
    for (size_t k = 0; k < f->nparts; k++) {
        const double *xy = r->page_xy[li] + 2 * parts[k].first;
        if (outside(&r->f.map, xy, parts[k].count))
            continue;
        add_part(r, xy, parts[k].count, close);
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

void bm__marker_path(cairo_t *cr, enum bm_marker m, double x, double y, double size);

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

static void draw_polygons(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_layer *L = r->layers[li];
    cairo_t *cr = r->cr;
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        if (bm_layer_feature(L, i)->type != BM_GEOM_POLYGON)
            continue;
        struct bm_style s;
        const char *legend;
        bm__feature_style(ml, L, i, &s, &legend);
        cairo_new_path(cr);
        if (!feature_path(r, li, i, 1))
            continue;
        if (s.fill.a > 0) {
            bm__set_color(cr, s.fill, s.opacity);
            cairo_fill_preserve(cr);
        }
        if (s.stroke.a > 0 && s.width > 0) {
            set_stroke(cr, &s, s.stroke, s.width);
            cairo_stroke_preserve(cr);
        }
        cairo_new_path(cr);
        if (legend)
            note_legend(r, li, bm__expand(r, legend, L, i), &s, BM_GEOM_POLYGON, legend);
    }
}

static void draw_lines(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_layer *L = r->layers[li];
    cairo_t *cr = r->cr;
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
            cairo_new_path(cr);
            if (!feature_path(r, li, i, 0))
                continue;
            if (pass == 0) {
                set_stroke(cr, &s, s.casing, s.casing_width);
                cairo_set_dash(cr, NULL, 0, 0);
            } else {
                set_stroke(cr, &s, s.stroke, s.width);
                if (legend)
                    note_legend(r, li, bm__expand(r, legend, L, i), &s, BM_GEOM_LINE, legend);
            }
            cairo_stroke(cr);
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
        const struct bm__rect *f = &r->f.map;
        if (!(xy[0] >= f->x && xy[0] <= f->x + f->w && xy[1] >= f->y && xy[1] <= f->y + f->h))
            continue;
        draw_marker(r->cr, &s, xy[0], xy[1]);
        if (legend)
            note_legend(r, li, bm__expand(r, legend, L, i), &legend_style, BM_GEOM_POINT, legend);
    }
}

/* The frame's extent in degrees: it holds more than the map's extent when its shape differs. */
static struct bm_bbox view_of(struct bm__render *r)
{
    const struct bm__frame *f = &r->f;
    double xmin = f->x0, ymax = f->y0;
    double xmax = f->x0 + f->map.w / f->k, ymin = f->y0 - f->map.h / f->k;
    struct bm_bbox b = f->extent;
    if (!proj_trans_bounds(bm__proj(r->ctx), f->pj, PJ_INV, xmin, ymin, xmax, ymax, &b.west,
                           &b.south, &b.east, &b.north, 21))
        b = f->extent;
    return b;
}

/* The layer's filter: its own, and its date range for events (ISO dates compare as text). */
static const char *layer_filter(struct bm__render *r, const struct bm_map_layer *ml)
{
    if (!ml->date_field || (!ml->date_from && !ml->date_to))
        return ml->where;
    GString *w = g_string_new(NULL);
    if (ml->where)
        g_string_append_printf(w, "(%s)", ml->where);
    if (ml->date_from)
        g_string_append_printf(w, "%s\"%s\" >= '%s'", w->len ? " AND " : "", ml->date_field,
                               ml->date_from);
    if (ml->date_to)
        g_string_append_printf(w, "%s\"%s\" <= '%s'", w->len ? " AND " : "", ml->date_field,
                               ml->date_to);
    return keep_text(r, w);
}

/*
 * Events whose date is malformed are not drawn, each with a warning that
 * names its line (a CSV's features are numbered from 1 after the header).
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
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        const char *d = bm_layer_attr(L, i, (size_t)k);
        if (bm__is_iso_date(d))
            continue;
        r->skip[li][i] = 1;
        long long fid = (long long)bm_layer_feature(L, i)->fid, line = bm__feature_line(L, fid);
        bm__warn(r->ctx, "%s:%s%lld: bad date '%s' in %s; expected YYYY-MM-DD; row skipped",
                 ml->source, line >= 0 ? "" : "feature ", line >= 0 ? line : fid, d ? d : "",
                 ml->date_field);
    }
    return 0;
}

static int load_layer(struct bm__render *r, size_t li)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    /* Validity is not checked here: even-odd filling draws an invalid polygon as
     * its author drew it, and GEOS's check costs seconds on detailed countries.
     * Events are loaded whole, so that rows without coordinates are reported. */
    struct bm_load_opts o = {.where = layer_filter(r, ml),
                             .bbox = ml->date_field ? NULL : &r->view,
                             .invalid = BM_INVALID_UNCHECKED};
    if (bm_layer_load(r->ctx, ml->source, &o, &r->layers[li]) != BM_OK || check_dates(r, li) != 0)
        return -1;
    size_t n = bm_layer_point_count(r->layers[li]);
    r->page_xy[li] = malloc((2 * n + 2) * sizeof(double));
    if (!r->page_xy[li]) {
        bm__fail(r->ctx, BM_ERR_NOMEM, "out of memory drawing '%s'", ml->source);
        return -1;
    }
    memcpy(r->page_xy[li], bm_layer_xy(r->layers[li]), 2 * n * sizeof(double));
    bm__to_page(&r->f, r->page_xy[li], n);
    /* Scratch for simplifying: as large as the layer's largest part. */
    size_t most = 0;
    const struct bm_layer *L = r->layers[li];
    for (size_t f = 0; f < bm_layer_feature_count(L); f++) {
        const struct bm_feature *feat = bm_layer_feature(L, f);
        for (size_t k = 0; k < feat->nparts; k++)
            most = most > bm_layer_parts(L)[feat->first_part + k].count
                       ? most
                       : bm_layer_parts(L)[feat->first_part + k].count;
    }
    if (most > r->scratch_cap) {
        free(r->scratch);
        free(r->keep);
        free(r->stack);
        r->scratch = malloc(2 * most * sizeof *r->scratch);
        r->keep = malloc(most);
        r->stack = malloc(4 * most * sizeof *r->stack);
        r->scratch_cap = most;
        if (!r->scratch || !r->keep || !r->stack) {
            r->scratch_cap = 0;
            bm__fail(r->ctx, BM_ERR_NOMEM, "out of memory drawing '%s'", ml->source);
            return -1;
        }
    }
    return 0;
}

int bm__draw_layers(struct bm__render *r)
{
    const struct bm_map *m = r->map;
    r->view = view_of(r);
    r->page_xy = calloc(m->nlayers + 1, sizeof *r->page_xy);
    r->skip = calloc(m->nlayers + 1, sizeof *r->skip);
    if (!r->page_xy || !r->skip)
        return -1;
    /* The map's scale denominator at its centre: ground metres per page metre. */
    double scale = 1 / (r->f.k * 0.0254 / 72);
    for (size_t li = 0; li < m->nlayers; li++) {
        const struct bm_map_layer *ml = &m->layers[li];
        if ((ml->min_scale > 0 && scale < ml->min_scale) ||
            (ml->max_scale > 0 && scale > ml->max_scale))
            continue; /* outside its scale range: not drawn, not labelled */
        if (load_layer(r, li) != 0)
            return -1;
        cairo_save(r->cr);
        /* A layer may mix families: areas under lines under points. */
        draw_polygons(r, li);
        draw_lines(r, li);
        draw_points(r, li);
        cairo_restore(r->cr);
    }
    return 0;
}
