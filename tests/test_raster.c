/*
 * bordermap tests: raster layers. What a raster source holds; a relief
 * drawn where PROJ (run by this test) puts its mountains; a user's GeoTIFF
 * in another CRS warped to its place; the clip to land; the scene; and the
 * credits line, built from what was drawn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "bordermap/raster.h"
#include "support.h"

/* ---- what a raster holds ------------------------------------------------ */

static void info_of_the_shipped_rasters(void **state)
{
    (void)state;
    char path[4096];
    struct bm_raster_info info;
    assert_int_equal(bm_ctx_data_path(ctx, "shapes/relief/shade.tif", path, sizeof path), BM_OK);
    assert_true(bm_source_is_raster(path));
    assert_int_equal(bm_raster_info(ctx, path, &info), BM_OK);
    /* As shapes/README.md documents them (and gdalinfo shows). */
    assert_int_equal(info.width, 720);
    assert_int_equal(info.height, 750);
    assert_int_equal(info.bands, 1);
    assert_string_equal(info.type, "Byte");
    assert_string_equal(info.crs, "WGS 84 (EPSG:4326)");
    assert_true(fabs(info.extent.west - 86) < 1e-9 && fabs(info.extent.east - 110) < 1e-9);
    assert_true(fabs(info.extent.south - 7) < 1e-9 && fabs(info.extent.north - 32) < 1e-9);
    assert_true(fabs(info.pixel_x - 1 / 30.0) < 1e-12);

    assert_int_equal(bm_ctx_data_path(ctx, "shapes/relief/etopo5.tif", path, sizeof path), BM_OK);
    assert_int_equal(bm_raster_info(ctx, path, &info), BM_OK);
    assert_int_equal(info.width, 289);
    assert_int_equal(info.height, 301);
    assert_string_equal(info.type, "Int16");
    assert_string_equal(info.unit, "m");
    assert_true(info.min == -4207 && info.max == 6705);

    /* Vector data and missing files are not rasters; a vector file is refused by name. */
    assert_int_equal(bm_ctx_data_path(ctx, "shapes/places/places.shp", path, sizeof path), BM_OK);
    assert_false(bm_source_is_raster(path));
    assert_false(bm_source_is_raster(tmp_path("none.tif")));
    assert_false(bm_source_is_raster("PG:dbname=x"));
    assert_int_equal(bm_raster_info(ctx, path, &info), BM_ERR_SOURCE_FORMAT);
    assert_int_equal(bm_raster_info(ctx, tmp_path("none.tif"), &info), BM_ERR_SOURCE_MISSING);
}

/* ---- drawn where it belongs -------------------------------------------- */

/* A GeoTIFF of recipe text (its layers after a fixed head), and its pixels read back. */
struct drawn {
    GDALDatasetH ds;
    double g[6];
    PJ_CONTEXT *pc;
    PJ *pj; /* lon/lat -> the GeoTIFF's CRS, x east */
};

