/* bordermap: drawing a map: its frame, its data from the scene, the passes in order. */
#include "bordermap/map.h"
#include "core/internal.h"
#include "map/map.h"
#include "draw/render.h"
#include "map/scene.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MM (72.0 / 25.4) /* points per millimetre */

static int setup_frame(struct bm__render *r, double dpi, int raster)
{
    const struct bm_map *m = r->map;
    struct bm__frame *f = &r->cv.f;
    double margin = 8 * MM;
    f->page = (struct bm__rect){0, 0, m->page_w_mm * MM, m->page_h_mm * MM};
    double top = margin + bm__title_height(m);
    /* Room outside the frame for the graticule's degree labels. */
    double gl = m->furniture.graticule_step > 0 && m->furniture.graticule_labels ? 12 : 0;
    double w = f->page.w - 2 * margin - 2 * gl;
    /* Room under it for the credits, as many lines as they may take (every layer drawn). */
    char *credits = bm__credits_text(m, NULL);
    double bottom =
        margin + (credits ? fmax(12, bm__text_height(credits, NULL, BM__CREDITS_PT, w) + 3) : 0);
    g_free(credits);
    f->map = (struct bm__rect){margin + gl, top + gl, w, f->page.h - top - bottom - 2 * gl};

    /* Simplify to a device pixel; for vector output to 0.5 pt (0.18 mm), with the
     * Douglas-Peucker tolerance half that: finer than print shows. */
    f->res = raster ? 72.0 / dpi : 0.5;
    f->pixels = raster;
    f->extent = m->extent;
    if (bm__frame_fit(r->ctx, f, m->projection, m->path) != 0)
        return -1;
    if (r->frame_only) {
        /* The page's frame, fitted as on the page, moved to the page's corner; on a
         * raster page cut at its right and bottom to whole pixels, so that no edge
         * pixel is half drawn. */
        if (raster) {
            f->map.w = floor(f->map.w * dpi / 72 + 1e-9) * 72 / dpi;
            f->map.h = floor(f->map.h * dpi / 72 + 1e-9) * 72 / dpi;
        }
        f->map.x = f->map.y = 0;
        f->page = f->map;
    }
    return 0;
}

/* The passes, in order: each leaves its claims for the next. */
static int draw_map(struct bm__render *r)
{
    struct bm__canvas *cv = &r->cv;
    /* The frame alone is transparent where nothing is drawn: no paper, no background. */
    if (!r->frame_only) {
        bm__canvas_blank(cv);
        bm__draw_title(r);
    }
    /* Everything geographic is clipped to the frame. */
    bm__canvas_clip_map(cv, r->frame_only ? (struct bm_color){0, 0, 0, 0} : r->map->background);
    int bad = bm__draw_layers(r) != 0 || bm__draw_annotations_under(r) != 0;
    if (!bad)
        bm__draw_graticule(r);
    bm__canvas_unclip(cv);
    if (bad)
        return -1;
    /* Furniture first, so that labels keep clear of it; then the main labels, the
     * callouts around them, and the other labels around both. */
    if (!r->frame_only)
        bm__draw_furniture(r);
    bm__draw_labels(r, 1);
    bm__draw_annotations_over(r);
    return bm__draw_labels(r, 0);
}

/* The index of the map layer named name (there is one: the recipe checked). */
static size_t layer_index(const struct bm_map *m, const char *name)
{
    size_t i = 0;
    while (i + 1 < m->nlayers && strcmp(m->layers[i].name, name) != 0)
        i++;
    return i;
}

/* The rasters' clip layers that are not drawn themselves (outside their scale range). */
static int gather_clips(struct bm__render *r, struct bm_scene *scene)
{
    const struct bm_map *m = r->map;
    for (size_t li = 0; li < m->nlayers; li++) {
        if (!r->rasters[li] || !m->layers[li].raster.clip)
            continue;
        size_t ci = layer_index(m, m->layers[li].raster.clip);
        if (r->layers[ci] || r->clips[ci])
            continue;
        if (bm__scene_map_layer(r->ctx, scene, m, ci, &r->cv.f.view, &r->clips[ci]) != BM_OK)
            return -1;
    }
    return 0;
}

/*
 * A second thread loads the last of a map's vector layers, about half of
 * them by size on disk, into a scene of its own while this one loads the
 * first (the situation map's countries, 28 ms, beside its divisions, 22 ms).
 * Its context is a sibling of the map's (the same data root and allowed
 * sources). When this thread reaches the first of them it waits, takes the
 * loaded layers into the map's scene and, layer by layer in the recipe's
 * order, the warnings they gave; a layer the helper could not load is loaded
 * again here, so that its error is the map's, as before.
 */
