/* bordermap tests: every shipped layer loads clean, with its fields, in the region; the
 * base map's rivers, lakes, built-up areas, airports and relief hold what they promise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "bordermap/bordermap.h"
#include "oracle.h"
#include "support.h"

struct expect {
    const char *path;
    enum bm_geom_type type;
    size_t min_features, max_features;
    const char *fields[12];
    int world; /* covers the world, not the region */
};

static const struct expect LAYERS[] = {
    {"shapes/boundaries/countries.shp",
     BM_GEOM_POLYGON,
     8,
     20,
     {"iso_a3", "name", "name_zh", "name_my"},
     0},
    {"shapes/boundaries/countries_ne10.shp",
     BM_GEOM_POLYGON,
     8,
     20,
     {"iso_a3", "name", "name_zh", "name_my"},
     0},
    {"shapes/boundaries/admin1.shp",
     BM_GEOM_POLYGON,
     20,
     400,
     {"iso_a3", "name", "name_zh", "name_my", "type"},
     0},
    {"shapes/boundaries/border_cn_mm.shp",
     BM_GEOM_LINE,
     3,
     40,
     {"seq", "name", "chn_adm1", "mmr_adm1", "chn_zh", "mmr_my", "source"},
     0},
    {"shapes/infrastructure/pipelines.shp",
     BM_GEOM_LINE,
     4,
     4,
     {"name", "kind", "status", "publish_km", "opened", "capacity", "source", "accuracy", "est_pts",
      "waypoints"},
     0},
    {"shapes/infrastructure/rail.shp",
     BM_GEOM_LINE,
     5,
     5,
     {"name", "kind", "status", "publish_km", "opened", "capacity", "source", "accuracy", "est_pts",
      "waypoints"},
     0},
    {"shapes/places/places.shp",
     BM_GEOM_POINT,
     38,
     600,
     {"name", "name_zh", "name_my", "kind", "country", "admin1", "rank", "in_article", "source",
      "note"},
     0},
    /* The base map (issue 14); shapes/README.md gives 840, 3073, 337 and 219. */
    {"shapes/water/rivers.shp",
     BM_GEOM_LINE,
     700,
     1000,
     {"name", "name_zh", "name_my", "rank", "kind", "km", "name_src", "note", "source"},
     0},
    {"shapes/water/lakes.shp",
     BM_GEOM_POLYGON,
     2500,
     3600,
     {"name", "name_zh", "name_my", "area_km2", "source"},
     0},
    {"shapes/places/urban_areas.shp",
     BM_GEOM_POLYGON,
     300,
     400,
     {"name", "name_zh", "name_my", "country", "place_km", "area_km2", "source"},
     0},
    {"shapes/infrastructure/airports.shp",
     BM_GEOM_POINT,
     200,
     240,
     {"name", "iata", "icao", "city", "country", "elev_m", "of_id", "source"},
     0},
};

static struct bm_layer *load(const char *rel)
{
    char path[4096];
    struct bm_layer *L = NULL;
    bm_ctx_clear_warnings(ctx);
    if (bm_ctx_data_path(ctx, rel, path, sizeof path) != BM_OK ||
        bm_layer_load(ctx, path, NULL, &L) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    return L;
}

static void every_layer_loads_clean(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof LAYERS / sizeof LAYERS[0]; i++) {
        const struct expect *e = &LAYERS[i];
        struct bm_layer *L = load(e->path);
        /* No warning: valid polygons (checked: the default policy repairs), no empty
         * geometry, no bad coordinate, a CRS. The program trusts this test and skips
         * the costly check on these layers. */
        if (bm_ctx_warning_count(ctx) > 0)
            fail_msg("%s: %s", e->path, bm_ctx_warning(ctx, 0));
        assert_int_equal(bm_layer_repaired_count(L), 0);
        assert_int_equal(bm_layer_skipped_count(L), 0);
        assert_string_equal(bm_layer_crs(L), "WGS 84 (EPSG:4326)");
        assert_int_equal(bm_layer_geom_type(L), e->type);
        size_t n = bm_layer_feature_count(L);
        if (n < e->min_features || n > e->max_features)
            fail_msg("%s: %zu features, expected %zu..%zu", e->path, n, e->min_features,
                     e->max_features);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(bm_layer_feature(L, k)->type, e->type);
        for (size_t k = 0; e->fields[k]; k++)
            if (bm_layer_field_index(L, e->fields[k]) < 0)
                fail_msg("%s: no field %s", e->path, e->fields[k]);
        struct bm_bbox b = bm_layer_extent(L);
        if (!e->world)
            assert_true(b.west >= 86 && b.east <= 110 && b.south >= 7 && b.north <= 32);
        bm_layer_free(L);
    }
}

