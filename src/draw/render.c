/* bordermap: drawing a map: the page, the projection, the output file. */
#include "bordermap/map.h"
#include "core/internal.h"
#include "map/map.h"
#include "draw/render.h"
#include "map/scene.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MM (72.0 / 25.4)  /* points per millimetre */
#define MAX_SIDE_PX 20000 /* a PNG side beyond this is refused before any allocation */
#define MAX_PIXELS 250e6  /* 1 GB of pixels */

static int setup_frame(struct bm__render *r, double dpi, int raster)
{
    const struct bm_map *m = r->map;
    struct bm__frame *f = &r->cv.f;
    double margin = 8 * MM;
    f->page = (struct bm__rect){0, 0, m->page_w_mm * MM, m->page_h_mm * MM};
    double top = margin + bm__title_height(m), bottom = margin + (m->furniture.credits ? 12 : 0);
    /* Room outside the frame for the graticule's degree labels. */
    double gl = m->furniture.graticule_step > 0 && m->furniture.graticule_labels ? 12 : 0;
    f->map = (struct bm__rect){margin + gl, top + gl, f->page.w - 2 * margin - 2 * gl,
                               f->page.h - top - bottom - 2 * gl};
    /* Simplify to a device pixel; for vector output to 0.5 pt (0.18 mm), with the
     * Douglas-Peucker tolerance half that: finer than print shows. */
    f->res = raster ? 72.0 / dpi : 0.5;
    f->extent = m->extent;
    return bm__frame_fit(r->ctx, f, m->projection, m->path);
}

/* ---- output ----------------------------------------------------------- */

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

static enum bm_status check_size(struct bm_ctx *ctx, const struct bm_map *m, enum bm_format format,
                                 int *w, int *h)
{
    int raster = format == BM_FORMAT_PNG || format == BM_FORMAT_GEOTIFF;
    double wpx = m->page_w_mm / 25.4 * (raster ? m->dpi : 72);
    double hpx = m->page_h_mm / 25.4 * (raster ? m->dpi : 72);
    if (!(wpx >= 1 && hpx >= 1) || wpx > MAX_SIDE_PX || hpx > MAX_SIDE_PX || wpx * hpx > MAX_PIXELS)
        return bm__fail(ctx, BM_ERR_RENDER,
                        "a page of %.0f x %.0f mm at %.0f dpi is %.0f x %.0f pixels, more than "
                        "bordermap draws (%d per side, %.0f million in all); lower the dpi or "
                        "the page size",
                        m->page_w_mm, m->page_h_mm, m->dpi, wpx, hpx, MAX_SIDE_PX,
                        MAX_PIXELS / 1e6);
    *w = (int)ceil(wpx);
    *h = (int)ceil(hpx);
    return BM_OK;
}

static cairo_surface_t *make_surface(enum bm_format format, const char *tmp, int w, int h,
                                     const struct bm_map *m)
{
    double wpt = m->page_w_mm * MM, hpt = m->page_h_mm * MM;
    if (format == BM_FORMAT_PDF) {
        cairo_surface_t *s = cairo_pdf_surface_create(tmp, wpt, hpt);
        if (m->title)
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, m->title);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "bordermap");
        return s;
    }
    if (format == BM_FORMAT_SVG)
        return cairo_svg_surface_create(tmp, wpt, hpt);
    return cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h); /* PNG, GeoTIFF */
}

/* The passes, in order: each leaves its claims for the next. */
static int draw_map(struct bm__render *r)
{
    struct bm__canvas *cv = &r->cv;
    bm__canvas_blank(cv);
    bm__draw_title(r);
    /* Everything geographic is clipped to the frame. */
    bm__canvas_clip_map(cv, r->map->background);
    int bad = bm__draw_layers(r) != 0 || bm__draw_annotations_under(r) != 0;
    if (!bad)
        bm__draw_graticule(r);
    bm__canvas_unclip(cv);
    if (bad)
        return -1;
    /* Furniture first, so that labels keep clear of it; then the main labels, the
     * callouts around them, and the other labels around both. */
    bm__draw_furniture(r);
    bm__draw_labels(r, 1);
    bm__draw_annotations_over(r);
    return bm__draw_labels(r, 0);
}

/*
 * Everything the map needs, from the scene (loaded into it when missing),
 * before anything is drawn: each layer in its scale range, and the inset's
 * world map. A layer that cannot be loaded fails the map; a world map that
 * cannot, only the inset.
 */
static int gather(struct bm__render *r, struct bm_scene *scene)
{
    const struct bm_map *m = r->map;
    /* The map's scale denominator at its centre: ground metres per page metre. */
    double scale = bm__frame_scale(&r->cv.f);
    for (size_t li = 0; li < m->nlayers; li++) {
        const struct bm_map_layer *ml = &m->layers[li];
        if ((ml->min_scale > 0 && scale < ml->min_scale) ||
            (ml->max_scale > 0 && scale > ml->max_scale))
            continue; /* outside its scale range: not drawn, not labelled */
        if (bm__scene_map_layer(r->ctx, scene, m, li, &r->cv.f.view, &r->layers[li]) != BM_OK)
            return -1;
    }
    if (m->furniture.inset != BM_CORNER_NONE) {
        struct bm_bbox window = bm__inset_window(r);
        if (bm__scene_world(r->ctx, scene, &window, &r->world) != BM_OK) {
            bm_ctx_clear_error(r->ctx); /* no inset rather than no map */
            r->world = NULL;
        }
    }
    return 0;
}

