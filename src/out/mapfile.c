/* bordermap: a map to a file: checked, drawn on its format's surface, written whole or not at all.
 */
#include "bordermap/map.h"
#include "bordermap/scene.h"
#include "core/internal.h"
#include "draw/render.h"
#include "map/map.h"
#include "out/formats.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIDE_PX 20000 /* a raster side beyond this is refused before any allocation */
#define MAX_PIXELS 250e6  /* 1 GB of pixels */

static enum bm_status check_not_an_input(struct bm_ctx *ctx, const struct bm_map *m,
                                         const char *path)
{
    if (bm__same_file(path, m->path))
        return bm__fail(ctx, BM_ERR_IO,
                        "will not write '%s': it is the recipe; choose another "
                        "output name",
                        path);
    for (size_t i = 0; i < m->nlayers; i++)
        if (m->layers[i].source && bm__same_file(path, m->layers[i].source))
            return bm__fail(ctx, BM_ERR_IO,
                            "will not write '%s': it is the source of layer '%s'; choose another "
                            "output name",
                            path, m->layers[i].name);
    return BM_OK;
}

/* The page in pixels (raster formats at the map's dpi, others at 72), refused when too large. */
static enum bm_status check_size(struct bm_ctx *ctx, const struct bm_map *m, int raster,
                                 struct bm__output *o)
{
    double wpx = m->page_w_mm / 25.4 * (raster ? m->dpi : 72);
    double hpx = m->page_h_mm / 25.4 * (raster ? m->dpi : 72);
    if (!(wpx >= 1 && hpx >= 1) || wpx > MAX_SIDE_PX || hpx > MAX_SIDE_PX || wpx * hpx > MAX_PIXELS)
        return bm__fail(ctx, BM_ERR_RENDER,
                        "a page of %.0f x %.0f mm at %.0f dpi is %.0f x %.0f pixels, more than "
                        "bordermap draws (%d per side, %.0f million in all); lower the dpi or "
                        "the page size",
                        m->page_w_mm, m->page_h_mm, m->dpi, wpx, hpx, MAX_SIDE_PX,
                        MAX_PIXELS / 1e6);
    o->w_px = (int)ceil(wpx);
    o->h_px = (int)ceil(hpx);
    return BM_OK;
}

/* Pixel (col, row) -> page point (col, row) * 72 / dpi -> projected metres. */
static void geotransform(const struct bm__frame *f, double dpi, double *g)
{
    double px = 72 / dpi / f->k;
    g[0] = f->x0 - f->map.x / f->k;
    g[1] = px;
    g[2] = 0;
    g[3] = f->y0 + f->map.y / f->k;
    g[4] = 0;
    g[5] = -px;
}

/* What the drawing measured; 0, or -1 when out of memory (the boxes are copied). */
static int fill_info(struct bm__render *r, const struct bm__output *o, int raster,
                     struct bm_render_info *info)
{
    memset(info, 0, sizeof *info);
    info->scale_km = r->scalebar_km;
    info->scale_pt = r->scalebar_pt;
    info->pt_per_metre = r->cv.f.k;
    bm__frame_centre(&r->cv.f, &info->centre_lat, &info->centre_lon);
    memcpy(info->geotransform, o->geotransform, sizeof info->geotransform);
    snprintf(info->crs, sizeof info->crs, "%s", r->cv.f.crs);
    const struct bm__rect *fr = &r->cv.f.map;
    info->frame[0] = fr->x;
    info->frame[1] = fr->y;
    info->frame[2] = fr->w;
    info->frame[3] = fr->h;
    info->px_per_pt = raster ? r->map->dpi / 72 : 1;
    info->boxes = bm__claims_publish(&r->cv, &info->nboxes);
    return info->boxes ? 0 : -1;
}

/* From this resolution on, a raster map is for print (see draw_and_write). */
enum { PRINT_DPI = 200 };

/* The fonts, readied on a second thread (fontconfig's first load: 26 M instructions). */
static void *warm_up(void *unused)
{
    (void)unused;
    bm__fonts_ready();
    return NULL;
}

