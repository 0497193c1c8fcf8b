/* bordermap: raster sources: what they hold, a band in memory, warped to a map's grid. */
#include "data/raster.h"
#include "core/internal.h"
#include "data/source.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <float.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <gdalwarper.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static int is_file(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool bm_source_is_raster(const char *path)
{
    if (!is_file(path))
        return false;
    bm__gdal_init(); /* once per process: GDALAllRegister races in threads */
    return bm__source_is_raster(path) != 0;
}

/* GDAL's last message, one line, for inside ours. */
static const char *gdal_why(char *buf, size_t size)
{
    const char *m = CPLGetLastErrorMsg();
    snprintf(buf, size, "%s", m && m[0] ? m : "no raster driver recognises its contents");
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
    return buf;
}

/* Open path read-only as a raster of the formats above; the failure is on ctx. */
static GDALDatasetH open_raster(struct bm_ctx *ctx, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return bm__fail(ctx, BM_ERR_SOURCE_MISSING,
                        "cannot open '%s': no such file or folder; check the path", path),
               NULL;
    bm__gdal_init(); /* once per process: GDALAllRegister races in threads */
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = bm__source_open_raster(ctx, path);
    CPLPopErrorHandler();
    if (ds || bm_ctx_status(ctx) != BM_OK)
        return ds; /* opened, or refused */
    char why[400];
    if (bm__source_is_raster(path))
        bm__fail(ctx, BM_ERR_SOURCE_CORRUPT,
                 "cannot read '%s': the raster is damaged or truncated (%s); restore it from its "
                 "source",
                 path, gdal_why(why, sizeof why));
    else
        bm__fail(ctx, BM_ERR_SOURCE_FORMAT,
                 "cannot read '%s' as a raster (%s); use a GeoTIFF or another raster GDAL reads "
                 "(PNG, JPEG 2000, netCDF, Erdas Imagine, ASCII grid, SRTM .hgt)",
                 path, gdal_why(why, sizeof why));
    return NULL;
}

/* The raster's CRS with x east, y north, or NULL (failure on ctx). Destroy with OSRDestroy... */
static OGRSpatialReferenceH raster_srs(struct bm_ctx *ctx, GDALDatasetH ds, const char *path)
{
    OGRSpatialReferenceH s = GDALGetSpatialRef(ds);
    double gt[6];
    if (!s || GDALGetGeoTransform(ds, gt) != CE_None) {
        bm__fail(ctx, BM_ERR_CRS,
                 "'%s' has no %s: bordermap cannot tell where it lies; give it one, e.g. with "
                 "'gdal_translate -a_srs EPSG:4326 -a_ullr WEST NORTH EAST SOUTH'",
                 path, s ? "georeferencing" : "CRS");
        return NULL;
    }
    OGRSpatialReferenceH c = OSRClone(s);
    if (c)
        OSRSetAxisMappingStrategy(c, OAMS_TRADITIONAL_GIS_ORDER);
    return c;
}

static OGRSpatialReferenceH wgs84(void)
{
    OGRSpatialReferenceH w = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(w, 4326);
    OSRSetAxisMappingStrategy(w, OAMS_TRADITIONAL_GIS_ORDER);
    return w;
}

/* The box of pixels (x0..x1, y0..y1) in degrees; 0, or -1 when it cannot be transformed. */
static int pixels_to_degrees(OGRSpatialReferenceH srs, const double gt[6], double x0, double y0,
                             double x1, double y1, struct bm_bbox *out)
{
    double xs[4] = {x0, x1, x0, x1}, ys[4] = {y0, y0, y1, y1};
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (int i = 0; i < 4; i++) {
        double gx = gt[0] + xs[i] * gt[1] + ys[i] * gt[2];
        double gy = gt[3] + xs[i] * gt[4] + ys[i] * gt[5];
        minx = fmin(minx, gx);
        maxx = fmax(maxx, gx);
        miny = fmin(miny, gy);
        maxy = fmax(maxy, gy);
    }
    OGRSpatialReferenceH w = wgs84();
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(srs, w);
    int ok = ct && OCTTransformBounds(ct, minx, miny, maxx, maxy, &out->west, &out->south,
                                      &out->east, &out->north, 21);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(w);
    return ok ? 0 : -1;
}

static void crs_name(OGRSpatialReferenceH srs, char *out, size_t size)
{
    const char *name = OSRGetName(srs), *auth = OSRGetAuthorityName(srs, NULL),
               *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code)
        snprintf(out, size, "%s (%s:%s)", name ? name : "unnamed", auth, code);
    else
        snprintf(out, size, "%s", name ? name : "unnamed CRS");
}

