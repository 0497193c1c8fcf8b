/* bordermap tests: the output format table, and that each row writes what it says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "support.h"

/* Row i is format i, and every name a row answers to leads back to it. */
static void rows_are_their_formats(void **state)
{
    (void)state;
    assert_int_equal(bm_format_count(), 4);
    for (size_t i = 0; i < bm_format_count(); i++) {
        const struct bm_format_info *f = bm_format_at(i);
        assert_non_null(f);
        assert_int_equal((size_t)f->format, i);
        assert_ptr_equal(bm_format_get(f->format), f);
        assert_ptr_equal(bm_format_from_name(f->name), f);
        assert_non_null(f->extensions[0]);
        for (size_t k = 0; f->extensions[k]; k++) {
            char path[64];
            snprintf(path, sizeof path, "out.dir/map.%s", f->extensions[k]);
            assert_ptr_equal(bm_format_from_path(path), f);
            assert_ptr_equal(bm_format_from_name(f->extensions[k]), f);
        }
        for (size_t k = 0; f->aliases[k]; k++)
            assert_ptr_equal(bm_format_from_name(f->aliases[k]), f);
    }
    assert_null(bm_format_at(bm_format_count()));
    assert_null(bm_format_get((enum bm_format)99));
}

static void names_and_extensions(void **state)
{
    (void)state;
    assert_int_equal(bm_format_from_name("PNG")->format, BM_FORMAT_PNG);
    assert_int_equal(bm_format_from_name("geotiff")->format, BM_FORMAT_GEOTIFF);
    assert_int_equal(bm_format_from_name("tiff")->format, BM_FORMAT_GEOTIFF);
    assert_null(bm_format_from_name("bmp"));
    assert_null(bm_format_from_name(NULL));
    assert_int_equal(bm_format_from_path("maps/Ruili.TIF")->format, BM_FORMAT_GEOTIFF);
    assert_int_equal(bm_format_from_path("report.pdf")->format, BM_FORMAT_PDF);
    assert_null(bm_format_from_path("maps.v2/ruili")); /* a dot in the folder is no extension */
    assert_null(bm_format_from_path("map.bmp"));
    assert_null(bm_format_from_path("map.geotiff")); /* a name, not an extension */
    /* What each is: raster or vector, georeferenced, pages. */
    assert_true(bm_format_get(BM_FORMAT_PNG)->raster);
    assert_false(bm_format_get(BM_FORMAT_PNG)->georeferenced);
    assert_true(bm_format_get(BM_FORMAT_GEOTIFF)->raster);
    assert_true(bm_format_get(BM_FORMAT_GEOTIFF)->georeferenced);
    assert_false(bm_format_get(BM_FORMAT_SVG)->raster);
    assert_true(bm_format_get(BM_FORMAT_PDF)->pages);
    assert_false(bm_format_get(BM_FORMAT_SVG)->pages);
    char buf[64];
    assert_string_equal(bm_format_list(buf, sizeof buf, NULL, false), "png, pdf, svg or tif");
    assert_string_equal(bm_format_list(buf, sizeof buf, ".", true), ".png or .tif");
    assert_string_equal(bm_format_list(buf, 8, NULL, false), "png"); /* cut, terminated */
}

/* The first bytes of a file. */
static void head_of(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    memset(out, 0, n);
    assert_true(fread(out, 1, n - 1, f) > 0);
    fclose(f);
}

/* Each row's writer writes its format: the file's own signature, read back. */
static void each_format_writes_itself(void **state)
{
    (void)state;
    char recipe[4096];
    assert_int_equal(bm_ctx_data_path(ctx, "tests/bad/map.yaml", recipe, sizeof recipe), BM_OK);
    struct bm_map *m = NULL;
    if (bm_map_load(ctx, recipe, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    for (size_t i = 0; i < bm_format_count(); i++) {
        const struct bm_format_info *f = bm_format_at(i);
        char name[32], head[16];
        snprintf(name, sizeof name, "map.%s", f->name);
        if (bm_map_render(ctx, m, f->format, tmp_path(name)) != BM_OK)
            fail_msg("%s: %s", name, bm_ctx_error(ctx));
        head_of(tmp_path(name), head, sizeof head);
        if (f->format == BM_FORMAT_PNG)
            assert_memory_equal(head, "\x89PNG", 4);
        else if (f->format == BM_FORMAT_PDF)
            assert_memory_equal(head, "%PDF", 4);
        else if (f->format == BM_FORMAT_SVG)
            assert_non_null(strstr(head, "<?xml"));
        else
            assert_memory_equal(head, "II*", 3);
        if (f->georeferenced) {
            /* GDAL reads its CRS back. */
            GDALAllRegister();
            GDALDatasetH ds = GDALOpen(tmp_path(name), GA_ReadOnly);
            assert_non_null(ds);
            assert_true(strlen(GDALGetProjectionRef(ds)) > 0);
            GDALClose(ds);
        }
    }
    assert_int_equal(bm_map_render(ctx, m, (enum bm_format)99, tmp_path("map.x")), BM_ERR_ARG);
    bm_map_free(m);
}

/* A report is written in a format with pages; a one-page format is refused, leaving nothing. */
static void report_needs_pages(void **state)
{
    (void)state;
    char recipe[4096];
    assert_int_equal(bm_ctx_data_path(ctx, "tests/bad/map.yaml", recipe, sizeof recipe), BM_OK);
    const char *const recipes[] = {recipe};
    assert_int_equal(bm_report_write(ctx, recipes, 1, tmp_path("report.svg")), BM_ERR_ARG);
    char want[4200];
    snprintf(want, sizeof want,
             "cannot write the report as '%s': a svg file holds one page; end the name in .pdf",
             tmp_path("report.svg"));
    assert_string_equal(bm_ctx_error(ctx), want);
    assert_int_equal(file_size(tmp_path("report.svg")), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_are_their_formats),
        cmocka_unit_test(names_and_extensions),
        cmocka_unit_test(each_format_writes_itself),
        cmocka_unit_test(report_needs_pages),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    /* Pango's font map holds fontconfig patterns, whose blocks LeakSanitizer cannot
     * see pointed to (fontconfig keeps offsets): release them as a program should. */
    bm_library_cleanup();
    return failed;
}