static void draw(struct drawn *d, const char *name, const char *layers)
{
    char text[4096], yaml[64], tif[64];
    snprintf(yaml, sizeof yaml, "%s.yaml", name);
    snprintf(tif, sizeof tif, "%s.tif", name);
    snprintf(text, sizeof text,
             "page: {size: 200x200mm, dpi: 72}\n"
             "extent: {west: 92, south: 19, east: 102, north: 29.5}\n"
             "background: white\n"
             "furniture: {legend: none, scalebar: none, north_arrow: none}\n"
             "layers:\n%s",
             layers);
    assert_int_equal(write_text(tmp_path(yaml), text), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, tmp_path(yaml), &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    if (bm_map_render(ctx, m, BM_FORMAT_GEOTIFF, tmp_path(tif)) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    GDALAllRegister();
    d->ds = GDALOpen(tmp_path(tif), GA_ReadOnly);
    assert_non_null(d->ds);
    assert_int_equal(GDALGetGeoTransform(d->ds, d->g), CE_None);
    d->pc = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(d->pc, "EPSG:4326", GDALGetProjectionRef(d->ds), NULL);
    d->pj = proj_normalize_for_visualization(d->pc, raw);
    proj_destroy(raw);
    assert_non_null(d->pj);
}

static void undraw(struct drawn *d)
{
    proj_destroy(d->pj);
    proj_context_destroy(d->pc);
    GDALClose(d->ds);
}

/* The grey (mean of R, G, B) of the pixel where PROJ puts lat, lon. */
static double grey_at(const struct drawn *d, double lat, double lon)
{
    PJ_COORD c = proj_trans(d->pj, PJ_FWD, proj_coord(lon, lat, 0, 0));
    int col = (int)floor((c.xy.x - d->g[0]) / d->g[1]);
    int row = (int)floor((c.xy.y - d->g[3]) / d->g[5]);
    assert_true(col >= 0 && col < GDALGetRasterXSize(d->ds));
    assert_true(row >= 0 && row < GDALGetRasterYSize(d->ds));
    double sum = 0;
    for (int b = 1; b <= 3; b++) {
        unsigned char v;
        assert_int_equal(GDALRasterIO(GDALGetRasterBand(d->ds, b), GF_Read, col, row, 1, 1, &v, 1,
                                      1, GDT_Byte, 0, 0),
                         CE_None);
        sum += v;
    }
    return sum / 3;
}

#define HKAKABO 28.33, 97.53 /* Hkakabo Razi, 5,881 m */
#define PLAIN 21.0, 95.5     /* the Irrawaddy plain near Myingyan, about 60 m */

/*
 * The shaded relief multiplied onto white is darker on the mountain than on
 * the plain; the heights in grey (lowest black, highest white) are higher:
 * each found where PROJ, called here, puts the two places in the map's CRS.
 */
static void mountains_where_proj_puts_them(void **state)
{
    (void)state;
    struct drawn d;
    draw(&d, "shade",
         "  - name: relief\n    source: shapes/relief/shade.tif\n"
         "    raster: {ramp: [{value: 120, color: white}, {value: 250, color: \"#404040\"}],"
         " blend: multiply}\n");
    double peak = grey_at(&d, HKAKABO), plain = grey_at(&d, PLAIN);
    if (!(peak < plain - 60))
        fail_msg("shade: Hkakabo Razi %.0f, the plain %.0f: the mountain is not darker", peak,
                 plain);
    undraw(&d);

    draw(&d, "heights", "  - name: heights\n    source: shapes/relief/etopo5.tif\n");
    peak = grey_at(&d, HKAKABO);
    plain = grey_at(&d, PLAIN);
    /* The band's -4,207 m black, its 6,705 m white: Hkakabo Razi's 9 km cell, 4,419 m, is
     * 202; the plain's 366 m, 107 (shapes/README.md). */
    if (!(peak > 190 && peak < 212 && plain > 97 && plain < 117))
        fail_msg("heights: Hkakabo Razi %.0f, the plain %.0f; expected about 202 and 107", peak,
                 plain);
    undraw(&d);
}

/*
 * A user's own GeoTIFF in UTM zone 47N, one bright 10 km square on black
 * around Mandalay: drawn (warped from UTM to the map's conic) where PROJ
 * puts Mandalay, and black 30 km away.
 */
static void a_user_geotiff_in_utm(void **state)
{
    (void)state;
    PJ_CONTEXT *pc = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(pc, "EPSG:4326", "EPSG:32647", NULL);
    PJ *pj = proj_normalize_for_visualization(pc, raw);
    PJ_COORD m = proj_trans(pj, PJ_FWD, proj_coord(96.0836, 21.9588, 0, 0)); /* Mandalay */
    proj_destroy(pj);
    proj_destroy(raw);
    proj_context_destroy(pc);
    /* 200 x 200 pixels of 1 km, Mandalay in the middle of pixel (100, 100). */
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), tmp_path("user_utm.tif"), 200, 200,
                                 1, GDT_Byte, NULL);
    assert_non_null(ds);
    double g[6] = {m.xy.x - 100500, 1000, 0, m.xy.y + 100500, 0, -1000};
    GDALSetGeoTransform(ds, g);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 32647);
    GDALSetSpatialRef(ds, srs);
    OSRDestroySpatialReference(srs);
    unsigned char *px = calloc(200 * 200, 1);
    for (int r = 95; r < 106; r++)
        for (int c = 95; c < 106; c++)
            px[r * 200 + c] = 255;
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, 200, 200, px, 200, 200,
                                  GDT_Byte, 0, 0),
                     CE_None);
    free(px);
    GDALClose(ds);

    char layers[512];
    snprintf(layers, sizeof layers, "  - name: mine\n    source: %s\n", tmp_path("user_utm.tif"));
    struct drawn d;
    draw(&d, "utm", layers);
    double at = grey_at(&d, 21.9588, 96.0836), away = grey_at(&d, 21.9588, 96.38);
    if (!(at > 200 && away < 30))
        fail_msg("the bright square: %.0f at Mandalay, %.0f 30 km east", at, away);
    undraw(&d);
}

