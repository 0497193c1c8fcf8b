/*
 * bordermap: geodesic measurement on the WGS84 ellipsoid.
 *
 * Lengths, distances, azimuths and areas come from PROJ's geodesic routines
 * (Karney's algorithms, exact to round-off). Coordinates are degrees:
 * latitude -90..90, longitude -180..180 (WGS84). Results are metres, square
 * metres and degrees. Azimuths follow one convention everywhere: degrees
 * clockwise from true north, 0 <= azimuth < 360 (north 0, east 90).
 */
#ifndef BORDERMAP_MEASURE_H
#define BORDERMAP_MEASURE_H

#include <stddef.h>

#include "bordermap/context.h"
#include "bordermap/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The geodesic between two points. */
struct bm_geodesic {
    double distance; /**< metres, >= 0 */
    double azi1;     /**< initial azimuth at the first point, degrees clockwise from true
                          north, 0 <= azi1 < 360 */
    double azi2;     /**< azimuth on arrival at the second point (the direction of travel
                          there), degrees clockwise from true north, 0 <= azi2 < 360 */
};

/**
 * Solve the inverse geodesic problem between (lat1, lon1) and (lat2, lon2).
 * Fails with BM_ERR_ARG (message names the bad value) when a coordinate is
 * not finite or out of range.
 */
enum bm_status bm_geod_inverse(struct bm_ctx *ctx, double lat1, double lon1, double lat2,
                               double lon2, struct bm_geodesic *out);

/**
 * The geodesic from (lat1, lon1) to (lat2, lon2) as a polyline for a
 * consumer that joins its points with straight lines in longitude and
 * latitude (GeoJSON, a GIS): points spaced evenly along the geodesic, as
 * few as keep every straight piece within max_error_m metres (> 0) of the
 * geodesic. The ends are the given points exactly.
 * On BM_OK *xy receives *n points (lon, lat interleaved, degrees; owned by
 * the caller: free()). Fails with BM_ERR_ARG for bad coordinates or
 * max_error_m, BM_ERR_NOMEM.
 */
enum bm_status bm_geod_path(struct bm_ctx *ctx, double lat1, double lon1, double lat2, double lon2,
                            double max_error_m, double **xy, size_t *n);

/**
 * Length in metres of the polyline through n points (lon, lat interleaved,
 * degrees): the sum of the geodesics between consecutive points. 0 for n < 2.
 */
double bm_geod_polyline_length(const double *xy, size_t n);

/**
 * Geodesic area in square metres of a ring of n points (lon, lat
 * interleaved; closed or not), whatever its orientation; >= 0.
 */
double bm_geod_ring_area(const double *xy, size_t n);

/**
 * Length in metres of feature feat of a layer: lines, the sum of their
 * parts; polygons, the perimeter of all rings; points, 0.
 */
double bm_feature_length(const struct bm_layer *layer, size_t feat);

/**
 * Area in square metres of feature feat: outer rings less holes; 0 for
 * points and lines.
 */
double bm_feature_area(const struct bm_layer *layer, size_t feat);

/** The point of a layer nearest to a given point. */
struct bm_nearest {
    size_t feature;  /**< index of the feature in the layer */
    double distance; /**< metres to the nearest point, >= 0 */
    double lat, lon; /**< the nearest point, degrees */
    /** non-zero: the point is inside a polygon of the feature (on its area,
     *  not in a hole); distance is then 0 and lat, lon the point itself, as
     *  PostGIS's ST_Distance on geography gives */
    int inside;
};

/**
 * The nearest point of a layer to (lat, lon): on the lines and polygon
 * boundaries, a true geodesic minimum along the nearest segment (not vertex
 * to vertex); for points, the nearest point. A point inside a polygon is at
 * distance 0 from it (out->inside set); inside is decided on longitude and
 * latitude (even-odd over the feature's rings). Fails with BM_ERR_ARG for bad
 * coordinates and BM_ERR_GEOMETRY for an empty layer.
 */
enum bm_status bm_nearest(struct bm_ctx *ctx, const struct bm_layer *layer, double lat, double lon,
                          struct bm_nearest *out);

/** As bm_nearest(), over feature feat of the layer only. */
enum bm_status bm_nearest_in_feature(struct bm_ctx *ctx, const struct bm_layer *layer, size_t feat,
                                     double lat, double lon, struct bm_nearest *out);

