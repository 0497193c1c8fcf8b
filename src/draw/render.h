/*
 * bordermap internal: drawing a map, in passes.
 *
 *   render.c     orchestrates: the frame, the data from the scene, the order of the passes
 *                (out/mapfile.c makes the surface and writes the file, by its format)
 *   draw.c       the layers (areas, lines, points) and their legend entries
 *   annotate.c   buffer bands and distance lines under the labels; callouts over them
 *   label.c      the labels of every layer, by priority, without collisions
 *   furniture.c  title, neatline, graticule, legend, scale bar, north arrow, inset, credits
 *   canvas.c     what they all draw with (canvas.h)
 *
 * A pass calls down into the canvas and reads the map and the loaded layers;
 * it never calls render.c or another pass. What one pass leaves for a later
 * one (the legend entries, the claims on the canvas) is data in struct
 * bm__render.
 */
#ifndef BM_RENDER_H
#define BM_RENDER_H

#include "bordermap/layer.h"
#include "bordermap/scene.h"
#include "draw/canvas.h"
#include "map/map.h"

struct bm__raster;

/* What was drawn, for the legend: one entry per layer or rule that showed. */
struct bm__legend_entry {
    const char *text;
    struct bm_style style; /* merged style of that entry */
    enum bm_geom_type type;
    /* A raster layer's entry (type BM_GEOM_NONE): its colours by value; NULL otherwise. */
    const struct bm_raster_style *raster;
    double lo, hi; /* the raster's lowest and highest values (its grey without a ramp) */
};

struct bm__drawn {
    struct bm__legend_entry e[64];
    size_t n;
};

/* The state of one drawing. */
struct bm__render {
    struct bm_ctx *ctx;
    const struct bm_map *map;
    struct bm__canvas cv;
    struct bm__drawn drawn;            /* left by the layers for the legend */
    const struct bm_layer **layers;    /* per map layer, from the scene (NULL: not drawn) */
    const struct bm__raster **rasters; /* per raster map layer, from the scene (NULL: not drawn) */
    const struct bm_layer **clips;     /* per map layer that a raster is clipped to and that is
                                          not drawn itself: its polygons, from the scene */
    unsigned char *drew;               /* per map layer: something of it showed (for credits) */
    const struct bm_layer *world;      /* the inset's world map, from the scene (NULL: none) */
    double **page_xy;                  /* each loaded layer's points on the page */
    unsigned char **skip; /* per layer: features not drawn (events with bad dates), or NULL */
    double scalebar_km, scalebar_pt; /* what the scale bar shows, for checking */
    int frame_only; /* the page is the map frame: no margins, title, furniture, background */
};

/* ---- the passes, in the order render.c calls them ---- */

/* furniture.c: the height of m's title block, pt (0: none), and the block itself. */
double bm__title_height(const struct bm_map *m);
void bm__draw_title(struct bm__render *r);
/* furniture.c: the credits line: the credit of each layer drew[] marks as shown (NULL: of
 * every layer that has one), each once, then the furniture's credits. NULL when none; g_free. */
char *bm__credits_text(const struct bm_map *m, const unsigned char *drew);
#define BM__CREDITS_PT 6 /* the credits' text size */
/* furniture.c: the part of the world the inset shows, degrees (for the scene). */
struct bm_bbox bm__inset_window(const struct bm__render *r);
/* draw.c: every layer render.c took from the scene, drawn; the legend entries. 0 or -1. */
int bm__draw_layers(struct bm__render *r);
/* raster.c: raster map layer li, warped to the page, coloured, clipped and blended. 0 or -1. */
int bm__draw_raster(struct bm__render *r, size_t li);
/* draw.c: map layer li's points on the page, once (r->page_xy[li]), from r->layers[li] or, for
 * a layer only clipped to, r->clips[li]; and scratch for its parts. 0 or -1. */
int bm__layer_on_page(struct bm__render *r, size_t li);
/* draw.c: map layer li's polygons (on the page), held by the canvas for
 * bm__canvas_paint_held(). Returns 1 when any showed. */
int bm__hold_polygons(struct bm__render *r, size_t li);
/* draw.c: note a legend entry (the first time its text shows). */
void bm__note_legend(struct bm__render *r, const struct bm__legend_entry *e);

/* annotate.c: buffer bands and distance lines, among the layers. */
int bm__draw_annotations_under(struct bm__render *r);
/* furniture.c: the graticule's lines (inside the frame's clip). */
void bm__draw_graticule(struct bm__render *r);
/* furniture.c: the neatline, graticule labels, inset, north arrow, scale bar, legend, credits. */
void bm__draw_furniture(struct bm__render *r);
/* label.c: labels of priority 1 and 2 when first is set (and all markers claimed), else the
 * rest. */
int bm__draw_labels(struct bm__render *r, int first);
/* annotate.c: callouts and the distance lines' labels. */
void bm__draw_annotations_over(struct bm__render *r);

/* ---- what render.c offers the outputs (out/) ---- */

/*
 * Begin drawing m: zero r, set up the frame (raster: device pixels at dpi for
 * simplifying; else points) and take every layer m needs from scene, loading
 * what it lacks. Nothing is drawn yet. frame_only: the page is the map frame
 * alone (the same frame, at the same scale, as on the whole page; on a raster
 * page whole pixels), drawn without background or furniture. Returns 0, or -1
 * with the failure on ctx (none when out of memory). Call bm__render_end() in
 * every case.
 */
int bm__render_begin(struct bm__render *r, struct bm_ctx *ctx, const struct bm_map *m,
                     struct bm_scene *scene, double dpi, int raster, int frame_only);

/* Draw the begun map through cr, in points (a raster surface scaled to them). 0 or -1. */
int bm__render_draw(struct bm__render *r, cairo_t *cr);

/* Free what drawing held (not the scene's layers). */
void bm__render_end(struct bm__render *r);

/* bm__render_begin(), _draw() and _end() on a vector page of cr (the report's). 0 or -1. */
int bm__draw_page(struct bm_ctx *ctx, const struct bm_map *m, struct bm_scene *scene, cairo_t *cr);

/* The page size of a map, points. */
void bm__map_page_size(const struct bm_map *m, double *w, double *h);

#endif
