/* bordermap: the boundary two polygons share, found within a tolerance. */
#include "bordermap/measure.h"
#include "core/buf.h"
#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Metres per degree of latitude and of longitude at latitude lat (WGS84). */
static void metres_per_degree(double lat, double *mlat, double *mlon)
{
    const double a = 6378137.0, e2 = 0.00669437999014;
    double s = sin(lat * M_PI / 180), w = sqrt(1 - e2 * s * s);
    *mlat = M_PI / 180 * a * (1 - e2) / (w * w * w);
    *mlon = M_PI / 180 * a * cos(lat * M_PI / 180) / w;
}

/* A uniform grid over a box, each cell listing the segments that may touch it. */
struct grid {
    double west, south, cell;
    size_t nx, ny;
    size_t *start; /* nx * ny + 1 offsets into seg */
    size_t *seg;   /* index of a segment's first point in the layer */
};

static size_t clampi(double v, size_t n)
{
    return v < 0 ? 0 : (v >= (double)n ? n - 1 : (size_t)v);
}

/* Cells [x0, x1] x [y0, y1] covered by a box in degrees. */
static void cells_of(const struct grid *g, double w, double s, double e, double n, size_t *x0,
                     size_t *y0, size_t *x1, size_t *y1)
{
    *x0 = clampi(floor((w - g->west) / g->cell), g->nx);
    *x1 = clampi(floor((e - g->west) / g->cell), g->nx);
    *y0 = clampi(floor((s - g->south) / g->cell), g->ny);
    *y1 = clampi(floor((n - g->south) / g->cell), g->ny);
}

static int seg_in_box(const double *p, const struct bm_bbox *b)
{
    return !(fmax(p[0], p[2]) < b->west || fmin(p[0], p[2]) > b->east ||
             fmax(p[1], p[3]) < b->south || fmin(p[1], p[3]) > b->north);
}

/* Two passes over the segments of feature f within box: count, then fill. */
static int grid_build(struct grid *g, const struct bm_layer *L, size_t f, const struct bm_bbox *box)
{
    g->cell = 0.02; /* about 2 km: a few segments per cell on a detailed boundary */
    g->west = box->west;
    g->south = box->south;
    g->nx = (size_t)ceil((box->east - box->west) / g->cell) + 1;
    g->ny = (size_t)ceil((box->north - box->south) / g->cell) + 1;
    g->start = calloc(g->nx * g->ny + 1, sizeof *g->start);
    if (!g->start)
        return -1;
    const struct bm_feature *feat = bm_layer_feature(L, f);
    const struct bm_part *parts = bm_layer_parts(L) + feat->first_part;
    const double *xy = bm_layer_xy(L);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < feat->nparts; k++)
            for (size_t i = parts[k].first; i + 1 < parts[k].first + parts[k].count; i++) {
                const double *p = xy + 2 * i;
                if (!seg_in_box(p, box))
                    continue;
                size_t x0, y0, x1, y1;
                cells_of(g, fmin(p[0], p[2]), fmin(p[1], p[3]), fmax(p[0], p[2]), fmax(p[1], p[3]),
                         &x0, &y0, &x1, &y1);
                for (size_t y = y0; y <= y1; y++)
                    for (size_t x = x0; x <= x1; x++) {
                        size_t c = y * g->nx + x;
                        if (pass == 0)
                            g->start[c + 1]++;
                        else
                            g->seg[g->start[c]++] = i;
                    }
            }
        if (pass == 0) {
            for (size_t c = 0; c < g->nx * g->ny; c++)
                g->start[c + 1] += g->start[c];
            g->seg = malloc((g->start[g->nx * g->ny] + 1) * sizeof *g->seg);
            if (!g->seg)
                return -1;
        } else {
            /* Filling advanced each start to the next cell's: shift back. */
            memmove(g->start + 1, g->start, g->nx * g->ny * sizeof *g->start);
            g->start[0] = 0;
        }
    }
    return 0;
}