/**
 * What repeated bm_nearest() queries of one layer share, computed once: each
 * vertex on the unit sphere and each segment's length. Made by
 * bm_nearest_index_new(); it borrows the layer, which must outlive it.
 * Read-only once made: threads may query one index at the same time.
 */
struct bm_nearest_index;

/**
 * Index all features of a layer for bm_nearest_indexed(). *out is set (free
 * it with bm_nearest_index_free()) or NULL on failure: BM_ERR_GEOMETRY for a
 * layer with no points, BM_ERR_NOMEM.
 */
enum bm_status bm_nearest_index_new(struct bm_ctx *ctx, const struct bm_layer *layer,
                                    struct bm_nearest_index **out);

/**
 * As bm_nearest() on the indexed layer, with the same result, without the
 * work of going over every vertex's trigonometry again: for many points
 * against one layer (the places near the border). max_m (metres, >= 0, or
 * INFINITY) bounds the search: a point whose every candidate is surely
 * farther than max_m gets out->distance = INFINITY (lat, lon NaN) at once;
 * within max_m the answer is exact. Fails with BM_ERR_ARG for bad
 * coordinates or a negative or NaN max_m.
 */
enum bm_status bm_nearest_indexed(struct bm_ctx *ctx, const struct bm_nearest_index *index,
                                  double lat, double lon, double max_m, struct bm_nearest *out);

/** Free an index; NULL is a no-op. */
void bm_nearest_index_free(struct bm_nearest_index *index);

/** How bm_shared_boundary() decides what is shared. */
struct bm_boundary_opts {
    /** metres, > 0: a vertex within this of the other polygon's edge is shared
     *  (two countries' polygons are often simplified separately, so their
     *  common edges differ by tens of metres; 100 suits OpenStreetMap) */
    double tolerance_m;
    /** metres, >= 0: stretches of unshared vertices up to this long between
     *  shared ones are bridged, keeping one line (10000) */
    double gap_m;
    /** metres, >= 0: bridged stretches up to this long are cut straight
     *  across rather than followed: the spikes a tiled source leaves at its
     *  seams (3500) */
    double spike_m;
};

/**
 * The boundary two polygon features share, as lines.
 *
 * Walks the rings of whichever feature has fewer points and keeps the runs
 * of its vertices within opts->tolerance_m of the other's boundary, joined
 * as opts says. Each line starts at its northern end; lines are ordered
 * longest first. The shipped China-Myanmar border is built with this.
 *
 * polys:  a polygon layer (e.g. countries)
 * fa, fb: feature indexes, fa != fb
 * opts:   NULL for {100, 10000, 3500}
 * out:    receives a line layer (owned by the caller) with the field "seq"
 *         (1 for the longest line); empty when nothing is shared.
 */
enum bm_status bm_shared_boundary(struct bm_ctx *ctx, const struct bm_layer *polys, size_t fa,
                                  size_t fb, const struct bm_boundary_opts *opts,
                                  struct bm_layer **out);

/**
 * Parse "lat,lon" in degrees (e.g. "24.013,97.851"; spaces allowed around
 * the numbers). Fails with BM_ERR_PLACE_SYNTAX when malformed or out of
 * range, naming the text.
 */
enum bm_status bm_parse_latlon(struct bm_ctx *ctx, const char *text, double *lat, double *lon);

/* ---- measure tables ----------------------------------------------------------
 * The rows behind the report's tables and 'bordermap measure': the library
 * computes them once, and every output prints the same rows. Each table is a
 * plain struct the caller owns and frees with its _free function (NULL is
 * allowed). Lengths are metres, areas square metres, angles degrees; text is
 * UTF-8, "" when the data has none, never NULL.
 */

/**
 * value with thousands grouped and `decimals` (0..9) decimals, rounded half
 * away from zero: 2184312.46 with 1 -> "2,184,312.5"; a value that rounds to
 * zero has no sign. Writes into buf (size
 * bytes, NUL-terminated, cut when too small) and returns it.
 */
char *bm_format_number(char *buf, size_t size, double value, int decimals);

/** One stretch of the shipped border. */
struct bm_stretch {
    char *seq;       /**< its number along the border, as the data gives it ("1") */
    char *name;      /**< e.g. "Yunnan–Kachin" */
    double length_m; /**< geodesic length, metres */
};

