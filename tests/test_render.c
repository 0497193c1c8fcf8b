/* bordermap tests: maps drawn from the shipped recipes, checked against reviewed goldens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <gdal.h>
#include <geodesic.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "support.h"

#ifndef GOLDEN_DIR
#error "GOLDEN_DIR must name tests/golden"
#endif

static const char *const RECIPES[] = {"situation", "ruili-muse", "corridor", "print-grey"};

static struct bm_map *load(const char *name)
{
    char rel[256], path[4096];
    struct bm_map *m = NULL;
    snprintf(rel, sizeof rel, "styles/%s.yaml", name);
    if (bm_ctx_data_path(ctx, rel, path, sizeof path) != BM_OK ||
        bm_map_load(ctx, path, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    return m;
}

/*
 * Compare two PNGs: the same size, and at most 0.5 % of pixels differing by
 * more than 32 levels in a channel (anti-aliasing and font hinting move a
 * few edge pixels; a moved label or a lost layer moves thousands).
 */
static void compare_png(const char *got, const char *want)
{
    cairo_surface_t *a = cairo_image_surface_create_from_png(got);
    cairo_surface_t *b = cairo_image_surface_create_from_png(want);
    if (cairo_surface_status(b) != CAIRO_STATUS_SUCCESS)
        fail_msg("no golden image %s: review %s and copy it there", want, got);
    assert_int_equal(cairo_surface_status(a), CAIRO_STATUS_SUCCESS);
    int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
    assert_int_equal(w, cairo_image_surface_get_width(b));
    assert_int_equal(h, cairo_image_surface_get_height(b));
    const unsigned char *pa = cairo_image_surface_get_data(a),
                        *pb = cairo_image_surface_get_data(b);
    int sa = cairo_image_surface_get_stride(a), sb = cairo_image_surface_get_stride(b);
    long differ = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                if (abs(pa[y * sa + 4 * x + c] - pb[y * sb + 4 * x + c]) > 32) {
                    differ++;
                    break;
                }
    double share = (double)differ / ((double)w * h);
    if (share > 0.005)
        fail_msg("%s differs from %s in %.2f %% of its pixels", got, want, 100 * share);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
}

static void recipes_match_their_goldens(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RECIPES / sizeof RECIPES[0]; i++) {
        struct bm_map *m = load(RECIPES[i]);
        char name[64], golden[4096];
        snprintf(name, sizeof name, "%s.png", RECIPES[i]);
        snprintf(golden, sizeof golden, "%s/%s.png", GOLDEN_DIR, RECIPES[i]);
        /* Goldens at 100 dpi: small enough to keep in the repository. */
        assert_int_equal(bm_map_set_dpi(ctx, m, 100), BM_OK);
        if (bm_map_render(ctx, m, BM_FORMAT_PNG, tmp_path(name)) != BM_OK)
            fail_msg("%s", bm_ctx_error(ctx));
        compare_png(tmp_path(name), golden);
        bm_map_free(m);
    }
}

static void every_recipe_draws_pdf_and_svg(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RECIPES / sizeof RECIPES[0]; i++) {
        struct bm_map *m = load(RECIPES[i]);
        char pdf[64], svg[64];
        snprintf(pdf, sizeof pdf, "%s.pdf", RECIPES[i]);
        snprintf(svg, sizeof svg, "%s.svg", RECIPES[i]);
        assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PDF, tmp_path(pdf)), BM_OK);
        assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_SVG, tmp_path(svg)), BM_OK);
        /* The vector map stays small enough to mail: under 1 MB. */
        assert_true(file_size(tmp_path(pdf)) > 10000 && file_size(tmp_path(pdf)) < 1000000);
        FILE *f = fopen(tmp_path(svg), "r");
        char head[512] = "";
        assert_non_null(f);
        assert_true(fread(head, 1, sizeof head - 1, f) > 0);
        fclose(f);
        assert_non_null(strstr(head, "<svg"));
        bm_map_free(m);
    }
}

/*
 * Check that the text of a PDF, as pdftotext -raw reads it (which keeps
 * Burmese clusters whole), holds every string of want (n of them).
 */