static void band_range(GDALRasterBandH b, double *lo, double *hi);
static enum bm_status raster_info(struct bm_ctx *ctx, const char *path, struct bm_raster_info *out);

enum bm_status bm_raster_info(struct bm_ctx *ctx, const char *path, struct bm_raster_info *out)
{
    bm__begin(ctx);
    memset(out, 0, sizeof *out);
    int walls = bm__source_walls_push(ctx);
    enum bm_status st = raster_info(ctx, path, out);
    bm__source_walls_pop(walls);
    return st;
}

static enum bm_status raster_info(struct bm_ctx *ctx, const char *path, struct bm_raster_info *out)
{
    GDALDatasetH ds = open_raster(ctx, path);
    if (!ds)
        return bm_ctx_status(ctx);
    OGRSpatialReferenceH srs = raster_srs(ctx, ds, path);
    if (!srs) {
        GDALClose(ds);
        return bm_ctx_status(ctx);
    }
    GDALDriverH drv = GDALGetDatasetDriver(ds);
    snprintf(out->driver, sizeof out->driver, "%s", drv ? GDALGetDriverLongName(drv) : "unknown");
    out->width = GDALGetRasterXSize(ds);
    out->height = GDALGetRasterYSize(ds);
    out->bands = GDALGetRasterCount(ds);
    crs_name(srs, out->crs, sizeof out->crs);
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    out->pixel_x = hypot(gt[1], gt[4]);
    out->pixel_y = hypot(gt[2], gt[5]);
    enum bm_status st = BM_OK;
    if (pixels_to_degrees(srs, gt, 0, 0, out->width, out->height, &out->extent) != 0)
        st = bm__fail(ctx, BM_ERR_CRS,
                      "cannot use the CRS of '%s' (%s): its outline cannot be put in degrees; "
                      "reproject it, e.g. 'gdalwarp -t_srs EPSG:4326'",
                      path, out->crs);
    GDALRasterBandH b = out->bands > 0 ? GDALGetRasterBand(ds, 1) : NULL;
    if (st == BM_OK && !b)
        st = bm__fail(ctx, BM_ERR_SOURCE_FORMAT, "'%s' has no bands: nothing to draw", path);
    if (st == BM_OK) {
        snprintf(out->type, sizeof out->type, "%s", GDALGetDataTypeName(GDALGetRasterDataType(b)));
        snprintf(out->unit, sizeof out->unit, "%s", GDALGetRasterUnitType(b));
        int has = 0;
        out->nodata = GDALGetRasterNoDataValue(b, &has);
        out->has_nodata = has != 0;
        band_range(b, &out->min, &out->max);
    }
    OSRDestroySpatialReference(srs);
    GDALClose(ds);
    return st;
}

/* ---- a band in memory ------------------------------------------------------ */

void bm__raster_free(struct bm__raster *r)
{
    if (!r)
        return;
    free(r->path);
    free(r->wkt);
    free(r->v);
    free(r);
}

/*
 * The pixels of ds that meet bbox (degrees), two pixels wider each side,
 * within the raster: *x0, *y0, *w, *h (w, h 0 when they miss it), and how
 * many degrees one pixel spans across the box (*deg; 0 when unknown). A
 * box that cannot be put in the raster's CRS takes the whole raster.
 */
static void window_of(GDALDatasetH ds, OGRSpatialReferenceH srs, const double gt[6],
                      const struct bm_bbox *bbox, int *x0, int *y0, int *w, int *h, double *deg)
{
    int W = GDALGetRasterXSize(ds), H = GDALGetRasterYSize(ds);
    *x0 = *y0 = 0;
    *w = W;
    *h = H;
    *deg = 0;
    double inv[6];
    if (!bbox || gt[2] != 0 || gt[4] != 0 || !GDALInvGeoTransform((double *)gt, inv))
        return;
    OGRSpatialReferenceH wg = wgs84();
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(wg, srs);
    double minx, miny, maxx, maxy;
    int ok = ct && OCTTransformBounds(ct, bbox->west, bbox->south, bbox->east, bbox->north, &minx,
                                      &miny, &maxx, &maxy, 21);
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wg);
    if (!ok)
        return;
    double px0 = inv[0] + minx * inv[1], px1 = inv[0] + maxx * inv[1];
    double py0 = inv[3] + maxy * inv[5], py1 = inv[3] + miny * inv[5];
    if (px0 > px1) {
        double t = px0;
        px0 = px1;
        px1 = t;
    }
    if (py0 > py1) {
        double t = py0;
        py0 = py1;
        py1 = t;
    }
    if (px1 - px0 > 0)
        *deg = (bbox->east - bbox->west) / (px1 - px0);
    double a = fmax(0, floor(px0) - 2), b = fmin(W, ceil(px1) + 2);
    double c = fmax(0, floor(py0) - 2), d = fmin(H, ceil(py1) + 2);
    if (!(b > a && d > c)) {
        *w = *h = 0;
        return;
    }
    *x0 = (int)a;
    *y0 = (int)c;
    *w = (int)(b - a);
    *h = (int)(d - c);
}