/* clip: countries draws the relief over land only; the sea keeps the background. */
static void clipped_to_land(void **state)
{
    (void)state;
    static const char land[] = "  - name: countries\n    source: shapes/boundaries/countries.shp\n"
                               "    fill: none\n    stroke: none\n";
    char layers[1024];
    snprintf(layers, sizeof layers,
             "%s  - name: heights\n    source: shapes/relief/etopo5.tif\n"
             "    raster: {clip: countries}\n",
             land);
    struct drawn d;
    draw(&d, "clipped", layers);
    /* The Bay of Bengal (about -2,500 m: dark grey unclipped) stays white; land is drawn. */
    assert_true(grey_at(&d, 19.5, 92.5) > 250);
    assert_true(grey_at(&d, HKAKABO) < 250);
    undraw(&d);
    snprintf(layers, sizeof layers, "%s  - name: heights\n    source: shapes/relief/etopo5.tif\n",
             land);
    draw(&d, "unclipped", layers);
    assert_true(grey_at(&d, 19.5, 92.5) < 150);
    undraw(&d);
}

/* ---- the scene ---------------------------------------------------------- */

/* A raster is read once for a map; drawing it again reads nothing. */
static void read_once_by_the_scene(void **state)
{
    (void)state;
    assert_int_equal(write_text(tmp_path("scene.yaml"),
                                "page: {size: 150x100mm, dpi: 100}\n"
                                "extent: {around: Ruili, radius_km: 60}\n"
                                "layers:\n"
                                "  - {name: relief, source: shapes/relief/shade.tif}\n"
                                "  - {name: heights, source: shapes/relief/etopo5.tif,"
                                " opacity: 0.5}\n"),
                     0);
    struct bm_map *m;
    assert_int_equal(bm_map_load(ctx, tmp_path("scene.yaml"), &m), BM_OK);
    struct bm_scene *s = bm_scene_new(BM_SCENE_VIEW);
    assert_int_equal(bm_scene_load(ctx, s, m), BM_OK);
    assert_int_equal(bm_scene_reads(s), 2);
    assert_int_equal(bm_map_render_scene(ctx, m, s, BM_FORMAT_PNG, tmp_path("a.png"), NULL), BM_OK);
    assert_int_equal(bm_map_render_scene(ctx, m, s, BM_FORMAT_PDF, tmp_path("a.pdf"), NULL), BM_OK);
    assert_int_equal(bm_scene_reads(s), 2);
    bm_scene_free(s);
    /* A whole scene (an atlas) reads each raster whole, once, for any extent. */
    s = bm_scene_new(BM_SCENE_WHOLE);
    assert_int_equal(bm_scene_load(ctx, s, m), BM_OK);
    assert_int_equal(bm_map_render_scene(ctx, m, s, BM_FORMAT_PNG, tmp_path("b.png"), NULL), BM_OK);
    assert_int_equal(bm_scene_reads(s), 2);
    bm_scene_free(s);
    bm_map_free(m);
}

