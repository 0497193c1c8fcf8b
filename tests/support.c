/* bordermap tests: making real (and broken) vector files with GDAL. */
#define _XOPEN_SOURCE 700
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cpl_conv.h>
#include <ftw.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bordermap/bordermap.h"

struct bm_ctx *ctx;
static char tmp_dir[256];

int test_setup(void **state)
{
    (void)state;
    ctx = bm_ctx_new();
    return ctx && tmp_make() ? 0 : -1;
}

struct bm_map *load_style(const char *name)
{
    char rel[256], path[4096];
    struct bm_map *m = NULL;
    snprintf(rel, sizeof rel, "styles/%s.yaml", name);
    if (bm_ctx_data_path(ctx, rel, path, sizeof path) != BM_OK ||
        bm_map_load(ctx, path, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    return m;
}

int test_teardown(void **state)
{
    (void)state;
    bm_ctx_free(ctx);
    ctx = NULL;
    tmp_remove();
    return 0;
}

const char *tmp_make(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/bm-test-XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return NULL;
    }
    return tmp_dir;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tmp_remove(void)
{
    if (tmp_dir[0])
        nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tmp_path(const char *name)
{
    static char ring[8][512];
    static int next;
    char *p = ring[next++ % 8];
    snprintf(p, sizeof ring[0], "%s/%s", tmp_dir, name);
    return p;
}

static OGRLayerH create(GDALDatasetH *ds, const char *path, const char *driver, int epsg,
                        const char *layer, OGRwkbGeometryType type)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName(driver);
    *ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!*ds) {
        fprintf(stderr, "cannot create %s with %s\n", path, driver);
        return NULL;
    }
    OGRSpatialReferenceH srs = NULL;
    if (epsg) {
        srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, epsg);
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    }
    OGRLayerH l = GDALDatasetCreateLayer(*ds, layer, srs, type, NULL);
    if (srs)
        OSRDestroySpatialReference(srs);
    OGRFieldDefnH fd = OGR_Fld_Create("name", OFTString);
    OGR_L_CreateField(l, fd, 1);
    OGR_Fld_Destroy(fd);
    return l;
}

int write_layer(const char *path, const char *driver, int epsg, const char *layer,
                const char *const *wkt, size_t n)
{
    GDALDatasetH ds;
    OGRwkbGeometryType type = wkbUnknown;
    if (n > 0 && wkt[0][0]) {
        OGRGeometryH g = NULL;
        char *w = (char *)wkt[0];
        OGR_G_CreateFromWkt(&w, NULL, &g);
        if (g) {
            type = OGR_G_GetGeometryType(g);
            OGR_G_DestroyGeometry(g);
        }
    }
    OGRLayerH l = create(&ds, path, driver, epsg, layer, type);
    if (!l)
        return -1;
    for (size_t i = 0; i < n; i++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        char name[32];
        snprintf(name, sizeof name, "f%zu", i);
        OGR_F_SetFieldString(f, 0, name);
        if (wkt[i][0]) {
            OGRGeometryH g = NULL;
            char *w = (char *)wkt[i];
            if (OGR_G_CreateFromWkt(&w, NULL, &g) != OGRERR_NONE) {
                fprintf(stderr, "bad WKT in test: %s\n", wkt[i]);
                return -1;
            }
            OGR_F_SetGeometryDirectly(f, g);
        }
        if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
            fprintf(stderr, "cannot write feature %zu of %s\n", i, path);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return 0;
}

int write_line(const char *path, int epsg)
{
    GDALDatasetH ds;
    OGRLayerH l = create(&ds, path, "ESRI Shapefile", epsg, "line", wkbLineString);
    if (!l)
        return -1;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
    OGRGeometryH g = OGR_G_CreateGeometry(wkbLineString);
    OGR_G_SetPoint_2D(g, 0, 97.0, 24.0);
    OGR_G_SetPoint_2D(g, 1, 98.0, 23.0);
    OGR_F_SetGeometryDirectly(f, g);
    OGR_F_SetFieldString(f, 0, "p");
    if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
        fprintf(stderr, "cannot write the point of %s\n", path);
    OGR_F_Destroy(f);
    GDALClose(ds);
    return 0;
}

int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    return fclose(out);
}

int truncate_to(const char *path, long size)
{
    return truncate(path, size);
}

long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int patch_double(const char *path, long offset, double value)
{
    FILE *f = fopen(path, "r+b");
    if (!f)
        return -1;
    /* Shapefile coordinates are little-endian doubles, as on this machine. */
    int ok = fseek(f, offset, SEEK_SET) == 0 && fwrite(&value, sizeof value, 1, f) == 1;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}