/** A pipeline section or railway segment against its published length. */
struct bm_route {
    char *name, *kind, *status; /**< e.g. "Dali–Baoshan", "railway", "operational" */
    char *source;               /**< where its published length and waypoints come from */
    double length_m;            /**< measured geodesic length of the (schematic) route, metres */
    double published_m;         /**< published length, metres; NAN when none is published */
    /**
     * The "as published" rule: how many decimals to quote the published
     * length with, in kilometres, as precisely as it was published and at
     * least one: 133.66 km -> 2, 1727 km -> 1 ("1,727.0"). 1 when none.
     */
    int published_decimals;
    double ratio; /**< length_m / published_m; NAN when none is published */
};

/** The shipped border and corridor: the default 'measure' and the report's tables 1 and 2. */
struct bm_corridor_table {
    char *border_name;   /**< "China–Myanmar border" */
    char *border_path;   /**< the border layer measured (a path under the data root) */
    char *border_source; /**< where the border data comes from */
    double border_m;     /**< the whole border, metres */
    size_t nstretches;   /**< stretches, in the data's order */
    struct bm_stretch *stretches;
    char *routes_accuracy; /**< how exact the routes are, e.g. "schematic: straight legs ..." */
    size_t nroutes;        /**< routes: the pipelines, then the railway segments */
    struct bm_route *routes;
};

/** The shipped layers bm_measure_corridor() measures, under the data root. */
#define BM_DATA_BORDER "shapes/boundaries/border_cn_mm.shp"
#define BM_DATA_PIPELINES "shapes/infrastructure/pipelines.shp"
#define BM_DATA_RAIL "shapes/infrastructure/rail.shp"

/**
 * Measure the shipped China–Myanmar border (BM_DATA_BORDER) by stretch and
 * the shipped pipelines and railway (BM_DATA_PIPELINES, BM_DATA_RAIL)
 * against their published lengths: bm_corridor_table_make() on the layers
 * it loads. On BM_OK *out receives the table (owned by the caller). Fails
 * as bm_layer_load() does.
 */
enum bm_status bm_measure_corridor(struct bm_ctx *ctx, struct bm_corridor_table **out);

/**
 * The corridor table of layers already loaded (e.g. from a scene): border,
 * a line layer with the fields seq, name and source, split into stretches;
 * routes[0..nroutes-1], line layers with name, kind, status, source,
 * publish_km (kilometres) and accuracy. Nothing is kept of the layers. On
 * BM_OK *out receives the table (owned by the caller). Fails with
 * BM_ERR_NOMEM.
 */
enum bm_status bm_corridor_table_make(struct bm_ctx *ctx, const struct bm_layer *border,
                                      const struct bm_layer *const *routes, size_t nroutes,
                                      struct bm_corridor_table **out);

/** Free a table from bm_measure_corridor(). NULL is allowed. */
void bm_corridor_table_free(struct bm_corridor_table *t);

/** What bm_measure_border() measures. Zero-initialise, then set what you need. */
struct bm_border_query {
    const char *a, *b; /**< ISO 3166 alpha-3 codes; NULL: CHN and MMR */
    /** a countries layer with a code field (iso_a3, adm0_a3, a3 or iso3), any
     *  source; NULL: the shipped OpenStreetMap countries */
    const char *source;
    int compare;             /**< non-zero: also on the shipped Natural Earth 1:10m countries */
    double tolerance_m;      /**< as bm_boundary_opts.tolerance_m; 0: 100 m */
    const char *export_path; /**< write the first row's lines here (.geojson, .gpkg); NULL: no */
    /** the layer or table of source to read (bm_load_opts.layer); NULL: its only one */
    const char *layer;
    /** invalid polygons of source, as bm_load_opts.invalid (default: repair). Only the two
     *  countries' features are checked: the layer is read unchecked, then those two again
     *  with this policy. The shipped countries are valid and never checked. */
    enum bm_invalid_policy invalid;
};

/** The border of two countries in one source. */
struct bm_border_row {
    char *label;      /**< the data: "OpenStreetMap (shapes/boundaries/countries)" for the
                           shipped data, else the source as given */
    char *path;       /**< the source's path */
    char *code_field; /**< the field the codes were found in, e.g. "iso_a3" */
    double length_m;  /**< geodesic length of the shared edge, metres */
    size_t lines;     /**< how many separate lines it makes */
};