static void grid_free(struct grid *g)
{
    free(g->start);
    free(g->seg);
}

/*
 * Is (x, y) within tol metres of a segment in the grid? Distances are taken
 * in a local equirectangular frame around the point: at 100 m its error is a
 * few millimetres, far below the tolerance's own uncertainty.
 */
static int near_any(const struct grid *g, const double *xy, double x, double y, double tol)
{
    double mlat, mlon;
    metres_per_degree(y, &mlat, &mlon);
    double dx = tol / mlon, dy = tol / mlat;
    size_t x0, y0, x1, y1;
    cells_of(g, x - dx, y - dy, x + dx, y + dy, &x0, &y0, &x1, &y1);
    for (size_t cy = y0; cy <= y1; cy++)
        for (size_t cx = x0; cx <= x1; cx++) {
            size_t c = cy * g->nx + cx;
            for (size_t k = g->start[c]; k < g->start[c + 1]; k++) {
                const double *p = xy + 2 * g->seg[k];
                double ax = (p[0] - x) * mlon, ay = (p[1] - y) * mlat;
                double bx = (p[2] - x) * mlon, by = (p[3] - y) * mlat;
                double ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey;
                double t = len2 > 0 ? -(ax * ex + ay * ey) / len2 : 0;
                t = t < 0 ? 0 : (t > 1 ? 1 : t);
                if (hypot(ax + t * ex, ay + t * ey) <= tol)
                    return 1;
            }
        }
    return 0;
}

/* A run of ring vertices [first, first + count) taken modulo the ring's size. */
struct run {
    size_t ring; /* part index within the walked feature */
    size_t first, count;
    double length;
};

static int by_length(const void *a, const void *b)
{
    const struct run *p = a, *q = b;
    return p->length > q->length ? -1 : p->length < q->length;
}

/* Geodesic length of ring segment a -> a+1 (mod n). */
static double ring_segment(const double *ring, size_t n, size_t a)
{
    size_t b = (a + 1) % n;
    double seg[4] = {ring[2 * (a % n)], ring[2 * (a % n) + 1], ring[2 * b], ring[2 * b + 1]};
    return bm_geod_polyline_length(seg, 2);
}

/*
 * Append run r of ring (n points, not repeating the first; near flags per
 * point) to out, north end first. Off-boundary stretches inside the run no
 * longer than spike_m along the ring are cut straight across: they are the
 * spikes a tiled source leaves at its seams, not the border.
 */
static int emit_run(struct bm_layer *out, const double *ring, size_t n, const unsigned char *near,
                    const struct run *r, double spike_m, struct bm__buf *tmp, const char *seq)
{
    tmp->len = 0;
    for (size_t k = 0; k < r->count;) {
        size_t i = (r->first + k) % n;
        if (near[i] || k == 0) {
            if (bm__buf_append(tmp, ring + 2 * i, 2 * sizeof(double)) != 0)
                return -1;
            k++;
            continue;
        }
        size_t b = k; /* the off block is [k, b) */
        while (b < r->count && !near[(r->first + b) % n])
            b++;
        double len = 0;
        for (size_t j = k - 1; j < b; j++)
            len += ring_segment(ring, n, r->first + j);
        if (len > spike_m)
            for (size_t j = k; j < b; j++)
                if (bm__buf_append(tmp, ring + 2 * ((r->first + j) % n), 2 * sizeof(double)) != 0)
                    return -1;
        k = b;
    }
    double *p = (double *)(void *)tmp->data;
    size_t m = BM__BUF_COUNT(tmp, double) / 2;
    if (p[1] < p[2 * m - 1])
        for (size_t i = 0; i < m / 2; i++)
            for (int c = 0; c < 2; c++) {
                double t = p[2 * i + (size_t)c];
                p[2 * i + (size_t)c] = p[2 * (m - 1 - i) + (size_t)c];
                p[2 * (m - 1 - i) + (size_t)c] = t;
            }
    const char *attrs[] = {seq};
    return bm__layer_add(out, BM_GEOM_LINE, p, m, attrs);
}

