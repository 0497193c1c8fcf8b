/* bordermap: labels from every layer, placed by priority without collisions. */
#include "core/internal.h"
#include "draw/render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One label to place: up to three lines (English, Chinese, Burmese). */
struct candidate {
    double priority; /* lower first */
    const struct bm_label *style;
    const char *lines[3];
    double x, y;             /* anchor on the page */
    double gap;              /* point labels: clearance from the anchor (marker radius) */
    double angle;            /* line labels: radians */
    enum bm_placement where; /* POINT, LINE or AREA: how place() places it */
    size_t layer, feature;   /* line and area labels: where to look for other positions */
    int fixed;               /* AREA: centred on (x, y) only, not searched inside an area */
};

static int push(struct bm__buf *cs, struct candidate c)
{
    return bm__buf_append(cs, &c, sizeof c);
}

static int by_priority(const void *a, const void *b)
{
    const struct candidate *p = a, *q = b;
    return p->priority < q->priority ? -1 : p->priority > q->priority;
}

static const char *field_text(const struct bm_layer *L, size_t feat, const char *field)
{
    int k = field ? bm_layer_field_index(L, field) : -1;
    const char *v = k >= 0 ? bm_layer_attr(L, feat, (size_t)k) : NULL;
    return v && v[0] ? v : NULL;
}

static int in_frame(const struct bm__rect *f, double x, double y)
{
    return x >= f->x && x <= f->x + f->w && y >= f->y && y <= f->y + f->h;
}

/* Point-in-polygon over all rings of a feature on the page (even-odd). */
static int inside_feature(const double *xy, const struct bm_part *parts, size_t nparts, double x,
                          double y)
{
    int in = 0;
    for (size_t k = 0; k < nparts; k++) {
        const double *p = xy + 2 * parts[k].first;
        size_t n = parts[k].count;
        for (size_t i = 0, j = n - 1; i < n; j = i++)
            if (((p[2 * i + 1] > y) != (p[2 * j + 1] > y)) &&
                x < (p[2 * j] - p[2 * i]) * (y - p[2 * i + 1]) / (p[2 * j + 1] - p[2 * i + 1]) +
                        p[2 * i])
                in = !in;
    }
    return in;
}

/*
 * The visible part of a feature's box on the page (its points' box cut to the
 * frame), where an area label's anchors lie. Returns -1 when too little of
 * the feature shows to hold a name.
 */
static int visible_box(const struct bm__render *r, size_t li, size_t feat, struct bm__rect *vb)
{
    const struct bm_layer *L = r->layers[li];
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = r->page_xy[li];
    const struct bm__rect *fr = &r->cv.f.map;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t p = 0; p < f->nparts; p++)
        for (size_t i = parts[p].first; i < parts[p].first + parts[p].count; i++) {
            if (!isfinite(xy[2 * i]))
                continue;
            x0 = bm__lo(x0, xy[2 * i]);
            x1 = bm__hi(x1, xy[2 * i]);
            y0 = bm__lo(y0, xy[2 * i + 1]);
            y1 = bm__hi(y1, xy[2 * i + 1]);
        }
    x0 = fmax(x0, fr->x);
    y0 = fmax(y0, fr->y);
    x1 = fmin(x1, fr->x + fr->w);
    y1 = fmin(y1, fr->y + fr->h);
    *vb = (struct bm__rect){x0, y0, x1 - x0, y1 - y0};
    return x1 - x0 < 40 || y1 - y0 < 20 ? -1 : 0;
}

/* Anchor number `k` (0..48) in the visible box: its middle, then a 7 x 7 grid spiralling out. */
static void spiral_point(const struct bm__rect *vb, int k, double *x, double *y)
{
    /* The k-th cell of a square spiral: ring 0 is the centre, ring n has 8n cells. */
    int ring = 0, left = k;
    while (left >= (ring ? 8 * ring : 1)) {
        left -= ring ? 8 * ring : 1;
        ring++;
    }
    int i = 0, j = 0;
    if (ring > 0) {
        int side = left / (2 * ring), off = left % (2 * ring);
        i = side == 0 ? -ring + off : side == 1 ? ring : side == 2 ? ring - off : -ring;
        j = side == 0 ? -ring : side == 1 ? -ring + off : side == 2 ? ring : ring - off;
    }
    *x = vb->x + (0.5 + i / 8.0) * vb->w;
    *y = vb->y + (0.5 + j / 8.0) * vb->h;
}

/* Is page point (x, y) inside feature feat of layer li? */
static int inside_at(const struct bm__render *r, size_t li, size_t feat, double x, double y)
{
    const struct bm_layer *L = r->layers[li];
    const struct bm_feature *f = bm_layer_feature(L, feat);
    return inside_feature(r->page_xy[li], bm_layer_parts(L) + f->first_part, f->nparts, x, y);
}

/* The point at distance d along a part's visible stretches (page points). */
static int point_along(const struct bm__rect *f, const double *p, size_t n, double d, double *x,
                       double *y)
{
    double run = 0;
    for (size_t i = 1; i < n; i++) {
        if (!in_frame(f, p[2 * i], p[2 * i + 1]))
            continue;
        double seg = hypot(p[2 * i] - p[2 * i - 2], p[2 * i + 1] - p[2 * i - 1]);
        if (run + seg >= d && seg > 0) {
            double t = (d - run) / seg;
            *x = p[2 * i - 2] + t * (p[2 * i] - p[2 * i - 2]);
            *y = p[2 * i - 1] + t * (p[2 * i + 1] - p[2 * i - 1]);
            return 0;
        }
        run += seg;
    }
    return -1;
}

/*
 * A line label's anchor at fraction `at` along the longest visible part of
 * the feature: the middle of the chord that spans the label's length there,
 * and the chord's direction, so that a straight label follows a wiggly line
 * (a border along a river) on average rather than one bend of it.
 */