/* Pixels without data (no-data value, mask, NaN) become BM__RASTER_NONE; min and max of the rest.
 */
static enum bm_status mark_missing(struct bm_ctx *ctx, struct bm__raster *r, GDALRasterBandH b,
                                   int x0, int y0, int ww, int wh)
{
    size_t n = (size_t)r->w * (size_t)r->h;
    int flags = GDALGetMaskFlags(b), has = 0;
    float nodata = (float)GDALGetRasterNoDataValue(b, &has);
    unsigned char *mask = NULL;
    if (!(flags & GMF_ALL_VALID) && !(flags & GMF_NODATA)) {
        /* An alpha band or a mask: read it at the same size. */
        mask = malloc(n);
        if (!mask)
            return bm__fail(ctx, BM_ERR_NOMEM, "out of memory reading '%s'", r->path);
        if (GDALRasterIO(GDALGetMaskBand(b), GF_Read, x0, y0, ww, wh, mask, r->w, r->h, GDT_Byte, 0,
                         0) != CE_None) {
            free(mask);
            mask = NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        float v = r->v[i];
        if (!isfinite(v) || (has && v == nodata) || (mask && mask[i] == 0))
            r->v[i] = BM__RASTER_NONE;
    }
    free(mask);
    return BM_OK;
}

/* The band's lowest and highest values: exact for rasters of ordinary size, sampled beyond. */
static void band_range(GDALRasterBandH b, double *lo, double *hi)
{
    double mm[2] = {0, 0};
    int approx = (double)GDALGetRasterBandXSize(b) * GDALGetRasterBandYSize(b) > 25e6;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (GDALComputeRasterMinMax(b, approx, mm) != CE_None)
        mm[0] = mm[1] = 0;
    CPLPopErrorHandler();
    *lo = mm[0];
    *hi = mm[1];
}

static enum bm_status read_window(struct bm_ctx *ctx, struct bm__raster *r, GDALDatasetH ds, int x0,
                                  int y0, int ww, int wh, int step)
{
    r->w = (ww + step - 1) / step;
    r->h = (wh + step - 1) / step;
    unsigned long long budget, need = (unsigned long long)r->w * (unsigned long long)r->h * 4;
    const char *what;
    if (bm_ctx_memory_limit(ctx, &budget, &what) != BM_OK)
        return bm_ctx_status(ctx);
    if (need > budget) {
        char a[32], b[32];
        bm__format_bytes(a, sizeof a, need);
        bm__format_bytes(b, sizeof b, budget);
        return bm__fail(ctx, BM_ERR_SOURCE_TOO_LARGE,
                        "'%s' needs %s of memory for this map, more than the %s %s; cut it to "
                        "the area you need first, e.g. with 'gdal_translate -projwin'",
                        r->path, a, b, what);
    }
    r->v = malloc(need ? (size_t)need : 1);
    if (!r->v)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory reading '%s'", r->path);
    GDALRasterBandH b = GDALGetRasterBand(ds, r->band);
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    /* Averaged, not sampled, where the map shows less than the source holds. */
    extra.eResampleAlg = step > 1 ? GRIORA_Average : GRIORA_NearestNeighbour;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErr e =
        GDALRasterIOEx(b, GF_Read, x0, y0, ww, wh, r->v, r->w, r->h, GDT_Float32, 0, 0, &extra);
    CPLPopErrorHandler();
    if (e != CE_None) {
        char why[400];
        return bm__fail(ctx, BM_ERR_SOURCE_CORRUPT,
                        "cannot read '%s': the raster is damaged or truncated (%s); restore it "
                        "from its source",
                        r->path, gdal_why(why, sizeof why));
    }
    return mark_missing(ctx, r, b, x0, y0, ww, wh);
}

static enum bm_status load_band(struct bm_ctx *ctx, struct bm__raster *r, GDALDatasetH ds,
                                const struct bm_bbox *bbox, double detail)
{
    int bands = GDALGetRasterCount(ds);
    if (r->band < 1 || r->band > bands)
        return bm__fail(ctx, BM_ERR_LAYER, "'%s' has %d band%s, no band %d; choose band 1%s%s",
                        r->path, bands, bands == 1 ? "" : "s", r->band, bands > 1 ? " to " : "",
                        bands > 1 ? (bands == 2 ? "2" : "the last") : "");
    OGRSpatialReferenceH srs = raster_srs(ctx, ds, r->path);
    if (!srs)
        return bm_ctx_status(ctx);
    char *wkt = NULL;
    const char *opts[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &wkt, opts) == OGRERR_NONE && wkt)
        r->wkt = bm__strdup(wkt);
    CPLFree(wkt);
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    int x0, y0, ww, wh;
    double deg;
    window_of(ds, srs, gt, bbox, &x0, &y0, &ww, &wh, &deg);
    OSRDestroySpatialReference(srs);
    if (!r->wkt)
        return bm__fail(ctx, BM_ERR_CRS, "cannot use the CRS of '%s': GDAL cannot describe it",
                        r->path);
    band_range(GDALGetRasterBand(ds, r->band), &r->min, &r->max);
    if (ww == 0 || wh == 0)
        return BM_OK; /* the view misses the raster: nothing to draw */
    /* Two source pixels per output pixel are kept; more is averaged away. */
    int step = deg > 0 && detail > 0 ? (int)fmax(1, floor(detail / deg / 2)) : 1;
    r->gt[0] = gt[0] + x0 * gt[1] + y0 * gt[2];
    r->gt[3] = gt[3] + x0 * gt[4] + y0 * gt[5];
    enum bm_status st = read_window(ctx, r, ds, x0, y0, ww, wh, step);
    double sx = (double)ww / r->w, sy = (double)wh / r->h;
    r->gt[1] = gt[1] * sx;
    r->gt[2] = gt[2] * sy;
    r->gt[4] = gt[4] * sx;
    r->gt[5] = gt[5] * sy;
    return st;
}

