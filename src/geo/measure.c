/* bordermap: geodesic measurement with PROJ's geod_* (Karney 2013). */
#include "bordermap/measure.h"
#include "core/internal.h"

#include <errno.h>
#include <geodesic.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct geod_geodesic bm__wgs84(void)
{
    struct geod_geodesic g;
    geod_init(&g, 6378137.0, 1 / 298.257223563);
    return g;
}

static int valid_latlon(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180;
}

/* BM_OK when both ends are on the globe, else the failure that says so. */
static enum bm_status check_ends(struct bm_ctx *ctx, double lat1, double lon1, double lat2,
                                 double lon2)
{
    if (valid_latlon(lat1, lon1) && valid_latlon(lat2, lon2))
        return BM_OK;
    return bm__fail(ctx, BM_ERR_ARG,
                    "bad coordinates %g,%g to %g,%g: latitude must be within -90..90 and "
                    "longitude within -180..180",
                    lat1, lon1, lat2, lon2);
}

enum bm_status bm_geod_inverse(struct bm_ctx *ctx, double lat1, double lon1, double lat2,
                               double lon2, struct bm_geodesic *out)
{
    bm__begin(ctx);
    enum bm_status st = check_ends(ctx, lat1, lon1, lat2, lon2);
    if (st != BM_OK)
        return st;
    struct geod_geodesic g = bm__wgs84();
    geod_inverse(&g, lat1, lon1, lat2, lon2, &out->distance, &out->azi1, &out->azi2);
    out->azi1 = bm__bearing(out->azi1);
    out->azi2 = bm__bearing(out->azi2);
    return BM_OK;
}

double bm__bearing(double azimuth)
{
    /* geod_* gives -180..180; a bearing is 0..360. fmod keeps -0.0 and a tiny negative
     * would round to 360 when shifted: both are north, 0. */
    double b = fmod(azimuth, 360);
    if (b < 0)
        b += 360;
    return b >= 360 || b == 0 ? 0 : b;
}

/* ---- a geodesic as a polyline ------------------------------------------------ */

/*
 * The largest distance, over the n pieces, between the geodesic's point
 * half-way along a piece and the middle of the straight piece in lon/lat:
 * the piece's distance from the geodesic is largest near its middle.
 * Longitudes are unrolled (continuous across the antimeridian).
 */
static double path_error(const struct geod_geodesic *g, const struct geod_geodesicline *line,
                         size_t n)
{
    double worst = 0, step = line->s13 / (double)n, plat = line->lat1, plon = line->lon1;
    for (size_t k = 1; k <= n; k++) {
        double lat, lon, mlat, mlon, d;
        geod_genposition(line, GEOD_LONG_UNROLL, step * (double)k, &lat, &lon, NULL, NULL, NULL,
                         NULL, NULL, NULL);
        geod_genposition(line, GEOD_LONG_UNROLL, step * ((double)k - 0.5), &mlat, &mlon, NULL, NULL,
                         NULL, NULL, NULL, NULL);
        geod_inverse(g, mlat, mlon, (plat + lat) / 2, (plon + lon) / 2, &d, NULL, NULL);
        worst = fmax(worst, d);
        plat = lat;
        plon = lon;
    }
    return worst;
}

enum bm_status bm_geod_path(struct bm_ctx *ctx, double lat1, double lon1, double lat2, double lon2,
                            double max_error_m, double **xy, size_t *n)
{
    bm__begin(ctx);
    *xy = NULL;
    *n = 0;
    enum bm_status st = check_ends(ctx, lat1, lon1, lat2, lon2);
    if (st != BM_OK)
        return st;
    if (!(max_error_m >= 0.001))
        return bm__fail(ctx, BM_ERR_ARG,
                        "a geodesic path needs an error of at least 1 mm, not %g m", max_error_m);
    struct geod_geodesic g = bm__wgs84();
    struct geod_geodesicline line;
    geod_inverseline(&line, &g, lat1, lon1, lat2, lon2, GEOD_ALL);
    /* The error of a piece falls with the square of its length: guess the count from
     * the error of the previous one, then make sure. 2^20 pieces bound the work. */
    size_t pieces = 1;
    for (double e; pieces < (1u << 20) && (e = path_error(&g, &line, pieces)) > max_error_m;) {
        double more = ceil((double)pieces * sqrt(e / max_error_m) * 1.05);
        pieces = more > (double)(1u << 20) ? (1u << 20) : fmax((double)pieces + 1, more);
    }
    double *p = malloc(2 * (pieces + 1) * sizeof *p);
    if (!p)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory for a geodesic of %zu points",
                        pieces + 1);
    for (size_t k = 0; k <= pieces; k++) {
        double lat, lon;
        geod_position(&line, line.s13 * (double)k / (double)pieces, &lat, &lon, NULL);
        p[2 * k] = lon;
        p[2 * k + 1] = lat;
    }
    /* The ends exactly as given, not as recomputed. */
    p[0] = lon1;
    p[1] = lat1;
    p[2 * pieces] = lon2;
    p[2 * pieces + 1] = lat2;
    *xy = p;
    *n = pieces + 1;
    return BM_OK;
}