/*
 * The runs of near vertices on one ring, gaps shorter than gap_m bridged.
 * A ring wholly near yields one closed run.
 */
static int ring_runs(size_t ring_index, const double *ring, size_t n, const unsigned char *near,
                     double gap_m, struct bm__buf *runs)
{
    size_t start = 0;
    while (start < n && near[start])
        start++;
    if (start == n) { /* every vertex shared: the whole ring, closed */
        struct run r = {ring_index, 0, n + 1, 0};
        r.length = bm_geod_polyline_length(ring, n);
        return bm__buf_append(runs, &r, sizeof r);
    }
    /* Start after an off vertex so that no run wraps past the scan's end. */
    size_t base = BM__BUF_COUNT(runs, struct run);
    for (size_t k = 0; k < n;) {
        size_t i = (start + k) % n;
        if (!near[i]) {
            k++;
            continue;
        }
        size_t len = 0;
        while (k + len < n && near[(start + k + len) % n])
            len++;
        struct run r = {ring_index, i, len, 0};
        size_t have = BM__BUF_COUNT(runs, struct run);
        if (have > base) {
            struct run *prev = &BM__BUF_AT(runs, struct run, have - 1);
            size_t prev_end = prev->first + prev->count - 1; /* last near vertex */
            double gap = 0;
            size_t steps = (i + n - prev_end % n) % n;
            for (size_t s = 0; s < steps; s++)
                gap += ring_segment(ring, n, prev_end + s);
            if (gap <= gap_m) {
                prev->count = (i + len - 1 + n - prev->first) % n + 1;
                k += len;
                continue;
            }
        }
        if (bm__buf_append(runs, &r, sizeof r) != 0)
            return -1;
        k += len;
    }
    /* Lengths, and drop single vertices: they bound nothing. */
    size_t w = base;
    for (size_t j = base; j < BM__BUF_COUNT(runs, struct run); j++) {
        struct run r = BM__BUF_AT(runs, struct run, j);
        if (r.count < 2)
            continue;
        r.length = 0;
        for (size_t s = 0; s + 1 < r.count; s++)
            r.length += ring_segment(ring, n, r.first + s);
        BM__BUF_AT(runs, struct run, w++) = r;
    }
    runs->len = w * sizeof(struct run);
    return 0;
}

static size_t feature_points(const struct bm_layer *L, size_t f)
{
    const struct bm_feature *feat = bm_layer_feature(L, f);
    const struct bm_part *parts = bm_layer_parts(L) + feat->first_part;
    size_t n = 0;
    for (size_t k = 0; k < feat->nparts; k++)
        n += parts[k].count;
    return n;
}

/* The walked feature's box, grown by the tolerance. */
static struct bm_bbox feature_box(const struct bm_layer *L, size_t f, double tol)
{
    struct bm_bbox b = bm_layer_feature_extent(L, f);
    double mlat, mlon;
    metres_per_degree(fmax(fabs(b.south), fabs(b.north)), &mlat, &mlon);
    b.west -= 2 * tol / mlon;
    b.east += 2 * tol / mlon;
    b.south -= 2 * tol / mlat;
    b.north += 2 * tol / mlat;
    return b;
}

/* Walk every ring of feature w against the grid of the other; collect runs per ring. */
static int walk(const struct bm_layer *L, size_t w, const struct grid *g, double tol, double gap_m,
                unsigned char *near_all, struct bm__buf *runs)
{
    const struct bm_feature *feat = bm_layer_feature(L, w);
    const struct bm_part *parts = bm_layer_parts(L) + feat->first_part;
    const double *xy = bm_layer_xy(L);
    for (size_t k = 0; k < feat->nparts; k++) {
        const double *ring = xy + 2 * parts[k].first;
        size_t n = parts[k].count;
        if (n > 1 && ring[0] == ring[2 * n - 2] && ring[1] == ring[2 * n - 1])
            n--; /* the closing point repeats the first */
        unsigned char *near = near_all + parts[k].first;
        for (size_t i = 0; i < n; i++)
            near[i] = (unsigned char)near_any(g, xy, ring[2 * i], ring[2 * i + 1], tol);
        if (ring_runs(k, ring, n, near, gap_m, runs) != 0)
            return -1;
    }
    return 0;
}

