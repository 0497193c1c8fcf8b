/* bordermap tests: geodesic measurement against GeographicLib's own tools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <geodesic.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "oracle.h"
#include "support.h"

/* The bar: agreement to 1 mm per 1000 km, plus round-off of the printout. */
static void assert_close(double got, double want, double round_off, const char *what)
{
    double tol = 1e-9 * fabs(want) + round_off;
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: %.9f vs oracle %.9f (off by %.3g, tolerance %.3g)", what, got, want,
                 fabs(got - want), tol);
}

/* Lengths: the oracle prints 9 decimals of a metre. */
static void assert_agrees(double got, double want, const char *what)
{
    assert_close(got, want, 1e-6, what);
}

/* Areas: the oracle prints 4 decimals of a square metre. */
static void assert_area_agrees(double got, double want, const char *what)
{
    assert_close(got, want, 1e-3, what);
}

/* GeodSolve's azimuth (-180..180) as a bearing, 0..360. */
static double bearing(double azi)
{
    return azi < 0 ? azi + 360 : azi;
}

static struct bm_layer *shipped(const char *rel)
{
    char path[4096];
    struct bm_layer *L = NULL;
    if (bm_ctx_data_path(ctx, rel, path, sizeof path) != BM_OK ||
        bm_layer_load(ctx, path, NULL, &L) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    return L;
}

static void inverse_matches_geodsolve(void **state)
{
    (void)state;
    static const double pairs[][4] = {
        {24.013, 97.851, 19.745, 96.12972},        /* Ruili - Naypyidaw */
        {19.42793, 93.55134, 25.03889, 102.71833}, /* Kyaukphyu - Kunming */
        {23.99742, 97.90109, 24.013, 97.851},      /* Muse - Ruili, a few km */
        {0.0, 0.0, 0.5, 179.7},                    /* nearly antipodal */
        {-30.0, 10.0, 45.0, -120.0},               /* long, crossing the equator */
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const double *p = pairs[i];
        struct bm_geodesic g;
        double s12, azi1, azi2;
        assert_int_equal(bm_geod_inverse(ctx, p[0], p[1], p[2], p[3], &g), BM_OK);
        assert_int_equal(oracle_inverse(p[0], p[1], p[2], p[3], &s12, &azi1, &azi2), 0);
        assert_agrees(g.distance, s12, "distance");
        /* One convention: bearings, clockwise from true north, 0 <= azimuth < 360. */
        assert_true(g.azi1 >= 0 && g.azi1 < 360 && g.azi2 >= 0 && g.azi2 < 360);
        assert_true(fabs(g.azi1 - bearing(azi1)) < 1e-9 && fabs(g.azi2 - bearing(azi2)) < 1e-9);
    }
    struct bm_geodesic g;
    assert_int_equal(bm_geod_inverse(ctx, 91, 0, 0, 0, &g), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "bad coordinates 91,0 to 0,0: latitude must be within "
                                           "-90..90 and longitude within -180..180");
}

static void lines_match_planimeter(void **state)
{
    (void)state;
    static const char *const layers[] = {"shapes/boundaries/border_cn_mm.shp",
                                         "shapes/infrastructure/pipelines.shp",
                                         "shapes/infrastructure/rail.shp"};
    for (size_t k = 0; k < 3; k++) {
        struct bm_layer *L = shipped(layers[k]);
        assert_true(bm_layer_feature_count(L) > 0);
        for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
            const struct bm_feature *f = bm_layer_feature(L, i);
            assert_int_equal(f->nparts, 1);
            const struct bm_part *p = bm_layer_parts(L) + f->first_part;
            double want;
            assert_int_equal(oracle_polyline(bm_layer_xy(L) + 2 * p->first, p->count, &want), 0);
            assert_agrees(bm_feature_length(L, i), want, layers[k]);
        }
        bm_layer_free(L);
    }
}

