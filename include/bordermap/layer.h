/*
 * bordermap: loading vector sources.
 *
 * A layer is read once from any OGR dataset (Shapefile, GeoJSON, GeoPackage,
 * KML, CSV with lon/lat columns, a "PG:" connection string, ...), projected
 * to WGS84 longitude/latitude and held as flat arrays of doubles: one array
 * of points (lon, lat interleaved) for the whole layer, one array of parts
 * (rings, lines or points) indexing into it, one array of features indexing
 * into the parts. Attributes are held as text.
 */
#ifndef BORDERMAP_LAYER_H
#define BORDERMAP_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bordermap/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Bounding box in degrees: west/east longitude, south/north latitude. */
struct bm_bbox {
    double west, south, east, north;
};

/** Geometry family of a feature or a layer. */
enum bm_geom_type {
    BM_GEOM_NONE = 0,   /**< no geometry (an empty layer, or a table) */
    BM_GEOM_POINT = 1,  /**< Point or MultiPoint */
    BM_GEOM_LINE = 2,   /**< LineString, MultiLineString, curves */
    BM_GEOM_POLYGON = 3 /**< Polygon, MultiPolygon, surfaces */
};

/** What to do with a polygon that is not valid (OGC simple features). */
enum bm_invalid_policy {
    /** check each polygon (GEOS) and repair those that are not valid with GEOS MakeValid,
     *  METHOD=STRUCTURE (default); a warning counts them */
    BM_INVALID_REPAIR = 0,
    BM_INVALID_KEEP = 1, /**< check, count them in a warning, keep them as they are */
    BM_INVALID_SKIP = 2, /**< check, skip those that are not valid, count them in a warning */
    /**
     * Do not check: for data known to be valid (the shipped layers are
     * checked when they are built). GEOS's validity check costs seconds on
     * detailed country polygons with many holes.
     */
    BM_INVALID_UNCHECKED = 3
};

/** Type of an attribute field, as the source declares it. */
enum bm_field_type {
    BM_FIELD_STRING = 0,
    BM_FIELD_INTEGER = 1,
    BM_FIELD_REAL = 2,
    BM_FIELD_DATE = 3,
    BM_FIELD_OTHER = 4
};

/** Options of bm_layer_load(). Zero-initialise, then set what you need. */
struct bm_load_opts {
    /** the layer or table to read, e.g. "border_cn_mm", or for PostGIS a
     *  schema-qualified table "ops.border"; NULL: the source's only layer (a
     *  source of several layers is then refused with BM_ERR_LAYER, naming them) */
    const char *layer;
    /** how the caller lets its user name a layer, for that message: "--layer"
     *  (NULL) or "layer:" (a recipe) */
    const char *layer_option;
    /** attribute filter, NULL: none. Data, not SQL: bordermap parses and checks
     *  it (field names of the layer, 'text' and number literals, = != <> < <= >
     *  >=, AND, OR, NOT, IN (...), LIKE, ILIKE, IS [NOT] NULL, parentheses; no
     *  functions, no subqueries) and evaluates it itself, with the same result
     *  for every driver; see bm_filter_check(). */
    const char *where;
    const struct bm_bbox *bbox;     /**< keep features meeting this box; NULL: all */
    const char *const *fields;      /**< fields that must exist, NULL-terminated; NULL: none */
    enum bm_invalid_policy invalid; /**< invalid polygons: repair (default), keep or skip */
};

/**
 * One part of a feature: a polygon ring, a line or a point.
 * Points first..first+count-1 of bm_layer_xy() (each two doubles).
 */
struct bm_part {
    size_t first;    /**< index of the first point */
    size_t count;    /**< number of points, >= 1 */
    int32_t polygon; /**< polygons: index of the polygon within the feature; else 0 */
    int32_t hole;    /**< polygons: 1 for an inner ring, 0 for the outer ring */
};

/** One feature: its parts are first_part..first_part+nparts-1 of bm_layer_parts(). */
struct bm_feature {
    int64_t fid;            /**< feature id in the source */
    enum bm_geom_type type; /**< geometry family */
    size_t first_part;
    size_t nparts;
};

/** Opaque: one loaded layer. Create with bm_layer_load(), free with bm_layer_free(). */
struct bm_layer;

/**
 * Load one layer of a vector source, in WGS84 lon/lat.
 *
 * path: a file, folder or connection string; relative paths are relative to
 *       the working directory.
 * opts: may be NULL for the defaults.
 * out:  receives the layer (owned by the caller) on BM_OK, NULL otherwise.
 *
 * The CRS comes from the source (.prj, the format's own). A source with no
 * CRS is taken as WGS84 only when all its coordinates are in the degree
 * range, with a warning on the context; otherwise it is refused with
 * BM_ERR_CRS. Empty geometries and features with NaN, infinite or
 * out-of-range coordinates are skipped, each kind with one warning naming the
 * count and the first feature. Invalid polygons follow opts->invalid. An
 * empty layer loads (with a warning); a layer whose every feature had to be
 * skipped fails with BM_ERR_GEOMETRY.
 *
 * Fails with BM_ERR_SOURCE_MISSING, _CORRUPT, _FORMAT, BM_ERR_CRS,
 * BM_ERR_LAYER, BM_ERR_FIELD, BM_ERR_FILTER, BM_ERR_GEOMETRY or BM_ERR_NOMEM.
 */
