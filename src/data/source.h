/*
 * bordermap internal: which sources may be opened, and how (issue 13).
 *
 * Three walls stand between a source string and what GDAL may do with it:
 *  1. the string itself is checked (bm__source_check, and for recipes
 *     bm__recipe_source): no network path and no VRT unless the user allowed
 *     them (bm_ctx_set_allow, --allow, $BORDERMAP_ALLOW); in a recipe no GDAL
 *     prefix but PG:, and no PostgreSQL host, address or password;
 *  2. it is opened with an explicit list of drivers (bm__source_open);
 *  3. while bordermap reads, GDAL may not reach the network (its HTTP fetches
 *     are refused, /vsicurl/ allows no file) and a PostgreSQL session is
 *     read-only with a statement timeout.
 */
#ifndef BM_SOURCE_H
#define BM_SOURCE_H

#include <gdal.h>
#include <stddef.h>

#include "bordermap/context.h"

/* libpq's statement_timeout for bordermap's PostgreSQL sessions, milliseconds. */
#define BM__PG_STATEMENT_TIMEOUT_MS 60000

/*
 * Check a source string against the context's allowances (network, VRT) and
 * the /vsi paths bordermap knows to be local. Returns BM_OK, or fails on the
 * context with a message saying what was refused and how to allow it.
 */
enum bm_status bm__source_check(struct bm_ctx *ctx, const char *path);

/*
 * A recipe's `source:` before it is taken as a path. Returns
 *   0  an ordinary path (*resolved untouched): the caller resolves it;
 *   1  a connection or a reference the recipe may use: *resolved (malloc) is
 *      what to open: "${env:NAME}" gives the variable's value (the user's own,
 *      so it may carry a host and a password), "PG:..." is kept as written;
 *  -1  refused: msg (size bytes) says why and what to write instead.
 */
int bm__recipe_source(struct bm_ctx *ctx, const char *text, char **resolved, char *msg,
                      size_t size);

/*
 * Open a vector source read-only with bordermap's driver list (and VRT and the
 * network drivers when allowed); a PostgreSQL connection gets
 * default_transaction_read_only=on and statement_timeout through libpq's
 * options. open_options as GDALOpenEx's. Returns the dataset or NULL; on NULL,
 * *refused is set (and a message left on the context) when the source was
 * recognised by a driver bordermap does not open.
 */
GDALDatasetH bm__source_open(struct bm_ctx *ctx, const char *path, char **open_options,
                             int *refused);

/* Is path a local file that one of bordermap's raster drivers reads (its header only)? */
int bm__source_is_raster(const char *path);

/*
 * Open a raster read-only with bordermap's raster drivers (GeoTIFF, PNG, JPEG,
 * JPEG 2000, netCDF, HFA, ASCII grid, EHdr, ENVI, SRTM .hgt, USGS DEM,
 * Surfer grids; no VRT), after bm__source_check. Returns the dataset, or NULL
 * (a refusal is on ctx; a file no driver reads leaves ctx alone). Call inside
 * the third wall.
 */
GDALDatasetH bm__source_open_raster(struct bm_ctx *ctx, const char *path);

/*
 * The third wall, around everything GDAL does for bordermap with a source:
 * push before opening, pop (with what push returned) when done reading.
 * Thread-local: other threads of the process are not affected.
 */
int bm__source_walls_push(struct bm_ctx *ctx);
void bm__source_walls_pop(int pushed);

/* Is path a PostgreSQL connection (PG:..., postgresql://...)? */
int bm__is_pg(const char *path);

#endif