static void border_total_is_within_published_range(void **state)
{
    (void)state;
    struct bm_layer *B = shipped("shapes/boundaries/border_cn_mm.shp");
    /* The whole line, piece after piece, measured at once by the oracle. */
    size_t n = bm_layer_point_count(B);
    double want, got = 0;
    assert_int_equal(oracle_polyline(bm_layer_xy(B), n, &want), 0);
    for (size_t i = 0; i < bm_layer_feature_count(B); i++)
        got += bm_feature_length(B, i);
    /* Pieces share their joints, so joining them adds only zero-length steps. */
    assert_agrees(got, want, "border total");
    /* Published: 2,129 km (CIA) to 2,227 km (The Irrawaddy). */
    assert_true(got > 2129e3 && got < 2227e3);
    bm_layer_free(B);
}

static void area_matches_planimeter(void **state)
{
    (void)state;
    struct bm_layer *C = shipped("shapes/boundaries/countries.shp");
    long mmr = bm_layer_find(C, "iso_a3", "MMR");
    assert_true(mmr >= 0);
    const struct bm_feature *f = bm_layer_feature(C, (size_t)mmr);
    double total = 0;
    for (size_t k = 0; k < f->nparts; k++) {
        const struct bm_part *p = bm_layer_parts(C) + f->first_part + k;
        double want;
        assert_int_equal(oracle_area(bm_layer_xy(C) + 2 * p->first, p->count, &want), 0);
        double got = bm_geod_ring_area(bm_layer_xy(C) + 2 * p->first, p->count);
        assert_area_agrees(got, want, "ring area");
        total += p->hole ? -want : want;
    }
    assert_area_agrees(bm_feature_area(C, (size_t)mmr), total, "Myanmar area");
    /* The source is land polygons: Myanmar's land is 653,508 km2 (CIA World Factbook:
     * 676,578 in all, 23,070 of water); the coastline's detail moves it by a percent or two. */
    assert_true(fabs(total / 1e6 - 653508) < 0.02 * 653508);
    bm_layer_free(C);
}

/* Brute force: the nearest of 2001 points along every segment within reach. */
static double brute_nearest(const struct bm_layer *L, double lat, double lon)
{
    struct geod_geodesic g;
    geod_init(&g, 6378137, 1 / 298.257223563);
    const double *xy = bm_layer_xy(L);
    double best = INFINITY;
    for (size_t f = 0; f < bm_layer_feature_count(L); f++) {
        const struct bm_feature *feat = bm_layer_feature(L, f);
        const struct bm_part *p = bm_layer_parts(L) + feat->first_part;
        for (size_t i = p->first; i + 1 < p->first + p->count; i++) {
            double d0;
            geod_inverse(&g, lat, lon, xy[2 * i + 1], xy[2 * i], &d0, NULL, NULL);
            if (d0 > 60000)
                continue; /* no border segment is 30 km long */
            struct geod_geodesicline line;
            geod_inverseline(&line, &g, xy[2 * i + 1], xy[2 * i], xy[2 * i + 3], xy[2 * i + 2],
                             GEOD_ALL);
            for (int k = 0; k <= 2000; k++) {
                double plat, plon, d;
                geod_position(&line, line.s13 * k / 2000, &plat, &plon, NULL);
                geod_inverse(&g, lat, lon, plat, plon, &d, NULL, NULL);
                best = fmin(best, d);
            }
        }
    }
    return best;
}