static void expect_pdf_text(const char *pdf, const char *const *want, size_t n)
{
    char cmd[1024], txt[600];
    snprintf(txt, sizeof txt, "%s.txt", pdf);
    snprintf(cmd, sizeof cmd, "pdftotext -raw -enc UTF-8 '%s' '%s'", pdf, txt);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(txt, "r");
    assert_non_null(f);
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!strstr(text, want[i]))
            fail_msg("the text of %s lacks '%s'", pdf, want[i]);
}

/* The map's text is text, in three scripts. */
static void pdf_text_is_text(void **state)
{
    (void)state;
    struct bm_map *m = load("situation");
    const char *pdf = tmp_path("text.pdf");
    assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PDF, pdf), BM_OK);
    bm_map_free(m);
    static const char *const want[] = {
        "China–Myanmar border region", "Ruili", "瑞丽", "နေပြည်တော်", "Naypyidaw", "内比都"};
    expect_pdf_text(pdf, want, sizeof want / sizeof want[0]);
}

/*
 * The scale bar against an independent route: two points due east of the
 * frame's centre, scale_km apart by GeographicLib's geodesic, projected with
 * PROJ by this test, measure scale_pt on the page to within 0.5 %.
 */
static void scale_bar_is_geodesically_true(void **state)
{
    (void)state;
    static const char *const defs[] = {
        "+proj=lcc +lat_1=18 +lat_2=27 +lat_0=22 +lon_0=98 +datum=WGS84 +units=m", "EPSG:32647",
        "+proj=merc +datum=WGS84"};
    for (size_t i = 0; i < 3; i++) {
        struct bm_map *m;
        struct bm_render_info info;
        /* The recipe's projection, replaced through a one-off recipe file. */
        const char *rp = tmp_path("scale.yaml");
        char text[1024];
        snprintf(text, sizeof text,
                 "extent: {west: 94, south: 18, east: 102, north: 26}\n"
                 "projection: \"%s\"\n"
                 "layers:\n  - name: border\n    source: %s/shapes/boundaries/border_cn_mm.shp\n"
                 "furniture: {scalebar: bottom-right}\n",
                 defs[i], bm_ctx_data_root(ctx));
        assert_int_equal(write_text(rp, text), 0);
        if (bm_map_load(ctx, rp, &m) != BM_OK)
            fail_msg("%s", bm_ctx_error(ctx));
        assert_int_equal(bm_map_render_info(ctx, m, BM_FORMAT_PDF, tmp_path("scale.pdf"), &info),
                         BM_OK);
        assert_true(info.scale_km > 0);
        struct geod_geodesic g;
        double lat2, lon2;
        geod_init(&g, 6378137, 1 / 298.257223563);
        geod_direct(&g, info.centre_lat, info.centre_lon, 90, info.scale_km * 1000, &lat2, &lon2,
                    NULL);
        PJ_CONTEXT *pc = proj_context_create();
        PJ *pj = proj_create_crs_to_crs(pc, "EPSG:4326", defs[i], NULL);
        PJ *norm = proj_normalize_for_visualization(pc, pj);
        PJ_COORD a = proj_trans(norm, PJ_FWD, proj_coord(info.centre_lon, info.centre_lat, 0, 0));
        PJ_COORD b = proj_trans(norm, PJ_FWD, proj_coord(lon2, lat2, 0, 0));
        double page = hypot(b.xy.x - a.xy.x, b.xy.y - a.xy.y) * info.pt_per_metre;
        if (fabs(page - info.scale_pt) > 0.005 * page)
            fail_msg("%s: scale bar %.3f pt for %g km, the geodesic measures %.3f pt", defs[i],
                     info.scale_pt, info.scale_km, page);
        proj_destroy(norm);
        proj_destroy(pj);
        proj_context_destroy(pc);
        bm_map_free(m);
    }
}

