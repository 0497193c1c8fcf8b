/* bordermap tests: maps drawn from the shipped recipes, checked against reviewed goldens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <dirent.h>
#include <gdal.h>
#include <ogr_api.h>
#include <geodesic.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "pngcmp.h"
#include "support.h"

#ifndef GOLDEN_DIR
#error "GOLDEN_DIR must name tests/golden"
#endif

static const char *const RECIPES[] = {"situation", "ruili-muse", "corridor", "print-grey"};

/* Render m at 100 dpi as the PNG png, then free m; what the drawing placed. */
static struct bm_render_info render_100(struct bm_map *m, const char *png)
{
    assert_int_equal(bm_map_set_dpi(ctx, m, 100), BM_OK);
    struct bm_render_info info;
    if (bm_map_render_info(ctx, m, BM_FORMAT_PNG, png, &info) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    return info;
}

/* The first layer of the shipped file rel, opened with OGR (not bordermap's loader); close *ds. */
static OGRLayerH ogr_layer(const char *rel, GDALDatasetH *ds)
{
    char path[4096];
    bm_ctx_data_path(ctx, rel, path, sizeof path);
    *ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(*ds);
    return GDALDatasetGetLayer(*ds, 0);
}

/*
 * Compare a render with its golden by the goldens' rule (pngcmp.h: at most
 * 100 pixels more than 8 levels apart, 1000 more than 2). On failure an image
 * of the differences is left beside the render for review.
 */
static void compare_png(const char *got, const char *want)
{
    struct png_diff d;
    char why[1024], diff[4200];
    snprintf(diff, sizeof diff, "%s.diff.png", got);
    int rc = png_compare(got, want, &d, diff, why, sizeof why);
    if (rc < 0 && file_size(want) < 0)
        fail_msg("no golden image %s: review %s and copy it there", want, got);
    if (rc != 0)
        fail_msg("%s", why);
    if (!png_diff_ok(&d))
        fail_msg("%s differs from %s: %ld px over 8 levels (at most %d), %ld over 2 (at most %d), "
                 "largest %d, within x %d..%d y %d..%d; see %s",
                 got, want, d.over8, PNG_MAX_OVER8, d.over2, PNG_MAX_OVER2, d.max, d.x0, d.x1, d.y0,
                 d.y1, diff);
}

static int is_text(const struct bm_placed_box *b)
{
    return b->kind == BM_BOX_LABEL || b->kind == BM_BOX_CALLOUT || b->kind == BM_BOX_ANNOTATION;
}

static int boxes_overlap(const struct bm_placed_box *a, const struct bm_placed_box *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h && b->y < a->y + a->h;
}

static int has_text(const struct bm_render_info *info, enum bm_box_kind kind, const char *text)
{
    for (size_t i = 0; i < info->nboxes; i++)
        if (info->boxes[i].kind == kind && info->boxes[i].text &&
            strcmp(info->boxes[i].text, text) == 0)
            return 1;
    return 0;
}

/*
 * The placed boxes of a map (bm_render_info): no text overlaps anything but
 * its own label's boxes (other labels, markers, furniture), and every text
 * (and, with furniture set, every piece of furniture) lies inside the map
 * frame. At least min_texts texts were placed, so the check is not vacuous.
 */
static void check_boxes(const char *name, const struct bm_render_info *info, size_t min_texts,
                        int furniture)
{
    const double *f = info->frame;
    size_t texts = 0;
    for (size_t i = 0; i < info->nboxes; i++) {
        const struct bm_placed_box *a = &info->boxes[i];
        if (!is_text(a) && (a->kind != BM_BOX_FURNITURE || !furniture))
            continue;
        texts += is_text(a);
        if (!(a->x >= f[0] && a->y >= f[1] && a->x + a->w <= f[0] + f[2] &&
              a->y + a->h <= f[1] + f[3]))
            fail_msg("%s: '%s' (%.1f,%.1f %.1f x %.1f pt) is not inside the frame %.1f,%.1f "
                     "%.1f x %.1f",
                     name, a->text ? a->text : "?", a->x, a->y, a->w, a->h, f[0], f[1], f[2], f[3]);
        if (!is_text(a))
            continue;
        for (size_t j = 0; j < info->nboxes; j++) {
            const struct bm_placed_box *b = &info->boxes[j];
            if (j != i && b->id != a->id && boxes_overlap(a, b))
                fail_msg("%s: '%s' overlaps %s '%s' (%.1f,%.1f %.1fx%.1f and %.1f,%.1f %.1fx%.1f)",
                         name, a->text, b->kind == BM_BOX_MARKER ? "the marker of" : "",
                         b->text ? b->text : "?", a->x, a->y, a->w, a->h, b->x, b->y, b->w, b->h);
        }
    }
    if (texts < min_texts)
        fail_msg("%s: only %zu texts placed, expected at least %zu", name, texts, min_texts);
}

/*
 * Each shipped recipe at 100 dpi: the image matches its golden (pngcmp.h),
 * and its placed boxes keep the labels' promises (check_boxes).
 */
static void recipes_match_their_goldens(void **state)
{
    (void)state;
    static const size_t min_texts[] = {90, 25, 70, 90};
    for (size_t i = 0; i < sizeof RECIPES / sizeof RECIPES[0]; i++) {
        struct bm_map *m = load_style(RECIPES[i]);
        char name[64], golden[4096];
        snprintf(name, sizeof name, "%s.png", RECIPES[i]);
        snprintf(golden, sizeof golden, "%s/%s.png", GOLDEN_DIR, RECIPES[i]);
        /* Goldens at 100 dpi: small enough to keep in the repository. */
        assert_int_equal(bm_map_set_dpi(ctx, m, 100), BM_OK);
        struct bm_render_info info;
        if (bm_map_render_info(ctx, m, BM_FORMAT_PNG, tmp_path(name), &info) != BM_OK)
            fail_msg("%s", bm_ctx_error(ctx));
        check_boxes(RECIPES[i], &info, min_texts[i], 1);
        if (i == 0) {
            /* The towns the issue saw collide, and the annotations, are all placed. */
            static const char *const names[] = {"Kutkai", "Hsenwi", "Ruili", "Naypyidaw"};
            for (size_t k = 0; k < 4; k++)
                if (!has_text(&info, BM_BOX_LABEL, names[k]))
                    fail_msg("situation: no label '%s'", names[k]);
            assert_true(has_text(&info, BM_BOX_ANNOTATION, "504.9 km"));
            assert_true(has_text(&info, BM_BOX_FURNITURE, "legend"));
        }
        if (i == 1) {
            /* Mangshi airport lies outside the Ruili-Muse map: an arrow at the frame's edge
             * points to it (north-east, the top right quarter), with the geodesic distance
             * from the map's centre, Ruili (GeodSolve: 81.4 km). */
            const double *f = info.frame;
            size_t k = 0;
            while (k < info.nboxes &&
                   !(info.boxes[k].kind == BM_BOX_CALLOUT && info.boxes[k].text &&
                     strcmp(info.boxes[k].text, "Mangshi airport (LUM) · 81 km") == 0))
                k++;
            if (k == info.nboxes)
                fail_msg("ruili-muse: no locator for Mangshi airport");
            const struct bm_placed_box *b = &info.boxes[k];
            if (!(b->x > f[0] + f[2] / 2 && b->y + b->h < f[1] + f[3] / 2))
                fail_msg("ruili-muse: the locator at %.1f,%.1f is not in the north-east", b->x,
                         b->y);
        }
        compare_png(tmp_path(name), golden);
        bm_map_free(m);
    }
}

static void every_recipe_draws_pdf_and_svg(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RECIPES / sizeof RECIPES[0]; i++) {
        struct bm_map *m = load_style(RECIPES[i]);
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
    struct bm_map *m = load_style("situation");
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
 * PROJ by this test, measure scale_pt on the page to within 2e-4 (the bar
 * agrees to 1e-4; drawn for a sphere it would be 1.6e-3 off).
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
        if (fabs(page - info.scale_pt) > 2e-4 * page)
            fail_msg("%s: scale bar %.3f pt for %g km, the geodesic measures %.3f pt", defs[i],
                     info.scale_pt, info.scale_km, page);
        proj_destroy(norm);
        proj_destroy(pj);
        proj_context_destroy(pc);
        bm_map_free(m);
    }
}

