/* bordermap: writing a layer to a vector file through OGR, atomically. */
#include "bordermap/layer.h"
#include "core/internal.h"

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *driver_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return NULL;
    if (strcasecmp(dot, ".geojson") == 0 || strcasecmp(dot, ".json") == 0)
        return "GeoJSON";
    if (strcasecmp(dot, ".gpkg") == 0)
        return "GPKG";
    return NULL;
}

static OGRwkbGeometryType ogr_type(enum bm_geom_type t)
{
    return t == BM_GEOM_POINT ? wkbPoint : t == BM_GEOM_LINE ? wkbLineString : wkbPolygon;
}

/* One feature as an OGR geometry (owned by the caller). */
static OGRGeometryH feature_geometry(const struct bm_layer *L, size_t i)
{
    const struct bm_feature *f = bm_layer_feature(L, i);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = bm_layer_xy(L);
    OGRwkbGeometryType multi = f->type == BM_GEOM_POINT  ? wkbMultiPoint
                               : f->type == BM_GEOM_LINE ? wkbMultiLineString
                                                         : wkbMultiPolygon;
    OGRGeometryH all = OGR_G_CreateGeometry(multi), poly = NULL;
    for (size_t k = 0; k < f->nparts; k++) {
        const struct bm_part *p = &parts[k];
        OGRGeometryH g =
            OGR_G_CreateGeometry(f->type == BM_GEOM_POLYGON ? wkbLinearRing : ogr_type(f->type));
        for (size_t j = 0; j < p->count; j++)
            OGR_G_SetPoint_2D(g, (int)j, xy[2 * (p->first + j)], xy[2 * (p->first + j) + 1]);
        if (f->type != BM_GEOM_POLYGON) {
            OGR_G_AddGeometryDirectly(all, g);
            continue;
        }
        if (!p->hole) {
            if (poly)
                OGR_G_AddGeometryDirectly(all, poly);
            poly = OGR_G_CreateGeometry(wkbPolygon);
        }
        OGR_G_AddGeometryDirectly(poly, g);
    }
    if (poly)
        OGR_G_AddGeometryDirectly(all, poly);
    if (OGR_G_GetGeometryCount(all) == 1) {
        OGRGeometryH one = OGR_G_Clone(OGR_G_GetGeometryRef(all, 0));
        OGR_G_DestroyGeometry(all);
        return one;
    }
    return all;
}

static int write_features(const struct bm_layer *L, OGRLayerH out)
{
    for (size_t k = 0; k < bm_layer_field_count(L); k++) {
        OGRFieldDefnH fd = OGR_Fld_Create(bm_layer_field_name(L, k), OFTString);
        int bad = OGR_L_CreateField(out, fd, 1) != OGRERR_NONE;
        OGR_Fld_Destroy(fd);
        if (bad)
            return -1;
    }
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(out));
        for (size_t k = 0; k < bm_layer_field_count(L); k++) {
            const char *v = bm_layer_attr(L, i, k);
            if (v)
                OGR_F_SetFieldString(f, (int)k, v);
        }
        OGR_F_SetGeometryDirectly(f, feature_geometry(L, i));
        int bad = OGR_L_CreateFeature(out, f) != OGRERR_NONE;
        OGR_F_Destroy(f);
        if (bad)
            return -1;
    }
    return 0;
}

enum bm_status bm_layer_write(struct bm_ctx *ctx, const struct bm_layer *L, const char *path)
{
    bm__begin(ctx);
    const char *driver = driver_for(path);
    if (!driver)
        return bm__fail(ctx, BM_ERR_ARG,
                        "cannot write '%s': give a file name ending in .geojson or .gpkg", path);
    if (bm__same_file(path, bm__layer_source(L)))
        return bm__fail(ctx, BM_ERR_IO,
                        "will not write '%s': it is the source of layer '%s'; choose another "
                        "output name",
                        path, bm_layer_name(L));
    struct bm__outfile file;
    if (bm__output_open(ctx, path, &file) != BM_OK)
        return bm_ctx_status(ctx);
    /* Made in GDAL's memory, then written through the output's descriptor: the driver never
     * opens a file by name in the target's folder. */
    char folder[64], mem[96];
    bm__vsi_folder(folder, sizeof folder);
    snprintf(mem, sizeof mem, "%s/layer%s", folder, strrchr(path, '.'));
    bm__gdal_init();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDriverH drv = GDALGetDriverByName(driver);
    GDALDatasetH ds = drv ? GDALCreate(drv, mem, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRSetWellKnownGeogCS(srs, "WGS84");
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    /* A layer that mixes families is written as such. */
    OGRwkbGeometryType type = ogr_type(bm_layer_geom_type(L));
    for (size_t i = 0; i < bm_layer_feature_count(L); i++)
        if (bm_layer_feature(L, i)->type != bm_layer_geom_type(L))
            type = wkbUnknown;
    OGRLayerH out = ds ? GDALDatasetCreateLayer(ds, bm_layer_name(L), srs, type, NULL) : NULL;
    int bad = !out || write_features(L, out) != 0;
    char why[512];
    if (ds) { /* GDAL 3.6's GDALClose() returns nothing: its failure is the last error */
        if (!bad)
            CPLErrorReset();
        GDALClose(ds);
        bad = bad || CPLGetLastErrorType() >= CE_Failure;
    }
    snprintf(why, sizeof why, "%s",
             CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL could not make the file");
    OSRDestroySpatialReference(srs);
    CPLPopErrorHandler();
    if (bad)
        bm__fail(ctx, BM_ERR_IO, "cannot write '%s' (%s)", path, why);
    else
        bad = bm__output_copy_vsi(&file, mem) != 0;
    VSIRmdirRecursive(folder);
    return bm__output_close(ctx, &file, !bad);
}