/* ---- credits ----------------------------------------------------------------- */

/* The text pdftotext reads from a map of recipe text. Static storage. */
static const char *pdf_text(const char *name, const char *recipe)
{
    char yaml[64], pdf[64], cmd[2048];
    snprintf(yaml, sizeof yaml, "%s.yaml", name);
    snprintf(pdf, sizeof pdf, "%s.pdf", name);
    assert_int_equal(write_text(tmp_path(yaml), recipe), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, tmp_path(yaml), &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    if (bm_map_render(ctx, m, BM_FORMAT_PDF, tmp_path(pdf)) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    snprintf(cmd, sizeof cmd, "pdftotext -raw -enc UTF-8 '%s' '%s.txt'", tmp_path(pdf),
             tmp_path(pdf));
    assert_int_equal(system(cmd), 0);
    char txt[600];
    snprintf(txt, sizeof txt, "%s.txt", tmp_path(pdf));
    FILE *f = fopen(txt, "r");
    assert_non_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/*
 * The credits line names the sources of the layers drawn, each once, then
 * the furniture's credits: a map that draws the relief credits Marble; the
 * same map with the relief outside its scale range, or out of view, does not.
 */
static void credits_from_what_was_drawn(void **state)
{
    (void)state;
    static const char head[] =
        "page: {size: 200x150mm}\n"
        "extent: {around: Ruili, radius_km: %s}\n"
        "layers:\n"
        "  - {name: countries, source: shapes/boundaries/countries.shp, fill: \"#eeeeee\","
        " credit: \"Boundaries © OpenStreetMap contributors (ODbL)\"}\n"
        "  - {name: divisions, source: shapes/boundaries/admin1.shp, stroke: grey,"
        " credit: \"Boundaries © OpenStreetMap contributors (ODbL)\"}\n"
        "  - {name: relief, source: shapes/relief/shade.tif, opacity: 0.3,"
        " credit: \"relief: Marble (LGPL-2.1+)\"%s}\n"
        "  - {name: mine, source: %s, credit: \"heights: mine\"}\n"
        "furniture: {credits: \"50 km band.\"}\n";
    char recipe[2048];
    /* The test's own raster lies west of 86 E: never in these views. */
    GDALAllRegister();
    GDALDatasetH ds =
        GDALCreate(GDALGetDriverByName("GTiff"), tmp_path("west.tif"), 10, 10, 1, GDT_Byte, NULL);
    double g[6] = {60, 0.1, 0, 20, 0, -0.1};
    GDALSetGeoTransform(ds, g);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    GDALSetSpatialRef(ds, srs);
    OSRDestroySpatialReference(srs);
    GDALClose(ds);

    snprintf(recipe, sizeof recipe, head, "50", "", tmp_path("west.tif"));
    const char *t = pdf_text("drawn", recipe);
    if (!strstr(t, "Boundaries © OpenStreetMap contributors (ODbL); relief: Marble (LGPL-2.1+). "
                   "50 km band."))
        fail_msg("credits with the relief drawn:\n%s", t);
    assert_null(strstr(t, "heights: mine")); /* out of view: drawn nowhere */

    /* The relief only at 1:10,000 or larger: not on this map, nor in its credits. */
    snprintf(recipe, sizeof recipe, head, "50", ", max_scale: 10000", tmp_path("west.tif"));
    t = pdf_text("undrawn", recipe);
    assert_null(strstr(t, "Marble"));
    if (!strstr(t, "Boundaries © OpenStreetMap contributors (ODbL). 50 km band."))
        fail_msg("credits without the relief:\n%s", t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(info_of_the_shipped_rasters),
        cmocka_unit_test(mountains_where_proj_puts_them),
        cmocka_unit_test(a_user_geotiff_in_utm),
        cmocka_unit_test(clipped_to_land),
        cmocka_unit_test(read_once_by_the_scene),
        cmocka_unit_test(credits_from_what_was_drawn),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