static int line_anchor(const struct bm__render *r, size_t li, size_t feat, double at, double span,
                       double *x, double *y, double *angle)
{
    const struct bm_layer *L = r->layers[li];
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = r->page_xy[li];
    double best = 0;
    const double *bp = NULL;
    size_t bn = 0;
    for (size_t k = 0; k < f->nparts; k++) {
        const double *p = xy + 2 * parts[k].first;
        double total = 0;
        for (size_t i = 1; i < parts[k].count; i++)
            if (in_frame(&r->cv.f.map, p[2 * i], p[2 * i + 1]))
                total += hypot(p[2 * i] - p[2 * i - 2], p[2 * i + 1] - p[2 * i - 1]);
        if (total > best) {
            best = total;
            bp = p;
            bn = parts[k].count;
        }
    }
    if (best < 30)
        return -1;
    span = fmin(span, best); /* a label longer than its line follows the whole line */
    double mid = best * at, a = fmax(0, mid - span / 2), b = fmin(best, mid + span / 2);
    double x0, y0, x1, y1;
    if (point_along(&r->cv.f.map, bp, bn, a, &x0, &y0) != 0 ||
        point_along(&r->cv.f.map, bp, bn, b, &x1, &y1) != 0)
        return -1;
    *x = (x0 + x1) / 2;
    *y = (y0 + y1) / 2;
    *angle = atan2(y1 - y0, x1 - x0);
    /* Text reads left to right: turn it over rather than upside down. */
    if (*angle > M_PI / 2)
        *angle -= M_PI;
    else if (*angle < -M_PI / 2)
        *angle += M_PI;
    return 0;
}

static void collect_layer(struct bm__render *r, size_t li, struct bm__buf *cs)
{
    const struct bm_map_layer *ml = &r->map->layers[li];
    const struct bm_label *lab = &ml->label;
    const struct bm_layer *L = r->layers[li];
    if (!lab->enabled || !L)
        return;
    int rank = lab->rank_field ? bm_layer_field_index(L, lab->rank_field) : -1;
    int line_on_points = 0;
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        double v = 0;
        if (r->skip[li] && r->skip[li][i])
            continue;
        if (rank >= 0 && bm_layer_attr_double(L, i, (size_t)rank, &v) && lab->max_rank > 0 &&
            v > lab->max_rank)
            continue;
        struct candidate c = {.priority = lab->priority * 100 + v, .style = lab};
        c.lines[0] = lab->text ? bm__expand(&r->cv, lab->text, L, i) : field_text(L, i, lab->field);
        c.lines[1] = field_text(L, i, lab->field_zh);
        c.lines[2] = field_text(L, i, lab->field_my);
        if (!c.lines[0])
            continue;
        enum bm_geom_type t = bm_layer_feature(L, i)->type;
        enum bm_placement want = lab->placement;
        c.layer = li;
        c.feature = i;
        if (t == BM_GEOM_POINT) {
            const struct bm_part *p = bm_layer_parts(L) + bm_layer_feature(L, i)->first_part;
            c.x = r->page_xy[li][2 * p->first];
            c.y = r->page_xy[li][2 * p->first + 1];
            struct bm_style s;
            const char *legend;
            bm__feature_style(ml, L, i, &s, &legend);
            c.gap = s.marker_size / 2 + 1.5;
            /* area: over the point (a name in place of a marker); else beside it */
            c.where = want == BM_PLACE_AREA ? BM_PLACE_AREA : BM_PLACE_POINT;
            c.fixed = 1;
            if (want == BM_PLACE_LINE)
                line_on_points = 1;
            if (!in_frame(&r->cv.f.map, c.x, c.y))
                continue;
        } else if (want == BM_PLACE_LINE || want == BM_PLACE_CURVED ||
                   (t == BM_GEOM_LINE && want == BM_PLACE_AUTO)) {
            if (line_anchor(r, li, i, 0.5, 0, &c.x, &c.y, &c.angle) != 0)
                continue;
            c.where = want == BM_PLACE_CURVED ? BM_PLACE_CURVED : BM_PLACE_LINE;
        } else if (t == BM_GEOM_LINE) {
            /* point or area: level, beside or over the line's middle */
            if (line_anchor(r, li, i, 0.5, 0, &c.x, &c.y, &c.angle) != 0)
                continue;
            c.angle = 0;
            c.gap = 2;
            c.where = want;
            c.fixed = 1;
        } else {
            struct bm__rect vb;
            if (visible_box(r, li, i, &vb) < 0)
                continue;
            spiral_point(&vb, 0, &c.x, &c.y);
            /* point: beside the area's inside point, level; auto and area: inside it */
            c.gap = 2;
            c.where = want == BM_PLACE_POINT ? BM_PLACE_POINT : BM_PLACE_AREA;
        }
        push(cs, c);
    }
    if (line_on_points)
        bm__warn(r->ctx,
                 "layer '%s': label placement 'line' needs lines or areas; its points are "
                 "labelled beside them (use point or area)",
                 ml->name ? ml->name : "");
}

/* ---- the lines labels keep off ------------------------------------------------ */

/*
 * The drawn lines of the map (line layers: the border, rivers, railways,
 * pipelines) as page segments, each with the half-width of its stroke or
 * casing, bucketed in square cells of the frame so that a label's box is
 * tested against the few segments near it.
 */
#define GRID_CELL 24.0 /* pt */
struct seg {
    float x0, y0, x1, y1, hw;
};
struct line_grid {
    double x0, y0;
    int nx, ny;
    size_t *start; /* nx * ny + 1 offsets into idx */
    size_t *idx;   /* segment numbers, by cell */
    struct seg *segs;
    size_t nsegs;
};

/* The cells a segment's box (grown by its half-width) covers: [*cx0, *cx1] x [*cy0, *cy1]. */
static int seg_cells(const struct line_grid *g, const struct seg *sg, int *cx0, int *cy0, int *cx1,
                     int *cy1)
{
    double a = fmin(sg->x0, sg->x1) - sg->hw, b = fmax(sg->x0, sg->x1) + sg->hw;
    double c = fmin(sg->y0, sg->y1) - sg->hw, d = fmax(sg->y0, sg->y1) + sg->hw;
    *cx0 = (int)fmax(0, floor((a - g->x0) / GRID_CELL));
    *cx1 = (int)fmin(g->nx - 1, floor((b - g->x0) / GRID_CELL));
    *cy0 = (int)fmax(0, floor((c - g->y0) / GRID_CELL));
    *cy1 = (int)fmin(g->ny - 1, floor((d - g->y0) / GRID_CELL));
    return *cx0 <= *cx1 && *cy0 <= *cy1;
}

/*
 * Each segment into every cell it reaches: counted (fill NULL: start[cell + 1]
 * grows by one), or filed (its index at idx[start[cell] + fill[cell]++]).
 */
