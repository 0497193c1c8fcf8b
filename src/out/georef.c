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

/* A number of degrees, short: 21.833333 -> "21.83", 98.5 -> "98.5", 98 -> "98". */
static void short_deg(char *out, size_t size, double v)
{
    snprintf(out, size, "%.2f", v);
    char *end = out + strlen(out);
    while (end > out && end[-1] == '0')
        *--end = 0;
    if (end > out && end[-1] == '.')
        end[-1] = 0;
}

/*
 * Name a CRS after what it is. A CRS that is an EPSG one (given as a code,
 * or a PROJ string that GDAL identifies, such as a UTM zone) becomes that
 * EPSG CRS, authority and all; the conic or cylinder bordermap fits to an
 * extent has no code and is named by its parameters, "bordermap LCC
 * 21.83/26.17 lon0=98.5", where PROJ would call it "unknown".
 */
static void name_crs(OGRSpatialReferenceH srs)
{
    if (!OSRIsProjected(srs) || OSRGetAuthorityCode(srs, NULL))
        return;
    /* PROJ's "+datum=WGS84" gives a base CRS named "unknown": it is WGS 84
     * (and only then is a UTM zone recognised as its EPSG code). */
    const char *datum = OSRGetAttrValue(srs, "DATUM", 0);
    if (datum && strcmp(datum, "WGS_1984") == 0)
        OSRSetWellKnownGeogCS(srs, "WGS84");
    if (OSRAutoIdentifyEPSG(srs) == OGRERR_NONE) {
        const char *code = OSRGetAuthorityCode(srs, NULL);
        char *end;
        long epsg = code ? strtol(code, &end, 10) : 0;
        if (code && !*end && epsg > 0 && epsg < 1000000 &&
            OSRImportFromEPSG(srs, (int)epsg) == OGRERR_NONE)
            return;
    }
    const char *proj = OSRGetAttrValue(srs, "PROJECTION", 0);
    char lat1[32], lat2[32], lon0[32], name[160];
    short_deg(lat1, sizeof lat1, OSRGetProjParm(srs, SRS_PP_STANDARD_PARALLEL_1, 0, NULL));
    short_deg(lat2, sizeof lat2, OSRGetProjParm(srs, SRS_PP_STANDARD_PARALLEL_2, 0, NULL));
    short_deg(lon0, sizeof lon0, OSRGetProjParm(srs, SRS_PP_CENTRAL_MERIDIAN, 0, NULL));
    if (proj && strcmp(proj, SRS_PT_LAMBERT_CONFORMAL_CONIC_2SP) == 0)
        snprintf(name, sizeof name, "bordermap LCC %s/%s lon0=%s", lat1, lat2, lon0);
    else if (proj && strcmp(proj, SRS_PT_MERCATOR_1SP) == 0)
        snprintf(name, sizeof name, "bordermap Mercator lon0=%s", lon0);
    else
        snprintf(name, sizeof name, "bordermap %s lon0=%s", proj ? proj : "projection", lon0);
    OSRSetProjCS(srs, name);
}

/* The map's CRS as WKT, named (ESRI's dialect for a .prj when esri is set). Caller frees
 * with CPLFree. */
static char *crs_wkt(const char *crs, int esri)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (srs && OSRSetFromUserInput(srs, crs) == OGRERR_NONE) {
        name_crs(srs);
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
    unsigned char *data = cairo_image_surface_get_data(s);
    int nb = o->alpha ? 4 : 3;
    /* ARGB32's colours are premultiplied by their alpha; a GeoTIFF's are not. The
     * surface is written once, so they are divided in place. */
    for (int y = 0; o->alpha && data && y < h; y++)
        for (unsigned char *p = data + (size_t)y * (size_t)stride, *e = p + 4 * (size_t)w; p < e;
             p += 4)
            for (int i = 0; i < 3; i++)
                p[i] = p[3] ? (unsigned char)((p[i] * 255u + p[3] / 2) / p[3]) : 0;
    char *wkt = crs_wkt(crs, 0);
    bm__gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDriverH mem = GDALGetDriverByName("MEM"), tiff = GDALGetDriverByName("GTiff");
    GDALDatasetH ds = mem && data ? GDALCreate(mem, "", w, h, nb, GDT_Byte, NULL) : NULL;
    int ok = ds && wkt;
    /* cairo's words hold B, G, R, x (or alpha) in memory: read each band with a 4-byte
     * stride. */
    static const int at[4] = {2, 1, 0, 3};
    for (int b = 0; ok && b < nb; b++)
        ok = GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Write, 0, 0, w, h,
                          (void *)(data + at[b]), w, h, GDT_Byte, 4, stride) == CE_None;
    if (ok) {
        GDALSetGeoTransform(ds, (double *)g);
        GDALSetProjection(ds, wkt);
        GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 1), GCI_RedBand);
        GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 2), GCI_GreenBand);
        GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 3), GCI_BlueBand);
        if (o->alpha)
            GDALSetRasterColorInterpretation(GDALGetRasterBand(ds, 4), GCI_AlphaBand);
        char **opts = NULL;
        if (o->alpha)
            opts = CSLSetNameValue(opts, "ALPHA", "YES");
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

/*
 * GDAL's own sidecar (PAM), IMAGE.png.aux.xml: the SRS as WKT and the
 * geotransform, which GDAL, gdalsrsinfo and QGIS read beside an image whose
 * format holds neither (a .prj beside a PNG is read by no GDAL driver).
 */
static enum bm_status write_aux_xml(struct bm_ctx *ctx, const struct bm_render_info *info,
                                    const char *image_path)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s.aux.xml", image_path);
    if (n < 0 || (size_t)n >= sizeof path)
        return bm__fail(ctx, BM_ERR_IO, "cannot write a .aux.xml for '%s': the path is too long",
                        image_path);
    char *wkt = crs_wkt(info->crs, 0);
    if (!wkt)
        return bm__fail(ctx, BM_ERR_CRS, "cannot describe the map's CRS '%s' for '%s'", info->crs,
                        path);
    char *escaped = CPLEscapeString(wkt, -1, CPLES_XML);
    const double *g = info->geotransform;
    char *text = CPLStrdup(CPLSPrintf("<PAMDataset>\n  <SRS dataAxisToSRSAxisMapping=\"1,2\">%s"
                                      "</SRS>\n  <GeoTransform>%.16e, %.16e, %.16e, %.16e, %.16e, "
                                      "%.16e</GeoTransform>\n</PAMDataset>\n",
                                      escaped, g[0], g[1], g[2], g[3], g[4], g[5]));
    enum bm_status st = write_text_file(ctx, path, text);
    CPLFree(text);
    CPLFree(escaped);
    CPLFree(wkt);
    return st;
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
    /* A format that carries its CRS (GeoTIFF) needs no PAM: it would only repeat it. */
    const struct bm_format_info *f = bm_format_from_path(image_path);
    if (st == BM_OK && !(f && f->georeferenced))
        st = write_aux_xml(ctx, info, image_path);
    return st;
}