static void nearest_is_a_true_minimum(void **state)
{
    (void)state;
    struct bm_layer *B = shipped("shapes/boundaries/border_cn_mm.shp");
    static const double towns[][2] = {{24.013, 97.851},      /* Ruili */
                                      {23.99742, 97.90109},  /* Muse */
                                      {23.69611, 98.76214}}; /* Laukkai */
    for (size_t i = 0; i < 3; i++) {
        struct bm_nearest n;
        assert_int_equal(bm_nearest(ctx, B, towns[i][0], towns[i][1], &n), BM_OK);
        double s12, a1, a2;
        assert_int_equal(oracle_inverse(towns[i][0], towns[i][1], n.lat, n.lon, &s12, &a1, &a2), 0);
        assert_agrees(n.distance, s12, "distance to the nearest point");
        double brute = brute_nearest(B, towns[i][0], towns[i][1]);
        /* Never worse than sampling, and sampling at ~1 m steps cannot beat it by a mm. */
        assert_true(n.distance <= brute + 1e-6);
        assert_true(n.distance > brute - 1e-3);
    }
    struct bm_nearest n;
    assert_int_equal(bm_nearest(ctx, B, NAN, 97, &n), BM_ERR_ARG);
    bm_layer_free(B);
}

/*
 * Beyond the end of a line its nearest point is the end itself, exactly: 500 m
 * past the last vertex of a line (Ruili to Muse to Namhkam), along its last
 * segment (geod_direct), the distance is 500 m to a micrometre and the point
 * is that vertex. (A search inside the segment alone stops ~0.03 mm short.)
 */
static void nearest_beyond_the_end_is_the_end(void **state)
{
    (void)state;
    const char *gj = tmp_path("end.geojson");
    assert_int_equal(write_text(gj, "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": "
                                    "\"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
                                    "\"LineString\", \"coordinates\": [[97.851, 24.013], "
                                    "[97.90109, 23.99742], [97.8846, 23.8378]]}}]}\n"),
                     0);
    struct bm_layer *L = NULL;
    if (bm_layer_load(ctx, gj, NULL, &L) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    const double a[2] = {97.90109, 23.99742}, b[2] = {97.8846, 23.8378};
    struct geod_geodesic g;
    geod_init(&g, 6378137, 1 / 298.257223563);
    double s12, azi1, azi2, lat, lon;
    geod_inverse(&g, a[1], a[0], b[1], b[0], &s12, &azi1, &azi2);
    geod_direct(&g, b[1], b[0], azi2, 500, &lat, &lon, NULL);
    struct bm_nearest n;
    assert_int_equal(bm_nearest(ctx, L, lat, lon, &n), BM_OK);
    if (fabs(n.distance - 500) > 1e-6 || fabs(n.lat - b[1]) > 1e-9 || fabs(n.lon - b[0]) > 1e-9)
        fail_msg("500 m past a line's end: %.7f m to %.9f, %.9f; expected 500 m to its last "
                 "vertex %.9f, %.9f",
                 n.distance, n.lat, n.lon, b[1], b[0]);
    bm_layer_free(L);
}

/* The nearest vertex by exact geodesics: no nearest point can be farther. */
static double nearest_vertex(const struct bm_layer *L, double lat, double lon)
{
    struct geod_geodesic g;
    geod_init(&g, 6378137, 1 / 298.257223563);
    const double *xy = bm_layer_xy(L);
    double best = INFINITY;
    for (size_t i = 0; i < bm_layer_point_count(L); i++) {
        double d;
        geod_inverse(&g, lat, lon, xy[2 * i + 1], xy[2 * i], &d, NULL, NULL);
        best = fmin(best, d);
    }
    return best;
}

/* One index, many queries: the same answers as bm_nearest(), near the border and far from it
 * (where the search reach is widest), and never beaten by sampling or by a vertex. */
static void nearest_index_gives_the_same_answers(void **state)
{
    (void)state;
    struct bm_layer *B = shipped("shapes/boundaries/border_cn_mm.shp");
    struct bm_nearest_index *ix;
    assert_int_equal(bm_nearest_index_new(ctx, B, &ix), BM_OK);
    static const double at[][2] = {{24.013, 97.851},     /* Ruili, 3.5 km */
                                   {23.69611, 98.76214}, /* Laukkai */
                                   {25.8, 98.6},         /* Kachin hills, on the border */
                                   {16.8, 96.15},        /* Yangon, ~800 km */
                                   {25.04, 102.71},      /* Kunming */
                                   {23.8, 90.4},         /* Dhaka */
                                   {-33.9, 18.4}};       /* Cape Town, across the Earth */
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        struct bm_nearest a, b;
        assert_int_equal(bm_nearest_indexed(ctx, ix, at[i][0], at[i][1], INFINITY, &a), BM_OK);
        assert_int_equal(bm_nearest(ctx, B, at[i][0], at[i][1], &b), BM_OK);
        assert_true(a.distance == b.distance && a.lat == b.lat && a.lon == b.lon &&
                    a.feature == b.feature && !a.inside);
        assert_true(a.distance <= nearest_vertex(B, at[i][0], at[i][1]) + 1e-6);
        if (a.distance < 30000) {
            double brute = brute_nearest(B, at[i][0], at[i][1]);
            assert_true(a.distance <= brute + 1e-6 && a.distance > brute - 1e-3);
        }
        double s12, a1, a2;
        assert_int_equal(oracle_inverse(at[i][0], at[i][1], a.lat, a.lon, &s12, &a1, &a2), 0);
        assert_agrees(a.distance, s12, "distance to the nearest point");
        /* Bounded: exact when within reach, "none" only when truly beyond it. */
        struct bm_nearest c;
        assert_int_equal(bm_nearest_indexed(ctx, ix, at[i][0], at[i][1], b.distance, &c), BM_OK);
        assert_true(c.distance == b.distance && c.lat == b.lat && c.lon == b.lon);
        assert_int_equal(bm_nearest_indexed(ctx, ix, at[i][0], at[i][1], b.distance * 0.999, &c),
                         BM_OK);
        assert_true(c.distance == INFINITY || c.distance == b.distance);
    }
    struct bm_nearest n;
    assert_int_equal(bm_nearest_indexed(ctx, ix, 16.8, 96.15, 20000, &n), BM_OK);
    assert_true(n.distance == INFINITY && isnan(n.lat)); /* Yangon: nothing within 20 km */
    assert_int_equal(bm_nearest_indexed(ctx, ix, 91, 97, INFINITY, &n), BM_ERR_ARG);
    assert_int_equal(bm_nearest_indexed(ctx, ix, 24, 97, -1, &n), BM_ERR_ARG);
    bm_nearest_index_free(ix);
    bm_nearest_index_free(NULL);
    bm_layer_free(B);
}