static void grid_file(struct line_grid *g, size_t *fill)
{
    for (size_t i = 0; i < g->nsegs; i++) {
        int a, b, c, d;
        if (seg_cells(g, &g->segs[i], &a, &c, &b, &d))
            for (int y = c; y <= d; y++)
                for (int x = a; x <= b; x++) {
                    size_t cell = (size_t)y * (size_t)g->nx + (size_t)x;
                    if (fill)
                        g->idx[g->start[cell] + fill[cell]++] = i;
                    else
                        g->start[cell + 1]++;
                }
    }
}

static void grid_free(struct line_grid *g)
{
    free(g->start);
    free(g->idx);
    free(g->segs);
    memset(g, 0, sizeof *g);
}

/* The segments of every line layer drawn. Out of memory: an empty grid (labels then ignore lines).
 */
static void grid_build(struct bm__render *r, struct line_grid *g)
{
    const struct bm__rect *f = &r->cv.f.map;
    memset(g, 0, sizeof *g);
    struct bm__buf segs = {0};
    for (size_t li = 0; li < r->map->nlayers; li++) {
        const struct bm_layer *L = r->layers[li];
        const struct bm_map_layer *ml = &r->map->layers[li];
        if (!L || !r->page_xy[li] || ml->is_raster)
            continue;
        const double *xy = r->page_xy[li];
        for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
            const struct bm_feature *ft = bm_layer_feature(L, i);
            if (ft->type != BM_GEOM_LINE || (r->skip[li] && r->skip[li][i]))
                continue;
            struct bm_style st;
            const char *legend;
            bm__feature_style(ml, L, i, &st, &legend);
            if (st.stroke.a <= 0 && st.casing.a <= 0)
                continue;
            double hw =
                fmax(st.stroke.a > 0 ? st.width : 0, st.casing.a > 0 ? st.casing_width : 0) / 2;
            const struct bm_part *parts = bm_layer_parts(L) + ft->first_part;
            for (size_t k = 0; k < ft->nparts; k++) {
                const double *p = xy + 2 * parts[k].first;
                for (size_t v = 1; v < parts[k].count; v++) {
                    struct seg sg = {(float)p[2 * v - 2], (float)p[2 * v - 1], (float)p[2 * v],
                                     (float)p[2 * v + 1], (float)hw};
                    if (!isfinite(sg.x0) || !isfinite(sg.y0) || !isfinite(sg.x1) ||
                        !isfinite(sg.y1) || fmax(sg.x0, sg.x1) < f->x ||
                        fmin(sg.x0, sg.x1) > f->x + f->w || fmax(sg.y0, sg.y1) < f->y ||
                        fmin(sg.y0, sg.y1) > f->y + f->h)
                        continue;
                    if (bm__buf_append(&segs, &sg, sizeof sg) != 0) {
                        bm__buf_free(&segs);
                        return;
                    }
                }
            }
        }
    }
    g->segs = (struct seg *)(void *)segs.data;
    g->nsegs = BM__BUF_COUNT(&segs, struct seg);
    g->x0 = f->x;
    g->y0 = f->y;
    g->nx = (int)ceil(f->w / GRID_CELL) + 1;
    g->ny = (int)ceil(f->h / GRID_CELL) + 1;
    size_t ncells = (size_t)g->nx * (size_t)g->ny;
    g->start = calloc(ncells + 1, sizeof *g->start);
    if (!g->start || g->nsegs == 0) {
        grid_free(g);
        return;
    }
    /* Counting sort: how many segments a cell has, then where its run starts, then fill. */
    grid_file(g, NULL);
    for (size_t c = 0; c < ncells; c++)
        g->start[c + 1] += g->start[c];
    g->idx = malloc((g->start[ncells] ? g->start[ncells] : 1) * sizeof *g->idx);
    size_t *fill = calloc(ncells, sizeof *fill);
    if (!g->idx || !fill) {
        free(fill);
        grid_free(g);
        return;
    }
    grid_file(g, fill);
    free(fill);
}

/* Does any drawn line (its stroke's width included) cross the rectangle? */
static int crosses_line(const struct line_grid *g, struct bm__rect b)
{
    if (!g->start)
        return 0;
    int a = (int)fmax(0, floor((b.x - g->x0) / GRID_CELL - 0.5));
    int c = (int)fmax(0, floor((b.y - g->y0) / GRID_CELL - 0.5));
    int e = (int)fmin(g->nx - 1, floor((b.x + b.w - g->x0) / GRID_CELL + 0.5));
    int d = (int)fmin(g->ny - 1, floor((b.y + b.h - g->y0) / GRID_CELL + 0.5));
    for (int y = c; y <= d; y++)
        for (int x = a; x <= e; x++) {
            size_t cell = (size_t)y * (size_t)g->nx + (size_t)x;
            for (size_t k = g->start[cell]; k < g->start[cell + 1]; k++) {
                const struct seg *sg = &g->segs[g->idx[k]];
                struct bm__rect grown = {b.x - sg->hw, b.y - sg->hw, b.w + 2 * sg->hw,
                                         b.h + 2 * sg->hw};
                if (bm__segment_meets_rect(sg->x0, sg->y0, sg->x1, sg->y1, grown))
                    return 1;
            }
        }
    return 0;
}

/* The stacked lines of a label: English in the label's font, then Chinese and Burmese. */
struct block {
    PangoLayout *lay[3];
    double w, h, lw[3], lh[3];
    int n;
};

static void make_block(struct bm__canvas *cv, const struct candidate *c, struct block *b)
{
    static const char *const fonts[] = {NULL, "Noto Sans CJK SC", "Noto Sans Myanmar"};
    memset(b, 0, sizeof *b);
    for (int k = 0; k < 3; k++) {
        if (!c->lines[k])
            continue;
        double size = k ? c->style->size * 0.85 : c->style->size;
        PangoLayout *lay = bm__text_layout(cv, c->lines[k], k ? fonts[k] : c->style->font, size);
        double w, h;
        bm__text_size(lay, &w, &h);
        b->lay[b->n] = lay;
        b->lw[b->n] = w;
        b->lh[b->n] = h;
        b->w = fmax(b->w, w);
        b->h += h;
        b->n++;
    }
}

static void free_block(struct block *b)
{
    for (int k = 0; k < b->n; k++)
        g_object_unref(b->lay[k]);
}

static void draw_block(struct bm__canvas *cv, const struct block *b, const struct bm_label *s,
                       double x, double y)
{
    bm__text_group_begin(cv); /* one label, one <text> in an SVG */
    for (int k = 0; k < b->n; k++) {
        bm__draw_text(cv, b->lay[k], x + (b->w - b->lw[k]) / 2, y, s->color, s->halo,
                      s->halo_width);
        y += b->lh[k];
    }
    bm__text_group_end(cv);
}