static void countries_have_names_in_three_scripts(void **state)
{
    (void)state;
    struct bm_layer *L = load("shapes/boundaries/countries.shp");
    static const char *const rows[][4] = {
        {"CHN", "China", "中国", "တရုတ်"},  {"MMR", "Myanmar", "缅甸", "မြန်မာ"},
        {"LAO", "Laos", "老挝", "လာအို"},   {"THA", "Thailand", "泰国", "ထိုင်း"},
        {"IND", "India", "印度", "အိန္ဒိယ"}, {"BGD", "Bangladesh", "孟加拉国", "ဘင်္ဂလားဒေ့ရှ်"}};
    for (size_t i = 0; i < 6; i++) {
        long f = bm_layer_find(L, "iso_a3", rows[i][0]);
        if (f < 0)
            fail_msg("no %s", rows[i][0]);
        assert_string_equal(bm_layer_attr(L, (size_t)f, 1), rows[i][1]);
        assert_string_equal(bm_layer_attr(L, (size_t)f, 2), rows[i][2]);
        assert_string_equal(bm_layer_attr(L, (size_t)f, 3), rows[i][3]);
    }
    bm_layer_free(L);
}

/* Geodesic distance in km between two lon/lat points. */
static double km(const double *a, double lat, double lon)
{
    struct geod_geodesic g;
    double s12;
    geod_init(&g, 6378137, 1 / 298.257223563);
    geod_inverse(&g, a[1], a[0], lat, lon, &s12, NULL, NULL);
    return s12 / 1000;
}

static void border_pieces_join_end_to_end(void **state)
{
    (void)state;
    struct bm_layer *B = load("shapes/boundaries/border_cn_mm.shp");
    size_t n = bm_layer_feature_count(B);
    int seq = bm_layer_field_index(B, "seq");
    const double *xy = bm_layer_xy(B);
    const double *first = NULL, *last = NULL;
    for (size_t i = 0; i < n; i++) {
        /* Stored in order: seq 1, 2, 3, ... */
        double s;
        assert_true(bm_layer_attr_double(B, i, (size_t)seq, &s));
        assert_true(s == (double)(i + 1));
        const struct bm_part *p = bm_layer_parts(B) + bm_layer_feature(B, i)->first_part;
        const double *start = xy + 2 * p->first, *end = xy + 2 * (p->first + p->count - 1);
        if (last && (start[0] != last[0] || start[1] != last[1]))
            fail_msg("gap between piece %zu and %zu: %.7f,%.7f vs %.7f,%.7f", i, i + 1, last[1],
                     last[0], start[1], start[0]);
        if (!first)
            first = start;
        last = end;
        /* Each piece names both sides. */
        assert_non_null(bm_layer_attr(B, i, (size_t)bm_layer_field_index(B, "chn_adm1")));
        assert_non_null(bm_layer_attr(B, i, (size_t)bm_layer_field_index(B, "mmr_adm1")));
    }
    /* From the India tripoint near the Diphu Pass to the Laos tripoint on the Mekong. */
    if (km(first, 28.15, 97.333) > 30)
        fail_msg("starts %.1f km from the India tripoint", km(first, 28.15, 97.333));
    /* OpenStreetMap and Natural Earth both put it at about 21.56 N 101.15 E. */
    if (km(last, 21.56, 101.15) > 5)
        fail_msg("ends %.1f km from the Laos tripoint", km(last, 21.56, 101.15));
    bm_layer_free(B);
}

/* An attribute as text, "" for NULL (the loader gives NULL for empty strings). */
static const char *text(const struct bm_layer *L, size_t feat, int field)
{
    const char *v = field >= 0 ? bm_layer_attr(L, feat, (size_t)field) : NULL;
    return v ? v : "";
}

