/*
 * bordermap: geodesic measurement on the WGS84 ellipsoid.
 *
 * Lengths, distances, azimuths and areas come from PROJ's geodesic routines
 * (Karney's algorithms, exact to round-off). Coordinates are degrees:
 * latitude -90..90, longitude -180..180 (WGS84). Results are metres, square
 * metres and degrees clockwise from true north.
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
    double azi1;     /**< initial azimuth at the first point, degrees, -180..180 */
    double azi2;     /**< azimuth on arrival at the second point, degrees, -180..180 */
};

/**
 * Solve the inverse geodesic problem between (lat1, lon1) and (lat2, lon2).
 * Fails with BM_ERR_ARG (message names the bad value) when a coordinate is
 * not finite or out of range.
 */
enum bm_status bm_geod_inverse(struct bm_ctx *ctx, double lat1, double lon1, double lat2,
                               double lon2, struct bm_geodesic *out);

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
};

/**
 * The nearest point of a layer to (lat, lon): on the lines and polygon
 * boundaries, a true geodesic minimum along the nearest segment (not vertex
 * to vertex); for points, the nearest point. Fails with BM_ERR_ARG for bad
 * coordinates and BM_ERR_GEOMETRY for an empty layer.
 */
enum bm_status bm_nearest(struct bm_ctx *ctx, const struct bm_layer *layer, double lat, double lon,
                          struct bm_nearest *out);

/** As bm_nearest(), over feature feat of the layer only. */
enum bm_status bm_nearest_in_feature(struct bm_ctx *ctx, const struct bm_layer *layer, size_t feat,
                                     double lat, double lon, struct bm_nearest *out);

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

#ifdef __cplusplus
}
#endif
#endif