/** The border of two countries, measured on one source or on several side by side. */
struct bm_border_table {
    char a[4], b[4];    /**< the two codes, upper case */
    double tolerance_m; /**< the tolerance used, metres */
    size_t nrows;       /**< 1, or 2 with compare (row 1: Natural Earth 1:10m) */
    struct bm_border_row *rows;
};

/**
 * The border two countries share, as bm_shared_boundary() finds it, and its
 * length. On BM_OK *out receives the table (owned by the caller). Fails as
 * bm_layer_load() does; with BM_ERR_FIELD when the source has no code field,
 * BM_ERR_ARG for an unknown code or the same country twice, BM_ERR_GEOMETRY
 * when the two share no edge; BM_ERR_IO as bm_layer_write() for export_path.
 */
enum bm_status bm_measure_border(struct bm_ctx *ctx, const struct bm_border_query *q,
                                 struct bm_border_table **out);

/** Free a table from bm_measure_border(). NULL is allowed. */
void bm_border_table_free(struct bm_border_table *t);

/** A point to measure from or to. */
struct bm_waypoint {
    const char *name; /**< what to call it (copied), e.g. "Ruili" or "24.01300,97.85100" */
    double lat, lon;  /**< degrees, -90..90 and -180..180 */
};

/** Which legs bm_measure_legs() measures. */
enum bm_legs {
    BM_LEGS_CHAIN = 0, /**< 1 to 2, 2 to 3, ...: a route through the points in order */
    BM_LEGS_PAIRS = 1  /**< every pair i < j once, in order: a distance table */
};

/** One geodesic leg. */
struct bm_leg {
    char *from, *to;                           /**< the waypoints' names */
    double from_lat, from_lon, to_lat, to_lon; /**< degrees */
    double distance_m;                         /**< geodesic distance, metres */
    double
        azimuth_initial;  /**< bearing at the start, degrees clockwise from true north, [0, 360) */
    double azimuth_final; /**< bearing on arrival, degrees clockwise from true north, [0, 360) */
};

/** Legs between waypoints. */
struct bm_leg_table {
    size_t nlegs;
    struct bm_leg *legs;
    double total_m; /**< the sum of the legs, metres */
};

/**
 * Geodesic legs between n >= 2 waypoints (mode: a chain, or every pair). On
 * BM_OK *out receives the table (owned by the caller). Fails with
 * BM_ERR_ARG for fewer than two points or bad coordinates, BM_ERR_NOMEM.
 */
enum bm_status bm_measure_legs(struct bm_ctx *ctx, const struct bm_waypoint *pts, size_t n,
                               enum bm_legs mode, struct bm_leg_table **out);

/** Free a table from bm_measure_legs(). NULL is allowed. */
void bm_leg_table_free(struct bm_leg_table *t);

/** One feature of a measured layer. */
struct bm_feature_row {
    size_t feature; /**< its index in the layer */
    int64_t fid;    /**< its id in the source */
    char *name;     /**< its name (the first of the fields name, name_en, label, title, else
                         the first text field), "" when it has none */
    double value;   /**< length in metres, or area in square metres (see area) */
};

/** The lengths of a line layer's features, or the areas of a polygon layer's. */
struct bm_layer_table {
    int area;     /**< 0: values are lengths in metres; 1: areas in square metres */
    size_t nrows; /**< the features of the measured family, in the layer's order */
    struct bm_feature_row *rows;
    double total; /**< the sum, metres or square metres */
};

/**
 * Measure each line (length) or polygon (area) of a layer. A layer that mixes
 * families is measured by its highest (polygons over lines), with a warning
 * on the context saying what was left out. On BM_OK *out receives the table
 * (owned by the caller; rows refer to features of layer). Fails with
 * BM_ERR_GEOMETRY when the layer holds only points or nothing.
 */
enum bm_status bm_measure_layer(struct bm_ctx *ctx, const struct bm_layer *layer,
                                struct bm_layer_table **out);

/** Free a table from bm_measure_layer(). NULL is allowed. */
void bm_layer_table_free(struct bm_layer_table *t);

#ifdef __cplusplus
}
#endif
#endif
