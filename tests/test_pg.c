/*
 * bordermap tests: the second wall around PostgreSQL (issue 13), on the real test
 * cluster (tests/pg/cluster.sh, ctest fixture 'pg'; PGSERVICEFILE names it). Every
 * session bordermap opens is read-only and has a statement timeout, through libpq's
 * options, whether or not the program set PGOPTIONS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gdal.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "data/source.h"
#include "support.h"

/* The first column of the first row of sql, run on ds (static buffer). */
static const char *scalar(GDALDatasetH ds, const char *sql)
{
    static char value[256];
    value[0] = '\0';
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (!r)
        return "(failed)";
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    if (f) {
        snprintf(value, sizeof value, "%s", OGR_F_GetFieldAsString(f, 0));
        OGR_F_Destroy(f);
    }
    GDALDatasetReleaseResultSet(ds, r);
    return value;
}

static void session_is_read_only(void **state)
{
    (void)state;
    unsetenv("PGOPTIONS");
    static const char *const conns[] = {
        "PG:service=bordermap_test",
        /* the user's own options are kept, before bordermap's */
        "PG:service=bordermap_test options='-c search_path=ops,public'",
        "PG:dbname=bordermap service = 'bordermap_test'"};
    for (size_t i = 0; i < sizeof conns / sizeof conns[0]; i++) {
        int refused;
        GDALDatasetH ds = bm__source_open(ctx, conns[i], NULL, &refused);
        if (!ds)
            fail_msg("cannot open %s: %s", conns[i], CPLGetLastErrorMsg());
        assert_string_equal(scalar(ds, "SHOW default_transaction_read_only"), "on");
        assert_string_equal(scalar(ds, "SHOW statement_timeout"), "1min");
        if (i == 1)
            assert_string_equal(scalar(ds, "SHOW search_path"), "ops,public");
        /* What the review did: a write goes nowhere. */
        CPLPushErrorHandler(CPLQuietErrorHandler);
        OGRLayerH r = GDALDatasetExecuteSQL(ds, "CREATE TABLE bm_wall (x int)", NULL, NULL);
        CPLPopErrorHandler();
        if (r)
            GDALDatasetReleaseResultSet(ds, r);
        assert_string_equal(
            scalar(ds, "SELECT count(*) FROM pg_tables WHERE tablename = 'bm_wall'"), "0");
        GDALClose(ds);
    }
}

int main(void)
{
    GDALAllRegister();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_is_read_only),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