static void shared_boundary_of_two_squares(void **state)
{
    (void)state;
    /* Two 0.1-degree squares whose common edge at lon 97.1 differs by about 50 m. */
    static const char *const squares[] = {
        "POLYGON ((97.0 24.0, 97.1 24.0, 97.1 24.05, 97.1 24.1, 97.0 24.1, 97.0 24.0))",
        "POLYGON ((97.1005 24.0, 97.2 24.0, 97.2 24.1, 97.1005 24.1, 97.1005 24.0))",
        "POLYGON ((99.0 20.0, 99.1 20.0, 99.1 20.1, 99.0 20.0))"};
    const char *p = tmp_path("squares.gpkg");
    assert_int_equal(write_layer(p, "GPKG", 4326, "squares", squares, 3), 0);
    struct bm_layer *L, *S;
    assert_int_equal(bm_layer_load(ctx, p, NULL, &L), BM_OK);
    assert_int_equal(bm_shared_boundary(ctx, L, 0, 1, &(struct bm_boundary_opts){100, 0, 0}, &S),
                     BM_OK);
    assert_int_equal(bm_layer_feature_count(S), 1);
    const struct bm_part *part = bm_layer_parts(S);
    const double *xy = bm_layer_xy(S);
    /* Walked along the first (it has fewer points... or as many): north end first. */
    assert_true(xy[2 * part->first + 1] > xy[2 * (part->first + part->count - 1) + 1]);
    double want;
    assert_int_equal(oracle_inverse(24.1, 97.1, 24.0, 97.1, &want, &(double){0}, &(double){0}), 0);
    assert_true(fabs(bm_feature_length(S, 0) - want) < 1e-6);
    bm_layer_free(S);

    assert_int_equal(bm_shared_boundary(ctx, L, 0, 1, &(struct bm_boundary_opts){10, 0, 0}, &S),
                     BM_OK);
    assert_int_equal(bm_layer_feature_count(S), 0); /* 50 m apart: not within 10 m */
    bm_layer_free(S);
    assert_int_equal(bm_shared_boundary(ctx, L, 0, 2, NULL, &S), BM_OK);
    assert_int_equal(bm_layer_feature_count(S), 0);
    bm_layer_free(S);
    assert_int_equal(bm_shared_boundary(ctx, L, 0, 0, NULL, &S), BM_ERR_ARG);
    bm_layer_free(L);
}

