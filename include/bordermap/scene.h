/*
 * bordermap: scenes: the data maps draw, loaded once and shared.
 *
 * A scene is a cache of loaded layers, keyed by everything that decides what
 * is loaded: the source, the layer in it, the attribute filter, the bounding
 * box (or none), the policy for invalid polygons and the fields required.
 * Drawing a map through a scene first asks it for every layer the map needs
 * (loading what it lacks), then draws from memory: drawing reads no file.
 *
 * One scene may serve many drawings: the maps and tables of a report, or the
 * maps of an atlas, loaded once in the parent process before its jobs fork
 * (the children share the loaded layers copy-on-write). A scene is not
 * thread-safe; use one per thread, or load it whole before forking.
 */
#ifndef BORDERMAP_SCENE_H
#define BORDERMAP_SCENE_H

#include <stddef.h>

#include "bordermap/context.h"
#include "bordermap/layer.h"
#include "bordermap/map.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque: loaded layers, keyed by what was loaded. */
struct bm_scene;

/** How much of each source a scene loads for a map. */
enum bm_scene_extent {
    /**
     * Each layer as much as meets the map frame (a spatial filter on the
     * frame's extent): the least to read for one map. Maps of another
     * extent load their own.
     */
    BM_SCENE_VIEW = 0,
    /**
     * Each layer whole, so that one scene serves maps of any extent (an
     * atlas). Events layers (with a date_field) are always loaded whole.
     */
    BM_SCENE_WHOLE = 1
};

/** A new, empty scene. Returns NULL when out of memory. Free with bm_scene_free(). */
struct bm_scene *bm_scene_new(enum bm_scene_extent extent);

/** Free a scene and every layer it holds. NULL is allowed. */
void bm_scene_free(struct bm_scene *scene);

/**
 * Load now every layer map needs (and the inset's world map, when the map
 * has an inset), so that drawing map through this scene reads nothing.
 * A BM_SCENE_VIEW scene loads for map's frame as it is now (its extent,
 * page and projection); a BM_SCENE_WHOLE scene loads every layer whole,
 * ignoring the layers' scale ranges. Fails as bm_layer_load() does; what
 * loaded before a failure stays in the scene.
 */
enum bm_status bm_scene_load(struct bm_ctx *ctx, struct bm_scene *scene, const struct bm_map *map);

/**
 * One layer through the scene: loaded from path with opts (NULL: defaults)
 * on the first request, then the same layer for every request with the same
 * path, layer name, filter, bounding box, invalid-polygon policy and
 * required fields. A path naming an existing file is keyed by its real
 * path, so "a/../b.shp" and "b.shp" are one source. out: receives the layer,
 * borrowed from the scene (valid until bm_scene_free(); do not free it).
 * Fails as bm_layer_load() does.
 */
enum bm_status bm_scene_layer(struct bm_ctx *ctx, struct bm_scene *scene, const char *path,
                              const struct bm_load_opts *opts, const struct bm_layer **out);

/** Number of layers the scene holds. */
size_t bm_scene_count(const struct bm_scene *scene);

/** Number of times the scene has read a source (a request it could not answer from memory). */
size_t bm_scene_reads(const struct bm_scene *scene);

/**
 * As bm_map_render_info(), drawing from scene: the layers map needs are
 * taken from it, and loaded into it first when it lacks them. info may be
 * NULL. The scene keeps what was loaded for later drawings.
 */
enum bm_status bm_map_render_scene(struct bm_ctx *ctx, const struct bm_map *map,
                                   struct bm_scene *scene, enum bm_format format, const char *path,
                                   struct bm_render_info *info);

#ifdef __cplusplus
}
#endif
#endif