static const struct bm_place *place(const struct bm_gazetteer *gz, const char *name)
{
    const struct bm_place *p = NULL;
    if (bm_gazetteer_lookup(ctx, gz, name, &p) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    return p;
}

/* The Shweli is the border river at Ruili and Muse: present, named in three scripts, its
 * nearest point to each town within 2 km of the border (the library's geodesic nearest
 * point, the distance checked against GeographicLib's GeodSolve). */
static void shweli_is_the_border_river_at_ruili_and_muse(void **state)
{
    (void)state;
    struct bm_layer *R = load("shapes/water/rivers.shp");
    struct bm_layer *B = load("shapes/boundaries/border_cn_mm.shp");
    struct bm_gazetteer *gz;
    assert_int_equal(bm_gazetteer_load(ctx, NULL, &gz), BM_OK);
    int zh = bm_layer_field_index(R, "name_zh"), my = bm_layer_field_index(R, "name_my");
    long f = bm_layer_find(R, "name", "Shweli");
    if (f < 0)
        fail_msg("no river named Shweli");
    /* One feature: a label can follow it from Yunnan to the Irrawaddy. */
    size_t n = 0;
    for (size_t i = 0; i < bm_layer_feature_count(R); i++)
        if (strcmp(text(R, i, 0), "Shweli") == 0)
            n++;
    assert_int_equal(n, 1);
    assert_string_equal(bm_layer_attr(R, (size_t)f, (size_t)zh), "瑞丽江");
    assert_string_equal(bm_layer_attr(R, (size_t)f, (size_t)my), "ရွှေလီမြစ်");
    double len_km = bm_feature_length(R, (size_t)f) / 1000;
    if (len_km < 400 || len_km > 700)
        fail_msg("the Shweli is %.1f km long", len_km);
    static const struct {
        const char *town;
        double min_km, max_km; /* river to town */
    } at[] = {{"Ruili", 3.0, 5.0}, {"Muse", 0.0, 2.0}};
    for (size_t i = 0; i < 2; i++) {
        const struct bm_place *t = place(gz, at[i].town);
        struct bm_nearest r, b;
        assert_int_equal(bm_nearest_in_feature(ctx, R, (size_t)f, t->lat, t->lon, &r), BM_OK);
        if (r.distance / 1000 < at[i].min_km || r.distance / 1000 > at[i].max_km)
            fail_msg("the Shweli is %.2f km from %s", r.distance / 1000, at[i].town);
        assert_int_equal(bm_nearest(ctx, B, r.lat, r.lon, &b), BM_OK);
        if (b.distance > 2000)
            fail_msg("at %s the Shweli is %.2f km from the border", at[i].town, b.distance / 1000);
        double s12, a1, a2;
        assert_int_equal(oracle_inverse(r.lat, r.lon, b.lat, b.lon, &s12, &a1, &a2), 0);
        assert_true(fabs(s12 - b.distance) < 1.0);
        assert_int_equal(oracle_inverse(t->lat, t->lon, r.lat, r.lon, &s12, &a1, &a2), 0);
        assert_true(fabs(s12 - r.distance) < 1.0);
    }
    bm_gazetteer_free(gz);
    bm_layer_free(B);
    bm_layer_free(R);
}

/* The big rivers carry their names; the Salween and the Mekong change their Chinese name
 * at the border (怒江 / 萨尔温江, 澜沧江 / 湄公河); each is one long centre line (that a
 * label can follow), not WDBII's pieces, at its WDBII level. */
static void big_rivers_are_named_long_lines(void **state)
{
    (void)state;
    struct bm_layer *R = load("shapes/water/rivers.shp");
    int zh = bm_layer_field_index(R, "name_zh"), rank = bm_layer_field_index(R, "rank");
    static const struct {
        const char *name, *zh;
        double min_km; /* the longest line of that name and Chinese name */
        int rank;      /* its WDBII level */
    } rows[] = {{"Irrawaddy", "伊洛瓦底江", 1200, 1},
                {"Salween", "怒江", 1200, 1},
                {"Salween", "萨尔温江", 1000, 1},
                {"Mekong", "澜沧江", 1200, 1},
                {"Mekong", "湄公河", 900, 1},
                {"Chindwin", "", 900, 2},
                {"Nmai", "", 350, 1},
                {"Mali", "", 250, 3}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double best = 0, r = -1;
        for (size_t k = 0; k < bm_layer_feature_count(R); k++) {
            if (strcmp(text(R, k, 0), rows[i].name) != 0 || strcmp(text(R, k, zh), rows[i].zh) != 0)
                continue;
            double km = bm_feature_length(R, k) / 1000, lv;
            /* centre lines only: level 0 are the banks of the double-lined stretches */
            assert_true(bm_layer_attr_double(R, k, (size_t)rank, &lv));
            if (lv >= 1 && km > best) {
                best = km;
                r = lv;
            }
        }
        if (best < rows[i].min_km)
            fail_msg("%s %s: longest line %.1f km, expected %.0f or more", rows[i].name, rows[i].zh,
                     best, rows[i].min_km);
        assert_true(r == rows[i].rank);
    }
    bm_layer_free(R);
}

/* Lakes, built-up areas and airports name what the maps need. */
static void base_map_names_its_lakes_towns_and_airports(void **state)
{
    (void)state;
    struct bm_layer *L = load("shapes/water/lakes.shp");
    static const char *const lakes[][3] = {{"Erhai", "洱海", ""},
                                           {"Dian Chi", "滇池", ""},
                                           {"Fuxian", "抚仙湖", ""},
                                           {"Inle", "", "အင်းလေးကန်"},
                                           {"Indawgyi", "", ""}};
    for (size_t i = 0; i < 5; i++) {
        long f = bm_layer_find(L, "name", lakes[i][0]);
        if (f < 0)
            fail_msg("no lake %s", lakes[i][0]);
        assert_string_equal(text(L, (size_t)f, 1), lakes[i][1]);
        assert_string_equal(text(L, (size_t)f, 2), lakes[i][2]);
        /* areas of the OSM water surface: Erhai ~250 km², Inle's open water ~50 km² */
        double km2 = bm_feature_area(L, (size_t)f) / 1e6;
        if (km2 < 20 || km2 > 400)
            fail_msg("lake %s: %.1f km²", lakes[i][0], km2);
    }
    bm_layer_free(L);

    struct bm_layer *U = load("shapes/places/urban_areas.shp");
    int country = bm_layer_field_index(U, "country");
    static const char *const towns[][2] = {
        {"Ruili", "CHN"}, {"Muse", "MMR"},    {"Mangshi", "CHN"},  {"Baoshan", "CHN"},
        {"Dali", "CHN"},  {"Kunming", "CHN"}, {"Mandalay", "MMR"}, {"Yangon", "MMR"}};
    for (size_t i = 0; i < 8; i++) {
        long f = bm_layer_find(U, "name", towns[i][0]);
        if (f < 0)
            fail_msg("no built-up area named %s", towns[i][0]);
        assert_string_equal(bm_layer_attr(U, (size_t)f, (size_t)country), towns[i][1]);
    }
    bm_layer_free(U);

    struct bm_layer *A = load("shapes/infrastructure/airports.shp");
    int icao = bm_layer_field_index(A, "icao");
    static const char *const codes[][3] = {
        {"LSH", "VYLS", "Lashio"},   {"MDL", "VYMD", "Mandalay"}, {"MYT", "VYMK", "Myitkyina"},
        {"KYP", "VYKP", "Kyaukpyu"}, {"LUM", "ZPLX", "Luxi"},     {"TCZ", "ZUTC", "Tengchong"}};
    for (size_t i = 0; i < 6; i++) {
        long f = bm_layer_find(A, "iata", codes[i][0]);
        if (f < 0)
            fail_msg("no airport %s", codes[i][0]);
        assert_string_equal(bm_layer_attr(A, (size_t)f, (size_t)icao), codes[i][1]);
        assert_string_equal(bm_layer_attr(A, (size_t)f, (size_t)bm_layer_field_index(A, "city")),
                            codes[i][2]);
    }
    bm_layer_free(A);
}

/* One pixel of a single-band raster, read by GDAL, at (lat, lon). */
static double pixel(GDALDatasetH ds, double lat, double lon)
{
    double gt[6], v = 0;
    assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
    int x = (int)floor((lon - gt[0]) / gt[1]), y = (int)floor((lat - gt[3]) / gt[5]);
    assert_true(x >= 0 && y >= 0 && x < GDALGetRasterXSize(ds) && y < GDALGetRasterYSize(ds));
    assert_int_equal(
        GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, x, y, 1, 1, &v, 1, 1, GDT_Float64, 0, 0),
        CE_None);
    return v;
}

