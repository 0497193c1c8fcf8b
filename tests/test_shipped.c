/* bordermap tests: every shipped layer loads clean, with its fields, in the region. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <geodesic.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bordermap/bordermap.h"
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
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