static void latlon_parsing(void **state)
{
    (void)state;
    double lat, lon;
    assert_int_equal(bm_parse_latlon(ctx, "24.013,97.851", &lat, &lon), BM_OK);
    assert_true(lat == 24.013 && lon == 97.851);
    assert_int_equal(bm_parse_latlon(ctx, " -19.5 , -96 ", &lat, &lon), BM_OK);
    assert_true(lat == -19.5 && lon == -96);
    assert_int_equal(bm_parse_latlon(ctx, "24.0;97.8", &lat, &lon), BM_ERR_PLACE_SYNTAX);
    assert_string_equal(bm_ctx_error(ctx),
                        "'24.0;97.8' is not a place name or a position; write a position as "
                        "lat,lon in decimal degrees, e.g. 24.013,97.851");
    assert_int_equal(bm_parse_latlon(ctx, "97.8,24.0x", &lat, &lon), BM_ERR_PLACE_SYNTAX);
    assert_int_equal(bm_parse_latlon(ctx, "nan,97", &lat, &lon), BM_ERR_PLACE_SYNTAX);
    assert_int_equal(bm_parse_latlon(ctx, "97.8,24.0", &lat, &lon), BM_ERR_PLACE_SYNTAX);
    assert_string_equal(bm_ctx_error(ctx), "'97.8,24.0' is out of range: latitude must be within "
                                           "-90..90 and longitude within -180..180");
}

static void numbers_are_grouped(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(bm_format_number(b, sizeof b, 2188625.2186 / 1000, 1), "2,188.6");
    assert_string_equal(bm_format_number(b, sizeof b, 133.66, 2), "133.66");
    assert_string_equal(bm_format_number(b, sizeof b, 1727, 1), "1,727.0");
    assert_string_equal(bm_format_number(b, sizeof b, 999.95, 1), "1,000.0");
    assert_string_equal(bm_format_number(b, sizeof b, 1234567, 0), "1,234,567");
    assert_string_equal(bm_format_number(b, sizeof b, 0.25, 1), "0.3"); /* half away from 0 */
    assert_string_equal(bm_format_number(b, sizeof b, -1234.5, 0), "-1,235");
    assert_string_equal(bm_format_number(b, sizeof b, -0.01, 1), "0.0");
    assert_string_equal(bm_format_number(b, 6, 1234567, 0), "1,234"); /* cut, NUL-terminated */
}