/* The relief rasters, read with GDAL: WGS 84, one band, compressed and tiled, covering the
 * region; Hkakabo Razi (28.33 N, 97.53 E) higher than the Irrawaddy plain (21 N, 95.5 E). */
static void relief_is_higher_at_hkakabo_razi_than_on_the_plain(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        GDALDataType type;
        int w, h;
        double hk_min, plain_max; /* Hkakabo Razi above, the plain below */
    } rasters[] = {{"shapes/relief/shade.tif", GDT_Byte, 720, 750, 200, 160},
                   {"shapes/relief/etopo5.tif", GDT_Int16, 289, 301, 3000, 500}};
    GDALAllRegister();
    for (size_t i = 0; i < 2; i++) {
        char path[4096];
        assert_int_equal(bm_ctx_data_path(ctx, rasters[i].path, path, sizeof path), BM_OK);
        GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
        if (!ds)
            fail_msg("GDAL cannot open %s", path);
        assert_int_equal(GDALGetRasterCount(ds), 1);
        assert_int_equal(GDALGetRasterDataType(GDALGetRasterBand(ds, 1)), rasters[i].type);
        assert_int_equal(GDALGetRasterXSize(ds), rasters[i].w);
        assert_int_equal(GDALGetRasterYSize(ds), rasters[i].h);
        const char *c = GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE");
        assert_non_null(c);
        assert_string_equal(c, "DEFLATE");
        int bx, by;
        GDALGetBlockSize(GDALGetRasterBand(ds, 1), &bx, &by);
        assert_int_equal(bx, 256);
        OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
        assert_non_null(srs);
        OSRAutoIdentifyEPSG(srs);
        assert_string_equal(OSRGetAuthorityCode(srs, NULL), "4326");
        OSRDestroySpatialReference(srs);
        double gt[6];
        assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
        /* covers 86-110 E, 7-32 N, to half a cell */
        assert_true(gt[0] <= 86 && gt[0] > 86 - gt[1] && gt[3] >= 32 && gt[3] < 32 - gt[5]);
        double hk = pixel(ds, 28.33, 97.53), plain = pixel(ds, 21.0, 95.5);
        if (!(hk > plain) || hk < rasters[i].hk_min || plain > rasters[i].plain_max)
            fail_msg("%s: Hkakabo Razi %g, plain %g", rasters[i].path, hk, plain);
        GDALClose(ds);
    }
}