enum bm_status bm_shared_boundary(struct bm_ctx *ctx, const struct bm_layer *L, size_t fa,
                                  size_t fb, const struct bm_boundary_opts *opts,
                                  struct bm_layer **out)
{
    static const struct bm_boundary_opts defaults = {100, 10000, 3500};
    const struct bm_boundary_opts *o = opts ? opts : &defaults;
    double tolerance_m = o->tolerance_m, gap_m = o->gap_m, spike_m = o->spike_m;
    bm__begin(ctx);
    *out = NULL;
    size_t nf = bm_layer_feature_count(L);
    if (fa >= nf || fb >= nf || fa == fb)
        return bm__fail(ctx, BM_ERR_ARG, "shared boundary: need two different features of '%s'",
                        bm_layer_path(L));
    if (bm_layer_feature(L, fa)->type != BM_GEOM_POLYGON ||
        bm_layer_feature(L, fb)->type != BM_GEOM_POLYGON)
        return bm__fail(ctx, BM_ERR_GEOMETRY,
                        "'%s' is not a polygon layer: a shared boundary needs two polygons",
                        bm_layer_path(L));
    if (!(tolerance_m > 0) || !(gap_m >= 0) || !(spike_m >= 0) || !isfinite(tolerance_m) ||
        !isfinite(gap_m) || !isfinite(spike_m))
        return bm__fail(ctx, BM_ERR_ARG,
                        "shared boundary: tolerance %g m must be > 0, gap %g m and spike %g m "
                        ">= 0",
                        tolerance_m, gap_m, spike_m);
    /* Walk the smaller polygon; index the other. */
    size_t w = feature_points(L, fa) <= feature_points(L, fb) ? fa : fb;
    size_t other = w == fa ? fb : fa;
    struct bm_bbox box = feature_box(L, w, tolerance_m);
    struct grid g = {0};
    struct bm__buf runs = {0}, tmp = {0};
    static const char *const fields[] = {"seq"};
    struct bm_layer *lines = bm__layer_new("boundary", bm__layer_source(L), fields, 1);
    unsigned char *near_all = calloc(bm_layer_point_count(L) + 1, 1);
    int bad = !lines || !near_all || grid_build(&g, L, other, &box) != 0 ||
              walk(L, w, &g, tolerance_m, gap_m, near_all, &runs) != 0;
    size_t nr = BM__BUF_COUNT(&runs, struct run);
    if (!bad && nr > 1)
        qsort(runs.data, nr, sizeof(struct run), by_length);
    const struct bm_feature *feat = bm_layer_feature(L, w);
    for (size_t j = 0; !bad && j < nr; j++) {
        struct run r = BM__BUF_AT(&runs, struct run, j);
        const struct bm_part *part = bm_layer_parts(L) + feat->first_part + r.ring;
        const double *ring = bm_layer_xy(L) + 2 * part->first;
        size_t n = part->count;
        if (n > 1 && ring[0] == ring[2 * n - 2] && ring[1] == ring[2 * n - 1])
            n--;
        char seq[24];
        snprintf(seq, sizeof seq, "%zu", j + 1);
        bad = emit_run(lines, ring, n, near_all + part->first, &r, spike_m, &tmp, seq) != 0;
    }
    free(near_all);
    grid_free(&g);
    bm__buf_free(&runs);
    bm__buf_free(&tmp);
    if (bad) {
        bm_layer_free(lines);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory finding a shared boundary in '%s'",
                        bm_layer_path(L));
    }
    *out = lines;
    return BM_OK;
}