double bm_geod_polyline_length(const double *xy, size_t n)
{
    struct geod_geodesic g = bm__wgs84();
    double total = 0;
    for (size_t i = 1; i < n; i++) {
        double s12;
        geod_inverse(&g, xy[2 * i - 1], xy[2 * i - 2], xy[2 * i + 1], xy[2 * i], &s12, NULL, NULL);
        total += s12;
    }
    return total;
}

double bm_geod_ring_area(const double *xy, size_t n)
{
    struct geod_geodesic g = bm__wgs84();
    struct geod_polygon p;
    geod_polygon_init(&p, 0);
    /* A closing point repeated from the first adds an empty edge; drop it. */
    if (n > 1 && xy[0] == xy[2 * n - 2] && xy[1] == xy[2 * n - 1])
        n--;
    for (size_t i = 0; i < n; i++)
        geod_polygon_addpoint(&g, &p, xy[2 * i + 1], xy[2 * i]);
    double area = 0;
    /* reverse = 0, sign = 1: signed by orientation; we want the magnitude. */
    geod_polygon_compute(&g, &p, 0, 1, &area, NULL);
    return fabs(area);
}

double bm_feature_length(const struct bm_layer *L, size_t feat)
{
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = bm_layer_xy(L);
    double total = 0;
    if (f->type == BM_GEOM_POINT)
        return 0;
    for (size_t i = 0; i < f->nparts; i++)
        total += bm_geod_polyline_length(xy + 2 * parts[i].first, parts[i].count);
    return total;
}

double bm_feature_area(const struct bm_layer *L, size_t feat)
{
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = bm_layer_xy(L);
    double total = 0;
    if (f->type != BM_GEOM_POLYGON)
        return 0;
    for (size_t i = 0; i < f->nparts; i++) {
        double a = bm_geod_ring_area(xy + 2 * parts[i].first, parts[i].count);
        total += parts[i].hole ? -a : a;
    }
    return total;
}

/* ---- nearest point --------------------------------------------------- */

/*
 * Distance from P to the geodesic segment A-B, minimised along the segment
 * by golden-section search on the arc length; f(s) = |P X(s)| is unimodal on
 * a segment much shorter than the Earth's radius, which every segment of a
 * boundary line is.
 */