/* The rows of the default 'measure' and of the report's tables 1 and 2. */
static void corridor_table_rows(void **state)
{
    (void)state;
    struct bm_corridor_table *t;
    assert_int_equal(bm_measure_corridor(ctx, &t), BM_OK);
    struct bm_layer *B = shipped("shapes/boundaries/border_cn_mm.shp");
    assert_int_equal(t->nstretches, bm_layer_feature_count(B));
    double sum = 0;
    for (size_t i = 0; i < t->nstretches; i++) {
        assert_true(t->stretches[i].length_m == bm_feature_length(B, i));
        sum += t->stretches[i].length_m;
    }
    assert_true(sum == t->border_m);
    assert_string_equal(t->stretches[1].name, "Yunnan–Kachin");
    assert_string_equal(t->stretches[1].seq, "2");
    assert_string_equal(t->border_path, bm_layer_path(B));
    assert_non_null(strstr(t->border_source, "OpenStreetMap"));
    bm_layer_free(B);
    /* 4 pipeline sections, then 5 railway segments. */
    assert_int_equal(t->nroutes, 9);
    struct bm_layer *R = shipped("shapes/infrastructure/rail.shp");
    for (size_t i = 0; i < 5; i++) {
        const struct bm_route *r = &t->routes[4 + i];
        assert_true(r->length_m == bm_feature_length(R, i));
        assert_string_equal(r->kind, "railway");
    }
    bm_layer_free(R);
    const struct bm_route *dali = &t->routes[5], *kyaukphyu = &t->routes[8], *gas = &t->routes[3];
    assert_string_equal(dali->name, "Dali–Baoshan");
    assert_true(fabs(dali->published_m - 133660) < 1e-6);
    assert_int_equal(dali->published_decimals, 2); /* as published: 133.66 */
    assert_true(fabs(dali->ratio - dali->length_m / 133660) < 1e-12);
    assert_int_equal(gas->published_decimals, 1); /* 1727 -> 1,727.0 */
    assert_string_equal(kyaukphyu->name, "Mandalay–Kyaukphyu");
    assert_true(isnan(kyaukphyu->published_m) && isnan(kyaukphyu->ratio)); /* none published */
    assert_string_equal(t->routes_accuracy,
                        "schematic: straight legs between published waypoint towns");
    bm_corridor_table_free(t);
    bm_corridor_table_free(NULL);
}

static void legs_match_geodsolve(void **state)
{
    (void)state;
    const struct bm_waypoint w[] = {{"Ruili", 24.013, 97.851},
                                    {"Naypyidaw", 19.745, 96.12972},
                                    {"Muse", 23.99742, 97.90109},
                                    {"Ruili", 24.013, 97.851}};
    struct bm_leg_table *t;
    assert_int_equal(bm_measure_legs(ctx, w, 4, BM_LEGS_CHAIN, &t), BM_OK);
    assert_int_equal(t->nlegs, 3);
    double in[12], out[9], total = 0;
    for (size_t i = 0; i < 3; i++) {
        const double q[4] = {w[i].lat, w[i].lon, w[i + 1].lat, w[i + 1].lon};
        memcpy(in + 4 * i, q, sizeof q);
    }
    assert_int_equal(oracle_geodsolve("-i", in, 3, 4, out, 3), 0);
    for (size_t i = 0; i < 3; i++) {
        const struct bm_leg *l = &t->legs[i];
        assert_string_equal(l->from, w[i].name);
        assert_string_equal(l->to, w[i + 1].name);
        assert_agrees(l->distance_m, out[3 * i + 2], "leg");
        assert_true(fabs(l->azimuth_initial - bearing(out[3 * i])) < 1e-9);
        assert_true(fabs(l->azimuth_final - bearing(out[3 * i + 1])) < 1e-9);
        total += out[3 * i + 2];
    }
    /* The example: Ruili to Naypyidaw is 201.0°, never -159.05. */
    assert_true(fabs(t->legs[0].azimuth_initial - (360 - 159.0459)) < 1e-3);
    /* Muse to Ruili heads west-north-west: geod gives -71.28, a bearing of 288.72. */
    assert_true(fabs(t->legs[2].azimuth_initial - 288.7155) < 1e-3);
    assert_agrees(t->total_m, total, "total");
    bm_leg_table_free(t);
    assert_int_equal(bm_measure_legs(ctx, w, 4, BM_LEGS_PAIRS, &t), BM_OK);
    assert_int_equal(t->nlegs, 6);
    assert_string_equal(t->legs[2].from, "Ruili");
    assert_string_equal(t->legs[3].from, "Naypyidaw");
    assert_string_equal(t->legs[3].to, "Muse");
    bm_leg_table_free(t);
    assert_int_equal(bm_measure_legs(ctx, w, 1, BM_LEGS_CHAIN, &t), BM_ERR_ARG);
    const struct bm_waypoint bad[] = {{"a", 91, 0}, {"b", 0, 0}};
    assert_int_equal(bm_measure_legs(ctx, bad, 2, BM_LEGS_CHAIN, &t), BM_ERR_ARG);
    assert_null(t);
}

