/* bordermap tests: the context keeps the first error and collects warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gdal_version.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"

static void first_error_is_kept_until_the_next_call(void **state)
{
    (void)state;
    struct bm_ctx *ctx = bm_ctx_new();
    assert_non_null(ctx);
    assert_int_equal(bm_ctx_status(ctx), BM_OK);
    assert_string_equal(bm_ctx_error(ctx), "");
    struct bm_layer *L;
    assert_int_equal(bm_layer_load(ctx, "", NULL, &L), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "no source path given");
    /* A later call starts clean. */
    assert_int_equal(bm_layer_load(ctx, "/nonexistent/x.geojson", NULL, &L), BM_ERR_SOURCE_MISSING);
    assert_string_equal(bm_ctx_error(ctx), "cannot open '/nonexistent/x.geojson': no such file or "
                                           "folder; check the path");
    bm_ctx_clear_error(ctx);
    assert_int_equal(bm_ctx_status(ctx), BM_OK);
    bm_ctx_free(ctx);
}

static void data_root_and_paths(void **state)
{
    (void)state;
    struct bm_ctx *ctx = bm_ctx_new();
    assert_int_equal(bm_ctx_set_data_root(ctx, "/opt/bm"), BM_OK);
    assert_string_equal(bm_ctx_data_root(ctx), "/opt/bm");
    char path[32];
    assert_int_equal(bm_ctx_data_path(ctx, "shapes/x.shp", path, sizeof path), BM_OK);
    assert_string_equal(path, "/opt/bm/shapes/x.shp");
    char tiny[8];
    assert_int_equal(bm_ctx_data_path(ctx, "shapes/x.shp", tiny, sizeof tiny), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "data path '/opt/bm/shapes/x.shp' is too long");
    bm_ctx_free(ctx);
}

/* The memory budget: from $BORDERMAP_MEMORY_LIMIT, else what the machine has free. */
static void memory_limit(void **state)
{
    (void)state;
    struct bm_ctx *ctx = bm_ctx_new();
    unsigned long long bytes = 0;
    const char *what = NULL;
    static const struct {
        const char *text;
        unsigned long long bytes;
    } good[] = {{"1048576", 1048576ULL}, {"512M", 512ULL << 20}, {"2G", 2ULL << 30},
                {"2GiB", 2ULL << 30},    {"1.5k", 1536ULL},      {"1T", 1ULL << 40},
                {"64MB", 64ULL << 20}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        setenv("BORDERMAP_MEMORY_LIMIT", good[i].text, 1);
        assert_int_equal(bm_ctx_memory_limit(ctx, &bytes, &what), BM_OK);
        assert_true(bytes == good[i].bytes);
        assert_string_equal(what, "BORDERMAP_MEMORY_LIMIT allows");
    }
    static const char *const bad[] = {"lots", "-5", "0", "12Q", "5 G", "M", "nan", "1e40"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("BORDERMAP_MEMORY_LIMIT", bad[i], 1);
        assert_int_equal(bm_ctx_memory_limit(ctx, &bytes, &what), BM_ERR_ARG);
        assert_non_null(strstr(bm_ctx_error(ctx), "is not a size"));
    }
    /* Unset: the memory available, which on any machine that runs the tests is
     * more than 16 MB and less than 64 TB. */
    unsetenv("BORDERMAP_MEMORY_LIMIT");
    assert_int_equal(bm_ctx_memory_limit(ctx, &bytes, &what), BM_OK);
    assert_true(bytes > (16ULL << 20) && bytes < (64ULL << 40));
    bm_ctx_free(ctx);
}

/*
 * The version against what CMake's project() says, passed to this test as a
 * definition (not through version.h), and against the pkg-config file the
 * build writes; the library versions against the headers it was built with.
 */
static void version(void **state)
{
    (void)state;
    assert_string_equal(bm_version(), BM_PROJECT_VERSION);
    char parts[32];
    snprintf(parts, sizeof parts, "%d.%d.%d", BM_VERSION_MAJOR, BM_VERSION_MINOR, BM_VERSION_PATCH);
    assert_string_equal(bm_version(), parts);
    FILE *f = fopen(BM_PC_FILE, "r");
    assert_non_null(f);
    char line[256], pc[64] = "";
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Version: %63s", pc) == 1)
            break;
    fclose(f);
    assert_string_equal(pc, bm_version());
    char want[128];
    snprintf(want, sizeof want, "GDAL %s, PROJ %d.%d.%d", GDAL_RELEASE_NAME, PROJ_VERSION_MAJOR,
             PROJ_VERSION_MINOR, PROJ_VERSION_PATCH);
    assert_string_equal(bm_library_versions(), want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_error_is_kept_until_the_next_call),
        cmocka_unit_test(data_root_and_paths),
        cmocka_unit_test(memory_limit),
        cmocka_unit_test(version),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    bm_library_cleanup();
    return failed;
}
