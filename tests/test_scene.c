/* bordermap tests: scenes: each layer a map needs read once, shared, and drawn from memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bordermap/bordermap.h"
#include "support.h"

/* The whole of a file, NUL-terminated (caller frees); *n its size. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = malloc((size_t)size + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    d[size] = 0;
    *n = (size_t)size;
    return d;
}

static void same_bytes(const char *a, const char *b)
{
    size_t na, nb;
    char *da = slurp(a, &na), *db = slurp(b, &nb);
    if (na != nb || memcmp(da, db, na) != 0)
        fail_msg("%s and %s differ", a, b);
    free(da);
    free(db);
}

static void render(struct bm_map *m, struct bm_scene *s, const char *name)
{
    if (bm_map_render_scene(ctx, m, s, BM_FORMAT_PNG, tmp_path(name), NULL) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
}

/*
 * The situation map needs fourteen layers: its thirteen (two filters on
 * pipelines.shp and two on places.shp are four requests; the relief raster
 * is one) and the inset's world map. Each is
 * read once, a second drawing reads nothing, and what is drawn from the scene
 * is what bm_map_render() draws reading its own.
 */
static void each_layer_is_read_once(void **state)
{
    (void)state;
    struct bm_map *m = load_style("situation");
    assert_int_equal(bm_map_set_dpi(ctx, m, 72), BM_OK);
    struct bm_scene *s = bm_scene_new(BM_SCENE_VIEW);
    assert_non_null(s);
    render(m, s, "first.png");
    assert_int_equal(bm_scene_count(s), 14);
    assert_int_equal(bm_scene_reads(s), 14);
    render(m, s, "second.png");
    assert_int_equal(bm_scene_reads(s), 14);
    same_bytes(tmp_path("first.png"), tmp_path("second.png"));
    assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PNG, tmp_path("alone.png")), BM_OK);
    same_bytes(tmp_path("first.png"), tmp_path("alone.png"));
    bm_scene_free(s);

    /* Loaded ahead, then drawn: the drawing reads nothing more. */
    s = bm_scene_new(BM_SCENE_VIEW);
    assert_int_equal(bm_scene_load(ctx, s, m), BM_OK);
    assert_int_equal(bm_scene_reads(s), 14);
    render(m, s, "ahead.png");
    assert_int_equal(bm_scene_reads(s), 14);
    same_bytes(tmp_path("first.png"), tmp_path("ahead.png"));

    /* Another extent is another view: the layers are read again for it. */
    struct bm_bbox e = {96, 22, 100, 26};
    assert_int_equal(bm_map_set_extent(ctx, m, &e), BM_OK);
    render(m, s, "other.png");
    assert_true(bm_scene_reads(s) > 14);
    bm_scene_free(s);
    bm_map_free(m);
}

/* The key is everything that changes what is loaded; nothing else. */
static void scene_keys_by_what_is_loaded(void **state)
{
    (void)state;
    char path[4096], root[4096], other[4200];
    assert_int_equal(
        bm_ctx_data_path(ctx, "shapes/infrastructure/pipelines.shp", path, sizeof path), BM_OK);
    assert_int_equal(bm_ctx_data_path(ctx, "shapes", root, sizeof root), BM_OK);
    snprintf(other, sizeof other, "%s/boundaries/../infrastructure/pipelines.shp", root);
    struct bm_scene *s = bm_scene_new(BM_SCENE_VIEW);
    const struct bm_layer *gas, *gas2, *oil, *all, *same, *boxed, *boxed2, *kept, *fields;
    struct bm_load_opts o = {.where = "kind = 'gas pipeline'", .invalid = BM_INVALID_UNCHECKED};
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &gas), BM_OK);
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &gas2), BM_OK);
    assert_ptr_equal(gas, gas2);
    assert_int_equal(bm_scene_reads(s), 1);
    /* Another spelling of the same file is the same source. */
    assert_int_equal(bm_scene_layer(ctx, s, other, &o, &same), BM_OK);
    assert_ptr_equal(gas, same);
    assert_int_equal(bm_scene_reads(s), 1);
    /* Another filter, none, a box, another policy, required fields: each its own layer. */
    o.where = "kind = 'oil pipeline'";
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &oil), BM_OK);
    o.where = NULL;
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &all), BM_OK);
    assert_true(bm_layer_feature_count(gas) > 0 && bm_layer_feature_count(oil) > 0);
    assert_int_equal(bm_layer_feature_count(gas) + bm_layer_feature_count(oil),
                     bm_layer_feature_count(all));
    struct bm_bbox box = {95, 20, 97, 23}, box2 = box;
    o.bbox = &box;
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &boxed), BM_OK);
    o.bbox = &box2;
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &boxed2), BM_OK);
    assert_ptr_equal(boxed, boxed2);
    assert_ptr_not_equal(boxed, all);
    o.bbox = NULL;
    o.invalid = BM_INVALID_KEEP;
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &kept), BM_OK);
    assert_ptr_not_equal(kept, all);
    static const char *const need[] = {"kind", NULL};
    o.invalid = BM_INVALID_UNCHECKED;
    o.fields = need;
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &fields), BM_OK);
    assert_ptr_not_equal(fields, all);
    assert_int_equal(bm_scene_count(s), 6);
    assert_int_equal(bm_scene_reads(s), 6);
    /* A failure is the loader's, and is not kept. */
    static const char *const missing[] = {"nosuchfield", NULL};
    o.fields = missing;
    assert_int_equal(bm_scene_layer(ctx, s, path, &o, &fields), BM_ERR_FIELD);
    assert_null(fields);
    assert_int_equal(bm_scene_layer(ctx, s, "no/such.shp", NULL, &fields), BM_ERR_SOURCE_MISSING);
    assert_int_equal(bm_scene_count(s), 6);
    bm_scene_free(s);
}