/* The eight positions around a point label's marker at one ring (0: next to it). */
static void point_positions(const struct candidate *c, double w, double h, int ring,
                            struct bm__rect pos[8])
{
    double g = c->gap + ring * 9, x = c->x, y = c->y;
    const double at[8][2] = {{x + g, y - h / 2},
                             {x - g - w, y - h / 2},
                             {x - w / 2, y - g - h},
                             {x - w / 2, y + g},
                             {x + g * 0.7, y - g * 0.7 - h},
                             {x - g * 0.7 - w, y - g * 0.7 - h},
                             {x + g * 0.7, y + g * 0.7},
                             {x - g * 0.7 - w, y + g * 0.7}};
    for (int i = 0; i < 8; i++)
        pos[i] = (struct bm__rect){at[i][0], at[i][1], w, h};
}

static int point_rings(const struct candidate *c)
{
    return c->style->priority <= 2 ? 5 : 1;
}

static int rects_meet(struct bm__rect a, struct bm__rect b, double margin)
{
    return a.x < b.x + b.w + margin && b.x < a.x + a.w + margin && a.y < b.y + b.h + margin &&
           b.y < a.y + a.h + margin;
}

/* Whether a point label still has a free position anywhere it may go, with also
 * taken (when not NULL) held by another label. */
static int has_position(const struct bm__canvas *cv, const struct candidate *c, double w, double h,
                        const struct bm__rect *also)
{
    for (int ring = 0; ring < point_rings(c); ring++) {
        struct bm__rect pos[8];
        point_positions(c, w, h, ring, pos);
        for (int i = 0; i < 8; i++)
            if (bm__rect_free(cv, pos[i], 2) && !(also && rects_meet(pos[i], *also, 2)))
                return 1;
    }
    return 0;
}

/*
 * The point labels still to place in this pass, for a label that keeps off
 * the lines to leave each of them a place: their markers in cells of
 * LATER_CELL pt, so that a position is checked only against the labels that
 * could reach it (a layer of 50,000 events is not 50,000 checks a label).
 * sizes: each candidate's block, width and height (0: not a point label of
 * this pass); from: the first candidate not yet placed.
 */
#define LATER_CELL 64.0 /* pt */

struct later {
    const struct candidate *c;
    const double *sizes;
    size_t from, n;
    double x0, y0, reach; /* reach: the farthest any label's positions lie from its marker */
    int nx, ny;
    size_t *start, *idx; /* nx * ny + 1 offsets into idx; candidate numbers by cell */
    unsigned *seen, stamp;
};

/* Where any position of a point label (w x h) may lie: around its marker, out to the last ring. */
static struct bm__rect label_around(const struct candidate *o, double w, double h)
{
    double reach = o->gap + (point_rings(o) - 1) * 9 + 2;
    return (struct bm__rect){o->x - reach - w, o->y - reach - h, 2 * (reach + w), 2 * (reach + h)};
}

static void later_cell(const struct later *lt, double x, double y, int *cx, int *cy)
{
    *cx = (int)fmin(lt->nx - 1, fmax(0, floor((x - lt->x0) / LATER_CELL)));
    *cy = (int)fmin(lt->ny - 1, fmax(0, floor((y - lt->y0) / LATER_CELL)));
}

static void later_free(struct later *lt)
{
    free(lt->start);
    free(lt->idx);
    free(lt->seen);
    memset(lt, 0, sizeof *lt);
}

/* Index the point labels of the pass by their markers. Out of memory: an empty index
 * (labels then keep off the lines without looking ahead). */
static void later_build(struct later *lt, const struct candidate *c, const double *sizes, size_t n,
                        const struct bm__rect *f)
{
    memset(lt, 0, sizeof *lt);
    lt->c = c;
    lt->sizes = sizes;
    lt->n = n;
    lt->x0 = f->x;
    lt->y0 = f->y;
    lt->nx = (int)fmin(4096, ceil(f->w / LATER_CELL) + 1);
    lt->ny = (int)fmin(4096, ceil(f->h / LATER_CELL) + 1);
    size_t cells = (size_t)lt->nx * (size_t)lt->ny, count = 0;
    lt->start = calloc(cells + 1, sizeof *lt->start);
    lt->seen = calloc(n ? n : 1, sizeof *lt->seen);
    for (size_t k = 0; k < n; k++)
        count += sizes[2 * k] > 0;
    lt->idx = malloc((count ? count : 1) * sizeof *lt->idx);
    if (!lt->start || !lt->seen || !lt->idx) {
        later_free(lt);
        return;
    }
    int cx, cy;
    for (size_t k = 0; k < n; k++)
        if (sizes[2 * k] > 0) {
            later_cell(lt, c[k].x, c[k].y, &cx, &cy);
            lt->start[(size_t)cy * (size_t)lt->nx + (size_t)cx + 1]++;
            struct bm__rect a = label_around(&c[k], sizes[2 * k], sizes[2 * k + 1]);
            lt->reach = fmax(lt->reach, fmax(a.w, a.h) / 2);
        }
    for (size_t i = 0; i < cells; i++)
        lt->start[i + 1] += lt->start[i];
    size_t *fill = calloc(cells, sizeof *fill);
    if (!fill) {
        later_free(lt);
        return;
    }
    for (size_t k = 0; k < n; k++)
        if (sizes[2 * k] > 0) {
            later_cell(lt, c[k].x, c[k].y, &cx, &cy);
            size_t cell = (size_t)cy * (size_t)lt->nx + (size_t)cx;
            lt->idx[lt->start[cell] + fill[cell]++] = k;
        }
    free(fill);
}

/* Whether taking rr would leave a point label still to place nearby without any
 * position (a line-free position is a preference, never worth a name). */
