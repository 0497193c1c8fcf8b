/*
 * bordermap: the gazetteer, places named in English, Chinese and Burmese.
 */
#ifndef BORDERMAP_GAZETTEER_H
#define BORDERMAP_GAZETTEER_H

#include <stddef.h>

#include "bordermap/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One place. Strings are UTF-8, "" when unknown; owned by the gazetteer. */
struct bm_place {
    const char *name;    /**< English name */
    const char *name_zh; /**< Simplified Chinese name, or "" */
    const char *name_my; /**< Burmese name (Unicode), or "" */
    const char *kind;    /**< city, capital, town, crossing, port, ... */
    const char *country; /**< ISO 3166-1 alpha-3 */
    const char *admin1;  /**< first-level division */
    const char *source;  /**< where the coordinates and names come from */
    double lat;          /**< latitude, degrees north, -90..90 */
    double lon;          /**< longitude, degrees east, -180..180 */
    int rank;            /**< label priority: 1 is the highest */
    int in_article;      /**< 1 when the 16 November 2023 report names it */
};

/** How a query matched a place. */
enum bm_match {
    BM_MATCH_EXACT = 1, /**< equal to one of its names (case-insensitive) */
    BM_MATCH_PREFIX = 2 /**< a prefix of one of its names */
};

/** One result of bm_gazetteer_find(). */
struct bm_place_match {
    const struct bm_place *place; /**< borrowed from the gazetteer */
    enum bm_match match;
};

/** Opaque: a loaded gazetteer. */
struct bm_gazetteer;

/**
 * Load a gazetteer from a point layer with the fields name, name_zh,
 * name_my, kind, country, admin1, rank, in_article and source.
 * path: NULL for the shipped shapes/places/places.shp under the data root.
 * out:  receives the gazetteer (owned by the caller) on BM_OK.
 * Fails as bm_layer_load() does, and with BM_ERR_FIELD when a field is missing.
 */
enum bm_status bm_gazetteer_load(struct bm_ctx *ctx, const char *path, struct bm_gazetteer **out);

/** Free a gazetteer. NULL is allowed. */
void bm_gazetteer_free(struct bm_gazetteer *gz);

/** Number of places. */
size_t bm_gazetteer_count(const struct bm_gazetteer *gz);

/** Place i (i < count), in label-priority order (rank, then name). Borrowed. */
const struct bm_place *bm_gazetteer_place(const struct bm_gazetteer *gz, size_t i);

/**
 * Find places by name in any of the three scripts, case-insensitively and
 * ignoring Unicode normalisation differences: exact matches first, then
 * prefix matches, each in label-priority order.
 *
 * query: UTF-8 text; leading and trailing spaces are ignored.
 * out:   room for max results; *count receives how many were written.
 * Returns BM_ERR_PLACE_UNKNOWN when nothing matches, with the closest names
 * in the message; BM_ERR_ARG for an empty query.
 */
enum bm_status bm_gazetteer_find(struct bm_ctx *ctx, const struct bm_gazetteer *gz,
                                 const char *query, struct bm_place_match *out, size_t max,
                                 size_t *count);

/**
 * The one place a name stands for: the best exact match, else the only
 * prefix match. Fails with BM_ERR_PLACE_UNKNOWN (closest names in the
 * message) when there is none, or several prefix matches and no exact one.
 * *out is borrowed from the gazetteer.
 */
enum bm_status bm_gazetteer_lookup(struct bm_ctx *ctx, const struct bm_gazetteer *gz,
                                   const char *name, const struct bm_place **out);

#ifdef __cplusplus
}
#endif
#endif
