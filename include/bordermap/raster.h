/*
 * bordermap: raster sources (a shaded relief, a digital elevation model,
 * the user's own GeoTIFF).
 *
 * A map recipe's layer whose source is a raster is drawn as a grey shade or
 * a colour ramp by value (see `bordermap help recipe`, layers[].raster);
 * these calls tell what a raster source holds, for listings.
 */
#ifndef BORDERMAP_RASTER_H
#define BORDERMAP_RASTER_H

#include <stdbool.h>

#include "bordermap/context.h"
#include "bordermap/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a raster source holds, as bm_raster_info() reads it. */
struct bm_raster_info {
    char driver[64];         /**< GDAL's long name of the format, e.g. "GeoTIFF" */
    int width, height;       /**< pixels */
    int bands;               /**< number of bands, >= 1 */
    char type[24];           /**< data type of band 1: "Byte", "Int16", "Float32", ... */
    char unit[24];           /**< unit of band 1's values ("m"), or "" when the source names none */
    char crs[256];           /**< the CRS, e.g. "WGS 84 (EPSG:4326)" */
    double pixel_x, pixel_y; /**< pixel size in the CRS's units (both > 0) */
    struct bm_bbox extent;   /**< the raster's outline in degrees (WGS 84) */
    bool has_nodata;         /**< band 1 declares a no-data value */
    double nodata;           /**< that value (when has_nodata) */
    double min, max;         /**< band 1's lowest and highest values (computed when not stored) */
};

/**
 * Is path a raster that bordermap reads (GeoTIFF, PNG, JPEG, JPEG 2000,
 * netCDF, Erdas Imagine, Arc/Info ASCII grid, EHdr, ENVI, SRTM .hgt, USGS
 * DEM, Surfer grids)? Reads only the file's header; false for vector data,
 * for connections and for files that are not there.
 */
bool bm_source_is_raster(const char *path);

/**
 * Read what raster source path holds into out. Fails with
 * BM_ERR_SOURCE_MISSING, BM_ERR_SOURCE_FORMAT (not a raster bordermap
 * reads), BM_ERR_SOURCE_CORRUPT or BM_ERR_CRS (no CRS, or one that cannot
 * be turned into degrees), with the message on ctx.
 */
enum bm_status bm_raster_info(struct bm_ctx *ctx, const char *path, struct bm_raster_info *out);

#ifdef __cplusplus
}
#endif
#endif