static int takes_last_place(const struct bm__canvas *cv, struct later *lt, struct bm__rect rr)
{
    if (!lt || !lt->start)
        return 0;
    int ax, ay, bx, by;
    double m = lt->reach + 2;
    later_cell(lt, rr.x - m, rr.y - m, &ax, &ay);
    later_cell(lt, rr.x + rr.w + m, rr.y + rr.h + m, &bx, &by);
    if (++lt->stamp == 0) { /* wrapped: forget every mark */
        memset(lt->seen, 0, lt->n * sizeof *lt->seen);
        lt->stamp = 1;
    }
    for (int y = ay; y <= by; y++)
        for (int x = ax; x <= bx; x++) {
            size_t cell = (size_t)y * (size_t)lt->nx + (size_t)x;
            for (size_t q = lt->start[cell]; q < lt->start[cell + 1]; q++) {
                size_t k = lt->idx[q];
                if (k < lt->from || lt->seen[k] == lt->stamp)
                    continue;
                lt->seen[k] = lt->stamp;
                const struct candidate *o = &lt->c[k];
                double w = lt->sizes[2 * k], h = lt->sizes[2 * k + 1];
                if (rects_meet(rr, label_around(o, w, h), 2) && !has_position(cv, o, w, h, &rr) &&
                    has_position(cv, o, w, h, NULL))
                    return 1;
            }
        }
    return 0;
}

/*
 * Where a point label may go, best first: right, left, above, below, then
 * diagonals; for the top priorities, then further out with a leader line
 * (*leader set), so that a crowded place still gets its name. A position
 * that no drawn line crosses (the border, a river, a railway) is taken over
 * one that a line crosses, first among the positions next to the marker and
 * one ring out, unless it would leave a label still to place nowhere to go;
 * then any as before.
 */
static int place_point(struct bm__render *r, const struct line_grid *lines,
                       const struct candidate *c, const struct block *b, struct later *lt,
                       struct bm__rect *out, int *leader)
{
    int rings = point_rings(c);
    *leader = 0;
    for (int sweep = 0; sweep < 2; sweep++)
        for (int ring = 0; ring < (sweep ? rings : (rings > 1 ? 2 : 1)); ring++) {
            struct bm__rect pos[8];
            point_positions(c, b->w, b->h, ring, pos);
            for (size_t i = 0; i < 8; i++) {
                struct bm__rect rr = pos[i];
                if (!bm__rect_free(&r->cv, rr, 2) ||
                    (sweep == 0 && (crosses_line(lines, rr) || takes_last_place(&r->cv, lt, rr))))
                    continue;
                *out = rr;
                *leader = ring > 0;
                return 0;
            }
        }
    return -1;
}

/* ---- curved labels: glyph by glyph along the line ------------------------------ */

/* A line on the page: its points and the distance along it to each. */
struct path {
    double *xy, *len;
    size_t n;
    double total;
};

static void path_free(struct path *p)
{
    free(p->xy);
    free(p->len);
    memset(p, 0, sizeof *p);
}

/* The longest run of consecutive points of a feature inside the frame, as a path. */
static int visible_path(const struct bm__render *r, size_t li, size_t feat, struct path *out)
{
    const struct bm_layer *L = r->layers[li];
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = r->page_xy[li];
    const struct bm__rect *fr = &r->cv.f.map;
    const double *best = NULL;
    size_t bn = 0;
    double blen = 0;
    for (size_t k = 0; k < f->nparts; k++) {
        const double *p = xy + 2 * parts[k].first;
        size_t n = parts[k].count, i = 0;
        while (i < n) {
            while (i < n && !(isfinite(p[2 * i]) && in_frame(fr, p[2 * i], p[2 * i + 1])))
                i++;
            size_t j = i;
            double len = 0;
            while (j < n && isfinite(p[2 * j]) && in_frame(fr, p[2 * j], p[2 * j + 1])) {
                if (j > i)
                    len += hypot(p[2 * j] - p[2 * j - 2], p[2 * j + 1] - p[2 * j - 1]);
                j++;
            }
            if (j - i >= 2 && len > blen) {
                blen = len;
                best = p + 2 * i;
                bn = j - i;
            }
            i = j;
        }
    }
    if (!best)
        return -1;
    out->xy = malloc(2 * bn * sizeof *out->xy);
    out->len = malloc(bn * sizeof *out->len);
    if (!out->xy || !out->len) {
        path_free(out);
        return -1;
    }
    memcpy(out->xy, best, 2 * bn * sizeof *out->xy);
    out->n = bn;
    out->len[0] = 0;
    for (size_t i = 1; i < bn; i++)
        out->len[i] = out->len[i - 1] +
                      hypot(best[2 * i] - best[2 * i - 2], best[2 * i + 1] - best[2 * i - 1]);
    out->total = out->len[bn - 1];
    return 0;
}

/* The same path the other way round. */
static void path_reverse(struct path *p)
{
    for (size_t i = 0, j = p->n - 1; i < j; i++, j--) {
        double x = p->xy[2 * i], y = p->xy[2 * i + 1];
        p->xy[2 * i] = p->xy[2 * j];
        p->xy[2 * i + 1] = p->xy[2 * j + 1];
        p->xy[2 * j] = x;
        p->xy[2 * j + 1] = y;
    }
    for (size_t i = 0; i < p->n; i++)
        p->len[i] = p->total - p->len[i];
    for (size_t i = 0, j = p->n - 1; i < j; i++, j--) {
        double t = p->len[i];
        p->len[i] = p->len[j];
        p->len[j] = t;
    }
}

/* The point at distance s along the path (clamped to its ends). */
static void path_at(const struct path *p, double s, double *x, double *y)
{
    size_t lo = 0, hi = p->n - 1;
    if (s <= 0) {
        *x = p->xy[0];
        *y = p->xy[1];
        return;
    }
    if (s >= p->total) {
        *x = p->xy[2 * hi];
        *y = p->xy[2 * hi + 1];
        return;
    }
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (p->len[mid] <= s)
            lo = mid;
        else
            hi = mid;
    }
    double seg = p->len[hi] - p->len[lo], t = seg > 0 ? (s - p->len[lo]) / seg : 0;
    *x = p->xy[2 * lo] + t * (p->xy[2 * hi] - p->xy[2 * lo]);
    *y = p->xy[2 * lo + 1] + t * (p->xy[2 * hi + 1] - p->xy[2 * lo + 1]);
}

/* The direction of the path around s: the chord over span, so that small wiggles do not
 * turn each glyph. */
static double path_angle(const struct path *p, double s, double span)
{
    double x0, y0, x1, y1;
    path_at(p, s - span / 2, &x0, &y0);
    path_at(p, s + span / 2, &x1, &y1);
    return atan2(y1 - y0, x1 - x0);
}

/* One cluster of a label's glyphs (a letter, a syllable of Burmese): placed as a unit. */
struct cluster {
    cairo_scaled_font_t *font;
    PangoFont *pfont;
    const char *text; /* its characters, len bytes */
    size_t len;
    const PangoGlyphInfo *glyphs;
    int n;
    double x, w; /* its start and width along the text, pt */
};