static double segment_distance(const struct geod_geodesic *g, double plat, double plon, double alat,
                               double alon, double blat, double blon, double *xlat, double *xlon)
{
    struct geod_geodesicline line;
    geod_inverseline(&line, g, alat, alon, blat, blon,
                     GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_DISTANCE_IN);
    const double len = line.s13, phi = (sqrt(5.0) - 1) / 2;
    double lo = 0, hi = len;
    double s1 = hi - phi * (hi - lo), s2 = lo + phi * (hi - lo);
    double lat, lon, d1, d2;
    geod_position(&line, s1, &lat, &lon, NULL);
    geod_inverse(g, plat, plon, lat, lon, &d1, NULL, NULL);
    geod_position(&line, s2, &lat, &lon, NULL);
    geod_inverse(g, plat, plon, lat, lon, &d2, NULL, NULL);
    while (hi - lo > 1e-4) { /* 0.1 mm along the segment */
        if (d1 < d2) {
            hi = s2;
            s2 = s1;
            d2 = d1;
            s1 = hi - phi * (hi - lo);
            geod_position(&line, s1, &lat, &lon, NULL);
            geod_inverse(g, plat, plon, lat, lon, &d1, NULL, NULL);
        } else {
            lo = s1;
            s1 = s2;
            d1 = d2;
            s2 = lo + phi * (hi - lo);
            geod_position(&line, s2, &lat, &lon, NULL);
            geod_inverse(g, plat, plon, lat, lon, &d2, NULL, NULL);
        }
    }
    /* The ends themselves may be nearer than any interior point. */
    double best = d1 < d2 ? d1 : d2, s = d1 < d2 ? s1 : s2;
    double da, db;
    geod_inverse(g, plat, plon, alat, alon, &da, NULL, NULL);
    geod_inverse(g, plat, plon, blat, blon, &db, NULL, NULL);
    if (da <= best) {
        best = da;
        s = 0;
    }
    if (db < best) {
        best = db;
        s = len;
    }
    geod_position(&line, s, xlat, xlon, NULL);
    return best;
}

/*
 * A safe lower bound of the geodesic distance from a spherical one: the
 * ellipsoid stretches distances by at most 0.34 %, and a geodesic segment of
 * a few kilometres strays from the great circle by centimetres; 1 % and
 * 100 m more cover both with room to spare.
 */
static double lower_bound(double spherical)
{
    return 0.99 * spherical - 100;
}

struct candidate {
    double bound; /* lower bound of the distance to the segment (or the point) */
    size_t point; /* index of its first point */
    size_t feature;
    int is_segment;
};

static int by_bound(const void *a, const void *b)
{
    const struct candidate *p = a, *q = b;
    return p->bound < q->bound ? -1 : p->bound > q->bound;
}

/*
 * Is (lat, lon) inside polygon feature f: even-odd over all its rings (the
 * outer rings and their holes), on longitude and latitude as the source
 * draws them.
 */
static int inside_polygon(const struct bm_layer *L, size_t f, double lat, double lon)
{
    const struct bm_feature *feat = bm_layer_feature(L, f);
    if (feat->type != BM_GEOM_POLYGON)
        return 0;
    const double *xy = bm_layer_xy(L);
    const struct bm_part *parts = bm_layer_parts(L) + feat->first_part;
    int in = 0;
    for (size_t k = 0; k < feat->nparts; k++) {
        size_t a = parts[k].first, n = parts[k].count;
        for (size_t i = 0, j = n - 1; i < n; j = i++) {
            double xi = xy[2 * (a + i)], yi = xy[2 * (a + i) + 1];
            double xj = xy[2 * (a + j)], yj = xy[2 * (a + j) + 1];
            if ((yi > lat) != (yj > lat) && lon < xj + (lat - yj) * (xi - xj) / (yi - yj))
                in = !in;
        }
    }
    return in;
}

#define EARTH_R 6371008.8 /* the WGS84 mean radius, metres */

/* The unit vector of (lat, lon) on the sphere. */
static void unit_vector(double lat, double lon, double u[3])
{
    const double d = M_PI / 180;
    double cl = cos(lat * d);
    u[0] = cl * cos(lon * d);
    u[1] = cl * sin(lon * d);
    u[2] = sin(lat * d);
}

static double chord2(const double *u, const double *v)
{
    double a = u[0] - v[0], b = u[1] - v[1], c = u[2] - v[2];
    return a * a + b * b + c * c;
}

/* Great-circle metres from a squared chord of the unit sphere. */
static double chord_metres(double c2)
{
    double h = sqrt(c2) / 2;
    return 2 * EARTH_R * asin(h < 1 ? h : 1);
}

/*
 * What every query of a layer needs and no query changes: the unit vector
 * of each vertex and the spherical length of each segment, computed once.
 * Vertices [v0, v0 + nv) of the layer, features [f0, f1).
 */
struct bm_nearest_index {
    const struct bm_layer *L;
    size_t f0, f1, v0, nv;
    double *u;     /* 3 a vertex */
    double *ab;    /* metres from vertex i to i + 1 (0 at a part's end) */
    double max_ab; /* the longest segment */
};