static void refused_outputs_leave_no_file(void **state)
{
    (void)state;
    struct bm_map *m = load("situation");
    /* A page far too large: refused before anything is allocated. */
    assert_int_equal(bm_map_set_page(ctx, m, 2000, 2000), BM_OK);
    assert_int_equal(bm_map_set_dpi(ctx, m, 1200), BM_OK);
    assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PNG, tmp_path("huge.png")), BM_ERR_RENDER);
    assert_string_equal(bm_ctx_error(ctx),
                        "a page of 2000 x 2000 mm at 1200 dpi is 94488 x 94488 pixels, more than "
                        "bordermap draws (20000 per side, 250 million in all); lower the dpi or "
                        "the page size");
    assert_int_equal(file_size(tmp_path("huge.png")), -1);
    /* A folder that is not there. */
    const char *nowhere = tmp_path("no/such/map.png");
    assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PDF, nowhere), BM_ERR_IO);
    assert_non_null(strstr(bm_ctx_error(ctx), "no folder"));
    bm_map_free(m);
    /* The recipe itself, or one of its sources, is never overwritten. */
    char path[4096];
    bm_ctx_data_path(ctx, "styles/situation.yaml", path, sizeof path);
    long before = file_size(path);
    m = load("situation");
    assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PNG, path), BM_ERR_IO);
    char want[4300];
    snprintf(want, sizeof want, "will not write '%s': it is the recipe; choose another output name",
             path);
    assert_string_equal(bm_ctx_error(ctx), want);
    assert_int_equal(file_size(path), before);
    bm_map_free(m);
}

/*
 * A GeoTIFF read back with GDAL: its CRS is the recipe's, its pixels are
 * 72/dpi points of the page, and the recipe's extent lies inside the image
 * at the place the projection puts it. The world file says the same.
 */
static void geotiff_and_world_file_read_back(void **state)
{
    (void)state;
    const char *rp = tmp_path("geo.yaml");
    char text[1024];
    snprintf(text, sizeof text,
             "extent: {west: 97.5, south: 23.7, east: 98.2, north: 24.3}\n"
             "projection: \"EPSG:32647\"\npage: {size: A5, dpi: 100}\n"
             "layers:\n  - name: border\n    source: %s/shapes/boundaries/border_cn_mm.shp\n",
             bm_ctx_data_root(ctx));
    assert_int_equal(write_text(rp, text), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, rp, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    struct bm_render_info info;
    const char *tif = tmp_path("geo.tif");
    assert_int_equal(bm_map_render_info(ctx, m, BM_FORMAT_GEOTIFF, tif, &info), BM_OK);
    bm_map_free(m);

    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterCount(ds), 3);
    double g[6];
    assert_int_equal(GDALGetGeoTransform(ds, g), CE_None);
    OGRSpatialReferenceH got = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    OGRSpatialReferenceH want = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(want, 32647);
    assert_true(OSRIsSame(got, want));
    /* A pixel is 72/dpi points of the page. */
    assert_true(fabs(g[1] - 72.0 / 100 / info.pt_per_metre) < 1e-9 * g[1]);
    assert_true(g[5] == -g[1] && g[2] == 0 && g[4] == 0);
    /* Every corner of the extent, projected by this test, falls inside the image. */
    PJ_CONTEXT *pc = proj_context_create();
    PJ *raw = proj_create_crs_to_crs(pc, "EPSG:4326", "EPSG:32647", NULL);
    PJ *pj = proj_normalize_for_visualization(pc, raw);
    static const double corners[][2] = {{97.5, 23.7}, {98.2, 23.7}, {97.5, 24.3}, {98.2, 24.3}};
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    for (int i = 0; i < 4; i++) {
        PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(corners[i][0], corners[i][1], 0, 0));
        double col = (c.xy.x - g[0]) / g[1], row = (c.xy.y - g[3]) / g[5];
        assert_true(col > 0 && col < w && row > 0 && row < h);
    }
    proj_destroy(pj);
    proj_destroy(raw);
    proj_context_destroy(pc);
    OSRDestroySpatialReference(got);
    OSRDestroySpatialReference(want);
    GDALClose(ds);

    /* The world file names the centre of the top-left pixel. */
    assert_int_equal(bm_write_world_file(ctx, &info, tif), BM_OK);
    FILE *f = fopen(tmp_path("geo.tfw"), "r");
    assert_non_null(f);
    double v[6];
    for (int i = 0; i < 6; i++)
        assert_int_equal(fscanf(f, "%lf", &v[i]), 1);
    fclose(f);
    assert_true(fabs(v[0] - g[1]) < 1e-6 && fabs(v[3] - g[5]) < 1e-6);
    assert_true(fabs(v[4] - (g[0] + g[1] / 2)) < 1e-3 && fabs(v[5] - (g[3] + g[5] / 2)) < 1e-3);
    assert_true(file_size(tmp_path("geo.prj")) > 100);
}