/*
 * A geodesic as a polyline: every point on the geodesic (GeodSolve -i from
 * the start gives the same azimuth, at the even spacing), and every straight
 * piece in lon/lat within the error of the geodesic at its middle.
 */
static void check_path(double lat1, double lon1, double lat2, double lon2, double max_error,
                       size_t min_points)
{
    double *xy;
    size_t n;
    assert_int_equal(bm_geod_path(ctx, lat1, lon1, lat2, lon2, max_error, &xy, &n), BM_OK);
    assert_true(n >= min_points);
    assert_true(xy[0] == lon1 && xy[1] == lat1 && xy[2 * n - 2] == lon2 && xy[2 * n - 1] == lat2);
    double whole[3];
    assert_int_equal(oracle_geodsolve("-i", (double[]){lat1, lon1, lat2, lon2}, 1, 4, whole, 3), 0);
    double *in = malloc(4 * n * sizeof *in), *out = malloc(3 * n * sizeof *out);
    for (size_t k = 0; k < n; k++) {
        const double q[4] = {lat1, lon1, xy[2 * k + 1], xy[2 * k]};
        memcpy(in + 4 * k, q, sizeof q);
    }
    assert_int_equal(oracle_geodsolve("-i", in, n, 4, out, 3), 0);
    for (size_t k = 1; k < n; k++) {
        assert_true(fabs(out[3 * k] - whole[0]) < 1e-6); /* on the geodesic */
        assert_true(fabs(out[3 * k + 2] - whole[2] * (double)k / (double)(n - 1)) < 1e-3);
    }
    /* The middle of each piece on the geodesic (GeodSolve direct), against the piece's. */
    double *mid = malloc(3 * n * sizeof *mid);
    for (size_t k = 0; k + 1 < n; k++) {
        const double q[4] = {lat1, lon1, whole[0], whole[2] * ((double)k + 0.5) / (double)(n - 1)};
        memcpy(in + 4 * k, q, sizeof q);
    }
    assert_int_equal(oracle_geodsolve("", in, n - 1, 4, mid, 3), 0);
    for (size_t k = 0; k + 1 < n; k++) {
        const double q[4] = {mid[3 * k], mid[3 * k + 1], (xy[2 * k + 1] + xy[2 * k + 3]) / 2,
                             (xy[2 * k] + xy[2 * k + 2]) / 2};
        memcpy(in + 4 * k, q, sizeof q);
    }
    assert_int_equal(oracle_geodsolve("-i", in, n - 1, 4, out, 3), 0);
    double worst = 0;
    for (size_t k = 0; k + 1 < n; k++)
        worst = fmax(worst, out[3 * k + 2]);
    assert_true(worst <= max_error);
    free(mid);
    free(in);
    free(out);
    free(xy);
}

static void geodesic_paths(void **state)
{
    (void)state;
    check_path(24.013, 97.851, 19.745, 96.12972, 1000, 2);        /* Ruili - Naypyidaw, 505 km */
    check_path(19.42793, 93.55134, 25.03889, 102.71833, 1000, 3); /* Kyaukphyu - Kunming */
    check_path(60, -10, 50, 140, 1000, 20);                       /* far north, strongly curved */
    check_path(24.013, 97.851, 24.013, 97.851, 1000, 2);          /* a point: its two ends */
    double *xy;
    size_t n;
    assert_int_equal(bm_geod_path(ctx, 24, 97, 25, 98, 0, &xy, &n), BM_ERR_ARG);
    assert_int_equal(bm_geod_path(ctx, 95, 97, 25, 98, 1000, &xy, &n), BM_ERR_ARG);
    assert_null(xy);
}