enum bm_status bm__raster_load(struct bm_ctx *ctx, const char *path, int band,
                               const struct bm_bbox *bbox, double detail, struct bm__raster **out)
{
    *out = NULL;
    struct bm__raster *r = calloc(1, sizeof *r);
    if (!r || !(r->path = bm__strdup(path))) {
        free(r);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory reading '%s'", path);
    }
    r->band = band;
    int walls = bm__source_walls_push(ctx);
    GDALDatasetH ds = open_raster(ctx, path);
    enum bm_status st = ds ? load_band(ctx, r, ds, bbox, detail) : bm_ctx_status(ctx);
    if (ds)
        GDALClose(ds);
    bm__source_walls_pop(walls);
    if (st != BM_OK) {
        bm__raster_free(r);
        return st;
    }
    *out = r;
    return BM_OK;
}

/* ---- warping ------------------------------------------------------------------ */

/* The grid's CRS as WKT (CPLFree it), or NULL. */
static char *grid_wkt(const char *crs)
{
    OGRSpatialReferenceH s = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (OSRSetFromUserInput(s, crs) == OGRERR_NONE)
        OSRExportToWkt(s, &wkt);
    OSRDestroySpatialReference(s);
    return wkt;
}

/* A one-band Float32 dataset in memory over data (borrowed), with no data BM__RASTER_NONE. */
static GDALDatasetH mem_dataset(float *data, int w, int h, const double gt[6], const char *wkt)
{
    GDALDriverH drv = GDALGetDriverByName("MEM");
    GDALDatasetH ds = drv ? GDALCreate(drv, "", w, h, 0, GDT_Float32, NULL) : NULL;
    if (!ds)
        return NULL;
    char ptr[64];
    snprintf(ptr, sizeof ptr, "DATAPOINTER=%p", (void *)data);
    char *opts[] = {ptr, NULL};
    double g[6];
    memcpy(g, gt, sizeof g);
    if (GDALAddBand(ds, GDT_Float32, opts) != CE_None || GDALSetGeoTransform(ds, g) != CE_None ||
        GDALSetProjection(ds, wkt) != CE_None) {
        GDALClose(ds);
        return NULL;
    }
    GDALSetRasterNoDataValue(GDALGetRasterBand(ds, 1), BM__RASTER_NONE);
    return ds;
}