static enum bm_status index_new(struct bm_ctx *ctx, const struct bm_layer *L, size_t f0, size_t f1,
                                struct bm_nearest_index **out)
{
    *out = NULL;
    const double *xy = bm_layer_xy(L);
    const struct bm_part *all = bm_layer_parts(L);
    size_t lo = SIZE_MAX, hi = 0, np = 0;
    for (size_t f = f0; f < f1; f++) {
        const struct bm_feature *feat = bm_layer_feature(L, f);
        for (size_t k = 0; k < feat->nparts; k++) {
            const struct bm_part *p = &all[feat->first_part + k];
            np += p->count;
            if (p->count && p->first < lo)
                lo = p->first;
            if (p->count && p->first + p->count > hi)
                hi = p->first + p->count;
        }
    }
    if (np == 0)
        return bm__fail(ctx, BM_ERR_GEOMETRY, "layer '%s' of '%s' has no features to measure to",
                        bm_layer_name(L), bm_layer_path(L));
    struct bm_nearest_index *ix = calloc(1, sizeof *ix);
    if (ix) {
        ix->u = malloc((hi - lo) * 3 * sizeof *ix->u);
        ix->ab = calloc(hi - lo, sizeof *ix->ab);
    }
    if (!ix || !ix->u || !ix->ab) {
        bm_nearest_index_free(ix);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory measuring to '%s'", bm_layer_path(L));
    }
    ix->L = L;
    ix->f0 = f0;
    ix->f1 = f1;
    ix->v0 = lo;
    ix->nv = hi - lo;
    for (size_t f = f0; f < f1; f++) {
        const struct bm_feature *feat = bm_layer_feature(L, f);
        for (size_t k = 0; k < feat->nparts; k++) {
            size_t a = all[feat->first_part + k].first, n = all[feat->first_part + k].count;
            for (size_t i = a; i < a + n; i++) {
                double *u = ix->u + 3 * (i - lo);
                unit_vector(xy[2 * i + 1], xy[2 * i], u);
                if (i > a && feat->type != BM_GEOM_POINT) {
                    double ab = chord_metres(chord2(u - 3, u));
                    ix->ab[i - 1 - lo] = ab;
                    if (ab > ix->max_ab)
                        ix->max_ab = ab;
                }
            }
        }
    }
    *out = ix;
    return BM_OK;
}

enum bm_status bm_nearest_index_new(struct bm_ctx *ctx, const struct bm_layer *layer,
                                    struct bm_nearest_index **out)
{
    bm__begin(ctx);
    return index_new(ctx, layer, 0, bm_layer_feature_count(layer), out);
}

void bm_nearest_index_free(struct bm_nearest_index *ix)
{
    if (!ix)
        return;
    free(ix->u);
    free(ix->ab);
    free(ix);
}

/* Append a candidate, growing the array. */
static int push(struct candidate **c, size_t *n, size_t *cap, struct candidate v)
{
    if (*n == *cap) {
        size_t m = *cap ? 2 * *cap : 256;
        struct candidate *p = realloc(*c, m * sizeof *p);
        if (!p)
            return -1;
        *c = p;
        *cap = m;
    }
    (*c)[(*n)++] = v;
    return 0;
}

/*
 * Nearest point of the index's features: spherical distances (chords of
 * the precomputed unit vectors) find the candidates cheaply, then exact
 * geodesics decide among them, nearest bound first, until no bound can
 * beat the best found.
 */