/* A report of the three shipped maps: six pages, text that stays text. */
static void report_has_maps_tables_sources(void **state)
{
    (void)state;
    static const char *const names[] = {"situation", "ruili-muse", "corridor"};
    char paths[3][4096];
    const char *list[3];
    for (int i = 0; i < 3; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "styles/%s.yaml", names[i]);
        bm_ctx_data_path(ctx, rel, paths[i], sizeof paths[i]);
        list[i] = paths[i];
    }
    const char *pdf = tmp_path("report.pdf");
    if (bm_report_write(ctx, list, 3, pdf) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    static const char *const want[] = {"Contents",
                                       "Ruili and Muse, the main China–Myanmar crossing",
                                       "Table 1. The China–Myanmar border, by stretch",
                                       "2,188.6",
                                       "Table 2. Pipelines and railway",
                                       "Table 3. Distances between the places",
                                       "504.9",
                                       "Sources and licences",
                                       "ODbL",
                                       "1 / 6",
                                       "6 / 6"};
    expect_pdf_text(pdf, want, sizeof want / sizeof want[0]);
}

/*
 * A batch over the border crossings: one GeoTIFF each, and each framed on
 * its crossing: the place, projected by this test into the file's own CRS,
 * falls in the middle of the image.
 */
/* The maps are named by the format's table: --format GeoTIFF writes NAME.tif. */
static void atlas_frames_each_crossing(void **state)
{
    (void)state;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "'%s' atlas ruili-muse --layer places --where \"kind = 'crossing'\" --jobs 2 "
             "--format GeoTIFF -o '%s' >/dev/null",
             BORDERMAP_BIN, tmp_path("atlas"));
    assert_int_equal(system(cmd), 0);
    struct bm_gazetteer *gz;
    assert_int_equal(bm_gazetteer_load(ctx, NULL, &gz), BM_OK);
    static const char *const crossings[] = {"Muse", "Namhkam", "Wanding"};
    GDALAllRegister();
    for (int i = 0; i < 3; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s.tif", tmp_path("atlas"), crossings[i]);
        GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
        if (!ds)
            fail_msg("no map %s", path);
        double g[6];
        assert_int_equal(GDALGetGeoTransform(ds, g), CE_None);
        const struct bm_place *p;
        assert_int_equal(bm_gazetteer_lookup(ctx, gz, crossings[i], &p), BM_OK);
        PJ_CONTEXT *pc = proj_context_create();
        PJ *raw = proj_create_crs_to_crs(pc, "EPSG:4326", GDALGetProjectionRef(ds), NULL);
        PJ *pj = proj_normalize_for_visualization(pc, raw);
        PJ_COORD c = proj_trans(pj, PJ_FWD, proj_coord(p->lon, p->lat, 0, 0));
        double col = (c.xy.x - g[0]) / g[1], row = (c.xy.y - g[3]) / g[5];
        double w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
        if (!(col > 0.3 * w && col < 0.7 * w && row > 0.3 * h && row < 0.7 * h))
            fail_msg("%s is at pixel %.0f,%.0f of %.0f x %.0f: not framed on it", crossings[i], col,
                     row, w, h);
        proj_destroy(pj);
        proj_destroy(raw);
        proj_context_destroy(pc);
        GDALClose(ds);
    }
    bm_gazetteer_free(gz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recipes_match_their_goldens),
        cmocka_unit_test(every_recipe_draws_pdf_and_svg),
        cmocka_unit_test(pdf_text_is_text),
        cmocka_unit_test(scale_bar_is_geodesically_true),
        cmocka_unit_test(refused_outputs_leave_no_file),
        cmocka_unit_test(geotiff_and_world_file_read_back),
        cmocka_unit_test(report_has_maps_tables_sources),
        cmocka_unit_test(atlas_frames_each_crossing),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