static void every_reference_place_is_in_the_gazetteer(void **state)
{
    (void)state;
    /* ../shared/reference/places.tsv, all 37 places. */
    static const char *const names[] = {
        "Ruili",   "Naypyidaw", "Kyaukphyu", "Maday Island", "Kunming",   "Muse",        "Mandalay",
        "Lashio",  "Anning",    "Laukkai",   "Myitkyina",    "Tengchong", "Lincang",     "Menglian",
        "Namhkam", "Hsenwi",    "Kutkai",    "Yangon",       "Mangshi",   "Baoshan",     "Dali",
        "Lancang", "Hsipaw",    "Kyaukme",   "Pyin Oo Lwin", "Bhamo",     "Chuxiong",    "Guiyang",
        "Guigang", "Wanding",   "Jinghong",  "Kunlong",      "Magway",    "Yenangyaung", "Ann",
        "Sittwe",  "Diphu Pass"};
    struct bm_gazetteer *gz;
    assert_int_equal(bm_gazetteer_load(ctx, NULL, &gz), BM_OK);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct bm_place_match m[8];
        size_t n;
        if (bm_gazetteer_find(ctx, gz, names[i], m, 8, &n) != BM_OK || m[0].match != BM_MATCH_EXACT)
            fail_msg("%s is not in the gazetteer", names[i]);
    }
    bm_gazetteer_free(gz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_layer_loads_clean),
        cmocka_unit_test(countries_have_names_in_three_scripts),
        cmocka_unit_test(border_pieces_join_end_to_end),
        cmocka_unit_test(every_reference_place_is_in_the_gazetteer),
        cmocka_unit_test(shweli_is_the_border_river_at_ruili_and_muse),
        cmocka_unit_test(big_rivers_are_named_long_lines),
        cmocka_unit_test(base_map_names_its_lakes_towns_and_airports),
        cmocka_unit_test(relief_is_higher_at_hkakabo_razi_than_on_the_plain),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
