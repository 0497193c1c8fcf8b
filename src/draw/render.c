/* bordermap: drawing a map: its frame, its data from the scene, the passes in order. */
#include "bordermap/map.h"
#include "core/internal.h"
#include "map/map.h"
#include "draw/render.h"
#include "map/scene.h"

#include <stdlib.h>

#define MM (72.0 / 25.4) /* points per millimetre */

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

int bm__render_begin(struct bm__render *r, struct bm_ctx *ctx, const struct bm_map *m,
                     struct bm_scene *scene, double dpi, int raster)
{
    *r = (struct bm__render){.ctx = ctx, .map = m, .cv = {.ctx = ctx}};
    r->layers = calloc(m->nlayers + 1, sizeof *r->layers);
    return !r->layers || setup_frame(r, dpi, raster) != 0 || gather(r, scene) != 0 ? -1 : 0;
}

int bm__render_draw(struct bm__render *r, cairo_t *cr)
{
    r->cv.cr = cr;
    int bad = draw_map(r);
    r->cv.cr = NULL;
    return bad;
}

void bm__render_end(struct bm__render *r)
{
    if (r->map)
        free_render(r);
}

int bm__draw_page(struct bm_ctx *ctx, const struct bm_map *m, struct bm_scene *scene, cairo_t *cr)
{
    struct bm__render r;
    int bad = bm__render_begin(&r, ctx, m, scene, 72, 0) != 0 || bm__render_draw(&r, cr) != 0;
    bm__render_end(&r);
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
    struct bm__render r;
    int bad = bm__render_begin(&r, ctx, m, scene, m->dpi, 0) != 0;
    bm__render_end(&r);
    if (bad && bm_ctx_status(ctx) == BM_OK)
        bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading the layers of '%s'", m->path);
    return bm_ctx_status(ctx);
}