/*
 * A font that is not installed is drawn in Noto Sans, with one warning a
 * drawing, and nothing of its name is kept: the map is byte for byte the one
 * drawn in Noto Sans (Pango keeps every font description it is given, so
 * names from recipes would otherwise grow a long-running process without end;
 * found by fuzzing the drawing). Font variations are dropped the same way.
 */
static void missing_fonts_draw_in_noto_sans(void **state)
{
    (void)state;
    static const char *const fonts[] = {"Noto Sans Bold", "Zzfont Bold",
                                        "Zzfont, Noto Sans Bold @wght=650"};
    char png[3][64];
    for (int i = 0; i < 3; i++) {
        const char *rp = tmp_path("font.yaml");
        char text[1024];
        snprintf(text, sizeof text,
                 "page: {size: A5, dpi: 100}\nextent: {around: Ruili, radius_km: 60}\n"
                 "layers:\n  - name: places\n    source: %s/shapes/places/places.shp\n"
                 "    label: {field: name, font: \"%s\", size: 9}\n",
                 bm_ctx_data_root(ctx), fonts[i]);
        assert_int_equal(write_text(rp, text), 0);
        struct bm_map *m;
        if (bm_map_load(ctx, rp, &m) != BM_OK)
            fail_msg("%s", bm_ctx_error(ctx));
        bm_ctx_clear_warnings(ctx);
        snprintf(png[i], sizeof png[i], "font%d.png", i);
        if (bm_map_render(ctx, m, BM_FORMAT_PNG, tmp_path(png[i])) != BM_OK)
            fail_msg("%s", bm_ctx_error(ctx));
        bm_map_free(m);
        if (i == 0) {
            assert_int_equal(bm_ctx_warning_count(ctx), 0);
            continue;
        }
        assert_int_equal(bm_ctx_warning_count(ctx), 1);
        assert_string_equal(bm_ctx_warning(ctx, 0),
                            "no font 'Zzfont' is installed; its text is drawn in Noto Sans");
        struct png_diff d;
        char why[1024];
        assert_int_equal(png_compare(tmp_path(png[i]), tmp_path(png[0]), &d, NULL, why, sizeof why),
                         0);
        if (d.max != 0)
            fail_msg("'%s' is not drawn as Noto Sans Bold: %ld px differ", fonts[i], d.over2);
    }
    bm_ctx_clear_warnings(ctx);
}

static void refused_outputs_leave_no_file(void **state)
{
    (void)state;
    struct bm_map *m = load_style("situation");
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
    m = load_style("situation");
    assert_int_equal(bm_map_render(ctx, m, BM_FORMAT_PNG, path), BM_ERR_IO);
    char want[4300];
    snprintf(want, sizeof want, "will not write '%s': it is the recipe; choose another output name",
             path);
    assert_string_equal(bm_ctx_error(ctx), want);
    assert_int_equal(file_size(path), before);
    bm_map_free(m);
}

/* ---- probes: what the image shows where PROJ puts a place ---------------- */

/* lon/lat of a place in the shipped gazetteer, read with OGR (not bordermap's loader). */
static void place_lonlat(const char *name, double *lon, double *lat)
{
    char path[4096], where[128];
    bm_ctx_data_path(ctx, "shapes/places/places.shp", path, sizeof path);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    snprintf(where, sizeof where, "name = '%s'", name);
    assert_int_equal(OGR_L_SetAttributeFilter(l, where), OGRERR_NONE);
    OGRFeatureH f = OGR_L_GetNextFeature(l);
    if (!f)
        fail_msg("no place '%s' in %s", name, path);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    *lon = OGR_G_GetX(g, 0);
    *lat = OGR_G_GetY(g, 0);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

/* lon/lat to a map's CRS by PROJ, in the test's own PROJ context. */
struct proj {
    PJ_CONTEXT *pc;
    PJ *pj;
};

static struct proj proj_open(const char *crs)
{
    struct proj p = {proj_context_create(), NULL};
    PJ *raw = proj_create_crs_to_crs(p.pc, "EPSG:4326", crs, NULL);
    assert_non_null(raw);
    p.pj = proj_normalize_for_visualization(p.pc, raw);
    proj_destroy(raw);
    assert_non_null(p.pj);
    return p;
}

static void proj_xy(const struct proj *p, double lon, double lat, double *x, double *y)
{
    PJ_COORD c = proj_trans(p->pj, PJ_FWD, proj_coord(lon, lat, 0, 0));
    *x = c.xy.x;
    *y = c.xy.y;
}

static void proj_close(struct proj *p)
{
    proj_destroy(p->pj);
    proj_context_destroy(p->pc);
}

/* An RGB image in memory, from a PNG (cairo) or a GeoTIFF (GDAL: bands 1-3, alpha 4). */
struct image {
    int w, h;
    unsigned char *rgba; /* 4 bytes a pixel: R, G, B, alpha */
};

static struct image image_png(const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    struct image im = {cairo_image_surface_get_width(s), cairo_image_surface_get_height(s), NULL};
    im.rgba = malloc((size_t)im.w * (size_t)im.h * 4);
    assert_non_null(im.rgba);
    const unsigned char *d = cairo_image_surface_get_data(s);
    int st = cairo_image_surface_get_stride(s),
        alpha = cairo_image_surface_get_format(s) == CAIRO_FORMAT_ARGB32;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++) {
            const unsigned char *p = d + y * st + 4 * x; /* B, G, R, A (premultiplied) */
            unsigned char *q = im.rgba + 4 * ((size_t)y * (size_t)im.w + (size_t)x);
            q[0] = p[2];
            q[1] = p[1];
            q[2] = p[0];
            q[3] = alpha ? p[3] : 255;
        }
    cairo_surface_destroy(s);
    return im;
}