static const char RECIPE[] =
    "title: Drawn from memory\n"
    "page: {size: 148x105mm, dpi: 72}\n"
    "extent: {west: 94, south: 19, east: 103, north: 26}\n"
    "layers:\n"
    "  - name: border\n"
    "    source: border.shp\n"
    "    stroke: {color: \"#b2182b\", width: 2}\n"
    "    legend: \"Border ({layer_length})\"\n"
    "    label: {text: \"{name}\", placement: line}\n"
    "furniture: {legend: bottom-left, inset: top-left, north_arrow: none}\n";

/*
 * A whole scene serves the map after its source is gone: drawing reads no
 * file. (A fresh scene then cannot draw it, so the source really is gone.)
 */
static void whole_scene_draws_without_its_source(void **state)
{
    (void)state;
    static const char *const ext[] = {"shp", "shx", "dbf", "prj", "cpg"};
    char from[4096], rel[128];
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        snprintf(rel, sizeof rel, "shapes/boundaries/border_cn_mm.%s", ext[i]);
        assert_int_equal(bm_ctx_data_path(ctx, rel, from, sizeof from), BM_OK);
        snprintf(rel, sizeof rel, "border.%s", ext[i]);
        assert_int_equal(copy_file(from, tmp_path(rel)), 0);
    }
    assert_int_equal(write_text(tmp_path("map.yaml"), RECIPE), 0);
    struct bm_map *m = NULL;
    if (bm_map_load(ctx, tmp_path("map.yaml"), &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    struct bm_scene *s = bm_scene_new(BM_SCENE_WHOLE);
    assert_int_equal(bm_scene_load(ctx, s, m), BM_OK);
    assert_int_equal(bm_scene_count(s), 2); /* the border and the inset's world */
    render(m, s, "before.png");
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        snprintf(rel, sizeof rel, "border.%s", ext[i]);
        assert_int_equal(unlink(tmp_path(rel)), 0);
    }
    render(m, s, "after.png");
    same_bytes(tmp_path("before.png"), tmp_path("after.png"));
    assert_int_equal(bm_scene_reads(s), 2);
    /* Another extent is drawn from the same whole layers. */
    struct bm_bbox e = {97, 23, 99, 25};
    assert_int_equal(bm_map_set_extent(ctx, m, &e), BM_OK);
    render(m, s, "zoomed.png");
    assert_int_equal(bm_scene_reads(s), 2);
    bm_scene_free(s);
    assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PNG, tmp_path("fresh.png")),
                     BM_ERR_SOURCE_MISSING);
    bm_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_layer_is_read_once),
        cmocka_unit_test(scene_keys_by_what_is_loaded),
        cmocka_unit_test(whole_scene_draws_without_its_source),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    /* Pango's font map holds fontconfig patterns, whose blocks LeakSanitizer cannot
     * see pointed to (fontconfig keeps offsets): release them as a program should. */
    bm_library_cleanup();
    return failed;
}