static enum bm_status nearest_query(struct bm_ctx *ctx, const struct bm_nearest_index *ix,
                                    double lat, double lon, double max_m, struct bm_nearest *out)
{
    if (!valid_latlon(lat, lon))
        return bm__fail(ctx, BM_ERR_ARG,
                        "bad coordinates %g,%g: latitude must be within -90..90 and longitude "
                        "within -180..180",
                        lat, lon);
    const struct bm_layer *L = ix->L;
    /* Inside an area is at distance 0 from it, as PostGIS's ST_Distance on geography. */
    for (size_t f = ix->f0; f < ix->f1; f++)
        if (inside_polygon(L, f, lat, lon)) {
            *out = (struct bm_nearest){f, 0, lat, lon, 1};
            return BM_OK;
        }
    const double *xy = bm_layer_xy(L);
    const struct bm_part *all = bm_layer_parts(L);
    const size_t v0 = ix->v0;
    double p[3];
    unit_vector(lat, lon, p);
    /* The vertex nearest on the sphere gives an exact upper bound at once. */
    double c2min = INFINITY;
    size_t vmin = 0, fmin = ix->f0;
    for (size_t f = ix->f0; f < ix->f1; f++) {
        const struct bm_feature *feat = bm_layer_feature(L, f);
        for (size_t k = 0; k < feat->nparts; k++) {
            size_t a = all[feat->first_part + k].first, n = all[feat->first_part + k].count;
            for (size_t i = a; i < a + n; i++) {
                double c2 = chord2(p, ix->u + 3 * (i - v0));
                if (c2 < c2min) {
                    c2min = c2;
                    vmin = i;
                    fmin = f;
                }
            }
        }
    }
    /* Every point of a segment AB is at least min(|PA|, |PB|) - |AB| / 2 away. */
    if (lower_bound(chord_metres(c2min) - ix->max_ab / 2) > max_m) {
        *out = (struct bm_nearest){fmin, INFINITY, NAN, NAN, 0};
        return BM_OK;
    }
    struct geod_geodesic geod = bm__wgs84();
    const struct geod_geodesic *g = &geod;
    struct bm_nearest best = {fmin, 0, xy[2 * vmin + 1], xy[2 * vmin], 0};
    geod_inverse(g, lat, lon, best.lat, best.lon, &best.distance, NULL, NULL);
    /* Only the vertices within reach can bound a candidate below the best: a
     * vertex's bound is lower_bound(d); a segment's is at least
     * lower_bound(min(dA, dB) - ab / 2). Beyond this sphere distance neither
     * beats the best. */
    double reach = (best.distance + 100) / 0.99 + ix->max_ab / 2 + 1;
    double reach_c2 = reach / EARTH_R >= M_PI ? INFINITY : pow(2 * sin(reach / EARTH_R / 2), 2);
    struct candidate *cand = NULL;
    size_t nc = 0, cap = 0;
    int bad = 0;
    for (size_t f = ix->f0; f < ix->f1 && !bad; f++) {
        const struct bm_feature *feat = bm_layer_feature(L, f);
        for (size_t k = 0; k < feat->nparts && !bad; k++) {
            size_t a = all[feat->first_part + k].first, n = all[feat->first_part + k].count;
            double prev_c2 = INFINITY;
            for (size_t i = a; i < a + n && !bad; i++) {
                double c2 = chord2(p, ix->u + 3 * (i - v0));
                if (c2 < reach_c2)
                    bad = push(&cand, &nc, &cap,
                               (struct candidate){lower_bound(chord_metres(c2)), i, f, 0});
                if (i > a && feat->type != BM_GEOM_POINT && (c2 < reach_c2 || prev_c2 < reach_c2)) {
                    /* Triangle inequality: |PX| >= (|PA| + |PB| - |AB|) / 2 for X on AB. */
                    double d = chord_metres(c2), prev = chord_metres(prev_c2);
                    double bound = lower_bound((prev + d - ix->ab[i - 1 - v0]) / 2);
                    if (!bad && bound < best.distance)
                        bad = push(&cand, &nc, &cap, (struct candidate){bound, i - 1, f, 1});
                }
                prev_c2 = c2;
            }
        }
    }
    if (bad) {
        free(cand);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory measuring to '%s'", bm_layer_path(L));
    }
    size_t kept = 0;
    for (size_t c = 0; c < nc; c++)
        if (cand[c].bound < best.distance)
            cand[kept++] = cand[c];
    nc = kept;
    if (nc > 1)
        qsort(cand, nc, sizeof *cand, by_bound);
    for (size_t c = 0; c < nc && cand[c].bound < best.distance; c++) {
        size_t i = cand[c].point;
        double d, xlat = xy[2 * i + 1], xlon = xy[2 * i];
        if (cand[c].is_segment) {
            /* The same bound with exact geodesics is tight: most segments stop here,
             * before the costlier search along them. */
            double da, db, ab;
            geod_inverse(g, lat, lon, xy[2 * i + 1], xy[2 * i], &da, NULL, NULL);
            geod_inverse(g, lat, lon, xy[2 * i + 3], xy[2 * i + 2], &db, NULL, NULL);
            geod_inverse(g, xy[2 * i + 1], xy[2 * i], xy[2 * i + 3], xy[2 * i + 2], &ab, NULL,
                         NULL);
            if ((da + db - ab) / 2 >= best.distance)
                continue;
            d = segment_distance(g, lat, lon, xy[2 * i + 1], xy[2 * i], xy[2 * i + 3],
                                 xy[2 * i + 2], &xlat, &xlon);
        } else {
            geod_inverse(g, lat, lon, xlat, xlon, &d, NULL, NULL);
        }
        if (d < best.distance)
            best = (struct bm_nearest){cand[c].feature, d, xlat, xlon, 0};
    }
    free(cand);
    *out = best;
    return BM_OK;
}

