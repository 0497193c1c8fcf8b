/* bordermap tests: the loader, on real files GDAL writes and on broken ones. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bordermap/bordermap.h"
#include "support.h"

/* Expect msg to equal the printf-formatted text. */
static void expect_message(const char *msg, const char *fmt, ...)
{
    char want[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(want, sizeof want, fmt, ap);
    va_end(ap);
    assert_string_equal(msg, want);
}

static void expect_prefix(const char *msg, const char *prefix)
{
    if (strncmp(msg, prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'", msg, prefix);
}

static enum bm_status load(const char *path, const struct bm_load_opts *o, struct bm_layer **L)
{
    bm_ctx_clear_warnings(ctx);
    return bm_layer_load(ctx, path, o, L);
}

static const char *const THREE_POINTS[] = {"POINT (97.851 24.013)", "POINT (96.1297 19.745)",
                                           "POINT (93.5513 19.4279)"};

/* ---- files that cannot be opened ---- */

static void missing_file(void **state)
{
    (void)state;
    struct bm_layer *L;
    const char *p = tmp_path("nowhere.shp");
    assert_int_equal(load(p, NULL, &L), BM_ERR_SOURCE_MISSING);
    assert_null(L);
    expect_message(bm_ctx_error(ctx), "cannot open '%s': no such file or folder; check the path",
                   p);
}

static void missing_sidecar(void **state)
{
    (void)state;
    static const char *const sidecar[] = {"shx", "dbf"};
    for (int i = 0; i < 2; i++) {
        char name[64], side[64];
        snprintf(name, sizeof name, "no%s.shp", sidecar[i]);
        snprintf(side, sizeof side, "no%s.%s", sidecar[i], sidecar[i]);
        const char *p = tmp_path(name);
        assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "pts", THREE_POINTS, 3), 0);
        assert_int_equal(unlink(tmp_path(side)), 0);
        struct bm_layer *L;
        assert_int_equal(load(p, NULL, &L), BM_ERR_SOURCE_MISSING);
        expect_message(bm_ctx_error(ctx),
                       "cannot open '%s': its .%s file is missing; a shapefile needs its .shp, "
                       ".shx and .dbf side by side",
                       p, sidecar[i]);
    }
}

static void truncated_shp(void **state)
{
    (void)state;
    /* 300 lines of 50 vertices: cutting the .shp in half loses most of them. */
    static char wkt[300][2048];
    const char *list[300];
    for (int i = 0; i < 300; i++) {
        int n = snprintf(wkt[i], sizeof wkt[i], "LINESTRING (");
        for (int k = 0; k < 50; k++)
            n += snprintf(wkt[i] + n, sizeof wkt[i] - (size_t)n, "%s%d.%02d %d.5", k ? "," : "",
                          90 + i % 10, k, 20 + i % 5);
        snprintf(wkt[i] + n, sizeof wkt[i] - (size_t)n, ")");
        list[i] = wkt[i];
    }
    const char *p = tmp_path("truncated.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "lines", list, 300), 0);
    assert_int_equal(truncate_to(p, file_size(p) / 2), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_ERR_SOURCE_CORRUPT);
    assert_null(L);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "cannot read '%s': the file is damaged or truncated (", p);
    expect_prefix(bm_ctx_error(ctx), prefix);
}

static void truncated_header(void **state)
{
    (void)state;
    const char *p = tmp_path("header.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "pts", THREE_POINTS, 3), 0);
    assert_int_equal(truncate_to(p, 50), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_ERR_SOURCE_CORRUPT);
    expect_message(bm_ctx_error(ctx),
                   "cannot read '%s': the file is damaged, truncated or not what its extension "
                   "says (.shp file is unreadable, or corrupt); restore it from its source",
                   p);
}

static void empty_file(void **state)
{
    (void)state;
    const char *p = tmp_path("empty.geojson");
    assert_int_equal(write_text(p, ""), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_ERR_SOURCE_CORRUPT);
    expect_message(bm_ctx_error(ctx),
                   "cannot read '%s': the file is empty (0 bytes); restore it from its source", p);
}

static void garbage_with_vector_extension(void **state)
{
    (void)state;
    const char *p = tmp_path("garbage.geojson");
    assert_int_equal(write_text(p, "this is not json {"), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_ERR_SOURCE_CORRUPT);
    char prefix[600];
    snprintf(prefix, sizeof prefix,
             "cannot read '%s': the file is damaged, truncated or not what its extension says (",
             p);
    expect_prefix(bm_ctx_error(ctx), prefix);
}

static void not_vector_data(void **state)
{
    (void)state;
    const char *p = tmp_path("notes.txt");
    assert_int_equal(write_text(p, "hello\n"), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_ERR_SOURCE_FORMAT);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "cannot read '%s' as vector data (", p);
    expect_prefix(bm_ctx_error(ctx), prefix);
}

/* ---- CRS ---- */

static void no_prj_in_degree_range(void **state)
{
    (void)state;
    const char *p = tmp_path("noprj.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 0, "noprj", THREE_POINTS, 3), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_string_equal(bm_layer_crs(L), "none (assumed WGS 84)");
    assert_int_equal(bm_ctx_warning_count(ctx), 1);
    expect_message(bm_ctx_warning(ctx, 0),
                   "'%s' has no CRS: assumed WGS 84 longitude/latitude, as all its coordinates "
                   "are in the degree range; add a .prj file to make it explicit",
                   p);
    assert_int_equal(bm_layer_feature_count(L), 3);
    bm_layer_free(L);
}

static void no_prj_in_metres(void **state)
{
    (void)state;
    static const char *const utm[] = {"POINT (500000 2700000)"};
    const char *p = tmp_path("metres.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 0, "metres", utm, 1), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_ERR_CRS);
    expect_message(bm_ctx_error(ctx),
                   "'%s' has no CRS and feature 0 has coordinates outside the degree range; add "
                   "a .prj file (or the format's equivalent) naming its CRS",
                   p);
}

static void web_mercator_to_lonlat(void **state)
{
    (void)state;
    /* Spherical Mercator by its defining formulas (EPSG:3857 on a = 6378137 m). */
    const double a = 6378137.0, lon = 97.851, lat = 24.013;
    const double x = a * lon * M_PI / 180, y = a * log(tan(M_PI / 4 + lat * M_PI / 360));
    char wkt[128];
    snprintf(wkt, sizeof wkt, "POINT (%.6f %.6f)", x, y);
    const char *list[] = {wkt};
    const char *p = tmp_path("mercator.gpkg");
    assert_int_equal(write_layer(p, "GPKG", 3857, "ruili", list, 1), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_string_equal(bm_layer_crs(L), "WGS 84 / Pseudo-Mercator (EPSG:3857)");
    const double *xy = bm_layer_xy(L);
    assert_true(fabs(xy[0] - lon) < 1e-8);
    assert_true(fabs(xy[1] - lat) < 1e-8);
    bm_layer_free(L);
}

/* ---- geometry problems ---- */

/*
 * The loader's quick validity proof (and its hand-over to GEOS) against GEOS itself,
 * through GDAL, on the same file: hand-made cases of each rule (holes touching the
 * shell or each other at a vertex, in a tree or a cycle, crossing there, nested, outside;
 * shells touching, nested, overlapping; rings touching themselves), then polygons of
 * the shipped divisions with one vertex moved (onto another vertex, next to one, or
 * onto an edge: the degenerate cases a proof could get wrong). With --invalid skip the
 * features kept are exactly those GEOS finds valid.
 */
static void validity_against_geos(void **state)
{
    (void)state;
    static const char *const hand[] = {
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))",
        "POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (12 2, 14 2, 14 4, 12 4, 12 2))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 9 1, 9 9, 1 9, 1 1), (2 2, 4 2, 4 4, 2 4, 2 "
        "2))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2), (4 4, 6 4, 6 6, 4 6, 4 "
        "4))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 5 2, 5 5, 2 5, 2 2), (5 5, 8 5, 8 8, 5 8, 5 "
        "5), (5 2, 8 2, 8 5, 5 5, 5 2))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2), (4 4, 6 4, 6 6, 4 6, 4 "
        "4), (2 4, 4 4, 4 6, 2 6, 2 4))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (0 0, 4 2, 2 4, 0 0))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (0 5, 5 2, 5 8, 0 5))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (5 5, 7 3, 7 7, 5 5), (5 5, 3 7, 3 3, 5 5))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (5 5, 7 3, 7 7, 5 5), (5 5, 7 4, 3 3, 5 5))",
        "POLYGON ((0 0, 10 0, 10 10, 5 10, 5 5, 5 10, 0 10, 0 0))",
        "POLYGON ((0 0, 10 0, 10 10, 6 5, 4 5, 10 10, 0 10, 0 0))",
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((2 2, 4 2, 4 4, 2 4, 2 2)))",
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 9 1, 9 9, 1 9, 1 1)), ((2 2, 4 2, 4 "
        "4, 2 4, 2 2)))",
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((10 10, 20 10, 20 20, 10 20, 10 10)))",
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((10 0, 20 0, 20 10, 10 10, 10 0)))",
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((5 5, 20 0, 20 10, 5 5)))",
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((10 5, 20 0, 20 10, 10 5)))",
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0)), ((10 10, 20 0, 20 20, 10 10)), ((10 10, 0 "
        "20, 5 20, 10 10)))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 9 1, 9 9, 1 9, 1 1))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (0 0, 5 1, 10 0, 5 5, 0 0))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (10 0, 5 1, 0 0, 5 5, 10 0))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 5 1, 1 5, 1 1), (5 1, 9 1, 9 5, 5 1), (9 5, "
        "9 9, 5 9, 9 5), (5 9, 1 9, 1 5, 5 9), (1 5, 5 1, 9 5, 5 9, 1 5))",
    };
    const size_t nhand = sizeof hand / sizeof hand[0];
    enum { NMOVED = 240 };
    const char *p = tmp_path("validity.gpkg");
    unlink(p);
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = GDALCreate(drv, p, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OGRLayerH out = GDALDatasetCreateLayer(ds, "cases", srs, wkbUnknown, NULL);
    OSRDestroySpatialReference(srs);
    assert_non_null(out);
    for (size_t i = 0; i < nhand; i++) {
        OGRGeometryH g = NULL;
        char *w = (char *)hand[i];
        assert_int_equal(OGR_G_CreateFromWkt(&w, NULL, &g), OGRERR_NONE);
        /* the hand cases are drawn in 0..20; put them where degrees are */
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(out));
        OGR_F_SetGeometryDirectly(f, g);
        assert_int_equal(OGR_L_CreateFeature(out, f), OGRERR_NONE);
        OGR_F_Destroy(f);
    }
    char src[4096];
    assert_int_equal(bm_ctx_data_path(ctx, "shapes/boundaries/admin1.shp", src, sizeof src), BM_OK);
    GDALDatasetH in = GDALOpenEx(src, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(in);
    OGRLayerH il = GDALDatasetGetLayer(in, 0);
    unsigned seed = 12345;
    size_t moved = 0;
    OGRFeatureH f;
    while (moved < NMOVED && (f = OGR_L_GetNextFeature(il)) != NULL) {
        OGRGeometryH g0 = OGR_F_GetGeometryRef(f);
        for (int k = 0; k < 12 && g0 && moved < NMOVED; k++, moved++) {
            OGRGeometryH g = OGR_G_Clone(g0);
            OGRGeometryH poly = g;
            if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPolygon) {
                seed = seed * 1103515245u + 12345u;
                poly = OGR_G_GetGeometryRef(
                    g, (int)((seed >> 8) % (unsigned)OGR_G_GetGeometryCount(g)));
            }
            seed = seed * 1103515245u + 12345u;
            OGRGeometryH ring = OGR_G_GetGeometryRef(
                poly, (int)((seed >> 8) % (unsigned)OGR_G_GetGeometryCount(poly)));
            int n = OGR_G_GetPointCount(ring);
            if (n >= 5) {
                seed = seed * 1103515245u + 12345u;
                int i = 1 + (int)((seed >> 8) % (unsigned)(n - 2)), mode = k % 3;
                seed = seed * 1103515245u + 12345u;
                int j = (int)((seed >> 8) % (unsigned)(n - 1));
                double x, y, z, x2, y2;
                OGR_G_GetPoint(ring, j, &x, &y, &z);
                if (mode == 1) { /* next to a vertex a few places on */
                    OGR_G_GetPoint(ring, (i + 2) % (n - 1), &x, &y, &z);
                    x += 1e-4;
                } else if (mode == 2) { /* onto the middle of an edge */
                    OGR_G_GetPoint(ring, j + 1, &x2, &y2, &z);
                    x += (x2 - x) / 2;
                    y += (y2 - y) / 2;
                }
                OGR_G_SetPoint_2D(ring, i, x, y);
            }
            OGRFeatureH o = OGR_F_Create(OGR_L_GetLayerDefn(out));
            OGR_F_SetGeometryDirectly(o, g);
            assert_int_equal(OGR_L_CreateFeature(out, o), OGRERR_NONE);
            OGR_F_Destroy(o);
        }
        OGR_F_Destroy(f);
    }
    GDALClose(in);
    GDALClose(ds);
    assert_int_equal(moved, NMOVED);

    /* GEOS's verdict on each feature, as GDAL reads the file back. */
    ds = GDALOpenEx(p, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH rl = GDALDatasetGetLayer(ds, 0);
    size_t total = 0, valid = 0;
    char want[nhand + NMOVED];
    CPLPushErrorHandler(CPLQuietErrorHandler);
    while ((f = OGR_L_GetNextFeature(rl)) != NULL) {
        want[total] = (char)OGR_G_IsValid(OGR_F_GetGeometryRef(f));
        valid += (size_t)want[total++];
        OGR_F_Destroy(f);
    }
    CPLPopErrorHandler();
    GDALClose(ds);
    assert_int_equal(total, nhand + NMOVED);
    /* both kinds, plenty of each */
    assert_true(valid > total / 5 && valid < total - total / 5);

    struct bm_load_opts o = {.invalid = BM_INVALID_SKIP};
    struct bm_layer *L;
    assert_int_equal(load(p, &o, &L), BM_OK);
    char got[nhand + NMOVED];
    memset(got, 0, sizeof got);
    for (size_t i = 0; i < bm_layer_feature_count(L); i++)
        got[bm_layer_feature(L, i)->fid - 1] = 1; /* GeoPackage fids count from 1 */
    for (size_t i = 0; i < total; i++)
        if (got[i] != want[i])
            fail_msg("feature %zu (%s): the loader says %s, GEOS %s", i + 1,
                     i < nhand ? hand[i] : "a moved vertex", got[i] ? "valid" : "not valid",
                     want[i] ? "valid" : "not valid");
    assert_int_equal(bm_layer_feature_count(L), valid);
    bm_layer_free(L);
}

static void invalid_polygon_policies(void **state)
{
    (void)state;
    static const char *const polys[] = {
        "POLYGON ((0 0, 10 10, 10 0, 0 10, 0 0))", /* a bow-tie: self-intersecting */
        "POLYGON ((20 0, 30 0, 30 10, 20 10, 20 0))"};
    const char *p = tmp_path("bowtie.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "bowtie", polys, 2), 0);
    struct bm_layer *L;
    struct bm_load_opts o = {.invalid = BM_INVALID_REPAIR};

    assert_int_equal(load(p, &o, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 2);
    assert_int_equal(bm_layer_repaired_count(L), 1);
    expect_message(bm_ctx_warning(ctx, 0), "'%s': 1 invalid polygon(s) repaired (first: feature 0)",
                   p);
    /* The repaired bow-tie is two triangles: two polygons of one ring each. */
    const struct bm_feature *f = bm_layer_feature(L, 0);
    assert_int_equal(f->nparts, 2);
    assert_int_equal(bm_layer_parts(L)[f->first_part + 1].polygon, 1);
    bm_layer_free(L);

    o.invalid = BM_INVALID_KEEP;
    assert_int_equal(load(p, &o, &L), BM_OK);
    expect_message(bm_ctx_warning(ctx, 0),
                   "'%s': 1 invalid polygon(s) kept as they are (first: feature 0)", p);
    assert_int_equal(bm_layer_feature(L, 0)->nparts, 1);
    assert_int_equal(bm_layer_parts(L)[0].count, 5);
    bm_layer_free(L);

    o.invalid = BM_INVALID_UNCHECKED;
    assert_int_equal(load(p, &o, &L), BM_OK);
    assert_int_equal(bm_ctx_warning_count(ctx), 0);
    assert_int_equal(bm_layer_feature_count(L), 2);
    bm_layer_free(L);

    o.invalid = BM_INVALID_SKIP;
    assert_int_equal(load(p, &o, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 1);
    assert_int_equal(bm_layer_feature(L, 0)->fid, 1);
    expect_message(bm_ctx_warning(ctx, 0), "'%s': 1 invalid polygon(s) skipped (first: feature 0)",
                   p);
    bm_layer_free(L);
}

static void empty_layer(void **state)
{
    (void)state;
    const char *p = tmp_path("empty.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "empty", NULL, 0), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 0);
    assert_int_equal(bm_layer_geom_type(L), BM_GEOM_NONE);
    expect_message(bm_ctx_warning(ctx, 0), "layer 'empty' of '%s' has no features", p);
    bm_layer_free(L);
}

static void empty_geometries_skipped(void **state)
{
    (void)state;
    static const char *const geoms[] = {"POINT (97 24)", "", "POINT (98 23)"};
    const char *p = tmp_path("holes.geojson");
    assert_int_equal(write_layer(p, "GeoJSON", 4326, "holes", geoms, 3), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 2);
    assert_int_equal(bm_layer_skipped_count(L), 1);
    expect_message(bm_ctx_warning(ctx, 0),
                   "'%s': 1 feature(s) with no or empty geometry skipped (first: feature 1)", p);
    bm_layer_free(L);
}

static void nan_coordinate(void **state)
{
    (void)state;
    const char *p = tmp_path("nan.shp");
    assert_int_equal(write_line(p, 4326), 0);
    /* 100 header + 8 record header + 4 type + 32 box + 4 + 4 counts + 4 part start + 16 */
    assert_int_equal(patch_double(p, 172, NAN), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_ERR_GEOMETRY);
    expect_message(bm_ctx_error(ctx),
                   "no usable features in layer 'nan' of '%s': all 1 were skipped ('%s': 1 "
                   "feature(s) with NaN or infinite coordinates skipped (first: feature 0); fix "
                   "them in the source)",
                   p, p);
}

static void out_of_range_coordinate(void **state)
{
    (void)state;
    static const char *const geoms[] = {"POINT (97 24)", "POINT (200 24)"};
    const char *p = tmp_path("range.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "range", geoms, 2), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 1);
    expect_message(bm_ctx_warning(ctx, 0),
                   "'%s': 1 feature(s) with coordinates outside longitude -180..180 or latitude "
                   "-90..90 skipped (first: feature 1)",
                   p);
    bm_layer_free(L);
}

/* ---- layers, fields and filters ---- */

static void unknown_layer_field_and_filter(void **state)
{
    (void)state;
    const char *p = tmp_path("towns.gpkg");
    assert_int_equal(write_layer(p, "GPKG", 4326, "towns", THREE_POINTS, 3), 0);
    struct bm_layer *L;
    struct bm_load_opts o = {.layer = "rivers"};
    assert_int_equal(load(p, &o, &L), BM_ERR_LAYER);
    expect_message(bm_ctx_error(ctx), "no layer 'rivers' in '%s'; its layers are: towns", p);

    static const char *const need[] = {"name", "population", NULL};
    struct bm_load_opts f = {.fields = need};
    assert_int_equal(load(p, &f, &L), BM_ERR_FIELD);
    expect_message(bm_ctx_error(ctx),
                   "no field 'population' in layer 'towns' of '%s'; its fields are: name", p);

    struct bm_load_opts w = {.where = "population > 10"};
    assert_int_equal(load(p, &w, &L), BM_ERR_FILTER);
    expect_message(bm_ctx_error(ctx),
                   "bad filter at column 1: no field 'population' in layer 'towns' of '%s'; its "
                   "fields are: name",
                   p);
}

static void filters_select(void **state)
{
    (void)state;
    const char *p = tmp_path("select.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "select", THREE_POINTS, 3), 0);
    struct bm_layer *L;
    struct bm_load_opts w = {.where = "name = 'f1'"};
    assert_int_equal(load(p, &w, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 1);
    assert_string_equal(bm_layer_attr(L, 0, 0), "f1");
    bm_layer_free(L);

    struct bm_bbox box = {97, 23, 99, 25}; /* around Ruili only */
    struct bm_load_opts b = {.bbox = &box};
    assert_int_equal(load(p, &b, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 1);
    assert_string_equal(bm_layer_attr(L, 0, bm_layer_field_index(L, "NAME")), "f0");
    bm_layer_free(L);
}

/*
 * A box keeps the features whose shape meets it. From a shapefile whose
 * extent the box mostly covers, bordermap tests the box itself (layer.c,
 * in_box); from a GeoPackage, GDAL and GEOS do, through its R-tree: both keep
 * the same features. Polygons: an L around the box, a frame whose hole holds
 * the box, a square holding the box whole (kept), an empty one. Lines: one
 * through the box without a vertex in it (kept), one around its corner.
 */
/* Write wkts as layer name with driver, load it within box: exactly one feature, named want. */
static void one_meets(const char *driver, const char *ext, const char *name,
                      const char *const *wkts, size_t n, const struct bm_bbox *box,
                      const char *want, const char *what)
{
    char file[64];
    snprintf(file, sizeof file, "%s.%s", name, ext);
    assert_int_equal(write_layer(tmp_path(file), driver, 4326, name, wkts, n), 0);
    struct bm_load_opts o = {.bbox = box};
    struct bm_layer *L;
    assert_int_equal(load(tmp_path(file), &o, &L), BM_OK);
    if (bm_layer_feature_count(L) != 1)
        fail_msg("%s: %zu %s meet the box; expected 1", driver, bm_layer_feature_count(L), what);
    assert_string_equal(bm_layer_attr(L, 0, bm_layer_field_index(L, "NAME")), want);
    bm_layer_free(L);
}

static void bbox_keeps_what_meets_it(void **state)
{
    (void)state;
    static const char *const polygons[] = {
        "POLYGON ((0 0, 10 0, 10 1, 1 1, 1 10, 0 10, 0 0))",
        "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (1 1, 9.9 1, 9.9 9.9, 1 9.9, 1 1))",
        "POLYGON ((0.5 0.5, 9.8 0.5, 9.8 9.8, 0.5 9.8, 0.5 0.5))", "POLYGON EMPTY"};
    static const char *const lines[] = {"LINESTRING (0 5, 10 5)", "LINESTRING (0 0, 10 0, 10 10)"};
    const struct bm_bbox box = {1.5, 1.5, 9.5, 9.5}; /* 64 % of the layers' extent */
    static const char *const drivers[][2] = {{"ESRI Shapefile", "shp"}, {"GPKG", "gpkg"}};
    for (size_t d = 0; d < 2; d++) {
        one_meets(drivers[d][0], drivers[d][1], "box_polygons", polygons, 4, &box, "f2",
                  "polygons (the square holding it)");
        one_meets(drivers[d][0], drivers[d][1], "box_lines", lines, 2, &box, "f0",
                  "lines (the one through it)");
    }
}

static void csv_with_lonlat_columns(void **state)
{
    (void)state;
    const char *p = tmp_path("places.csv");
    assert_int_equal(write_text(p, "name,lon,lat\nRuili,97.851,24.013\nMuse,97.90109,23.99742\n"),
                     0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_int_equal(bm_layer_feature_count(L), 2);
    assert_int_equal(bm_layer_geom_type(L), BM_GEOM_POINT);
    assert_int_equal(bm_layer_field_count(L), 3); /* the coordinate columns stay as text too */
    const double *xy = bm_layer_xy(L);
    assert_true(xy[2] == 97.90109 && xy[3] == 23.99742);
    assert_string_equal(bm_layer_attr(L, 1, 0), "Muse");
    bm_layer_free(L);
}

static void polygon_rings_and_holes(void **state)
{
    (void)state;
    static const char *const mp[] = {
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2)),"
        " ((20 0, 30 0, 30 10, 20 0)))"};
    const char *p = tmp_path("rings.gpkg");
    assert_int_equal(write_layer(p, "GPKG", 4326, "rings", mp, 1), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    const struct bm_feature *f = bm_layer_feature(L, 0);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    assert_int_equal(f->type, BM_GEOM_POLYGON);
    assert_int_equal(f->nparts, 3);
    assert_int_equal(parts[0].hole, 0);
    assert_int_equal(parts[1].hole, 1);
    assert_int_equal(parts[1].polygon, 0);
    assert_int_equal(parts[2].polygon, 1);
    assert_int_equal(parts[2].count, 4);
    assert_int_equal(bm_layer_point_count(L), 14);
    struct bm_bbox e = bm_layer_extent(L);
    assert_true(e.west == 0 && e.east == 30 && e.south == 0 && e.north == 10);
    bm_layer_free(L);
}

/* The polygon index of the part of feature 0 that starts at (x, y). */
static int polygon_of(const struct bm_layer *L, double x, double y, int *hole)
{
    const struct bm_feature *f = bm_layer_feature(L, 0);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = bm_layer_xy(L);
    for (size_t k = 0; k < f->nparts; k++)
        for (size_t i = parts[k].first; i < parts[k].first + parts[k].count; i++)
            if (xy[2 * i] == x && xy[2 * i + 1] == y) {
                *hole = parts[k].hole;
                return parts[k].polygon;
            }
    return -1;
}

/* Shapefile rings are read in their order (each outer ring's holes right after it) and,
 * where a hole does not follow its outer ring, by GDAL's thorough search: the same
 * polygons either way. */
static void shapefile_rings_in_any_order(void **state)
{
    (void)state;
    static const char *const mp[] = {"MULTIPOLYGON (((0 0, 0 10, 10 10, 10 0, 0 0),"
                                     " (2 2, 4 2, 4 4, 2 4, 2 2)),"
                                     " ((20 0, 20 10, 30 10, 30 0, 20 0)))"};
    const char *p = tmp_path("order.shp");
    assert_int_equal(write_layer(p, "ESRI Shapefile", 4326, "order", mp, 1), 0);
    struct bm_layer *L;
    int hole = -1;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_int_equal(polygon_of(L, 3, 3, &hole) < 0 ? polygon_of(L, 2, 2, &hole) : -2,
                     polygon_of(L, 0, 0, &(int){0}));
    assert_int_equal(hole, 1);
    assert_int_equal(polygon_of(L, 20, 0, &hole), 1);
    assert_int_equal(hole, 0);
    bm_layer_free(L);
    /* The record holds rings A, hole, B (5 points each): rewrite it as A, B, hole. */
    FILE *fp = fopen(p, "r+b");
    assert_non_null(fp);
    unsigned char rec[512];
    assert_int_equal(fseek(fp, 100 + 8, SEEK_SET), 0);
    size_t got = fread(rec, 1, sizeof rec, fp);
    const size_t parts_at = 4 + 32 + 8, points_at = parts_at + 3 * 4;
    assert_true(got >= points_at + 15 * 16);
    assert_int_equal(rec[36], 3);  /* parts */
    assert_int_equal(rec[40], 15); /* points */
    unsigned char ring[5 * 16];
    memcpy(ring, rec + points_at + 5 * 16, sizeof ring); /* the hole */
    memmove(rec + points_at + 5 * 16, rec + points_at + 10 * 16, sizeof ring);
    memcpy(rec + points_at + 10 * 16, ring, sizeof ring);
    assert_int_equal(fseek(fp, 100 + 8, SEEK_SET), 0);
    assert_int_equal(fwrite(rec, 1, got, fp), got);
    assert_int_equal(fclose(fp), 0);
    /* As held (no repair, which would mend a misplaced hole by itself). */
    assert_int_equal(load(p, &(struct bm_load_opts){.invalid = BM_INVALID_KEEP}, &L), BM_OK);
    /* Taken as ordered, the hole would belong to the square before it, B (polygon 1). */
    assert_int_equal(polygon_of(L, 2, 2, &hole), polygon_of(L, 0, 0, &(int){0}));
    assert_int_equal(hole, 1);
    assert_int_equal(polygon_of(L, 20, 0, &hole), 1);
    assert_int_equal(hole, 0);
    assert_int_equal(bm_layer_feature(L, 0)->nparts, 3);
    bm_layer_free(L);
}

static void curves_are_linearised(void **state)
{
    (void)state;
    static const char *const arc[] = {"CIRCULARSTRING (97 24, 98 25, 99 24)"};
    const char *p = tmp_path("arc.gpkg");
    assert_int_equal(write_layer(p, "GPKG", 4326, "arc", arc, 1), 0);
    struct bm_layer *L;
    assert_int_equal(load(p, NULL, &L), BM_OK);
    assert_int_equal(bm_layer_feature(L, 0)->type, BM_GEOM_LINE);
    assert_true(bm_layer_point_count(L) > 3);
    bm_layer_free(L);
}

static void layer_names_of_a_source(void **state)
{
    (void)state;
    const char *p = tmp_path("two.gpkg");
    assert_int_equal(write_layer(p, "GPKG", 4326, "towns", THREE_POINTS, 3), 0);
    char **names;
    size_t n;
    assert_int_equal(bm_source_layer_names(ctx, p, &names, &n), BM_OK);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "towns");
    bm_strings_free(names, n);
}

static void write_and_read_back(void **state)
{
    (void)state;
    static const char *const geoms[] = {
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2)),"
        " ((20 0, 30 0, 30 10, 20 0)))"};
    const char *src = tmp_path("in.gpkg"), *dst = tmp_path("out.geojson");
    assert_int_equal(write_layer(src, "GPKG", 4326, "rings", geoms, 1), 0);
    struct bm_layer *L, *R;
    assert_int_equal(load(src, NULL, &L), BM_OK);
    assert_int_equal(bm_layer_write(ctx, L, dst), BM_OK);
    assert_int_equal(load(dst, NULL, &R), BM_OK);
    assert_int_equal(bm_layer_point_count(R), bm_layer_point_count(L));
    assert_memory_equal(bm_layer_xy(R), bm_layer_xy(L), 2 * sizeof(double) * 14);
    assert_int_equal(bm_layer_feature(R, 0)->nparts, 3);
    assert_int_equal(bm_layer_parts(R)[1].hole, 1);
    assert_string_equal(bm_layer_attr(R, 0, 0), "f0");
    bm_layer_free(R);

    /* A missing folder and a wrong extension: a message, and no file. */
    const char *nowhere = tmp_path("no/such/dir/out.geojson");
    assert_int_equal(bm_layer_write(ctx, L, nowhere), BM_ERR_IO);
    char want[1024];
    snprintf(want, sizeof want, "cannot write '%s': no folder '%s/no/such/dir/'; create it first",
             nowhere, tmp_path(""));
    /* tmp_path("") ends in '/': drop the doubled slash from the expectation */
    char *dbl = strstr(want, "//");
    if (dbl)
        memmove(dbl, dbl + 1, strlen(dbl));
    assert_string_equal(bm_ctx_error(ctx), want);
    assert_int_equal(bm_layer_write(ctx, L, tmp_path("out.kml")), BM_ERR_ARG);
    assert_int_equal(file_size(tmp_path("out.kml")), -1);
    bm_layer_free(L);
}

/* Every vertex of g, in order, appended to xy (room for max doubles); returns the count. */
static size_t flatten(OGRGeometryH g, double *xy, size_t n, size_t max)
{
    int parts = OGR_G_GetGeometryCount(g);
    if (parts > 0) {
        for (int i = 0; i < parts; i++)
            n = flatten(OGR_G_GetGeometryRef(g, i), xy, n, max);
        return n;
    }
    for (int i = 0; i < OGR_G_GetPointCount(g); i++) {
        assert_true(n + 2 <= max);
        xy[n++] = OGR_G_GetX(g, i);
        xy[n++] = OGR_G_GetY(g, i);
    }
    return n;
}

/*
 * What bm_layer_write wrote, read by GDAL itself (not by bordermap's loader),
 * is the source as GDAL reads it: the same features in the same order, every
 * vertex bit for bit, every attribute's text, the same kind of geometry, and
 * WGS 84 as its CRS. For a shipped line layer, the gazetteer (UTF-8 in three
 * scripts) and polygons with holes, to GeoJSON and GeoPackage.
 */
static void written_layers_read_back_by_gdal(void **state)
{
    (void)state;
    static const char *const geoms[] = {
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2)),"
        " ((20 0, 30 0, 30 10, 20 0)))",
        "MULTIPOLYGON (((40 40, 50 40, 50 50, 40 40)))"};
    const char *rings = tmp_path("rings.gpkg");
    assert_int_equal(write_layer(rings, "GPKG", 4326, "rings", geoms, 2), 0);
    char border[4096], places[4096];
    bm_ctx_data_path(ctx, "shapes/boundaries/border_cn_mm.shp", border, sizeof border);
    bm_ctx_data_path(ctx, "shapes/places/places.shp", places, sizeof places);
    const char *const sources[] = {border, places, rings};
    static const char *const outs[] = {"out.geojson", "out.gpkg"};
    static double a[1 << 20], b[1 << 20];
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs84, 4326);
    for (size_t si = 0; si < 3; si++)
        for (size_t oi = 0; oi < 2; oi++) {
            struct bm_layer *L;
            const char *out = tmp_path(outs[oi]);
            unlink(out);
            assert_int_equal(load(sources[si], NULL, &L), BM_OK);
            if (bm_layer_write(ctx, L, out) != BM_OK)
                fail_msg("%s", bm_ctx_error(ctx));
            bm_layer_free(L);
            GDALDatasetH in = GDALOpenEx(sources[si], GDAL_OF_VECTOR, NULL, NULL, NULL);
            GDALDatasetH got = GDALOpenEx(out, GDAL_OF_VECTOR, NULL, NULL, NULL);
            assert_non_null(in);
            if (!got)
                fail_msg("GDAL cannot open %s", out);
            OGRLayerH li = GDALDatasetGetLayer(in, 0), lo = GDALDatasetGetLayer(got, 0);
            assert_int_equal(GDALDatasetGetLayerCount(got), 1);
            /* WGS 84 (GeoJSON names it OGC:CRS84, the same with longitude first). */
            static const char *const same[] = {"CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS",
                                               "IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", NULL};
            assert_true(OSRIsSameEx(OGR_L_GetSpatialRef(lo), wgs84, same));
            assert_int_equal(OGR_L_GetFeatureCount(lo, 1), OGR_L_GetFeatureCount(li, 1));
            OGRFeatureDefnH di = OGR_L_GetLayerDefn(li);
            OGRFeatureH fi, fo;
            size_t nf = 0;
            while ((fi = OGR_L_GetNextFeature(li)) != NULL) {
                fo = OGR_L_GetNextFeature(lo);
                assert_non_null(fo);
                OGRGeometryH gi = OGR_F_GetGeometryRef(fi), go = OGR_F_GetGeometryRef(fo);
                assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(go)) == wkbMultiPolygon ||
                                     wkbFlatten(OGR_G_GetGeometryType(go)) == wkbPolygon,
                                 wkbFlatten(OGR_G_GetGeometryType(gi)) == wkbMultiPolygon ||
                                     wkbFlatten(OGR_G_GetGeometryType(gi)) == wkbPolygon);
                size_t na = flatten(gi, a, 0, sizeof a / sizeof a[0]);
                size_t nb = flatten(go, b, 0, sizeof b / sizeof b[0]);
                if (na != nb || memcmp(a, b, na * sizeof a[0]) != 0)
                    fail_msg("%s, feature %zu: %zu coordinates written, %zu read; or they differ",
                             out, nf, na, nb);
                for (int k = 0; k < OGR_FD_GetFieldCount(di); k++) {
                    const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(di, k));
                    int ko = OGR_F_GetFieldIndex(fo, name);
                    if (ko < 0)
                        fail_msg("%s has no field '%s'", out, name);
                    if (!OGR_F_IsFieldSetAndNotNull(fi, k))
                        continue;
                    if (strcmp(OGR_F_GetFieldAsString(fi, k), OGR_F_GetFieldAsString(fo, ko)) != 0)
                        fail_msg("%s, feature %zu, %s: '%s' written, '%s' read", out, nf, name,
                                 OGR_F_GetFieldAsString(fi, k), OGR_F_GetFieldAsString(fo, ko));
                }
                OGR_F_Destroy(fi);
                OGR_F_Destroy(fo);
                nf++;
            }
            assert_null(OGR_L_GetNextFeature(lo));
            assert_true(nf > 1);
            GDALClose(in);
            GDALClose(got);
        }
    OSRDestroySpatialReference(wgs84);
}