enum { SPLIT_BYTES = 4 << 20 }; /* less than this on disk: one thread loads it all */

struct helper {
    struct bm_ctx *ctx;
    struct bm_scene *scene;
    const struct bm_map *m;
    const struct bm_bbox *view;
    const unsigned char *mine; /* mine[li]: the helper loads layer li */
    size_t first;              /* the first of them */
    unsigned char *ok;         /* loaded */
    size_t *w0, *w1;           /* its warnings, [w0, w1) of the helper's context */
};

static void *help(void *arg)
{
    struct helper *h = arg;
    for (size_t li = h->first; li < h->m->nlayers; li++) {
        if (!h->mine[li])
            continue;
        const struct bm_layer *L;
        h->w0[li] = bm_ctx_warning_count(h->ctx);
        h->ok[li] = bm__scene_map_layer(h->ctx, h->scene, h->m, li, h->view, &L) == BM_OK;
        bm_ctx_clear_error(h->ctx);
        h->w1[li] = bm_ctx_warning_count(h->ctx);
    }
    return NULL;
}

/* A source's size on disk (a shapefile's .shp), 0 when it is not a file. */
static double size_on_disk(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (double)st.st_size : 0;
}

/* Is map layer ml drawn at this scale denominator? */
static int in_range(const struct bm_map_layer *ml, double scale)
{
    return !(ml->min_scale > 0 && scale < ml->min_scale) &&
           !(ml->max_scale > 0 && scale > ml->max_scale);
}

/*
 * Which layers the helper loads, in mine[] (the vector layers in range, last
 * first, until they weigh half of all of them); how many, 0 when none.
 * size[] is scratch, a double per layer.
 */
static size_t split_layers(const struct bm_map *m, double scale, double *size,
                           unsigned char *mine)
{
    double total = 0, tail = 0;
    for (size_t li = 0; li < m->nlayers; li++) {
        const struct bm_map_layer *ml = &m->layers[li];
        size[li] = !ml->is_raster && in_range(ml, scale) ? size_on_disk(ml->source) : -1;
        total += size[li] > 0 ? size[li] : 0;
    }
    if (total < SPLIT_BYTES)
        return 0;
    size_t n = 0;
    for (size_t li = m->nlayers; li-- > 0 && tail < total / 2;) {
        if (size[li] < 0)
            continue;
        tail += size[li];
        mine[li] = 1;
        n++;
    }
    return tail < total ? n : 0; /* everything in the tail: nothing left to share */
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
    /* Rasters need no more detail than the map's pixels show: degrees per pixel. */
    const struct bm_bbox *v = &r->cv.f.view;
    double detail = (v->east - v->west) / (r->cv.f.map.w * m->dpi / 72);
    size_t n = m->nlayers + 1;
    unsigned char *mine = calloc(n, 1), *ok = calloc(n, 1);
    size_t *w0 = calloc(n, sizeof *w0), *w1 = calloc(n, sizeof *w1);
    double *size = calloc(n, sizeof *size);
    /* Only a scene that holds nothing yet (one map's): a shared one has its layers. */
    struct helper h = {.m = m, .view = v, .mine = mine, .ok = ok, .w0 = w0, .w1 = w1};
    pthread_t tid;
    int helping = 0;
    if (mine && ok && w0 && w1 && size && bm_scene_count(scene) == 0 &&
        split_layers(m, scale, size, mine) > 0 && (h.ctx = bm__ctx_sibling(r->ctx)) != NULL &&
        (h.scene = bm__scene_sibling(scene)) != NULL) {
        while (!mine[h.first])
            h.first++;
        helping = pthread_create(&tid, NULL, help, &h) == 0;
    }
    int bad = 0;
    for (size_t li = 0; li < m->nlayers && !bad; li++) {
        const struct bm_map_layer *ml = &m->layers[li];
        if (!in_range(ml, scale))
            continue; /* outside its scale range: not drawn, not labelled */
        if (helping && li == h.first) {
            pthread_join(tid, NULL);
            helping = 0;
            bad = bm__scene_take(r->ctx, scene, h.scene) != BM_OK;
        }
        if (!bad && h.scene && mine[li] && ok[li])
            for (size_t w = w0[li]; w < w1[li]; w++)
                bm__warn(r->ctx, "%s", bm_ctx_warning(h.ctx, w));
        enum bm_status st =
            bad ? BM_ERR_NOMEM
            : ml->is_raster
                ? bm__scene_map_raster(r->ctx, scene, m, li, v, detail, &r->rasters[li])
                : bm__scene_map_layer(r->ctx, scene, m, li, v, &r->layers[li]);
        bad = st != BM_OK;
    }
    if (helping)
        pthread_join(tid, NULL);
    bm_scene_free(h.scene); /* what was not taken: a failed map's */
    if (h.ctx)
        bm_ctx_free(h.ctx);
    free(size);
    free(mine);
    free(ok);
    free(w0);
    free(w1);
    if (bad)
        return -1;
    if (gather_clips(r, scene) != 0)
        return -1;
    if (m->furniture.inset != BM_CORNER_NONE) {
        struct bm_bbox window = bm__inset_window(r);
        if (bm__scene_world(r->ctx, scene, &window, &r->world) != BM_OK) {
            bm_ctx_clear_error(r->ctx); /* no inset rather than no map */
            r->world = NULL;
        }
    }
    return 0;
}