/* The clusters of a one-line layout, in order, from Pango's runs and their log_clusters. */
static size_t layout_clusters(PangoLayout *lay, struct bm__buf *out)
{
    PangoLayoutLine *line = pango_layout_get_line_readonly(lay, 0);
    const char *text = pango_layout_get_text(lay);
    gint nattrs = 0;
    const PangoLogAttr *attrs = pango_layout_get_log_attrs_readonly(lay, &nattrs);
    double x = 0;
    for (GSList *l = line ? line->runs : NULL; l; l = l->next) {
        const PangoGlyphItem *run = l->data;
        const PangoGlyphString *gs = run->glyphs;
        cairo_scaled_font_t *sf =
            pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(run->item->analysis.font));
        for (int i = 0; i < gs->num_glyphs;) {
            int j = i, w = 0;
            while (j < gs->num_glyphs && gs->log_clusters[j] == gs->log_clusters[i])
                w += gs->glyphs[j++].geometry.width;
            int from = gs->log_clusters[i],
                to = j < gs->num_glyphs ? gs->log_clusters[j] : run->item->length;
            struct cluster c = {sf,
                                run->item->analysis.font,
                                text + run->item->offset + from,
                                to > from ? (size_t)(to - from) : 0,
                                gs->glyphs + i,
                                j - i,
                                x,
                                (double)w / PANGO_SCALE};
            /* A cluster that starts inside a grapheme (a mark Pango shaped apart from its
             * consonant) joins the one before: a syllable is placed, and written in an
             * SVG, whole. */
            struct cluster *prev =
                out->len ? (struct cluster *)(void *)(out->data + out->len - sizeof *prev) : NULL;
            glong ci = g_utf8_pointer_to_offset(text, c.text);
            if (prev && ci < nattrs && !attrs[ci].is_cursor_position &&
                prev->glyphs + prev->n == c.glyphs && prev->text + prev->len == c.text) {
                prev->n += c.n;
                prev->len += c.len;
                prev->w += c.w;
            } else if (sf && bm__buf_append(out, &c, sizeof c) != 0) {
                return 0;
            }
            x += (double)w / PANGO_SCALE;
            i = j;
        }
    }
    return BM__BUF_COUNT(out, struct cluster);
}

/* Draw one cluster centred on (x, y) of its baseline, turned by angle. text: the whole
 * label, given with the first cluster only (PDF: its ActualText, so readers find the
 * word; the others carry none), or NULL for a halo's outline. */
static void show_cluster(cairo_t *cr, const struct cluster *c, double x, double y, double angle,
                         const char *text, int first)
{
    cairo_glyph_t g[64];
    int n = 0, at = 0;
    for (int i = 0; i < c->n && n < 64; i++) {
        const PangoGlyphInfo *gi = &c->glyphs[i];
        if (gi->glyph != PANGO_GLYPH_EMPTY && !(gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG))
            g[n++] = (cairo_glyph_t){gi->glyph,
                                     -c->w / 2 + (double)(at + gi->geometry.x_offset) / PANGO_SCALE,
                                     (double)gi->geometry.y_offset / PANGO_SCALE};
        at += gi->geometry.width;
    }
    if (n == 0)
        return;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, angle);
    cairo_set_scaled_font(cr, c->font);
    /* Unhinted: hinting fits a glyph's stems to the pixel rows and columns it
     * would have upright, which a turned glyph does not lie on; and FreeType runs
     * a glyph's hinting program again for every angle it is drawn at (a third
     * of the situation map's text, 134 M instructions, for no visible gain). */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_scaled_font_get_font_options(c->font, fo);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
    if (!text) {
        cairo_glyph_path(cr, g, n);
    } else if (cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_PDF) {
        int len = first ? (int)strlen(text) : 0;
        cairo_text_cluster_t one = {len, n};
        cairo_show_text_glyphs(cr, first ? text : "", len, g, n, &one, 1, 0);
    } else {
        cairo_show_glyphs(cr, g, n);
    }
    cairo_restore(cr);
}

#define CURVE_STEP_MAX 0.25 /* radians: the most two neighbouring clusters may turn (14 deg) */
#define CURVE_TOTAL_MAX 0.6 /* radians: the most a whole label may turn (about 35 deg) */

/*
 * A label that follows its line glyph by glyph: the label's lines joined
 * ("Shweli · 瑞丽江 · ရွှေလီမြစ်") on one baseline just above the line (else
 * below it), each cluster of glyphs (Pango's) centred at its distance along
 * the line and turned to the line's direction there, reading left to right.
 * A position is taken only where the line bends no more than the label can
 * follow (CURVE_STEP_MAX, CURVE_TOTAL_MAX), inside the frame and clear of
 * what is placed; each cluster claims the square of the text's height around
 * it. Returns 1 when placed.
 */
/* What one position of a curved label needs, and where its clusters go. */
struct curve_try {
    const struct path *p, *rev; /* the line, and the same the other way round */
    const struct cluster *cl;
    size_t n;
    double w, size, hw;
    double *cx, *cy, *ca;
    struct bm__rect *box;
};

/*
 * Lay the label at s0 along t->p on one side (below: side 1): each cluster's
 * baseline point, angle and box. Returns -1 where the line bends too much or
 * a box leaves the frame or meets what is placed; else how many boxes a
 * drawn line crosses.
 */