/* Replay every file ending in ext in tests/fuzz/regressions/dir: each must load or
 * fail with a message. Returns how many there were. */
static size_t replay(const char *dir, const char *ext)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", FUZZ_REGRESSIONS, dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    size_t replayed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name), k = strlen(ext);
        if (n <= k || strcmp(e->d_name + n - k, ext) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s/%s", FUZZ_REGRESSIONS, dir, e->d_name);
        struct bm_layer *L = NULL;
        enum bm_status st = load(path, NULL, &L);
        assert_true(st == BM_OK || bm_ctx_error(ctx)[0] != '\0');
        bm_layer_free(L);
        replayed++;
    }
    closedir(d);
    return replayed;
}

/*
 * Inputs that once crashed bordermap or GDAL under it, found by fuzzing the
 * loader (tests/fuzz), and the fuzzer's inputs around them.
 */
static void fuzz_regressions(void **state)
{
    (void)state;
    assert_true(replay("events", ".csv") >= 1);
    assert_true(replay("geojson", ".geojson") >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_file),
        cmocka_unit_test(missing_sidecar),
        cmocka_unit_test(truncated_shp),
        cmocka_unit_test(truncated_header),
        cmocka_unit_test(empty_file),
        cmocka_unit_test(garbage_with_vector_extension),
        cmocka_unit_test(not_vector_data),
        cmocka_unit_test(no_prj_in_degree_range),
        cmocka_unit_test(no_prj_in_metres),
        cmocka_unit_test(web_mercator_to_lonlat),
        cmocka_unit_test(invalid_polygon_policies),
        cmocka_unit_test(validity_against_geos),
        cmocka_unit_test(empty_layer),
        cmocka_unit_test(empty_geometries_skipped),
        cmocka_unit_test(nan_coordinate),
        cmocka_unit_test(out_of_range_coordinate),
        cmocka_unit_test(unknown_layer_field_and_filter),
        cmocka_unit_test(filters_select),
        cmocka_unit_test(bbox_keeps_what_meets_it),
        cmocka_unit_test(csv_with_lonlat_columns),
        cmocka_unit_test(polygon_rings_and_holes),
        cmocka_unit_test(shapefile_rings_in_any_order),
        cmocka_unit_test(curves_are_linearised),
        cmocka_unit_test(layer_names_of_a_source),
        cmocka_unit_test(write_and_read_back),
        cmocka_unit_test(written_layers_read_back_by_gdal),
        cmocka_unit_test(fuzz_regressions),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