enum bm_status bm_layer_load(struct bm_ctx *ctx, const char *path, const struct bm_load_opts *opts,
                             struct bm_layer **out);

/** Free a layer. NULL is allowed. */
void bm_layer_free(struct bm_layer *layer);

/** Layer name in the source. Borrowed from the layer. */
const char *bm_layer_name(const struct bm_layer *layer);

/**
 * The path the layer was loaded from, fit to print: a password in a
 * connection string is shown as "***" (bm_redact()). Borrowed from the layer.
 */
const char *bm_layer_path(const struct bm_layer *layer);

/** The source's driver, e.g. "ESRI Shapefile". Borrowed from the layer. */
const char *bm_layer_driver(const struct bm_layer *layer);

/**
 * Geometry type as the source declares it, e.g. "Polygon", "Line String",
 * "Point" (OGR's names). Borrowed from the layer.
 */
const char *bm_layer_geom_name(const struct bm_layer *layer);

/** Geometry family of the layer: that of its features (BM_GEOM_NONE if empty). */
enum bm_geom_type bm_layer_geom_type(const struct bm_layer *layer);

/**
 * The source CRS, e.g. "WGS 84 (EPSG:4326)"; "none (assumed WGS 84)" when
 * the source had none. Borrowed from the layer.
 */
const char *bm_layer_crs(const struct bm_layer *layer);

/** Extent of the loaded features in degrees; all zero when the layer is empty. */
struct bm_bbox bm_layer_extent(const struct bm_layer *layer);

/** Extent of feature feat (feat < count) in degrees. */
struct bm_bbox bm_layer_feature_extent(const struct bm_layer *layer, size_t feat);

/** Number of features loaded. */
size_t bm_layer_feature_count(const struct bm_layer *layer);

/** Feature i (i < count). Borrowed from the layer. */
const struct bm_feature *bm_layer_feature(const struct bm_layer *layer, size_t i);

/** All parts of the layer. Borrowed from the layer. */
const struct bm_part *bm_layer_parts(const struct bm_layer *layer);

/** All points of the layer, lon/lat interleaved, in degrees. Borrowed from the layer. */
const double *bm_layer_xy(const struct bm_layer *layer);

/** Total number of points of the layer. */
size_t bm_layer_point_count(const struct bm_layer *layer);

/** Number of attribute fields. */
size_t bm_layer_field_count(const struct bm_layer *layer);

/** Name of field i (i < count). Borrowed from the layer. */
const char *bm_layer_field_name(const struct bm_layer *layer, size_t i);

/** Declared type of field i (i < count). */
enum bm_field_type bm_layer_field_type(const struct bm_layer *layer, size_t i);

/**
 * Index of the first feature whose field `field` equals value
 * (case-insensitive), or -1 when there is none or no such field.
 */
long bm_layer_find(const struct bm_layer *layer, const char *field, const char *value);

/** Index of the field named name (case-insensitive), or -1. */
int bm_layer_field_index(const struct bm_layer *layer, const char *name);

/**
 * Value of field `field` of feature `feat` as UTF-8 text, or NULL when the
 * value is null or unset. Borrowed from the layer.
 */
const char *bm_layer_attr(const struct bm_layer *layer, size_t feat, size_t field);

/**
 * Value of field `field` of feature `feat` as a number. Returns false (and
 * leaves *out alone) when the value is null or not a number.
 */
bool bm_layer_attr_double(const struct bm_layer *layer, size_t feat, size_t field, double *out);

/** Number of invalid polygons repaired while loading. */
size_t bm_layer_repaired_count(const struct bm_layer *layer);

/** Number of features skipped while loading (empty, invalid or bad coordinates). */
size_t bm_layer_skipped_count(const struct bm_layer *layer);

/** Human name of a geometry family: "point", "line", "polygon", "none". Static. */
const char *bm_geom_type_name(enum bm_geom_type type);

/** Human name of a field type: "String", "Integer", "Real", "Date", "Other". Static. */
const char *bm_field_type_name(enum bm_field_type type);

/**
 * Names of the layers of a source. On BM_OK *names receives an array of
 * *count strings (owned by the caller: free with bm_strings_free()).
 */
enum bm_status bm_source_layer_names(struct bm_ctx *ctx, const char *path, char ***names,
                                     size_t *count);

/**
 * Write a layer to a new GeoJSON (.geojson, .json) or GeoPackage (.gpkg)
 * file in WGS84 lon/lat, attributes as text. Written to a temporary file
 * and renamed, so a failure leaves no partial file and an existing file is
 * replaced only by a complete one. Fails with BM_ERR_ARG for another
 * extension, BM_ERR_IO when the file cannot be written.
 */
enum bm_status bm_layer_write(struct bm_ctx *ctx, const struct bm_layer *layer, const char *path);

/**
 * Check an attribute filter (bm_load_opts.where) against bordermap's grammar,
 * without a layer: its field names are checked when a layer is loaded.
 * Fails with BM_ERR_FILTER and a message such as "bad filter at column 12:
 * functions are not allowed ('pg_sleep'); use field names, literals,
 * comparisons, AND/OR/NOT, IN, LIKE, IS NULL" (columns count characters from 1).
 */
enum bm_status bm_filter_check(struct bm_ctx *ctx, const char *where);

/** Free an array of strings from bm_source_layer_names(). NULL is allowed. */
void bm_strings_free(char **strings, size_t count);

#ifdef __cplusplus
}
#endif
#endif