static int curve_lay(const struct bm__canvas *cv, const struct line_grid *lines,
                     const struct curve_try *t, double s0, int side)
{
    const struct bm__rect *f = &cv->f.map;
    const struct path *p = t->p;
    double x0, y0, x1, y1, size = t->size;
    path_at(p, s0, &x0, &y0);
    path_at(p, s0 + t->w, &x1, &y1);
    if (x1 < x0) { /* upright: read left to right, whichever way the line was digitised */
        p = t->rev;
        s0 = p->total - s0 - t->w;
    }
    /* Above the line or below it: the baseline clear of the stroke. */
    double off = side ? -(t->hw + 1.2 + 0.75 * size) : t->hw + 1.2 + 0.2 * size;
    double lo = INFINITY, hi = -INFINITY, half = 0.85 * size / 2;
    int crossed = 0;
    for (size_t i = 0; i < t->n; i++) {
        double s = s0 + t->cl[i].x + t->cl[i].w / 2, x, y;
        double a = path_angle(p, s, fmax(2.5 * size, t->cl[i].w));
        if (i > 0) {
            double d = remainder(a - t->ca[i - 1], 2 * M_PI);
            if (fabs(d) > CURVE_STEP_MAX)
                return -1;
            a = t->ca[i - 1] + d; /* unwrapped, for the total turn */
        }
        t->ca[i] = a;
        lo = fmin(lo, a);
        hi = fmax(hi, a);
        if (hi - lo > CURVE_TOTAL_MAX || cos(a) < -0.2)
            return -1;
        path_at(p, s, &x, &y);
        /* The baseline's point, off the line along its normal (up: -y). */
        t->cx[i] = x + sin(a) * off;
        t->cy[i] = y - cos(a) * off;
        /* The glyphs' middle is about a third of the size above the baseline. */
        double mx = t->cx[i] + sin(a) * 0.33 * size, my = t->cy[i] - cos(a) * 0.33 * size;
        struct bm__rect b = {mx - half, my - half, 2 * half, 2 * half};
        if (!(b.x > f->x + 2 && b.y > f->y + 2 && b.x + b.w < f->x + f->w - 2 &&
              b.y + b.h < f->y + f->h - 2) ||
            bm__claims_hit(cv, b))
            return -1;
        t->box[i] = b;
        crossed += crosses_line(lines, b);
    }
    return crossed;
}

static int place_curved_text(struct bm__render *r, const struct line_grid *lines,
                             const struct candidate *c, const char *text)
{
    struct bm__canvas *cv = &r->cv;
    PangoLayout *lay = bm__text_layout(cv, text, c->style->font, c->style->size);
    struct bm__buf cb = {0};
    size_t n = layout_clusters(lay, &cb);
    const struct cluster *cl = (const struct cluster *)(const void *)cb.data;
    struct path p = {0}, rev = {0};
    int placed = 0;
    double w = n ? cl[n - 1].x + cl[n - 1].w : 0, size = c->style->size;
    struct bm_style st;
    const char *legend;
    bm__feature_style(&r->map->layers[c->layer], r->layers[c->layer], c->feature, &st, &legend);
    double hw = fmax(st.width, st.casing.a > 0 ? st.casing_width : 0) / 2;
    double *cx = malloc((n ? n : 1) * sizeof *cx), *cy = malloc((n ? n : 1) * sizeof *cy),
           *ca = malloc((n ? n : 1) * sizeof *ca);
    struct bm__rect *box = malloc((n ? n : 1) * sizeof *box);
    if (n == 0 || !cx || !cy || !ca || !box || visible_path(r, c->layer, c->feature, &p) != 0 ||
        visible_path(r, c->layer, c->feature, &rev) != 0 || p.total < w + size)
        goto done;
    path_reverse(&rev);
    struct curve_try t = {&p, &rev, cl, n, w, size, hw, cx, cy, ca, box};
    /* From the middle of the line outwards, a third of the label's length at a time, above
     * then below: the first position no other drawn line crosses, else the one fewest of
     * its glyphs' boxes are crossed at (the first of those). */
    double step = fmax(w / 3, 10), room = p.total - w;
    size_t tries = 2 * (2 * (size_t)(room / 2 / step) + 1);
    if (tries > 4000)
        tries = 4000;
    int best = -1;
    size_t best_k = 0;
    for (size_t k = 0; k < tries; k++) {
        size_t q = k / 2;
        double s0 = room / 2 + step * (double)((q + 1) / 2) * (q % 2 ? 1 : -1);
        if (s0 < 0 || s0 > room)
            continue;
        int crossed = curve_lay(cv, lines, &t, s0, (int)(k % 2));
        if (crossed >= 0 && (best < 0 || crossed < best)) {
            best = crossed;
            best_k = k;
        }
        if (crossed == 0)
            break;
    }
    if (best < 0)
        goto done;
    size_t q = best_k / 2;
    curve_lay(cv, lines, &t, room / 2 + step * (double)((q + 1) / 2) * (q % 2 ? 1 : -1),
              (int)(best_k % 2));
    const struct bm_label *ls = c->style;
    if (bm__text_pieces_begin(cv, ls->color, ls->halo, ls->halo_width)) {
        for (size_t i = 0; i < n; i++)
            bm__text_piece(cv, cl[i].pfont, cl[i].text, cl[i].len, cx[i] - cos(ca[i]) * cl[i].w / 2,
                           cy[i] - sin(ca[i]) * cl[i].w / 2, ca[i], cl[i].w);
    } else {
        cairo_t *cr = cv->cr;
        if (ls->halo.a > 0 && ls->halo_width > 0) {
            cairo_save(cr);
            cairo_new_path(cr);
            for (size_t i = 0; i < n; i++)
                show_cluster(cr, &cl[i], cx[i], cy[i], ca[i], NULL, 0);
            bm__set_color(cr, ls->halo, 1);
            cairo_set_line_width(cr, 2 * ls->halo_width);
            cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
            cairo_stroke(cr);
            cairo_restore(cr);
        }
        cairo_save(cr);
        bm__set_color(cr, ls->color, 1);
        for (size_t i = 0; i < n; i++)
            show_cluster(cr, &cl[i], cx[i], cy[i], ca[i], text, i == 0);
        cairo_restore(cr);
    }
    {
        size_t id = bm__claims_id(cv);
        for (size_t i = 0; i < n; i++)
            bm__claims_add(cv, box[i], BM_BOX_LABEL, id, c->lines[0]);
        placed = 1;
    }
done:
    path_free(&p);
    path_free(&rev);
    free(cx);
    free(cy);
    free(ca);
    free(box);
    bm__buf_free(&cb);
    g_object_unref(lay);
    return placed;
}

/* The label's lines joined ("Shweli · 瑞丽江 · ရွှေလီမြစ်") where the line has room and
 * bends gently enough for them, else its first line alone. */
static int place_curved(struct bm__render *r, const struct line_grid *lines,
                        const struct candidate *c)
{
    struct bm__canvas *cv = &r->cv;
    if (!c->lines[1] && !c->lines[2])
        return place_curved_text(r, lines, c, c->lines[0]);
    GString *joined = g_string_new(c->lines[0]);
    for (int k = 1; k < 3; k++)
        if (c->lines[k])
            g_string_append_printf(joined, " · %s", c->lines[k]);
    return place_curved_text(r, lines, c, bm__canvas_keep(cv, joined)) ||
           place_curved_text(r, lines, c, c->lines[0]);
}