static void layer_table_rows(void **state)
{
    (void)state;
    struct bm_layer *R = shipped("shapes/infrastructure/rail.shp");
    struct bm_layer_table *t;
    assert_int_equal(bm_measure_layer(ctx, R, &t), BM_OK);
    assert_int_equal(t->area, 0);
    assert_int_equal(t->nrows, 5);
    assert_string_equal(t->rows[1].name, "Dali–Baoshan");
    assert_true(t->rows[1].value == bm_feature_length(R, 1));
    bm_layer_table_free(t);
    bm_layer_free(R);
    struct bm_layer *C = shipped("shapes/boundaries/countries.shp");
    assert_int_equal(bm_measure_layer(ctx, C, &t), BM_OK);
    assert_int_equal(t->area, 1);
    long mmr = bm_layer_find(C, "iso_a3", "MMR");
    assert_true(t->rows[mmr].value == bm_feature_area(C, (size_t)mmr));
    bm_layer_table_free(t);
    bm_layer_free(C);
    struct bm_layer *P = shipped("shapes/places/places.shp");
    assert_int_equal(bm_measure_layer(ctx, P, &t), BM_ERR_GEOMETRY);
    assert_non_null(
        strstr(bm_ctx_error(ctx), "has no lines or polygons to measure (it holds points)"));
    bm_layer_free(P);
}

static void border_table_rows(void **state)
{
    (void)state;
    struct bm_border_table *t;
    struct bm_border_query q = {.compare = 1};
    assert_int_equal(bm_measure_border(ctx, &q, &t), BM_OK);
    assert_string_equal(t->a, "CHN");
    assert_string_equal(t->b, "MMR");
    assert_int_equal(t->nrows, 2);
    assert_true(t->tolerance_m == 100);
    /* The shipped border was made this way: the same length to a metre. */
    struct bm_corridor_table *c;
    assert_int_equal(bm_measure_corridor(ctx, &c), BM_OK);
    assert_true(fabs(t->rows[0].length_m - c->border_m) < 1);
    bm_corridor_table_free(c);
    assert_string_equal(t->rows[0].code_field, "iso_a3");
    assert_string_equal(t->rows[1].label, "Natural Earth 1:10m (shapes/boundaries/countries_ne10)");
    assert_true(t->rows[1].length_m < t->rows[0].length_m);
    bm_border_table_free(t);
    q = (struct bm_border_query){.a = "mmr", .b = "chn"};
    assert_int_equal(bm_measure_border(ctx, &q, &t), BM_OK);
    assert_string_equal(t->a, "MMR");
    bm_border_table_free(t);
    q = (struct bm_border_query){.a = "CHN", .b = "CHINA"};
    assert_int_equal(bm_measure_border(ctx, &q, &t), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "'CHINA' is not a country code; use ISO 3166 alpha-3 "
                                           "codes such as CHN, MMR, THA");
    q = (struct bm_border_query){.a = "CHN", .b = "CHN"};
    assert_int_equal(bm_measure_border(ctx, &q, &t), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "give two different countries (got CHN twice)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inverse_matches_geodsolve),
        cmocka_unit_test(lines_match_planimeter),
        cmocka_unit_test(border_total_is_within_published_range),
        cmocka_unit_test(area_matches_planimeter),
        cmocka_unit_test(nearest_is_a_true_minimum),
        cmocka_unit_test(nearest_beyond_the_end_is_the_end),
        cmocka_unit_test(nearest_index_gives_the_same_answers),
        cmocka_unit_test(shared_boundary_of_two_squares),
        cmocka_unit_test(latlon_parsing),
        cmocka_unit_test(numbers_are_grouped),
        cmocka_unit_test(corridor_table_rows),
        cmocka_unit_test(legs_match_geodsolve),
        cmocka_unit_test(geodesic_paths),
        cmocka_unit_test(layer_table_rows),
        cmocka_unit_test(border_table_rows),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