/* Draw the begun map on the format's surface and write the file. 0 or -1. */
static int draw_and_write(struct bm__render *r, const struct bm__format *fmt, struct bm__output *o)
{
    const struct bm_map *m = r->map;
    cairo_surface_t *s = fmt->surface(o);
    int bad = !s || cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    if (!bad) {
        cairo_t *cr = cairo_create(s);
        if (fmt->info.raster)
            cairo_scale(cr, m->dpi / 72, m->dpi / 72);
        /* At print resolutions (200 dpi and up, a pixel 0.13 mm or less) shapes' edges are
         * sampled 4 x 4 a pixel (cairo's FAST: 17 levels of coverage) instead of 256 x 15:
         * no eye tells them apart on paper, and the scan conversion of strokes, a third of
         * a 300 dpi map's drawing, costs a fifth as much (the situation map: 0.84 -> 0.66 s
         * of CPU). On screens (below 200 dpi) an edge keeps every level. Text is
         * antialiased by its font options, and vector formats by their reader. */
        if (fmt->info.raster && m->dpi >= PRINT_DPI)
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
        bad = bm__render_draw(r, cr) != 0;
        cairo_destroy(cr);
    }
    if (!bad && fmt->write)
        bad = fmt->write(o, s) != 0;
    if (s) {
        cairo_surface_finish(s);
        bad = bad || cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
        cairo_surface_destroy(s);
    }
    return bad ? -1 : 0;
}

enum bm_status bm_map_render_scene(struct bm_ctx *ctx, const struct bm_map *m,
                                   struct bm_scene *scene, enum bm_format format, const char *path,
                                   struct bm_render_info *info)
{
    bm__begin(ctx);
    const struct bm__format *fmt = bm__format(format);
    if (!fmt)
        return bm__fail(ctx, BM_ERR_ARG, "no output format %d; see bordermap/format.h",
                        (int)format);
    int raster = fmt->info.raster;
    struct bm__outfile file;
    struct bm__output o = {
        .ctx = ctx, .path = path, .file = &file, .title = m->title, .dpi = m->dpi};
    bm__map_page_size(m, &o.w_pt, &o.h_pt);
    if (check_size(ctx, m, raster, &o) != BM_OK || check_not_an_input(ctx, m, path) != BM_OK ||
        bm__output_open(ctx, path, &file) != BM_OK)
        return bm_ctx_status(ctx);
    /* The frame alone when asked for; else the page, GeoTIFF too (a GeoTIFF of the
     * whole page is what the tools and tests written for it read). */
    int frame_only = m->output.frame_only == 1;
    /* SVG with real text: the canvas records the <text> elements, cairo writes into memory. */
    GPtrArray *texts = format == BM_FORMAT_SVG && m->output.svg_text == BM_SVG_TEXT
                           ? g_ptr_array_new_with_free_func(g_free)
                           : NULL;
    struct bm__buf stream = {0};
    o.svg_texts = texts;
    o.svg_stream = &stream;
    /* The frame and the data first: nothing is drawn until they are whole. */
    struct bm__render r;
    /* Fontconfig loads on a second thread while this one loads the data. */
    pthread_t warming;
    int warm = pthread_create(&warming, NULL, warm_up, NULL) == 0;
    int bad = bm__render_begin(&r, ctx, m, scene, m->dpi, raster, frame_only) != 0;
    if (warm)
        pthread_join(warming, NULL);
    r.cv.svg_texts = texts;
    if (!bad && frame_only) {
        /* The page is the frame: its size in points, and in whole pixels. */
        o.w_pt = r.cv.f.page.w;
        o.h_pt = r.cv.f.page.h;
        o.w_px = (int)lround(o.w_pt * m->dpi / 72);
        o.h_px = (int)lround(o.h_pt * m->dpi / 72);
        o.alpha = raster;
    }
    o.geotransform[1] = 1;
    o.geotransform[5] = -1;
    if (!bad && raster)
        geotransform(&r.cv.f, m->dpi, o.geotransform);
    o.crs = r.cv.f.crs;
    if (format == BM_FORMAT_PNG) { /* played back in bands (png.c) */
        r.cv.band_rows = bm__png_band_rows(o.w_px, o.alpha);
        r.cv.page_rows = o.h_px;
    }
    bad = bad || draw_and_write(&r, fmt, &o) != 0;
    if (info && !bad && fill_info(&r, &o, raster, info) != 0)
        bad = bm__fail(ctx, BM_ERR_NOMEM, "out of memory drawing '%s'", path) != BM_OK;
    bm__render_end(&r);
    if (texts)
        g_ptr_array_free(texts, TRUE);
    bm__buf_free(&stream);
    return bm__output_close(ctx, &file, !bad);
}

enum bm_status bm_map_render_info(struct bm_ctx *ctx, const struct bm_map *m, enum bm_format format,
                                  const char *path, struct bm_render_info *info)
{
    bm__begin(ctx);
    struct bm_scene *scene = bm_scene_new(BM_SCENE_VIEW);
    if (!scene)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory drawing '%s'", m->path);
    enum bm_status st = bm_map_render_scene(ctx, m, scene, format, path, info);
    bm_scene_free(scene);
    return st;
}

enum bm_status bm_map_render(struct bm_ctx *ctx, const struct bm_map *m, enum bm_format format,
                             const char *path)
{
    return bm_map_render_info(ctx, m, format, path, NULL);
}
