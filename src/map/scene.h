/*
 * bordermap internal: the scene (see include/bordermap/scene.h): what a map
 * needs, asked for before drawing and answered from memory when it can be.
 *
 * An entry is keyed by what decides what is loaded. An entry is a vector
 * layer or a raster (one band of it, as much as a view needs), each kind with
 * its own key members and its own getter, sharing the cache and its lifetime.
 */
#ifndef BM_SCENE_INTERNAL_H
#define BM_SCENE_INTERNAL_H

#include "bordermap/scene.h"
#include "map/map.h"

struct bm__raster;

/* What a scene entry holds. */
enum bm__scene_kind {
    BM__SCENE_VECTOR = 1, /* a struct bm_layer */
    BM__SCENE_RASTER = 2  /* a struct bm__raster: one band, or the window of it a view needs */
};

/* A request: everything that decides what is loaded. Strings are borrowed. */
struct bm__scene_key {
    enum bm__scene_kind kind;
    const char *source;             /* path or connection string */
    const char *layer;              /* layer in the source; NULL: the first */
    const char *where;              /* attribute filter; NULL or "": none */
    const struct bm_bbox *bbox;     /* spatial filter, degrees; NULL: whole */
    enum bm_invalid_policy invalid; /* what to do with invalid polygons */
    const char *const *fields;      /* fields that must exist, NULL-terminated; NULL: none */
    int band;                       /* rasters: the band, 1.. */
    double detail;                  /* rasters: degrees per output pixel; 0: full resolution */
    const char *layer_option;       /* not part of the key: bm_load_opts.layer_option */
};

/* A new, empty scene that loads as s does. */
struct bm_scene *bm__scene_sibling(const struct bm_scene *s);

/* Move what from holds into s (from is left empty); -1 message on ctx when out of memory. */
enum bm_status bm__scene_take(struct bm_ctx *ctx, struct bm_scene *s, struct bm_scene *from);

/* How much of each source the scene loads for a map (bm_scene_new()). */
enum bm_scene_extent bm__scene_extent(const struct bm_scene *scene);

/*
 * The vector layer key asks for: from the scene, else loaded into it. *out
 * is borrowed from the scene. Returns BM_OK, or the loader's failure (on ctx).
 */
enum bm_status bm__scene_vector(struct bm_ctx *ctx, struct bm_scene *scene,
                                const struct bm__scene_key *key, const struct bm_layer **out);

/*
 * Map layer li of m, as drawing needs it: its filter (with the map's date
 * range on an events layer), and in a BM_SCENE_VIEW scene only what meets
 * view (degrees; events layers are loaded whole, so that every bad row is
 * reported). *out is borrowed from the scene.
 */
enum bm_status bm__scene_map_layer(struct bm_ctx *ctx, struct bm_scene *scene,
                                   const struct bm_map *m, size_t li, const struct bm_bbox *view,
                                   const struct bm_layer **out);

/*
 * The raster key asks for (its source, band, bbox and detail): from the
 * scene, else loaded into it. *out is borrowed from the scene. Returns BM_OK,
 * or the loader's failure (on ctx).
 */
enum bm_status bm__scene_raster(struct bm_ctx *ctx, struct bm_scene *scene,
                                const struct bm__scene_key *key, const struct bm__raster **out);

/*
 * Raster map layer li of m, as drawing needs it: in a BM_SCENE_VIEW scene
 * the part that meets view (degrees), at no more than detail degrees per
 * pixel (0: all), else whole. *out is borrowed from the scene.
 */
enum bm_status bm__scene_map_raster(struct bm_ctx *ctx, struct bm_scene *scene,
                                    const struct bm_map *m, size_t li, const struct bm_bbox *view,
                                    double detail, const struct bm__raster **out);

/*
 * The world map of the inset (shapes/boundaries/world_110m.shp from the data
 * root), as much as meets window (degrees) in a BM_SCENE_VIEW scene. *out is
 * borrowed from the scene.
 */
enum bm_status bm__scene_world(struct bm_ctx *ctx, struct bm_scene *scene,
                               const struct bm_bbox *window, const struct bm_layer **out);

#endif