enum bm_status bm_nearest_indexed(struct bm_ctx *ctx, const struct bm_nearest_index *ix, double lat,
                                  double lon, double max_m, struct bm_nearest *out)
{
    bm__begin(ctx);
    if (!(max_m >= 0))
        return bm__fail(ctx, BM_ERR_ARG, "bad search distance %g m: give metres >= 0", max_m);
    return nearest_query(ctx, ix, lat, lon, max_m, out);
}

/* One query over features [f0, f1): the index made for it alone. */
static enum bm_status nearest_in(struct bm_ctx *ctx, const struct bm_layer *L, size_t f0, size_t f1,
                                 double lat, double lon, struct bm_nearest *out)
{
    if (!valid_latlon(lat, lon))
        return bm__fail(ctx, BM_ERR_ARG,
                        "bad coordinates %g,%g: latitude must be within -90..90 and longitude "
                        "within -180..180",
                        lat, lon);
    struct bm_nearest_index *ix;
    enum bm_status st = index_new(ctx, L, f0, f1, &ix);
    if (st == BM_OK)
        st = nearest_query(ctx, ix, lat, lon, INFINITY, out);
    bm_nearest_index_free(ix);
    return st;
}

enum bm_status bm_nearest(struct bm_ctx *ctx, const struct bm_layer *L, double lat, double lon,
                          struct bm_nearest *out)
{
    bm__begin(ctx);
    return nearest_in(ctx, L, 0, bm_layer_feature_count(L), lat, lon, out);
}

enum bm_status bm_nearest_in_feature(struct bm_ctx *ctx, const struct bm_layer *L, size_t feat,
                                     double lat, double lon, struct bm_nearest *out)
{
    bm__begin(ctx);
    if (feat >= bm_layer_feature_count(L))
        return bm__fail(ctx, BM_ERR_ARG, "no feature %zu in '%s'", feat, bm_layer_path(L));
    return nearest_in(ctx, L, feat, feat + 1, lat, lon, out);
}

/* ---- "lat,lon" ------------------------------------------------------- */

static int parse_number(const char *s, const char **end, double *v)
{
    char *e;
    while (*s == ' ')
        s++;
    errno = 0;
    *v = strtod(s, &e);
    if (e == s || errno == ERANGE || !isfinite(*v))
        return -1;
    while (*e == ' ')
        e++;
    *end = e;
    return 0;
}

enum bm_status bm_parse_latlon(struct bm_ctx *ctx, const char *text, double *lat, double *lon)
{
    bm__begin(ctx);
    const char *p;
    double a, b;
    char clip[96];
    if (!text || parse_number(text, &p, &a) != 0 || *p != ',' || parse_number(p + 1, &p, &b) != 0 ||
        *p != '\0')
        return bm__fail(ctx, BM_ERR_PLACE_SYNTAX,
                        "'%s' is not a place name or a position; write a position as lat,lon in "
                        "decimal degrees, e.g. 24.013,97.851",
                        bm__clip(text ? text : "", clip, sizeof clip));
    if (fabs(a) > 90 || fabs(b) > 180)
        return bm__fail(ctx, BM_ERR_PLACE_SYNTAX,
                        "'%s' is out of range: latitude must be within -90..90 and longitude "
                        "within -180..180",
                        bm__clip(text, clip, sizeof clip));
    *lat = a;
    *lon = b;
    return BM_OK;
}