/* The per-layer arrays of a drawing. 0, or -1 when out of memory. */
static int alloc_render(struct bm__render *r)
{
    size_t n = r->map->nlayers + 1;
    r->layers = calloc(n, sizeof *r->layers);
    r->rasters = calloc(n, sizeof *r->rasters);
    r->clips = calloc(n, sizeof *r->clips);
    return r->layers && r->rasters && r->clips ? 0 : -1;
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
    free(r->rasters);
    free(r->clips);
    free(r->drew);
    free(r->page_xy);
    bm__canvas_free(&r->cv);
}

void bm__map_page_size(const struct bm_map *m, double *w, double *h)
{
    *w = m->page_w_mm * MM;
    *h = m->page_h_mm * MM;
}

int bm__render_begin(struct bm__render *r, struct bm_ctx *ctx, const struct bm_map *m,
                     struct bm_scene *scene, double dpi, int raster, int frame_only)
{
    *r = (struct bm__render){.ctx = ctx, .map = m, .cv = {.ctx = ctx}, .frame_only = frame_only};
    return alloc_render(r) != 0 || setup_frame(r, dpi, raster) != 0 || gather(r, scene) != 0 ? -1
                                                                                             : 0;
}

int bm__render_draw(struct bm__render *r, cairo_t *cr)
{
    r->cv.cr = cr;
    int bad = draw_map(r) != 0 || r->cv.failed;
    r->cv.cr = NULL;
    return bad ? -1 : 0;
}

void bm__render_end(struct bm__render *r)
{
    if (r->map)
        free_render(r);
}

int bm__draw_page(struct bm_ctx *ctx, const struct bm_map *m, struct bm_scene *scene, cairo_t *cr)
{
    struct bm__render r;
    int bad = bm__render_begin(&r, ctx, m, scene, 72, 0, 0) != 0 || bm__render_draw(&r, cr) != 0;
    bm__render_end(&r);
    return bad ? -1 : 0;
}

enum bm_status bm_scene_load(struct bm_ctx *ctx, struct bm_scene *scene, const struct bm_map *m)
{
    bm__begin(ctx);
    if (bm__scene_extent(scene) == BM_SCENE_WHOLE) {
        /* Whole layers serve any frame: no frame is needed to choose them. */
        const struct bm_layer *L;
        const struct bm__raster *R;
        for (size_t li = 0; li < m->nlayers; li++)
            if ((m->layers[li].is_raster
                     ? bm__scene_map_raster(ctx, scene, m, li, NULL, 0, &R)
                     : bm__scene_map_layer(ctx, scene, m, li, NULL, &L)) != BM_OK)
                return bm_ctx_status(ctx);
        if (m->furniture.inset != BM_CORNER_NONE && bm__scene_world(ctx, scene, NULL, &L) != BM_OK)
            bm_ctx_clear_error(ctx); /* no inset rather than no map */
        return BM_OK;
    }
    /* The frame decides what a view loads, whatever the output's resolution. */
    struct bm__render r;
    int bad = bm__render_begin(&r, ctx, m, scene, m->dpi, 0, 0) != 0;
    bm__render_end(&r);
    if (bad && bm_ctx_status(ctx) == BM_OK)
        bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading the layers of '%s'", m->path);
    return bm_ctx_status(ctx);
}