double bm__raster_grid_ratio(struct bm_ctx *ctx, const struct bm__raster *r,
                             const struct bm__grid *g)
{
    (void)ctx;
    char *wkt = grid_wkt(g->crs);
    if (!wkt || !r->wkt || r->w == 0) {
        CPLFree(wkt);
        return 0;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    void *t = GDALCreateGenImgProjTransformer3(r->wkt, r->gt, wkt, g->gt);
    CPLPopErrorHandler();
    CPLFree(wkt);
    if (!t)
        return 0;
    /* Three grid pixels at the centre, into the raster's pixels. */
    double cx = g->w / 2.0, cy = g->h / 2.0;
    double x[3] = {cx, cx + 1, cx}, y[3] = {cy, cy, cy + 1}, z[3] = {0, 0, 0};
    int ok[3] = {0, 0, 0};
    GDALGenImgProjTransform(t, TRUE, 3, x, y, z, ok);
    GDALDestroyGenImgProjTransformer(t);
    if (!ok[0] || !ok[1] || !ok[2])
        return 0;
    double step = fmax(hypot(x[1] - x[0], y[1] - y[0]), hypot(x[2] - x[0], y[2] - y[0]));
    return step > 0 ? 1 / step : 0;
}

enum bm_status bm__raster_warp(struct bm_ctx *ctx, const struct bm__raster *r,
                               const struct bm__grid *g, float *out)
{
    size_t n = (size_t)g->w * (size_t)g->h;
    for (size_t i = 0; i < n; i++)
        out[i] = BM__RASTER_NONE;
    if (r->w == 0 || r->h == 0)
        return BM_OK;
    char *wkt = grid_wkt(g->crs);
    if (!wkt)
        return bm__fail(ctx, BM_ERR_CRS, "cannot warp '%s': the map's CRS '%s' is unknown to GDAL",
                        r->path, g->crs);
    bm__gdal_init(); /* once per process: GDALAllRegister races in threads */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH src = mem_dataset(r->v, r->w, r->h, r->gt, r->wkt);
    GDALDatasetH dst = mem_dataset(out, g->w, g->h, g->gt, wkt);
    CPLFree(wkt);
    void *gen = src && dst ? GDALCreateGenImgProjTransformer2(src, dst, NULL) : NULL;
    enum bm_status st = BM_OK;
    if (!gen) {
        st = bm__fail(ctx, BM_ERR_CRS,
                      "cannot warp '%s' into the map's projection: GDAL finds no transformation "
                      "between them; reproject it, e.g. 'gdalwarp -t_srs EPSG:4326'",
                      r->path);
    } else {
        GDALWarpOptions *wo = GDALCreateWarpOptions();
        wo->hSrcDS = src;
        wo->hDstDS = dst;
        wo->nBandCount = 1;
        wo->panSrcBands = CPLMalloc(sizeof(int));
        wo->panDstBands = CPLMalloc(sizeof(int));
        wo->panSrcBands[0] = wo->panDstBands[0] = 1;
        wo->eResampleAlg = GRA_Bilinear;
        wo->eWorkingDataType = GDT_Float32;
        wo->padfSrcNoDataReal = CPLMalloc(sizeof(double));
        wo->padfDstNoDataReal = CPLMalloc(sizeof(double));
        wo->padfSrcNoDataReal[0] = wo->padfDstNoDataReal[0] = BM__RASTER_NONE;
        wo->papszWarpOptions = CSLSetNameValue(NULL, "INIT_DEST", "NO_DATA");
        /* The warp is a tenth of a situation map: on every core (up to 8), in strips of
         * rows, each pixel computed as by one thread (the same image, sooner). */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        char threads[16];
        snprintf(threads, sizeof threads, "%ld", cores < 1 ? 1 : (cores > 8 ? 8 : cores));
        wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "NUM_THREADS", threads);
        /* An eighth of a pixel: the approximation cannot be seen, and saves most of PROJ's work. */
        wo->pTransformerArg = GDALCreateApproxTransformer(GDALGenImgProjTransform, gen, 0.125);
        wo->pfnTransformer = GDALApproxTransform;
        GDALWarpOperationH op = GDALCreateWarpOperation(wo);
        if (!op || GDALChunkAndWarpImage(op, 0, 0, g->w, g->h) != CE_None) {
            char why[400];
            st = bm__fail(ctx, BM_ERR_RENDER, "cannot warp '%s' into the map's projection (%s)",
                          r->path, gdal_why(why, sizeof why));
        }
        if (op)
            GDALDestroyWarpOperation(op);
        GDALDestroyApproxTransformer(wo->pTransformerArg);
        GDALDestroyGenImgProjTransformer(gen);
        GDALDestroyWarpOptions(wo);
    }
    if (dst)
        GDALClose(dst); /* flushes into out */
    if (src)
        GDALClose(src);
    CPLPopErrorHandler();
    if (st == BM_OK && (!src || !dst))
        st = bm__fail(ctx, BM_ERR_NOMEM, "out of memory warping '%s'", r->path);
    return st;
}