static void free_render(struct bm__render *r)
{
    for (size_t i = 0; i < r->map->nlayers; i++) {
        if (r->page_xy)
            free(r->page_xy[i]);
        if (r->skip)
            free(r->skip[i]);
    }
    free(r->skip);
    free(r->layers);
    free(r->page_xy);
    bm__canvas_free(&r->cv);
}

void bm__map_page_size(const struct bm_map *m, double *w, double *h)
{
    *w = m->page_w_mm * MM;
    *h = m->page_h_mm * MM;
}

int bm__draw_page(struct bm_ctx *ctx, const struct bm_map *m, struct bm_scene *scene, cairo_t *cr)
{
    struct bm__render r = {.ctx = ctx, .map = m, .cv = {.ctx = ctx, .cr = cr}};
    r.layers = calloc(m->nlayers + 1, sizeof *r.layers);
    int bad =
        !r.layers || setup_frame(&r, 72, 0) != 0 || gather(&r, scene) != 0 || draw_map(&r) != 0;
    free_render(&r);
    return bad ? -1 : 0;
}

enum bm_status bm_scene_load(struct bm_ctx *ctx, struct bm_scene *scene, const struct bm_map *m)
{
    bm__begin(ctx);
    if (bm__scene_extent(scene) == BM_SCENE_WHOLE) {
        /* Whole layers serve any frame: no frame is needed to choose them. */
        const struct bm_layer *L;
        for (size_t li = 0; li < m->nlayers; li++)
            if (bm__scene_map_layer(ctx, scene, m, li, NULL, &L) != BM_OK)
                return bm_ctx_status(ctx);
        if (m->furniture.inset != BM_CORNER_NONE && bm__scene_world(ctx, scene, NULL, &L) != BM_OK)
            bm_ctx_clear_error(ctx); /* no inset rather than no map */
        return BM_OK;
    }
    /* The frame decides what a view loads, whatever the output's resolution. */
    struct bm__render r = {.ctx = ctx, .map = m, .cv = {.ctx = ctx}};
    r.layers = calloc(m->nlayers + 1, sizeof *r.layers);
    int bad = !r.layers || setup_frame(&r, m->dpi, 0) != 0 || gather(&r, scene) != 0;
    free_render(&r);
    if (bad && bm_ctx_status(ctx) == BM_OK)
        bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading the layers of '%s'", m->path);
    return bm_ctx_status(ctx);
}

enum bm_status bm_map_render(struct bm_ctx *ctx, const struct bm_map *m, enum bm_format format,
                             const char *path)
{
    return bm_map_render_info(ctx, m, format, path, NULL);
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

enum bm_status bm_map_render_scene(struct bm_ctx *ctx, const struct bm_map *m,
                                   struct bm_scene *scene, enum bm_format format, const char *path,
                                   struct bm_render_info *info)
{
    bm__begin(ctx);
    int w = 0, h = 0, raster = format == BM_FORMAT_PNG || format == BM_FORMAT_GEOTIFF;
    if (check_size(ctx, m, format, &w, &h) != BM_OK || check_not_an_input(ctx, m, path) != BM_OK)
        return bm_ctx_status(ctx);
    char tmp[PATH_MAX];
    if (bm__output_begin(ctx, path, tmp, sizeof tmp) != BM_OK)
        return bm_ctx_status(ctx);
    struct bm__render r = {.ctx = ctx, .map = m, .cv = {.ctx = ctx}};
    r.layers = calloc(m->nlayers + 1, sizeof *r.layers);
    /* The frame and the data first: nothing is drawn, nor any file made, until they are whole. */
    int bad = !r.layers || setup_frame(&r, m->dpi, raster) != 0 || gather(&r, scene) != 0;
    cairo_surface_t *s = bad ? NULL : make_surface(format, tmp, w, h, m);
    bad = bad || cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    if (!bad) {
        r.cv.cr = cairo_create(s);
        if (raster)
            cairo_scale(r.cv.cr, m->dpi / 72, m->dpi / 72);
        bad = draw_map(&r) != 0;
        cairo_destroy(r.cv.cr);
    }
    double g[6] = {0, 1, 0, 0, 0, -1};
    if (!bad && raster) {
        /* Pixel (col, row) -> page point (col, row) * 72 / dpi -> projected metres. */
        const struct bm__frame *f = &r.cv.f;
        double px = 72 / m->dpi / f->k;
        g[0] = f->x0 - f->map.x / f->k;
        g[1] = px;
        g[3] = f->y0 + f->map.y / f->k;
        g[5] = -px;
    }
    if (!bad && format == BM_FORMAT_PNG)
        bad = bm__write_png(s, tmp, m->dpi) != 0;
    else if (!bad && format == BM_FORMAT_GEOTIFF)
        bad = bm__write_geotiff(ctx, s, tmp, g, r.cv.f.crs) != 0;
    if (s) {
        cairo_surface_finish(s);
        bad = bad || cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    }
    if (info && !bad) {
        memset(info, 0, sizeof *info);
        info->scale_km = r.scalebar_km;
        info->scale_pt = r.scalebar_pt;
        info->pt_per_metre = r.cv.f.k;
        bm__frame_centre(&r.cv.f, &info->centre_lat, &info->centre_lon);
        memcpy(info->geotransform, g, sizeof g);
        snprintf(info->crs, sizeof info->crs, "%s", r.cv.f.crs);
    }
    if (s)
        cairo_surface_destroy(s);
    free_render(&r);
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        if (bm_ctx_status(ctx) == BM_OK)
            bm__fail(ctx, BM_ERR_IO,
                     "cannot write '%s'; check the disk has room and the folder "
                     "is writable",
                     path);
        return bm_ctx_status(ctx);
    }
    return BM_OK;
}