static struct image image_tiff(GDALDatasetH ds)
{
    struct image im = {GDALGetRasterXSize(ds), GDALGetRasterYSize(ds), NULL};
    int bands = GDALGetRasterCount(ds);
    assert_true(bands >= 3);
    im.rgba = malloc((size_t)im.w * (size_t)im.h * 4);
    assert_non_null(im.rgba);
    memset(im.rgba, 255, (size_t)im.w * (size_t)im.h * 4);
    for (int b = 0; b < (bands >= 4 ? 4 : 3); b++)
        assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Read, 0, 0, im.w, im.h,
                                      im.rgba + b, im.w, im.h, GDT_Byte, 4, 4 * im.w),
                         CE_None);
    return im;
}

static const unsigned char *pixel(const struct image *im, int x, int y)
{
    return im->rgba + 4 * ((size_t)y * (size_t)im->w + (size_t)x);
}

/*
 * Is a pixel within reach px of (col, row) (pixel coordinates: the image's
 * top-left corner is 0,0) within tol levels of colour rgb (0xRRGGBB)?
 */
static int shows(const struct image *im, double col, double row, int reach, unsigned rgb, int tol)
{
    int cx = (int)floor(col), cy = (int)floor(row);
    for (int y = cy - reach; y <= cy + reach; y++)
        for (int x = cx - reach; x <= cx + reach; x++) {
            if (x < 0 || y < 0 || x >= im->w || y >= im->h)
                continue;
            const unsigned char *p = pixel(im, x, y);
            if (abs(p[0] - (int)(rgb >> 16)) <= tol && abs(p[1] - (int)(rgb >> 8 & 255)) <= tol &&
                abs(p[2] - (int)(rgb & 255)) <= tol && p[3] == 255)
                return 1;
        }
    return 0;
}

/*
 * The centre of the red marker nearest (col, row), within reach px: the
 * centroid of redness (red over the mean of green and blue, times alpha),
 * weighted at pixel centres. Returns 0, or -1 when nothing red is there.
 */
static int red_centroid(const struct image *im, double col, double row, int reach, double *cx,
                        double *cy)
{
    double sw = 0, sx = 0, sy = 0;
    for (int y = (int)row - reach; y <= (int)row + reach; y++)
        for (int x = (int)col - reach; x <= (int)col + reach; x++) {
            if (x < 0 || y < 0 || x >= im->w || y >= im->h)
                continue;
            const unsigned char *p = pixel(im, x, y);
            double red = (p[0] - (p[1] + p[2]) / 2.0) * p[3] / 255.0;
            if (red <= 0)
                continue;
            sw += red;
            sx += red * (x + 0.5);
            sy += red * (y + 0.5);
        }
    if (sw < 255)
        return -1;
    *cx = sx / sw;
    *cy = sy / sw;
    return 0;
}

/* Where a projected point lands in an image with geotransform g (pixel coordinates). */
static void to_pixel(const double *g, double x, double y, double *col, double *row)
{
    *col = (x - g[0]) / g[1];
    *row = (y - g[3]) / g[5];
}

/*
 * The railway and the Ruili-Naypyidaw distance line of the situation map are
 * where PROJ puts them: at points along each railway segment (between its
 * vertices, projected by this test from rail.shp as OGR reads it) the image
 * shows the segment's colour by its status, and at points along the geodesic
 * from Ruili to Naypyidaw it shows the line's dark dashes, within 2 px. The
 * pixel of a projected point comes from the image's geotransform (itself
 * checked against the markers in geotiff_places_land_on_their_markers).
 */
static void railway_and_distance_line_are_drawn(void **state)
{
    (void)state;
    struct bm_map *m = load_style("situation");
    const char *png = tmp_path("probe.png");
    struct bm_render_info info = render_100(m, png);
    struct image im = image_png(png);
    struct proj p = proj_open(info.crs);
    const double *g = info.geotransform, k = info.px_per_pt, *fr = info.frame;
    double fx0 = fr[0] * k + 4, fy0 = fr[1] * k + 4, fx1 = (fr[0] + fr[2]) * k - 4,
           fy1 = (fr[1] + fr[3]) * k - 4;

    /* The railway: the colour of its casing, or of its line where it has none
     * (styles/situation.yaml). */
    GDALDatasetH ds;
    OGRLayerH l = ogr_layer("shapes/infrastructure/rail.shp", &ds);
    OGRFeatureH f;
    int probes = 0, hits = 0;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        const char *status = OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "status"));
        unsigned colour = strcmp(status, "operational") == 0          ? 0x1f1f1f
                          : strcmp(status, "under construction") == 0 ? 0x666666
                                                                      : 0x7a7a7a;
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        int nparts = OGR_G_GetGeometryCount(geom);
        for (int pi = 0; pi < (nparts ? nparts : 1); pi++) {
            OGRGeometryH part = nparts ? OGR_G_GetGeometryRef(geom, pi) : geom;
            for (int v = 1; v < OGR_G_GetPointCount(part); v++) {
                double x0, y0, x1, y1;
                proj_xy(&p, OGR_G_GetX(part, v - 1), OGR_G_GetY(part, v - 1), &x0, &y0);
                proj_xy(&p, OGR_G_GetX(part, v), OGR_G_GetY(part, v), &x1, &y1);
                for (int q = 1; q <= 3; q++) {
                    double col, row, t = q / 4.0;
                    to_pixel(g, x0 + t * (x1 - x0), y0 + t * (y1 - y0), &col, &row);
                    if (col < fx0 || col > fx1 || row < fy0 || row > fy1)
                        continue;
                    probes++;
                    hits += shows(&im, col, row, 2, colour, 24);
                }
            }
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    if (probes < 30 || hits < 0.85 * probes)
        fail_msg("the railway shows at %d of %d points along it", hits, probes);

    /* The distance line: dark dashes (#1a1a1a) along the geodesic, 5 % to 95 % of the way. */
    double lon1, lat1, lon2, lat2;
    place_lonlat("Ruili", &lon1, &lat1);
    place_lonlat("Naypyidaw", &lon2, &lat2);
    struct geod_geodesic geod;
    struct geod_geodesicline line;
    geod_init(&geod, 6378137, 1 / 298.257223563);
    geod_inverseline(&line, &geod, lat1, lon1, lat2, lon2,
                     GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_DISTANCE_IN);
    probes = hits = 0;
    for (int q = 1; q < 20; q++) {
        double lat, lon, x, y, col, row;
        geod_position(&line, line.s13 * q / 20, &lat, &lon, NULL);
        proj_xy(&p, lon, lat, &x, &y);
        to_pixel(g, x, y, &col, &row);
        probes++;
        hits += shows(&im, col, row, 2, 0x1a1a1a, 24);
    }
    if (hits < 16)
        fail_msg("the Ruili-Naypyidaw line shows at %d of %d points along it", hits, probes);
    proj_close(&p);
    free(im.rgba);
}

