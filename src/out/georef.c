/* bordermap: georeferenced output: GeoTIFF, world files and .prj. */
#include "bordermap/map.h"
#include "core/internal.h"
#include "out/formats.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The map's CRS as WKT (ESRI's dialect for a .prj when esri is set). Caller frees with CPLFree. */
static char *crs_wkt(const char *crs, int esri)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (srs && OSRSetFromUserInput(srs, crs) == OGRERR_NONE) {
        if (esri)
            OSRMorphToESRI(srs);
        if (OSRExportToWkt(srs, &wkt) != OGRERR_NONE) {
            CPLFree(wkt);
            wkt = NULL;
        }
    }
    OSRDestroySpatialReference(srs);
    return wkt;
}

int bm__write_geotiff(const struct bm__output *o, cairo_surface_t *s)
{
    struct bm_ctx *ctx = o->ctx;
    const char *path = o->path, *crs = o->crs;
    const double *g = o->geotransform;
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    cairo_surface_flush(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    char *wkt = crs_wkt(crs, 0);
    bm__gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDriverH mem = GDALGetDriverByName("MEM"), tiff = GDALGetDriverByName("GTiff");
    GDALDatasetH ds = mem && data ? GDALCreate(mem, "", w, h, 3, GDT_Byte, NULL) : NULL;
    int ok = ds && wkt;
    /* CAIRO_FORMAT_RGB24 holds B, G, R, x in memory: read each band with a 4-byte stride. */
    for (int b = 0; ok && b < 3; b++)
        ok = GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Write, 0, 0, w, h,
                          (void *)(data + 2 - b), w, h, GDT_Byte, 4, stride) == CE_None;
    if (ok) {
        GDALSetGeoTransform(ds, (double *)g);
        GDALSetProjection(ds, wkt);
        GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 1), GCI_RedBand);
        GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 2), GCI_GreenBand);
        GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 3), GCI_BlueBand);
        char **opts = NULL;
        opts = CSLSetNameValue(opts, "COMPRESS", "DEFLATE");
        opts = CSLSetNameValue(opts, "PREDICTOR", "2");
        opts = CSLSetNameValue(opts, "TILED", "YES");
        opts = CSLSetNameValue(opts, "PHOTOMETRIC", "RGB");
        /* Written in memory, then through the output's descriptor: GDAL never opens a
         * file by name in the target's folder. */
        char folder[64], file[96];
        bm__vsi_folder(folder, sizeof folder);
        snprintf(file, sizeof file, "%s/map.tif", folder);
        GDALDatasetH out = tiff ? GDALCreateCopy(tiff, file, ds, FALSE, opts, NULL, NULL) : NULL;
        ok = out != NULL;
        if (out) { /* GDAL 3.6's GDALClose() returns nothing: its failure is the last error */
            CPLErrorReset();
            GDALClose(out);
            ok = CPLGetLastErrorType() < CE_Failure;
        }
        ok = ok && bm__output_copy_vsi(o->file, file) == 0;
        VSIRmdirRecursive(folder);
        CSLDestroy(opts);
    }
    if (!ok && !o->file->err) /* a failed write: bm__output_close says why */
        bm__fail(ctx, wkt ? BM_ERR_IO : BM_ERR_CRS, "cannot write the GeoTIFF '%s' (%s)", path,
                 wkt ? CPLGetLastErrorMsg() : "GDAL does not know the map's CRS");
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
    CPLFree(wkt);
    return ok ? 0 : -1;
}

/* path with its extension replaced: "map.png" + "pgw" -> "map.pgw". */
static int sibling(const char *path, const char *ext, char *out, size_t size)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    int stem = dot && (!slash || dot > slash) ? (int)(dot - path) : (int)strlen(path);
    int n = snprintf(out, size, "%.*s.%s", stem, path, ext);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static enum bm_status write_text_file(struct bm_ctx *ctx, const char *path, const char *text)
{
    struct bm__outfile f;
    if (bm__output_open(ctx, path, &f) != BM_OK)
        return bm_ctx_status(ctx);
    return bm__output_close(ctx, &f, bm__output_write(&f, text, strlen(text)) == 0);
}

enum bm_status bm_write_world_file(struct bm_ctx *ctx, const struct bm_render_info *info,
                                   const char *image_path)
{
    bm__begin(ctx);
    const char *dot = strrchr(image_path, '.');
    /* The convention: the first and last letters of the extension, then "w". */
    char ext[8] = "wld";
    if (dot && strlen(dot) >= 3)
        snprintf(ext, sizeof ext, "%c%cw", dot[1], dot[strlen(dot) - 1]);
    char wpath[4096], ppath[4096], text[512];
    if (sibling(image_path, ext, wpath, sizeof wpath) ||
        sibling(image_path, "prj", ppath, sizeof ppath))
        return bm__fail(ctx, BM_ERR_IO, "cannot write a world file for '%s': the path is too long",
                        image_path);
    const double *g = info->geotransform;
    /* A world file names the centre of the top-left pixel, not its corner. */
    snprintf(text, sizeof text, "%.10f\n%.10f\n%.10f\n%.10f\n%.10f\n%.10f\n", g[1], g[4], g[2],
             g[5], g[0] + g[1] / 2 + g[2] / 2, g[3] + g[4] / 2 + g[5] / 2);
    char *wkt = crs_wkt(info->crs, 1);
    if (!wkt)
        return bm__fail(ctx, BM_ERR_CRS, "cannot describe the map's CRS '%s' for '%s'", info->crs,
                        ppath);
    enum bm_status st = write_text_file(ctx, wpath, text);
    if (st == BM_OK)
        st = write_text_file(ctx, ppath, wkt);
    CPLFree(wkt);
    return st;
}
