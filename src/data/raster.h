/*
 * bordermap internal: raster sources in memory (see bordermap/raster.h).
 *
 * The scene loads one band of a raster (the part of it a map's view needs,
 * at no more detail than the output shows) into a struct bm__raster; drawing
 * then warps it into the map's projection at the output's resolution with
 * GDAL's warper, from memory: drawing reads no file.
 */
#ifndef BM_RASTER_INTERNAL_H
#define BM_RASTER_INTERNAL_H

#include "bordermap/raster.h"

/* The value a pixel without data holds in memory (the source's no-data, its mask, NaN). */
#define BM__RASTER_NONE (-3.0e38f)

/* One band of a raster source, or the window of it that a view needs. */
struct bm__raster {
    char *path;      /* the source */
    char *wkt;       /* its CRS, WKT */
    int band;        /* 1.. */
    int w, h;        /* pixels held; 0 x 0 when the window misses the raster */
    float *v;        /* w * h values, rows from the top; BM__RASTER_NONE: no data */
    double gt[6];    /* GDAL geotransform of v: pixel (col, row) -> the source's CRS */
    double min, max; /* the band's lowest and highest values (of the whole band) */
};

/*
 * Load band `band` (1..) of the raster at path: only the part that meets
 * bbox (degrees; NULL: the whole raster), and, where the source is finer
 * than `detail` degrees per pixel (0: full resolution), averaged down to
 * about half that. *out is the caller's (bm__raster_free). Fails with
 * BM_ERR_SOURCE_MISSING, _FORMAT, _CORRUPT, _TOO_LARGE, BM_ERR_CRS, or
 * BM_ERR_LAYER when there is no such band.
 */
enum bm_status bm__raster_load(struct bm_ctx *ctx, const char *path, int band,
                               const struct bm_bbox *bbox, double detail, struct bm__raster **out);

void bm__raster_free(struct bm__raster *r);

/*
 * A grid to warp into: w x h pixels, GDAL geotransform gt, in CRS crs (a
 * PROJ string, an "EPSG:n" code or WKT; x east, y north).
 */
struct bm__grid {
    int w, h;
    double gt[6];
    const char *crs;
};

/*
 * How many pixels of the grid one pixel of r spans near the grid's centre
 * (> 1: the grid is finer than the data). 0 when it cannot be told.
 */
double bm__raster_grid_ratio(struct bm_ctx *ctx, const struct bm__raster *r,
                             const struct bm__grid *g);

/*
 * Warp r into grid g (GDAL's warper, bilinear): out (g->w * g->h floats,
 * rows from the top) receives the values, BM__RASTER_NONE where there are
 * none. Fails with BM_ERR_CRS when the two CRSs cannot be related,
 * BM_ERR_NOMEM, or BM_ERR_RENDER.
 */
enum bm_status bm__raster_warp(struct bm_ctx *ctx, const struct bm__raster *r,
                               const struct bm__grid *g, float *out);

#endif