/*
 * Does segment (x0,y0)-(x1,y1) meet the box b, grown by m on each side? (Liang-Barsky.)
 * The test's own oracle, written apart from the library's bm__segment_meets_rect on
 * purpose: a bug there must not hide here.
 */
static int segment_meets_box(double x0, double y0, double x1, double y1,
                             const struct bm_placed_box *b, double m)
{
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {x0 - (b->x - m), b->x + b->w + m - x0, y0 - (b->y - m),
                         b->y + b->h + m - y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0 && t > t0)
                t0 = t;
            else if (p[i] > 0 && t < t1)
                t1 = t;
            if (t0 > t1)
                return 0;
        }
    }
    return 1;
}

/*
 * Labels keep off the lines where a free place is near (issue 14): on the
 * Ruili-Muse map, no box of Ruili's or Muse's label (three lines: English,
 * Chinese, Burmese) is crossed by the border, whose vertices this test reads
 * from border_cn_mm.shp with OGR and puts on the page with PROJ and the
 * image's geotransform (the border's stroke is 2.6 pt wide: the boxes are
 * grown by its half width). Before, Ruili's Burmese name sat on the border.
 */
static void labels_keep_off_the_border(void **state)
{
    (void)state;
    struct bm_map *m = load_style("ruili-muse");
    struct bm_render_info info = render_100(m, tmp_path("keep_off.png"));
    struct proj p = proj_open(info.crs);
    const double *g = info.geotransform, k = info.px_per_pt;
    GDALDatasetH ds;
    OGRLayerH l = ogr_layer("shapes/boundaries/border_cn_mm.shp", &ds);
    static const char *const towns[] = {"Ruili", "Muse"};
    size_t boxes = 0, near = 0;
    for (size_t t = 0; t < 2; t++)
        for (size_t i = 0; i < info.nboxes; i++) {
            const struct bm_placed_box *b = &info.boxes[i];
            if (b->kind != BM_BOX_LABEL || !b->text || strcmp(b->text, towns[t]) != 0)
                continue;
            boxes++;
            OGR_L_ResetReading(l);
            OGRFeatureH f;
            while ((f = OGR_L_GetNextFeature(l)) != NULL) {
                OGRGeometryH geom = OGR_F_GetGeometryRef(f);
                double px = NAN, py = NAN;
                for (int v = 0; v < OGR_G_GetPointCount(geom); v++) {
                    double x, y, col, row;
                    proj_xy(&p, OGR_G_GetX(geom, v), OGR_G_GetY(geom, v), &x, &y);
                    to_pixel(g, x, y, &col, &row);
                    double qx = col / k, qy = row / k;
                    if (v > 0 && fabs(qx - b->x) < 200 && fabs(qy - b->y) < 200)
                        near++;
                    if (v > 0 && segment_meets_box(px, py, qx, qy, b, 1.3))
                        fail_msg("ruili-muse: the border crosses %s's label box %.1f,%.1f "
                                 "%.1fx%.1f pt (between %.1f,%.1f and %.1f,%.1f)",
                                 towns[t], b->x, b->y, b->w, b->h, px, py, qx, qy);
                    px = qx;
                    py = qy;
                }
                OGR_F_Destroy(f);
            }
        }
    GDALClose(ds);
    proj_close(&p);
    /* Both labels placed, and the border does pass near them: the check is not vacuous. */
    if (boxes < 2 || near < 20)
        fail_msg("ruili-muse: %zu label boxes of Ruili and Muse, %zu border segments near them",
                 boxes, near);
}

/* The distance from (x, y) to the segment (x0,y0)-(x1,y1). */
static double to_segment(double x, double y, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? fmin(1, fmax(0, ((x - x0) * dx + (y - y0) * dy) / l2)) : 0;
    return hypot(x - (x0 + t * dx), y - (y0 + t * dy));
}

/*
 * River names follow the river glyph by glyph (placement: curved): on the
 * situation map the Irrawaddy's name is one box per cluster (at least one
 * per letter), and each box's centre lies within 7 pt (10 px at 100 dpi) of
 * the river, whose lines this test reads from rivers.shp with OGR and puts
 * on the page with PROJ and the geotransform; a straight label, placed along
 * the chord of a bending river, strays from it. The boxes turn: the label is
 * not straight (their centres are not on one line to within 0.5 pt).
 */
/*
 * A curved name in three scripts that the river has no room or straight enough
 * course for is set in its first line alone, rather than left out: the
 * Irrawaddy around Lashio (its course on the page shorter than
 * "Irrawaddy · 伊洛瓦底江 · ဧရာဝတီမြစ်") is named "Irrawaddy", one glyph box a
 * letter.
 */