static void place(struct bm__render *r, const struct line_grid *lines, const struct candidate *c,
                  const struct block *bp, struct later *lt)
{
    struct bm__canvas *cv = &r->cv;
    cairo_t *cr = cv->cr;
    if (c->where == BM_PLACE_CURVED) {
        place_curved(r, lines, c);
        return;
    }
    const struct block b = *bp;
    const struct bm__rect *f = &cv->f.map;
    struct bm__rect box;
    if (c->where == BM_PLACE_POINT) {
        int leader;
        if (place_point(r, lines, c, &b, lt, &box, &leader) == 0) {
            if (leader) {
                /* From the marker's edge to the nearest point of the label. */
                double lx = fmin(fmax(c->x, box.x), box.x + box.w);
                double ly = fmin(fmax(c->y, box.y), box.y + box.h);
                double d = hypot(lx - c->x, ly - c->y);
                cairo_move_to(cr, c->x + (lx - c->x) * c->gap / d, c->y + (ly - c->y) * c->gap / d);
                cairo_line_to(cr, lx, ly);
                cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
                cairo_set_line_width(cr, 0.5);
                cairo_stroke(cr);
            }
            draw_block(cv, &b, c->style, box.x, box.y);
            bm__claims_add(cv, box, BM_BOX_LABEL, bm__claims_id(cv), c->lines[0]);
        }
    } else if (c->where == BM_PLACE_AREA) {
        /* The first anchor that is free and inside the feature: the box once, the
         * (dearer) inside test only for a free anchor. */
        struct bm__rect vb;
        int shows = c->fixed || visible_box(r, c->layer, c->feature, &vb) == 0;
        for (int k = 0; shows && k < (c->fixed ? 1 : 49); k++) {
            double x = c->x, y = c->y;
            if (!c->fixed)
                spiral_point(&vb, k, &x, &y);
            box = (struct bm__rect){x - b.w / 2, y - b.h / 2, b.w, b.h};
            if (!bm__rect_free(&r->cv, box, 2) ||
                (!c->fixed && !inside_at(r, c->layer, c->feature, x, y)))
                continue;
            draw_block(cv, &b, c->style, box.x, box.y);
            bm__claims_add(cv, box, BM_BOX_LABEL, bm__claims_id(cv), c->lines[0]);
            break;
        }
    } else {
        /* Along the line, just above it, at the middle or else further along;
         * the claim is the rotated block's box. */
        static const double at[] = {0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88};
        for (size_t k = 0; k < 2 * sizeof at / sizeof at[0]; k++) {
            double x, y, angle;
            if (line_anchor(r, c->layer, c->feature, at[k / 2], b.w, &x, &y, &angle) != 0)
                break;
            /* Above the line, else below it, clear of the markers on it. */
            double ca = cos(angle), sa = sin(angle), hh = (b.h / 2 + 3.5) * (k % 2 ? -1 : 1);
            double cx = x + sa * hh, cy = y - ca * hh;
            /* A rotated label claims a chain of small boxes along its axis, not
             * its whole bounding box, which would cover every town on the line. */
            struct bm__rect piece[64];
            int np = (int)fmin(64, ceil(b.w / b.h) + 1), clear = 1;
            /* Each piece is a square of the text's height, seen axis-aligned: its
             * inscribed box, so a slanted label may pass close by a town. */
            double half = b.h / 2 * 0.85;
            for (int q = 0; q < np && clear; q++) {
                double t = -b.w / 2 + b.w * (q + 0.5) / np;
                double px = cx + t * ca, py = cy + t * sa;
                piece[q] = (struct bm__rect){px - half, py - half, 2 * half, 2 * half};
                clear = piece[q].x > f->x + 2 && piece[q].y > f->y + 2 &&
                        piece[q].x + piece[q].w < f->x + f->w - 2 &&
                        piece[q].y + piece[q].h < f->y + f->h - 2 && !bm__claims_hit(cv, piece[q]);
            }
            if (!clear)
                continue;
            cairo_save(cr);
            cairo_translate(cr, cx, cy);
            cairo_rotate(cr, angle);
            draw_block(cv, &b, c->style, -b.w / 2, -b.h / 2);
            cairo_restore(cr);
            size_t id = bm__claims_id(cv);
            for (int q = 0; q < np; q++)
                bm__claims_add(cv, piece[q], BM_BOX_LABEL, id, c->lines[0]);
            break;
        }
    }
}

/* Markers of labelled point layers are claimed first: no label may hide a place. */
static void claim_markers(struct bm__render *r, const struct candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].where == BM_PLACE_POINT) {
            double g = c[i].gap - 1;
            bm__claims_add(&r->cv, (struct bm__rect){c[i].x - g, c[i].y - g, 2 * g, 2 * g},
                           BM_BOX_MARKER, bm__claims_id(&r->cv), c[i].lines[0]);
        }
}

int bm__draw_labels(struct bm__render *r, int first)
{
    struct bm__buf cs = {0};
    for (size_t li = 0; li < r->map->nlayers; li++)
        collect_layer(r, li, &cs);
    struct candidate *c = (struct candidate *)(void *)cs.data;
    size_t n = BM__BUF_COUNT(&cs, struct candidate);
    if (n > 1)
        qsort(c, n, sizeof *c, by_priority);
    if (first)
        claim_markers(r, c, n);
    struct line_grid lines;
    grid_build(r, &lines);
    /* The first pass places the top-priority labels (1 and 2), before the callouts;
     * the second the rest, around them. The point labels' sizes are measured before
     * any is placed: a label keeping off the lines looks at those still to come. */
    double *sizes = calloc(2 * (n ? n : 1), sizeof *sizes);
    if (!sizes) {
        grid_free(&lines);
        bm__buf_free(&cs);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if ((c[i].style->priority <= 2) == (first != 0) && c[i].where == BM_PLACE_POINT) {
            struct block b;
            make_block(&r->cv, &c[i], &b);
            sizes[2 * i] = b.w;
            sizes[2 * i + 1] = b.h;
            free_block(&b);
        }
    struct later lt;
    later_build(&lt, c, sizes, n, &r->cv.f.map);
    for (size_t i = 0; i < n; i++)
        if ((c[i].style->priority <= 2) == (first != 0)) {
            struct block b = {0};
            if (c[i].where != BM_PLACE_CURVED)
                make_block(&r->cv, &c[i], &b);
            lt.from = i + 1;
            place(r, &lines, &c[i], &b, &lt);
            free_block(&b);
        }
    later_free(&lt);
    free(sizes);
    grid_free(&lines);
    bm__buf_free(&cs);
    return 0;
}
