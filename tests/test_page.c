/* bordermap tests: the page transform puts points where PROJ's own pipeline does, to the bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <proj.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "draw/canvas.h"

/* Longitude, latitude: a grid over the region (a large layer's worth, projected in two
 * threads), then points PROJ refuses or wraps. */
static size_t test_points(double *xy)
{
    size_t n = 0;
    for (double lon = 85; lon <= 110; lon += 0.037)
        for (double lat = 5; lat <= 35; lat += 0.041) {
            xy[n++] = lon;
            xy[n++] = lat;
        }
    static const double odd[] = {98,  90, 98, -90, 98, 91,  181,   20,    540,      20, -98, 20,
                                 NAN, 20, 98, NAN, 98, 1e9, 1e300, 1e300, INFINITY, 20, 0,   0};
    memcpy(xy + n, odd, sizeof odd);
    return (n + sizeof odd / sizeof odd[0]) / 2;
}

/*
 * bm__to_page() against PROJ: EPSG:4326 to the projection by
 * proj_create_crs_to_crs() and proj_normalize_for_visualization(), as the
 * map sets it up, then the frame's scale and offset. Where it calls the
 * projection step alone, the coordinates must still be PROJ's pipeline's to
 * the last bit (a pixel's edge can fall between two neighbouring doubles).
 */
static void same_as_proj(const char *projection, int direct)
{
    struct bm_ctx *ctx = bm_ctx_new();
    assert_non_null(ctx);
    struct bm__frame f = {.map = {20, 30, 700, 500}, .extent = {91, 9, 107, 30}};
    assert_int_equal(bm__frame_fit(ctx, &f, projection, "test"), 0);
    if (direct)
        assert_non_null(f.step);
    else
        assert_null(f.step);
    double *got = malloc(2 * 600000 * sizeof *got), *want = malloc(2 * 600000 * sizeof *want);
    assert_non_null(got);
    assert_non_null(want);
    size_t n = test_points(got);
    assert_true(n > 65536 && n < 600000);
    memcpy(want, got, 2 * n * sizeof *got);
    bm__to_page(&f, got, n);

    PJ_CONTEXT *pc = proj_context_create();
    proj_log_level(pc, PJ_LOG_NONE); /* the points out of range are meant */
    PJ *raw = proj_create_crs_to_crs(pc, "EPSG:4326", f.crs, NULL);
    PJ *pj = proj_normalize_for_visualization(pc, raw);
    assert_non_null(pj);
    proj_trans_generic(pj, PJ_FWD, want, 2 * sizeof(double), n, want + 1, 2 * sizeof(double), n,
                       NULL, 0, 0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++) {
        double x = want[2 * i], y = want[2 * i + 1];
        int bad = !isfinite(x) || !isfinite(y);
        double wx = bad ? NAN : f.map.x + (x - f.x0) * f.k,
               wy = bad ? NAN : f.map.y + (f.y0 - y) * f.k;
        if (isnan(wx) ? !isnan(got[2 * i]) : wx != got[2 * i])
            fail_msg("%s, point %zu: x %.17g, PROJ's %.17g", projection, i, got[2 * i], wx);
        if (isnan(wy) ? !isnan(got[2 * i + 1]) : wy != got[2 * i + 1])
            fail_msg("%s, point %zu: y %.17g, PROJ's %.17g", projection, i, got[2 * i + 1], wy);
    }
    proj_destroy(pj);
    proj_destroy(raw);
    proj_context_destroy(pc);
    proj_destroy(f.pj);
    proj_destroy(f.step);
    free(got);
    free(want);
    bm_ctx_free(ctx);
}

static void projections_as_proj_draws_them(void **state)
{
    (void)state;
    same_as_proj("auto", 1); /* Lambert conformal conic */
    same_as_proj("+proj=merc +lon_0=98 +datum=WGS84 +units=m +type=crs", 1);
    same_as_proj("EPSG:32647", 1); /* UTM 47N */
    same_as_proj("+proj=laea +lat_0=20 +lon_0=98", 1);
    same_as_proj("+proj=tmerc +lon_0=97 +ellps=krass +units=m", 1);
    /* no step alone: feet (a last unit conversion), degrees (no projection at all) */
    same_as_proj("+proj=tmerc +lon_0=97 +datum=WGS84 +units=us-ft", 0);
    same_as_proj("EPSG:4326", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(projections_as_proj_draws_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