static void curved_names_fall_back_to_their_first_line(void **state)
{
    (void)state;
    static const char recipe[] = "title: Curved names\n"
                                 "extent: {around: Lashio, radius_km: 150}\n"
                                 "layers:\n"
                                 "  - name: rivers\n"
                                 "    source: shapes/water/rivers.shp\n"
                                 "    where: \"rank <= 2 AND name = 'Irrawaddy'\"\n"
                                 "    stroke: {color: \"#6f9fd8\", width: 0.8}\n"
                                 "    label: {field: name, zh: name_zh, my: name_my, size: 8, "
                                 "placement: curved}\n";
    struct bm_map *m = NULL;
    if (bm_map_load_text(ctx, recipe, sizeof recipe - 1, "curved", &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    struct bm_render_info info = render_100(m, tmp_path("fallback.png"));
    size_t boxes = 0, id = 0;
    for (size_t i = 0; i < info.nboxes; i++) {
        const struct bm_placed_box *b = &info.boxes[i];
        if (b->kind != BM_BOX_LABEL || !b->text || strcmp(b->text, "Irrawaddy") != 0)
            continue;
        if (boxes == 0)
            id = b->id;
        boxes += b->id == id;
    }
    if (boxes != 9)
        fail_msg("the Irrawaddy's first curved name has %zu glyph boxes, not 9 (its letters)",
                 boxes);
}

static void river_names_follow_the_river(void **state)
{
    (void)state;
    struct bm_map *m = load_style("situation");
    struct bm_render_info info = render_100(m, tmp_path("curved.png"));
    struct proj p = proj_open(info.crs);
    const double *g = info.geotransform, k = info.px_per_pt;
    /* The Irrawaddy on the page: its segments, in points. */
    GDALDatasetH ds;
    OGRLayerH l = ogr_layer("shapes/water/rivers.shp", &ds);
    assert_int_equal(OGR_L_SetAttributeFilter(l, "name = 'Irrawaddy' AND rank <= 2"), OGRERR_NONE);
    double *seg = NULL;
    size_t nseg = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) != NULL) {
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        int n = OGR_G_GetPointCount(geom);
        seg = realloc(seg, (nseg + (size_t)n) * 4 * sizeof *seg);
        assert_non_null(seg);
        double px = 0, py = 0;
        for (int v = 0; v < n; v++) {
            double x, y, col, row;
            proj_xy(&p, OGR_G_GetX(geom, v), OGR_G_GetY(geom, v), &x, &y);
            to_pixel(g, x, y, &col, &row);
            if (v > 0) {
                double *q = seg + 4 * nseg++;
                q[0] = px, q[1] = py, q[2] = col / k, q[3] = row / k;
            }
            px = col / k;
            py = row / k;
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    proj_close(&p);
    size_t boxes = 0;
    double cx[64], cy[64];
    for (size_t i = 0; i < info.nboxes; i++) {
        const struct bm_placed_box *b = &info.boxes[i];
        if (b->kind != BM_BOX_LABEL || !b->text || strcmp(b->text, "Irrawaddy") != 0)
            continue;
        double x = b->x + b->w / 2, y = b->y + b->h / 2, best = INFINITY;
        for (size_t s = 0; s < nseg; s++)
            best = fmin(
                best, to_segment(x, y, seg[4 * s], seg[4 * s + 1], seg[4 * s + 2], seg[4 * s + 3]));
        if (best > 7)
            fail_msg("situation: a glyph of 'Irrawaddy' at %.1f,%.1f is %.1f pt from the river", x,
                     y, best);
        if (boxes < 64) {
            cx[boxes] = x;
            cy[boxes] = y;
        }
        boxes++;
    }
    free(seg);
    if (boxes < 9)
        fail_msg("situation: 'Irrawaddy' has %zu glyph boxes, expected one a letter", boxes);
    /* Not one straight line: some centre lies off the chord from the first to the last. */
    size_t n = boxes < 64 ? boxes : 64;
    double most = 0;
    for (size_t i = 1; i + 1 < n; i++)
        most = fmax(most, to_segment(cx[i], cy[i], cx[0], cy[0], cx[n - 1], cy[n - 1]));
    if (most < 0.5)
        fail_msg("situation: 'Irrawaddy' is straight (%.2f pt off its chord at most)", most);
}

/*
 * A GeoTIFF read back with GDAL: its CRS is the recipe's and its pixels are
 * 72/dpi points of the page. Four places of the gazetteer, drawn as red
 * markers, land where PROJ puts them: each marker's centre, measured in the
 * image, is within 0.25 px of the place projected by this test and turned
 * into a pixel by the file's geotransform. The world file agrees with a
 * geotransform derived from the markers alone (a least-squares fit of
 * their centres against their projected positions), not from the GeoTIFF.
 */
static void geotiff_places_land_on_their_markers(void **state)
{
    (void)state;
    static const char *const names[] = {"Ruili", "Lashio", "Tengchong", "Myitkyina"};
    const char *rp = tmp_path("geo.yaml");
    char text[1024];
    snprintf(text, sizeof text,
             "extent: {west: 97.0, south: 22.7, east: 99.0, north: 25.6}\n"
             "projection: \"EPSG:32647\"\npage: {size: A5, dpi: 100}\n"
             "layers:\n  - name: places\n    source: %s/shapes/places/places.shp\n"
             "    where: \"name IN ('Ruili', 'Lashio', 'Tengchong', 'Myitkyina')\"\n"
             "    marker: {shape: circle, size: 5, fill: \"#ff0000\", stroke: \"#ffffff\"}\n",
             bm_ctx_data_root(ctx));
    assert_int_equal(write_text(rp, text), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, rp, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    struct bm_render_info info;
    const char *tif = tmp_path("geo.tif");
    if (bm_map_render_info(ctx, m, BM_FORMAT_GEOTIFF, tif, &info) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    assert_int_equal(bm_write_world_file(ctx, &info, tif), BM_OK);

    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_non_null(ds);
    double g[6];
    assert_int_equal(GDALGetGeoTransform(ds, g), CE_None);
    OGRSpatialReferenceH got = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    OGRSpatialReferenceH want = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(want, 32647);
    assert_true(OSRIsSame(got, want));
    OSRDestroySpatialReference(got);
    OSRDestroySpatialReference(want);
    /* A pixel is 72/dpi points of the page. */
    assert_true(fabs(g[1] - 72.0 / 100 / info.pt_per_metre) < 1e-9 * g[1]);
    assert_true(g[5] == -g[1] && g[2] == 0 && g[4] == 0);
    struct image im = image_tiff(ds);
    GDALClose(ds);

    struct proj p = proj_open("EPSG:32647");
    double X[4], Y[4], C[4], R[4];
    for (int i = 0; i < 4; i++) {
        double lon, lat, col, row;
        place_lonlat(names[i], &lon, &lat);
        proj_xy(&p, lon, lat, &X[i], &Y[i]);
        to_pixel(g, X[i], Y[i], &col, &row);
        if (red_centroid(&im, col, row, 15, &C[i], &R[i]) != 0)
            fail_msg("no marker within 15 px of %s's pixel %.2f, %.2f", names[i], col, row);
        if (hypot(C[i] - col, R[i] - row) > 0.25)
            fail_msg("%s: its marker is at pixel %.3f, %.3f; PROJ and the geotransform put it at "
                     "%.3f, %.3f",
                     names[i], C[i], R[i], col, row);
    }
    proj_close(&p);
    free(im.rgba);

    /* X = x0 + s * col and Y = y0 - s * row, fitted to the markers by least squares. */
    double mc = 0, mr = 0, mx = 0, my = 0, scc = 0, scx = 0, srr = 0, sry = 0;
    for (int i = 0; i < 4; i++) {
        mc += C[i] / 4;
        mr += R[i] / 4;
        mx += X[i] / 4;
        my += Y[i] / 4;
    }
    for (int i = 0; i < 4; i++) {
        scc += (C[i] - mc) * (C[i] - mc);
        scx += (C[i] - mc) * (X[i] - mx);
        srr += (R[i] - mr) * (R[i] - mr);
        sry += (R[i] - mr) * (Y[i] - my);
    }
    double sx = scx / scc, sy = -sry / srr, x0 = mx - sx * mc, y0 = my + sy * mr;
    /* The world file names the centre of the top-left pixel. */
    double expect[6] = {sx, 0, 0, -sy, x0 + sx / 2, y0 - sy / 2}, v[6];
    FILE *wf = fopen(tmp_path("geo.tfw"), "r");
    assert_non_null(wf);
    for (int i = 0; i < 6; i++)
        assert_int_equal(fscanf(wf, "%lf", &v[i]), 1);
    fclose(wf);
    for (int i = 0; i < 6; i++) {
        /* The scale to 0.1 %, the origin to a quarter of a pixel. */
        double tol = i == 0 || i == 3 ? 1e-3 * sx : i == 1 || i == 2 ? 1e-9 : 0.25 * sx;
        if (fabs(v[i] - expect[i]) > tol)
            fail_msg("world file line %d is %.6f; the markers give %.6f", i + 1, v[i], expect[i]);
    }
    assert_true(file_size(tmp_path("geo.prj")) > 100);
}

/* The first line of a command's output that holds want, into line; 0, or -1 when none. */
/*
 * Edges at print resolutions are sampled 4 x 4 a pixel (cairo's FAST), on
 * screens 256 x 15 (its default): a black line on white, drawn at 300 dpi,
 * shows only the 17 greys of sixteenths of coverage (0, 15, 31, ... 255),
 * and at 100 dpi many more. The middle fifth of the page holds the line alone.
 */
static int greys_of_line(int dpi, int *off_grid)
{
    const char *gj = tmp_path("aa-line.geojson");
    assert_int_equal(write_text(gj, "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": "
                                    "\"Feature\", \"properties\": {}, \"geometry\": {\"type\": "
                                    "\"LineString\", \"coordinates\": [[97, 23], [99, 25.3]]}}]}\n"),
                     0);
    const char *rp = tmp_path("aa-line.yaml");
    char text[1024];
    snprintf(text, sizeof text,
             "extent: {west: 96.5, south: 22.5, east: 99.5, north: 25.5}\n"
             "projection: \"EPSG:32647\"\npage: {size: 100x80mm, dpi: %d}\n"
             "background: \"#ffffff\"\nlayers:\n  - name: line\n    source: %s\n"
             "    stroke: {color: \"#000000\", width: 1}\n",
             dpi, gj);
    assert_int_equal(write_text(rp, text), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, rp, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    const char *tif = tmp_path("aa-line.tif");
    if (bm_map_render(ctx, m, BM_FORMAT_GEOTIFF, tif) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_non_null(ds);
    struct image im = image_tiff(ds);
    GDALClose(ds);
    int seen[256] = {0}, greys = 0;
    *off_grid = 0;
    for (int y = im.h * 2 / 5; y < im.h * 3 / 5; y++)
        for (int x = im.w * 2 / 5; x < im.w * 3 / 5; x++) {
            int v = pixel(&im, x, y)[0];
            greys += !seen[v];
            *off_grid += !seen[v] && v != 0 && (v + 1) % 16 != 0;
            seen[v] = 1;
        }
    free(im.rgba);
    return greys;
}

static void print_resolutions_sample_edges_coarser(void **state)
{
    (void)state;
    int off_grid;
    int greys = greys_of_line(300, &off_grid);
    if (greys < 10 || off_grid != 0)
        fail_msg("at 300 dpi the line's edge shows %d greys, %d of them not a sixteenth of "
                 "coverage; expected 4 x 4 samples a pixel (up to 17 greys, all sixteenths)",
                 greys, off_grid);
    greys = greys_of_line(100, &off_grid);
    if (greys <= 17)
        fail_msg("at 100 dpi the line's edge shows only %d greys; expected cairo's full "
                 "antialiasing on screens (more than 17)",
                 greys);
}

/*
 * A hole is a hole whichever way its ring turns: a polygon whose outer ring and
 * hole both run counter-clockwise (GeoJSON that ignores the right-hand rule)
 * leaves the hole unfilled, and a ring inside the hole, again counter-clockwise,
 * is filled again (even-odd). Probed in a GeoTIFF at the points PROJ puts the
 * middles of the outer band, the hole and the island.
 */
static void holes_stay_empty_whatever_their_winding(void **state)
{
    (void)state;
    const char *gj = tmp_path("holes.geojson");
    assert_int_equal(
        write_text(gj, "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
                       "\"properties\": {\"name\": \"ring\"}, \"geometry\": {\"type\": "
                       "\"Polygon\", \"coordinates\": ["
                       "[[97, 23], [99, 23], [99, 25], [97, 25], [97, 23]],"
                       "[[97.5, 23.5], [98.5, 23.5], [98.5, 24.5], [97.5, 24.5], [97.5, 23.5]],"
                       "[[97.8, 23.8], [98.2, 23.8], [98.2, 24.2], [97.8, 24.2], [97.8, 23.8]]"
                       "]}}]}\n"),
        0);
    const char *rp = tmp_path("holes.yaml");
    char text[1024];
    snprintf(text, sizeof text,
             "extent: {west: 96.5, south: 22.5, east: 99.5, north: 25.5}\n"
             "projection: \"EPSG:32647\"\npage: {size: A5, dpi: 72}\nbackground: \"#ffffff\"\n"
             "layers:\n  - name: ring\n    source: %s\n    fill: \"#0000ff\"\n",
             gj);
    assert_int_equal(write_text(rp, text), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, rp, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    const char *tif = tmp_path("holes.tif");
    if (bm_map_render(ctx, m, BM_FORMAT_GEOTIFF, tif) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_non_null(ds);
    double g[6];
    assert_int_equal(GDALGetGeoTransform(ds, g), CE_None);
    struct image im = image_tiff(ds);
    GDALClose(ds);
    struct proj p = proj_open("EPSG:32647");
    static const struct {
        double lon, lat;
        unsigned rgb;
        const char *what;
    } probe[] = {{97.25, 24, 0x0000ff, "the outer band"},
                 {97.65, 24, 0xffffff, "the hole"},
                 {98, 24, 0x0000ff, "the island in the hole"}};
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++) {
        double x, y, col, row;
        proj_xy(&p, probe[i].lon, probe[i].lat, &x, &y);
        to_pixel(g, x, y, &col, &row);
        if (!shows(&im, col, row, 0, probe[i].rgb, 8))
            fail_msg("%s (%.2f, %.2f: pixel %.1f, %.1f) is not #%06x", probe[i].what, probe[i].lon,
                     probe[i].lat, col, row, probe[i].rgb);
    }
    proj_close(&p);
    free(im.rgba);
}

static int command_line(const char *cmd, const char *want, char *line, size_t size)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int found = -1;
    while (fgets(line, (int)size, p))
        if (found != 0 && strstr(line, want)) {
            found = 0;
            break;
        }
    while (found == 0 && fgetc(p) != EOF)
        ;
    pclose(p);
    return found;
}

/*
 * A PNG with --world-file opens in GDAL with its CRS, from the .aux.xml
 * beside it (GDAL reads no .prj beside a PNG): gdalsrsinfo names it after
 * what it is, and gdaltransform, reading only the image and its sidecars,
 * turns Ruili's lon/lat (from the gazetteer, read with OGR) into the pixel
 * where the map drew Ruili's marker (the centre of the marker's box the
 * drawing reports), within 1 px.
 */
static void png_sidecars_place_ruili(void **state)
{
    (void)state;
    struct bm_map *m = load_style("situation");
    const char *png = tmp_path("crs.png");
    struct bm_render_info info = render_100(m, png);
    assert_int_equal(bm_write_world_file(ctx, &info, png), BM_OK);
    char cmd[4300], line[4096];
    snprintf(cmd, sizeof cmd, "gdalsrsinfo -o wkt1 '%s' 2>&1", png);
    if (command_line(cmd, "PROJCS[\"bordermap LCC ", line, sizeof line) != 0)
        fail_msg("gdalsrsinfo finds no 'bordermap LCC' CRS in %s", png);
    double lon, lat, col, row, mx = NAN, my = NAN;
    place_lonlat("Ruili", &lon, &lat);
    snprintf(cmd, sizeof cmd, "echo '%.9f %.9f' | gdaltransform -i -t_srs EPSG:4326 '%s'", lon, lat,
             png);
    if (command_line(cmd, " ", line, sizeof line) != 0 || sscanf(line, "%lf %lf", &col, &row) != 2)
        fail_msg("gdaltransform gives no pixel for Ruili: %s", line);
    for (size_t i = 0; i < info.nboxes; i++) {
        const struct bm_placed_box *b = &info.boxes[i];
        if (b->kind == BM_BOX_MARKER && b->text && strcmp(b->text, "Ruili") == 0) {
            mx = (b->x + b->w / 2) * info.px_per_pt;
            my = (b->y + b->h / 2) * info.px_per_pt;
        }
    }
    if (!(hypot(col - mx, row - my) <= 1))
        fail_msg("gdaltransform puts Ruili at pixel %.2f, %.2f; its marker is drawn at %.2f, %.2f",
                 col, row, mx, my);
}

/*
 * The frame alone (bm_map_set_frame_only): the map frame of the page and
 * nothing else, at the same scale and place. Read back with GDAL: its size
 * is the frame's in whole pixels, its geotransform the page's moved to the
 * frame's corner, it has an alpha band; where nothing was drawn (the map has
 * no area layer) it is transparent, and Ruili's red marker is opaque where
 * PROJ and the geotransform put it.
 */
static void geotiff_frame_only_is_the_frame(void **state)
{
    (void)state;
    const char *rp = tmp_path("frame.yaml");
    char text[1024];
    snprintf(text, sizeof text,
             "title: Frame\nextent: {around: Ruili, radius_km: 30}\npage: {size: A5, dpi: 100}\n"
             "layers:\n  - {name: border, source: %s/shapes/boundaries/border_cn_mm.shp, "
             "stroke: black, legend: Border}\n"
             "  - name: places\n    source: %s/shapes/places/places.shp\n"
             "    where: \"name = 'Ruili'\"\n"
             "    marker: {shape: circle, size: 6, fill: \"#ff0000\", stroke: \"#ff0000\"}\n",
             bm_ctx_data_root(ctx), bm_ctx_data_root(ctx));
    assert_int_equal(write_text(rp, text), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, rp, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    struct bm_render_info page, frame;
    if (bm_map_render_info(ctx, m, BM_FORMAT_PNG, tmp_path("page.png"), &page) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    const char *tif = tmp_path("frame.tif");
    assert_int_equal(bm_map_set_frame_only(ctx, m, 1), BM_OK);
    if (bm_map_render_info(ctx, m, BM_FORMAT_GEOTIFF, tif, &frame) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_non_null(ds);
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    double k = page.px_per_pt, g[6];
    if (w != (int)floor(page.frame[2] * k) || h != (int)floor(page.frame[3] * k))
        fail_msg("the frame alone is %d x %d px; the page's frame is %.2f x %.2f", w, h,
                 page.frame[2] * k, page.frame[3] * k);
    assert_int_equal(GDALGetRasterCount(ds), 4);
    assert_int_equal(GDALGetRasterColorInterpretation(GDALGetRasterBand(ds, 4)), GCI_AlphaBand);
    assert_int_equal(GDALGetGeoTransform(ds, g), CE_None);
    const double *gp = page.geotransform;
    if (fabs(g[1] - gp[1]) > 1e-9 * gp[1] ||
        fabs(g[0] - (gp[0] + page.frame[0] * k * gp[1])) > 1e-3 ||
        fabs(g[3] - (gp[3] + page.frame[1] * k * gp[5])) > 1e-3)
        fail_msg("the frame's geotransform %.3f %.6f %.3f is not the page's at the frame's corner",
                 g[0], g[1], g[3]);
    struct image im = image_tiff(ds);
    GDALClose(ds);
    long clear = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++)
            clear += pixel(&im, x, y)[3] == 0;
    if (clear < (long)im.w * im.h / 2)
        fail_msg("only %ld of %d pixels are transparent", clear, im.w * im.h);
    assert_int_equal(pixel(&im, 0, 0)[3], 0);
    double lon, lat, x, y, col, row, cx, cy;
    place_lonlat("Ruili", &lon, &lat);
    struct proj p = proj_open(frame.crs);
    proj_xy(&p, lon, lat, &x, &y);
    proj_close(&p);
    to_pixel(g, x, y, &col, &row);
    if (!shows(&im, col, row, 1, 0xff0000, 8) || red_centroid(&im, col, row, 12, &cx, &cy) != 0 ||
        hypot(cx - col, cy - row) > 0.5)
        fail_msg("no opaque red marker at Ruili's pixel %.2f, %.2f", col, row);
    free(im.rgba);
}

/*
 * Pixels of a and b (same size) that differ by more than 2 levels in a
 * channel; where either is transparent, by alpha alone (a PNG read by cairo
 * is premultiplied, a GeoTIFF read by GDAL is not).
 */
static long pixels_apart(const struct image *a, const struct image *b)
{
    long apart = 0;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++) {
            const unsigned char *p = pixel(a, x, y), *q = pixel(b, x, y);
            int far = abs(p[3] - q[3]) > 2;
            for (int c = 0; c < 3 && p[3] == 255 && q[3] == 255; c++)
                far |= abs(p[c] - q[c]) > 2;
            apart += far;
        }
    return apart;
}

/*
 * A PNG is played back from its recording a band of rows at a time (at A4
 * and 300 dpi, 35 MB of pixels in bands of 4 MB), and a shape across bands
 * is drawn in each with only its points near the band; a GeoTIFF is drawn on
 * the whole page. The two agree but for a few edge pixels on band boundaries
 * (cairo clips a band's operations to its rows: the situation map's
 * graticule, 24 pixels) and one level in resampled relief. A band lost or
 * shifted, or a shape cut where it crosses a band, differs in thousands. The
 * situation map (relief clipped to the land, thick and dashed lines, a
 * buffer band), and a frame alone (alpha) with a cased border.
 */
static void png_bands_match_the_whole_page(void **state)
{
    (void)state;
    const char *frame = tmp_path("bands-frame.yaml");
    char text[1024];
    snprintf(text, sizeof text,
             "extent: {west: 96, south: 20, east: 102, north: 27}\n"
             "page: {size: A4, orientation: landscape, dpi: 300}\noutput: {frame_only: true}\n"
             "layers:\n  - {name: countries, source: %s/shapes/boundaries/countries.shp, "
             "fill: \"#eeeeee\", stroke: {color: \"#555555\", width: 0.5}}\n"
             "  - {name: border, source: %s/shapes/boundaries/border_cn_mm.shp, stroke: "
             "{color: \"#b2182b\", width: 1.5, casing: {color: \"#ffffff\", width: 2.5}}}\n",
             bm_ctx_data_root(ctx), bm_ctx_data_root(ctx));
    assert_int_equal(write_text(frame, text), 0);
    char situation[4096];
    snprintf(situation, sizeof situation, "%s/styles/situation.yaml", bm_ctx_data_root(ctx));
    const char *recipes[] = {situation, frame};
    GDALAllRegister();
    for (size_t i = 0; i < 2; i++) {
        struct bm_map *m;
        if (bm_map_load(ctx, recipes[i], &m) != BM_OK)
            fail_msg("%s", bm_ctx_error(ctx));
        const char *png = tmp_path("bands.png"), *tif = tmp_path("bands.tif");
        if (bm_map_render(ctx, m, BM_FORMAT_PNG, png) != BM_OK ||
            bm_map_render(ctx, m, BM_FORMAT_GEOTIFF, tif) != BM_OK)
            fail_msg("%s", bm_ctx_error(ctx));
        bm_map_free(m);
        struct image a = image_png(png);
        GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
        assert_non_null(ds);
        struct image b = image_tiff(ds);
        GDALClose(ds);
        if (a.w != b.w || a.h != b.h || (long)a.w * a.h * 4 < 8L << 20)
            fail_msg("%s: PNG %d x %d, GeoTIFF %d x %d: expected one page of several bands",
                     recipes[i], a.w, a.h, b.w, b.h);
        long apart = pixels_apart(&a, &b);
        if (apart > 60)
            fail_msg("%s: %ld pixels of the PNG (drawn in bands) differ from the GeoTIFF (drawn "
                     "whole) by more than 2 levels; expected at most 60",
                     recipes[i], apart);
        free(a.rgba);
        free(b.rgba);
    }
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

/*
 * Draw one recipe as the drawing fuzzer does (tests/fuzz/fuzz_draw.c): on a
 * 50 mm page at 72 dpi, in each format. It draws, or fails with a message;
 * what it draws keeps the labels' promise. Returns how many formats drew.
 */
static int draw_small(const char *path)
{
    static const enum bm_format formats[] = {BM_FORMAT_PNG, BM_FORMAT_PDF, BM_FORMAT_SVG,
                                             BM_FORMAT_GEOTIFF};
    static const char *const out[] = {"small.png", "small.pdf", "small.svg", "small.tif"};
    struct bm_map *m;
    if (bm_map_load(ctx, path, &m) != BM_OK) {
        assert_true(bm_ctx_error(ctx)[0] != '\0');
        return 0;
    }
    int drew = 0;
    assert_int_equal(bm_map_set_page(ctx, m, 50, 50), BM_OK);
    assert_int_equal(bm_map_set_dpi(ctx, m, 72), BM_OK);
    for (int k = 0; k < 4; k++) {
        struct bm_render_info info;
        if (bm_map_render_info(ctx, m, formats[k], tmp_path(out[k]), &info) != BM_OK) {
            assert_true(bm_ctx_error(ctx)[0] != '\0');
            continue;
        }
        /* Texts only: on a page this small the furniture may not fit the frame. */
        check_boxes(path, &info, 0, 0);
        drew++;
    }
    bm_map_free(m);
    bm_ctx_clear_warnings(ctx);
    return drew;
}

/* Each .yaml file of a folder through draw_small(); returns how many drew. */
static int draw_folder(const char *dir, size_t *files)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("no folder %s", dir);
    struct dirent *e;
    int drew = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        drew += draw_small(path) > 0;
        (*files)++;
    }
    closedir(d);
    return drew;
}

/*
 * The drawing fuzzer's seeds (every layer kind, labels, annotations,
 * furniture) and the inputs it once failed on (tests/fuzz/regressions/draw),
 * drawn as it draws them.
 */
static void fuzz_draw_seeds_and_regressions(void **state)
{
    (void)state;
    size_t files = 0;
    int drew = draw_folder(FUZZ_DIR "/seeds/draw", &files);
    /* Every seed draws: they are the fuzzer's way in. */
    assert_int_equal(drew, (int)files);
    assert_true(files >= 5);
    draw_folder(FUZZ_DIR "/regressions/draw", &files);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recipes_match_their_goldens),
        cmocka_unit_test(every_recipe_draws_pdf_and_svg),
        cmocka_unit_test(pdf_text_is_text),
        cmocka_unit_test(scale_bar_is_geodesically_true),
        cmocka_unit_test(missing_fonts_draw_in_noto_sans),
        cmocka_unit_test(refused_outputs_leave_no_file),
        cmocka_unit_test(railway_and_distance_line_are_drawn),
        cmocka_unit_test(labels_keep_off_the_border),
        cmocka_unit_test(river_names_follow_the_river),
        cmocka_unit_test(curved_names_fall_back_to_their_first_line),
        cmocka_unit_test(geotiff_places_land_on_their_markers),
        cmocka_unit_test(holes_stay_empty_whatever_their_winding),
        cmocka_unit_test(print_resolutions_sample_edges_coarser),
        cmocka_unit_test(png_sidecars_place_ruili),
        cmocka_unit_test(geotiff_frame_only_is_the_frame),
        cmocka_unit_test(png_bands_match_the_whole_page),
        cmocka_unit_test(report_has_maps_tables_sources),
        cmocka_unit_test(atlas_frames_each_crossing),
        cmocka_unit_test(fuzz_draw_seeds_and_regressions),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
