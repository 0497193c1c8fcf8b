/* bordermap: loading vector sources through OGR into flat WGS84 arrays. */
#include "bordermap/layer.h"
#include "bordermap/redact.h"
#include "core/buf.h"
#include "core/internal.h"
#include "data/filter.h"
#include "data/source.h"

#include <ctype.h>
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define NULL_ATTR ((size_t)-1)

struct bm_layer {
    char *path, *name, *driver, *geom_name, *crs;
    char *shown; /* path with any password hidden (bm_redact): what is printed */
    enum bm_geom_type type;
    struct bm__buf xy;       /* double: lon, lat, lon, lat, ... */
    struct bm__buf parts;    /* struct bm_part */
    struct bm__buf features; /* struct bm_feature */
    size_t nfields;
    char **field_names;
    enum bm_field_type *field_types;
    struct bm__buf attr_off; /* size_t per feature and field into strings, NULL_ATTR for null */
    struct bm__buf strings;  /* NUL-terminated values */
    struct bm_bbox extent;
    size_t repaired, skipped;
};

/* GDAL's messages while we read, kept instead of printed. */
struct capture {
    int armed;
    int failures;
    int misordered; /* GDAL said a ring broke the CCW_INNER_JUST_AFTER_CW_OUTER order */
    char first[512];
};

static void CPL_STDCALL capture_error(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num;
    struct capture *c = CPLGetErrorHandlerUserData();
    if (c && cls == CE_Warning && msg && strstr(msg, "CCW_INNER_JUST_AFTER_CW_OUTER"))
        c->misordered = 1;
    if (!c || !c->armed || cls < CE_Failure)
        return;
    if (c->failures++ != 0)
        return;
    /* The message goes inside ours, on one line: GDAL's lines are joined, runs of
     * spaces squeezed and its closing full stop dropped. A caret pointing into the
     * line above means nothing once the lines are joined, so carets go too. */
    size_t n = 0;
    int space = 0;
    for (const char *p = msg ? msg : "unknown error"; *p && n + 2 < sizeof c->first; p++) {
        if (*p == '^' || isspace((unsigned char)*p)) {
            space |= *p != '^' && n > 0;
            continue;
        }
        if (space)
            c->first[n++] = ' ';
        space = 0;
        c->first[n++] = *p;
    }
    c->first[n] = '\0';
    while (n > 0 && strchr(".\n\r ", c->first[n - 1]))
        c->first[--n] = '\0';
}

/* One kind of skipped or mended feature, reported once with its count. */
struct tally {
    size_t count;
    long long first_fid;
};

static void tally_add(struct tally *t, long long fid)
{
    if (t->count++ == 0)
        t->first_fid = fid;
}

/* State of one load. */
struct loader {
    struct bm_ctx *ctx;
    struct bm_layer *L;
    const struct bm_load_opts *opts;
    struct capture *cap;
    PJ *pj;      /* source CRS -> WGS84 lon/lat, NULL when already so */
    int swap_xy; /* the source stores latitude first */
    int no_crs;  /* the source has no CRS: coordinates must be degrees */
    /* what to do about a missing CRS, for this kind of source (set with no_crs) */
    char crs_fix[256], crs_fix_warn[300];
    struct tally empty, nonfinite, range, invalid, unsupported;
    unsigned long long budget; /* bytes the layer may take (bm_ctx_memory_limit) */
    const char *budget_what;
    struct bm__filter *filter; /* opts->where, parsed: the judge of every feature */
    char *pushed;              /* the part of it handed to the driver, or NULL */
    int own_box;               /* opts->bbox is tested here (box: in the source's axes) */
    struct bm_bbox box;
};

/* ---- small helpers ---------------------------------------------------- */

static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    return (dot && (!slash || dot > slash)) ? dot + 1 : "";
}

/* "PG:dbname=x", "WFS:..." and GDAL's virtual paths are not plain files. */
static int is_plain_file(const char *path)
{
    size_t i = 0;
    if (strncmp(path, "/vsi", 4) == 0)
        return 0;
    while (isalnum((unsigned char)path[i]) || path[i] == '_')
        i++;
    return !(i >= 2 && path[i] == ':');
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Does a shapefile's sidecar with extension ext (either case) exist? Its path goes in path. */
static int find_sidecar(const char *shp, const char *ext, char *path, size_t size)
{
    size_t stem = strlen(shp) - strlen(extension(shp));
    if (stem + 4 >= size)
        return 0;
    for (int upper = 0; upper < 2; upper++) {
        memcpy(path, shp, stem);
        for (int i = 0; i < 3; i++)
            path[stem + (size_t)i] = upper ? (char)toupper((unsigned char)ext[i]) : ext[i];
        path[stem + 3] = '\0';
        if (file_exists(path))
            return 1;
    }
    return 0;
}

static int sidecar_exists(const char *shp, const char *ext)
{
    char path[4096];
    return find_sidecar(shp, ext, path, sizeof path);
}

static enum bm_status check_file(struct bm_ctx *ctx, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return bm__fail(ctx, BM_ERR_SOURCE_MISSING,
                        "cannot open '%s': no such file or folder; check the path", path);
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        /* A pipe or a device (/dev/zero) would be read for ever. */
        return bm__fail(ctx, BM_ERR_SOURCE_FORMAT,
                        "cannot read '%s': it is not a file or a folder (a device, a pipe or a "
                        "socket); give a file",
                        path);
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return bm__fail(ctx, BM_ERR_SOURCE_CORRUPT,
                        "cannot read '%s': the file is empty (0 bytes); restore it from its source",
                        path);
    if (strcasecmp(extension(path), "shp") == 0) {
        static const char *const sidecars[] = {"shx", "dbf"};
        for (size_t i = 0; i < 2; i++)
            if (!sidecar_exists(path, sidecars[i]))
                return bm__fail(ctx, BM_ERR_SOURCE_MISSING,
                                "cannot open '%s': its .%s file is missing; a shapefile needs "
                                "its .shp, .shx and .dbf side by side",
                                path, sidecars[i]);
    }
    return BM_OK;
}

/* ---- memory ------------------------------------------------------------ */

/* A plain file's size on disk with its sidecars (a shapefile's .shp, .shx and .dbf). */
static unsigned long long size_on_disk(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    unsigned long long size = (unsigned long long)st.st_size;
    char side[4096];
    if (strcasecmp(extension(path), "shp") == 0)
        for (const char *const *e = (const char *const[]){"shx", "dbf", NULL}; *e; e++)
            if (find_sidecar(path, *e, side, sizeof side) && stat(side, &st) == 0)
                size += (unsigned long long)st.st_size;
    return size;
}

/* Formats whose drivers read only what a filter keeps, through a spatial index or SQL. */
static int reads_filtered_part(const char *ext)
{
    static const char *const indexed[] = {"shp", "gpkg", "fgb", "sqlite"};
    for (size_t i = 0; i < sizeof indexed / sizeof indexed[0]; i++)
        if (strcasecmp(ext, indexed[i]) == 0)
            return 1;
    return 0;
}

/*
 * Refuse a file larger than the memory budget before any of it is read: the
 * loaded layer is about as large as the file (16 bytes a vertex either way),
 * and text formats are read whole. A filtered read of an indexed format may
 * take only a part, so that is left to the check while reading.
 */
/* The compressed file under a chain of /vsigzip/, /vsizip/, /vsitar/ prefixes, its size. */
static unsigned long long compressed_size(const char *path)
{
    const char *s = path;
    while (strncmp(s, "/vsi", 4) == 0) {
        const char *slash = strchr(s + 1, '/');
        if (!slash)
            return 0;
        s = slash + 1;
        if (*s == '{')
            s++;
        if (*s == '/' && strncmp(s, "/vsi", 4) != 0)
            break;
    }
    char file[4096];
    snprintf(file, sizeof file, "%s", s);
    for (;;) {
        char *close = strchr(file, '}');
        if (close)
            *close = '\0';
        struct stat st;
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
            return (unsigned long long)st.st_size;
        char *slash = strrchr(file, '/');
        if (!slash || slash == file)
            return 0;
        *slash = '\0';
    }
}

/* A source inflated on the fly may expand this many times and past this size before it is
 * taken for a compression bomb: real GeoJSON or shapefiles compress 5 to 30 times. */
#define BOMB_RATIO 200ULL
#define BOMB_FLOOR (256ULL << 20)

/*
 * A compressed source (/vsigzip/, /vsizip/, /vsitar/) counts by its uncompressed size,
 * which is measured by inflating it (its header may lie), up to what would be refused:
 * a few seconds at most, whatever it would expand to.
 */
static enum bm_status check_compressed(struct loader *ld, const char *path)
{
    unsigned long long packed = compressed_size(path);
    unsigned long long bomb = packed * BOMB_RATIO > BOMB_FLOOR ? packed * BOMB_RATIO : BOMB_FLOOR;
    unsigned long long limit = ld->budget < bomb ? ld->budget : bomb, total = 0;
    VSILFILE *f = VSIFOpenL(path, "rb");
    if (!f)
        return BM_OK; /* not a file (a folder of shapefiles in a zip): opening will tell */
    char chunk[1 << 15];
    size_t n;
    while (total <= limit && (n = VSIFReadL(chunk, 1, sizeof chunk, f)) > 0)
        total += n;
    VSIFCloseL(f);
    if (total <= limit)
        return BM_OK;
    char a[32], b[32], c[32];
    bm__format_bytes(a, sizeof a, packed);
    bm__format_bytes(b, sizeof b, limit);
    bm__format_bytes(c, sizeof c, ld->budget);
    if (limit == ld->budget)
        return bm__fail(ld->ctx, BM_ERR_SOURCE_TOO_LARGE,
                        "'%s' expands to more than the %s of memory %s (it is %s packed); cut it "
                        "to the area you need first, e.g. with 'ogr2ogr -spat', or free memory",
                        path, c, ld->budget_what, a);
    return bm__fail(ld->ctx, BM_ERR_SOURCE_TOO_LARGE,
                    "'%s' expands from %s to more than %s (over %llu times), which looks like a "
                    "compression bomb; if you trust it, unpack it yourself and give the file",
                    path, a, b, BOMB_RATIO);
}

static enum bm_status check_size(struct loader *ld, const char *path)
{
    if (bm_ctx_memory_limit(ld->ctx, &ld->budget, &ld->budget_what) != BM_OK)
        return bm_ctx_status(ld->ctx);
    if (strncmp(path, "/vsigzip/", 9) == 0 || strncmp(path, "/vsizip/", 8) == 0 ||
        strncmp(path, "/vsitar/", 8) == 0)
        return check_compressed(ld, path);
    int filtered = (ld->opts->where && ld->opts->where[0]) || ld->opts->bbox;
    if (!is_plain_file(path) || (filtered && reads_filtered_part(extension(path))))
        return BM_OK;
    unsigned long long size = size_on_disk(path);
    if (size <= ld->budget)
        return BM_OK;
    char a[32], b[32];
    bm__format_bytes(a, sizeof a, size);
    bm__format_bytes(b, sizeof b, ld->budget);
    return bm__fail(ld->ctx, BM_ERR_SOURCE_TOO_LARGE,
                    "'%s' is %s on disk, more than the %s of memory %s; cut it to the area you "
                    "need first, e.g. with 'ogr2ogr -spat', or free memory",
                    path, a, b, ld->budget_what);
}

/* The check while reading: what the layer holds so far against the budget. */
static enum bm_status check_growth(struct loader *ld, long long fid)
{
    const struct bm_layer *L = ld->L;
    unsigned long long held =
        L->xy.cap + L->parts.cap + L->features.cap + L->attr_off.cap + L->strings.cap;
    if (held <= ld->budget)
        return BM_OK;
    char b[32];
    bm__format_bytes(b, sizeof b, ld->budget);
    return bm__fail(ld->ctx, BM_ERR_SOURCE_TOO_LARGE,
                    "'%s' needs more than the %s of memory %s (stopped at feature %lld); "
                    "load a part of it with a bounding box or a filter, or free memory",
                    L->path, b, ld->budget_what, fid);
}

static int is_known_vector_extension(const char *ext)
{
    static const char *const known[] = {"shp", "geojson", "json", "gpkg",   "kml", "csv",
                                        "gml", "fgb",     "tab",  "sqlite", "gpx", "topojson"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcasecmp(ext, known[i]) == 0)
            return 1;
    return 0;
}

static enum bm_geom_type family_of(OGRwkbGeometryType t)
{
    switch (wkbFlatten(t)) {
    case wkbPoint:
    case wkbMultiPoint:
        return BM_GEOM_POINT;
    case wkbLineString:
    case wkbMultiLineString:
    case wkbLinearRing:
        return BM_GEOM_LINE;
    case wkbPolygon:
    case wkbMultiPolygon:
        return BM_GEOM_POLYGON;
    default:
        return BM_GEOM_NONE;
    }
}

/* The highest-dimension family in a geometry (collections hold mixtures). */
static enum bm_geom_type dominant_family(OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t != wkbGeometryCollection)
        return family_of(t);
    enum bm_geom_type best = BM_GEOM_NONE;
    for (int i = 0; i < OGR_G_GetGeometryCount(g); i++) {
        enum bm_geom_type f = dominant_family(OGR_G_GetGeometryRef(g, i));
        if (f > best)
            best = f;
    }
    return best;
}

/* ---- layer set-up ------------------------------------------------------ */

static char *describe_crs(OGRSpatialReferenceH srs)
{
    const char *name = OSRGetName(srs);
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    OGRSpatialReferenceH clone = NULL;
    if (!auth || !code) {
        /* An ESRI .prj names no authority; ask GDAL to recognise it. */
        clone = OSRClone(srs);
        if (clone && OSRAutoIdentifyEPSG(clone) == OGRERR_NONE) {
            auth = OSRGetAuthorityName(clone, NULL);
            code = OSRGetAuthorityCode(clone, NULL);
        }
    }
    struct bm__buf b = {0};
    if (auth && code)
        bm__buf_printf(&b, "%s (%s:%s)", name ? name : "unnamed", auth, code);
    else
        bm__buf_printf(&b, "%s", name ? name : "unnamed CRS");
    if (clone)
        OSRDestroySpatialReference(clone);
    return bm__buf_take(&b);
}

static int is_wgs84_lonlat(OGRSpatialReferenceH srs)
{
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(NULL);
    int same = 0;
    if (wgs84 && OSRSetWellKnownGeogCS(wgs84, "WGS84") == OGRERR_NONE) {
        const char *opts[] = {"IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", NULL};
        same = OSRIsSameEx(srs, wgs84, opts);
    }
    OSRDestroySpatialReference(wgs84);
    return same;
}

/* Does the data give northing or latitude first (e.g. EPSG:4326 in authority order)? */
static int data_is_north_first(OGRSpatialReferenceH srs)
{
    int n = 0;
    const int *map = OSRGetDataAxisToSRSAxisMapping(srs, &n);
    if (n < 2)
        return 0;
    int axis = map[0] < 0 ? -map[0] : map[0]; /* 1-based, negative when inverted */
    OGRAxisOrientation o = OAO_Other;
    OSRGetAxis(srs, NULL, axis - 1, &o);
    return o == OAO_North || o == OAO_South;
}

static enum bm_status setup_crs(struct loader *ld, OGRLayerH ogr)
{
    struct bm_layer *L = ld->L;
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(ogr);
    char prj[4096];
    if (!srs && strcasecmp(extension(L->path), "shp") == 0 &&
        find_sidecar(L->path, "prj", prj, sizeof prj))
        /* A .prj that GDAL cannot read is not the same as none: do not guess. */
        return bm__fail(ld->ctx, BM_ERR_CRS,
                        "cannot understand the CRS in '%s'%s%s%s; write it again, e.g. with "
                        "'ogr2ogr -a_srs EPSG:4326', or remove it if the data is in WGS 84",
                        prj, ld->cap->failures ? " (" : "", ld->cap->failures ? ld->cap->first : "",
                        ld->cap->failures ? ")" : "");
    if (!srs) {
        ld->no_crs = 1;
        if (strcmp(L->driver, "PostgreSQL/PostGIS") == 0 || strcmp(L->driver, "PostgreSQL") == 0) {
            /* A database table has no .prj: its geometry column has an SRID, 0 here. */
            snprintf(ld->crs_fix, sizeof ld->crs_fix,
                     "set the SRID of its geometry column, e.g. SELECT UpdateGeometrySRID('%s', "
                     "'%s', 4326)",
                     OGR_L_GetName(ogr), OGR_L_GetGeometryColumn(ogr));
            snprintf(ld->crs_fix_warn, sizeof ld->crs_fix_warn, "%s, to make it explicit",
                     ld->crs_fix);
        } else {
            snprintf(ld->crs_fix, sizeof ld->crs_fix,
                     "add a .prj file (or the format's equivalent) naming its CRS");
            snprintf(ld->crs_fix_warn, sizeof ld->crs_fix_warn,
                     "add a .prj file to make it explicit");
        }
        L->crs = bm__strdup("none (assumed WGS 84)");
        return L->crs ? BM_OK : bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory");
    }
    L->crs = describe_crs(srs);
    if (!L->crs)
        return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory");
    if (is_wgs84_lonlat(srs)) {
        ld->swap_xy = data_is_north_first(srs);
        return BM_OK;
    }
    char *wkt = NULL;
    const char *wkt_opts[] = {"FORMAT=WKT2_2019", NULL};
    if (OSRExportToWktEx(srs, &wkt, wkt_opts) != OGRERR_NONE || !wkt) {
        CPLFree(wkt);
        return bm__fail(ld->ctx, BM_ERR_CRS,
                        "cannot use the CRS of '%s' (%s): GDAL cannot describe it; "
                        "reproject the data to WGS 84 (EPSG:4326)",
                        L->path, L->crs);
    }
    PJ_CONTEXT *pc = bm__proj(ld->ctx);
    PJ *raw = proj_create_crs_to_crs(pc, wkt, "EPSG:4326", NULL);
    CPLFree(wkt);
    /* Normalised: east/north in, lon/lat out, whatever the CRS axis order. */
    ld->pj = raw ? proj_normalize_for_visualization(pc, raw) : NULL;
    proj_destroy(raw);
    if (!ld->pj)
        return bm__fail(ld->ctx, BM_ERR_CRS,
                        "cannot use the CRS of '%s' (%s): PROJ finds no transformation to "
                        "WGS 84; reproject the data to WGS 84 (EPSG:4326)",
                        L->path, L->crs);
    ld->swap_xy = data_is_north_first(srs);
    return BM_OK;
}

static enum bm_status setup_fields(struct loader *ld, OGRLayerH ogr)
{
    struct bm_layer *L = ld->L;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(ogr);
    int n = OGR_FD_GetFieldCount(defn);
    L->field_names = calloc((size_t)n + 1, sizeof *L->field_names);
    L->field_types = calloc((size_t)n + 1, sizeof *L->field_types);
    if (!L->field_names || !L->field_types)
        return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        L->field_names[i] = bm__strdup(OGR_Fld_GetNameRef(fd));
        if (!L->field_names[i])
            return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory");
        L->nfields = (size_t)i + 1;
        switch (OGR_Fld_GetType(fd)) {
        case OFTString:
            L->field_types[i] = BM_FIELD_STRING;
            break;
        case OFTInteger:
        case OFTInteger64:
            L->field_types[i] = BM_FIELD_INTEGER;
            break;
        case OFTReal:
            L->field_types[i] = BM_FIELD_REAL;
            break;
        case OFTDate:
        case OFTDateTime:
        case OFTTime:
            L->field_types[i] = BM_FIELD_DATE;
            break;
        default:
            L->field_types[i] = BM_FIELD_OTHER;
        }
    }
    for (const char *const *f = ld->opts->fields; f && *f; f++) {
        if (bm_layer_field_index(L, *f) >= 0)
            continue;
        struct bm__buf list = {0};
        for (size_t i = 0; i < L->nfields; i++)
            bm__buf_printf(&list, "%s%s", i ? ", " : "", L->field_names[i]);
        enum bm_status st = bm__fail(ld->ctx, BM_ERR_FIELD,
                                     "no field '%s' in layer '%s' of '%s'; its fields are: %s", *f,
                                     L->name, L->path, list.data ? list.data : "(none)");
        bm__buf_free(&list);
        return st;
    }
    return BM_OK;
}

/*
 * The attribute filter: parsed and bound to the layer's fields by bordermap,
 * evaluated in C on every feature (read_features); only a conservative part
 * of it, with names and literals quoted by us, is handed to the driver so
 * that a database sends fewer rows. No text of the filter reaches SQL as such.
 */
static enum bm_status set_attribute_filter(struct loader *ld, OGRLayerH ogr)
{
    struct bm_layer *L = ld->L;
    char msg[1024];
    ld->filter = bm__filter_parse(ld->opts->where, msg, sizeof msg);
    if (!ld->filter)
        return bm__fail(ld->ctx, strcmp(msg, "out of memory") ? BM_ERR_FILTER : BM_ERR_NOMEM, "%s",
                        msg);
    if (bm__filter_bind(ld->filter, (const char *const *)L->field_names, L->field_types, L->nfields,
                        L->name, L->path, msg, sizeof msg) != 0)
        return bm__fail(ld->ctx, BM_ERR_FILTER, "%s", msg);
    ld->pushed = bm__filter_pushdown(ld->filter);
    ld->cap->failures = 0;
    if (ld->pushed && OGR_L_SetAttributeFilter(ogr, ld->pushed) != OGRERR_NONE) {
        /* The driver could not take even this: bordermap filters alone. */
        OGR_L_SetAttributeFilter(ogr, NULL);
        free(ld->pushed);
        ld->pushed = NULL;
    }
    return BM_OK;
}

static enum bm_status set_filters(struct loader *ld, OGRLayerH ogr)
{
    struct bm_layer *L = ld->L;
    const struct bm_load_opts *o = ld->opts;
    enum bm_status st;
    if (o->where && o->where[0] && (st = set_attribute_filter(ld, ogr)) != BM_OK)
        return st;
    if (o->bbox) {
        double w = o->bbox->west, s = o->bbox->south, e = o->bbox->east, n = o->bbox->north;
        if (!(w < e && s < n))
            return bm__fail(ld->ctx, BM_ERR_ARG,
                            "empty bounding box %g,%g,%g,%g for '%s'; give west,south,east,north",
                            w, s, e, n, L->path);
        if (ld->pj &&
            !proj_trans_bounds(bm__proj(ld->ctx), ld->pj, PJ_INV, w, s, e, n, &w, &s, &e, &n, 21))
            return bm__fail(ld->ctx, BM_ERR_CRS,
                            "cannot express the bounding box in the CRS of '%s' (%s)", L->path,
                            L->crs);
        if (ld->swap_xy) { /* latitude first: the box's x bounds are its south and north */
            double t = w;
            w = s;
            s = t;
            t = e;
            e = n;
            n = t;
        }
        /* The box is tested here (in_box) when the source has no spatial index and the
         * box covers most of it (a map of the region over the region's data): GDAL's
         * own test hands every multipolygon the box cuts to GEOS, 3 % of drawing such
         * a map. A source with an index (a GeoPackage's R-tree, PostGIS, a shapefile's
         * .qix), or a box on a small part of it (a town's map over the region's rivers),
         * is handed the box: the driver drops what lies beside it before it makes a
         * geometry of it. */
        OGREnvelope all;
        double cover = 0;
        if (OGR_L_GetExtent(ogr, &all, FALSE) == OGRERR_NONE && all.MaxX > all.MinX &&
            all.MaxY > all.MinY)
            cover = fmax(0, fmin(e, all.MaxX) - fmax(w, all.MinX)) *
                    fmax(0, fmin(n, all.MaxY) - fmax(s, all.MinY)) /
                    ((all.MaxX - all.MinX) * (all.MaxY - all.MinY));
        if (OGR_L_TestCapability(ogr, OLCFastSpatialFilter) || cover < 0.5) {
            OGR_L_SetSpatialFilterRect(ogr, w, s, e, n);
        } else {
            ld->own_box = 1;
            ld->box = (struct bm_bbox){w, s, e, n};
        }
    }
    return BM_OK;
}

/*
 * Does the curve g (a line or a ring) meet the box, and, for a ring, is
 * (px, py) on the left of it (even-odd: the crossings of a ray to its east)?
 * 1 meets, 0 not; *crossings counts the ray's crossings.
 */
static int curve_meets(OGRGeometryH g, const struct bm_bbox *b, double px, double py, int *crossings)
{
    int n = OGR_G_GetPointCount(g);
    double x0 = 0, y0 = 0;
    for (int i = 0; i < n; i++) {
        double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
        if (i == 0 ? x >= b->west && x <= b->east && y >= b->south && y <= b->north
                   : bm__segment_meets_box(x0, y0, x, y, b))
            return 1;
        if (i > 0 && (y > py) != (y0 > py) && px < x0 + (py - y0) * (x - x0) / (y - y0))
            (*crossings)++;
        x0 = x;
        y0 = y;
    }
    return 0;
}

/* Does g meet the box b? What GEOS would say of a box, without copying g for it. */
static int geometry_meets(OGRGeometryH g, const struct bm_bbox *b)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int crossings = 0;
    switch (t) {
    case wkbPoint:
    case wkbLineString:
    case wkbLinearRing:
        return curve_meets(g, b, 0, 0, &crossings);
    case wkbPolygon:
        /* A polygon meets the box when a ring does, or when it holds the box whole: then
         * the box's corner is inside it (an odd count of crossings over all its rings). */
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            if (curve_meets(OGR_G_GetGeometryRef(g, i), b, b->west, b->south, &crossings))
                return 1;
        return crossings % 2;
    case wkbMultiPoint:
    case wkbMultiLineString:
    case wkbMultiPolygon:
    case wkbGeometryCollection:
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            if (geometry_meets(OGR_G_GetGeometryRef(g, i), b))
                return 1;
        return 0;
    default: /* curves and surfaces: the envelope decides */
        return 1;
    }
}

/* Does f meet the box? Not without a shape, or with an empty one, as GDAL's filter. */
static int in_box(const struct loader *ld, OGRFeatureH f)
{
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g))
        return 0;
    OGREnvelope e;
    OGR_G_GetEnvelope(g, &e);
    const struct bm_bbox *b = &ld->box;
    if (e.MaxX < b->west || e.MinX > b->east || e.MaxY < b->south || e.MinY > b->north)
        return 0;
    if (e.MinX >= b->west && e.MaxX <= b->east && e.MinY >= b->south && e.MaxY <= b->north)
        return 1;
    return geometry_meets(g, b);
}

/* ---- features ---------------------------------------------------------- */

static int add_part(struct bm_layer *L, OGRGeometryH g, int32_t polygon, int32_t hole)
{
    int n = OGR_G_GetPointCount(g);
    if (n <= 0)
        return 0;
    size_t first = BM__BUF_COUNT(&L->xy, double) / 2;
    if (bm__buf_reserve(&L->xy, (size_t)n * 2 * sizeof(double)) != 0)
        return -1;
    double *xy = (double *)(void *)(L->xy.data + L->xy.len);
    OGR_G_GetPoints(g, xy, 2 * sizeof(double), xy + 1, 2 * sizeof(double), NULL, 0);
    L->xy.len += (size_t)n * 2 * sizeof(double);
    struct bm_part p = {first, (size_t)n, polygon, hole};
    return bm__buf_append(&L->parts, &p, sizeof p);
}

/* Append the parts of g of family `want`; -1 when out of memory. */
static int extract(struct bm_layer *L, OGRGeometryH g, enum bm_geom_type want, int32_t *polygon)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    switch (t) {
    case wkbPoint:
    case wkbLineString:
    case wkbLinearRing:
        return family_of(t) == want ? add_part(L, g, 0, 0) : 0;
    case wkbPolygon: {
        if (want != BM_GEOM_POLYGON)
            return 0;
        int nrings = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < nrings; i++)
            if (add_part(L, OGR_G_GetGeometryRef(g, i), *polygon, i > 0) != 0)
                return -1;
        if (nrings > 0)
            (*polygon)++;
        return 0;
    }
    default:
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            if (extract(L, OGR_G_GetGeometryRef(g, i), want, polygon) != 0)
                return -1;
        return 0;
    }
}

struct mark {
    size_t xy, parts, features, attr, strings;
};

static struct mark mark_of(const struct bm_layer *L)
{
    struct mark m = {L->xy.len, L->parts.len, L->features.len, L->attr_off.len, L->strings.len};
    return m;
}

static void roll_back(struct bm_layer *L, struct mark m)
{
    L->xy.len = m.xy;
    L->parts.len = m.parts;
    L->features.len = m.features;
    L->attr_off.len = m.attr;
    L->strings.len = m.strings;
}

static int all_finite(const double *xy, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++)
        if (!isfinite(xy[i]))
            return 0;
    return 1;
}

static int all_in_degree_range(const double *xy, size_t n)
{
    const double eps = 1e-7; /* round-off of a transform landing on +-180 or +-90 */
    for (size_t i = 0; i < n; i++)
        if (fabs(xy[2 * i]) > 180 + eps || fabs(xy[2 * i + 1]) > 90 + eps)
            return 0;
    return 1;
}

static void swap_axes(double *xy, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double t = xy[2 * i];
        xy[2 * i] = xy[2 * i + 1];
        xy[2 * i + 1] = t;
    }
}

/*
 * A Date, DateTime or Time field as ISO 8601 text, whatever the driver: OGR
 * writes "2023/11/16" for a PostGIS or GeoPackage date. A time zone is kept
 * (Z, or +hh:mm); fractions of a second only when there are some. NULL when
 * OGR cannot read the value.
 */
static const char *iso_datetime(OGRFeatureH f, int i, OGRFieldType type, char *buf, size_t size)
{
    int y, mo, d, h, mi, tz;
    float sec;
    if (!OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &sec, &tz))
        return NULL;
    char date[32] = "", time[48] = "", zone[16] = "";
    if (type != OFTTime)
        snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo, d);
    if (type != OFTDate) {
        double whole = floor(sec);
        if (sec - whole > 0.0005)
            snprintf(time, sizeof time, "%s%02d:%02d:%06.3f", date[0] ? "T" : "", h, mi, sec);
        else
            snprintf(time, sizeof time, "%s%02d:%02d:%02d", date[0] ? "T" : "", h, mi, (int)whole);
        /* OGR's TZFlag: 0 unknown, 1 local time, 100 UTC, 100 +/- n quarter hours. */
        if (tz == 100)
            snprintf(zone, sizeof zone, "Z");
        else if (tz > 1) {
            int q = tz - 100, m = abs(q) * 15;
            snprintf(zone, sizeof zone, "%c%02d:%02d", q < 0 ? '-' : '+', m / 60, m % 60);
        }
    }
    snprintf(buf, size, "%s%s%s", date, time, zone);
    return buf;
}

static enum bm_status add_attributes(struct loader *ld, OGRFeatureH f)
{
    struct bm_layer *L = ld->L;
    OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);
    for (size_t i = 0; i < L->nfields; i++) {
        size_t off = NULL_ATTR;
        if (OGR_F_IsFieldSetAndNotNull(f, (int)i)) {
            off = L->strings.len;
            const char *s = NULL;
            char iso[96];
            if (L->field_types[i] == BM_FIELD_DATE)
                s = iso_datetime(f, (int)i, OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, (int)i)), iso,
                                 sizeof iso);
            if (!s)
                s = OGR_F_GetFieldAsString(f, (int)i);
            if (bm__buf_append(&L->strings, s, strlen(s) + 1) != 0)
                return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", L->path);
        }
        if (bm__buf_append(&L->attr_off, &off, sizeof off) != 0)
            return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", L->path);
    }
    return BM_OK;
}

/*
 * Extract g as feature `fid` of family `fam`. Returns BM_OK with *kept set
 * when it was added, BM_OK with *kept clear when skipped (and tallied).
 */
static enum bm_status add_geometry(struct loader *ld, OGRGeometryH g, enum bm_geom_type fam,
                                   long long fid, int *kept)
{
    struct bm_layer *L = ld->L;
    struct mark m = mark_of(L);
    int32_t polygon = 0;
    *kept = 0;
    if (extract(L, g, fam, &polygon) != 0)
        return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", L->path);
    size_t first = m.xy / (2 * sizeof(double));
    size_t n = L->xy.len / (2 * sizeof(double)) - first;
    if (n == 0 || L->parts.len == m.parts) {
        tally_add(&ld->empty, fid);
        roll_back(L, m);
        return BM_OK;
    }
    /* Only now: with nothing extracted yet the buffer may still be NULL (found by fuzzing). */
    double *xy = (double *)(void *)L->xy.data + 2 * first;
    if (!all_finite(xy, n)) {
        tally_add(&ld->nonfinite, fid);
        roll_back(L, m);
        return BM_OK;
    }
    if (ld->swap_xy)
        swap_axes(xy, n);
    if (ld->pj)
        proj_trans_generic(ld->pj, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1, 2 * sizeof(double), n,
                           NULL, 0, 0, NULL, 0, 0);
    if (!all_finite(xy, n) || !all_in_degree_range(xy, n)) {
        /* CSV columns named lon/lat are degrees whatever the file says: a bad row. */
        if (ld->no_crs && strcasecmp(extension(L->path), "csv") != 0)
            return bm__fail(ld->ctx, BM_ERR_CRS,
                            "'%s' has no CRS and feature %lld has coordinates outside the degree "
                            "range; %s",
                            L->path, fid, ld->crs_fix);
        tally_add(&ld->range, fid);
        roll_back(L, m);
        return BM_OK;
    }
    struct bm_feature feat = {fid, fam, m.parts / sizeof(struct bm_part),
                              (L->parts.len - m.parts) / sizeof(struct bm_part)};
    if (bm__buf_append(&L->features, &feat, sizeof feat) != 0)
        return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", L->path);
    *kept = 1;
    return BM_OK;
}

/* ---- validity: a fast proof for the common case, GEOS for the rest ------------------ */

/*
 * A polygon's validity (OGC simple features) proved, or disproved, without GEOS
 * where that is quick and certain: GEOS's check costs seconds on detailed
 * country polygons with thousands of holes (countries_osm.shp: 3.0 s for 1,498
 * features, this 0.15 s), almost all of them valid.
 *
 * Proved valid when: every ring has 4 or more points, is closed and repeats no
 * point consecutively; no two edges meet (a sweep along x), except consecutive
 * edges of a ring at their shared point, not folding back, and edges of two
 * rings at a vertex both have, where the rings touch without crossing (their
 * edges do not alternate around it), two rings a vertex, the rings of a polygon
 * touching in a tree (a cycle would cut its interior); each hole inside its own
 * shell and in none of its other holes, each shell in no other polygon (the
 * parity of a ray from the middle of the ring's first edge, per polygon, over
 * edges in bands of y). Disproved when two edges cross properly, or two rings
 * cross at a vertex. Anything else, and anything within the rounding bound of
 * an orientation test, is left to GEOS. Checked against GEOS on every feature
 * of countries_osm.shp and of the 1:10m world, on 5,000 of their polygons with
 * a vertex moved (onto another vertex, near one, or onto an edge) and on hand-
 * made cases of each rule (tests/test_loader.c: fast_validity_against_geos).
 */
enum { FAST_UNKNOWN = 0, FAST_VALID = 1, FAST_INVALID = 2, FAST_TOUCH = 3 };

struct fv_seg {
    double x1, y1, x2, y2, minx, maxx;
    uint32_t ring, index; /* ring number; edge number within it */
};

struct fv_ring {
    uint32_t polygon, nseg, first; /* first: its first edge in the unsorted list */
    int hole;
};

/* Two edges of different rings that meet at a vertex of both, exactly. */
struct fv_touch {
    double x, y;     /* the vertex */
    uint32_t seg[2]; /* the two edges (indices into the sorted edges) */
};

struct fv {
    struct bm__buf segs;    /* struct fv_seg */
    struct bm__buf rings;   /* struct fv_ring */
    struct bm__buf touches; /* struct fv_touch */
    uint32_t npolygons;
    int unknown;
};

/* The sign of the orientation of c against a->b: 1 left, -1 right, 0 too close to tell. */
static int fv_orient(double ax, double ay, double bx, double by, double cx, double cy)
{
    double l = (bx - ax) * (cy - ay), r = (by - ay) * (cx - ax), d = l - r;
    double bound = 1e-14 * (fabs(l) + fabs(r));
    return d > bound ? 1 : d < -bound ? -1 : 0;
}

static void fv_add_ring(struct fv *v, OGRGeometryH ring, uint32_t polygon, int hole)
{
    int n = OGR_G_GetPointCount(ring);
    if (n < 4) {
        v->unknown = 1;
        return;
    }
    struct fv_ring r = {polygon, (uint32_t)n - 1, (uint32_t)(v->segs.len / sizeof(struct fv_seg)),
                        hole};
    uint32_t id = (uint32_t)(v->rings.len / sizeof r);
    if (bm__buf_append(&v->rings, &r, sizeof r) != 0 ||
        bm__buf_reserve(&v->segs, (size_t)(n - 1) * sizeof(struct fv_seg)) != 0) {
        v->unknown = 1;
        return;
    }
    double px = OGR_G_GetX(ring, 0), py = OGR_G_GetY(ring, 0);
    if (px != OGR_G_GetX(ring, n - 1) || py != OGR_G_GetY(ring, n - 1) || !isfinite(px) ||
        !isfinite(py)) {
        v->unknown = 1;
        return;
    }
    for (int i = 1; i < n; i++) {
        double x = OGR_G_GetX(ring, i), y = OGR_G_GetY(ring, i);
        if ((x == px && y == py) || !isfinite(x) || !isfinite(y)) {
            v->unknown = 1;
            return;
        }
        struct fv_seg s = {px, py, x, y, fmin(px, x), fmax(px, x), id, (uint32_t)i - 1};
        bm__buf_append(&v->segs, &s, sizeof s); /* room was reserved */
        px = x;
        py = y;
    }
}

static void fv_add(struct fv *v, OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPolygon) {
        int n = OGR_G_GetGeometryCount(g);
        for (int i = 0; i < n && !v->unknown; i++)
            fv_add_ring(v, OGR_G_GetGeometryRef(g, i), v->npolygons, i > 0);
        v->npolygons++;
    } else if (t == wkbMultiPolygon) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g) && !v->unknown; i++)
            fv_add(v, OGR_G_GetGeometryRef(g, i));
    } else {
        v->unknown = 1;
    }
}

static int fv_by_minx(const void *a, const void *b)
{
    double p = ((const struct fv_seg *)a)->minx, q = ((const struct fv_seg *)b)->minx;
    return (p > q) - (p < q);
}

/* Do edges s and t meet? FAST_VALID: no; FAST_INVALID: they cross properly; else unknown. */
static int fv_pair(const struct fv *v, const struct fv_seg *s, const struct fv_seg *t)
{
    if (fmax(s->y1, s->y2) < fmin(t->y1, t->y2) || fmax(t->y1, t->y2) < fmin(s->y1, s->y2))
        return FAST_VALID;
    if (s->ring == t->ring) {
        uint32_t n = ((const struct fv_ring *)(const void *)v->rings.data)[s->ring].nseg;
        uint32_t i = s->index < t->index ? s->index : t->index;
        uint32_t j = s->index < t->index ? t->index : s->index;
        if (j == i + 1 || (i == 0 && j == n - 1)) {
            /* Consecutive: e = the earlier edge, f = the next; they share e's end. */
            const struct fv_seg *e = (j == i + 1) == (s->index == i) ? s : t;
            const struct fv_seg *f = e == s ? t : s;
            if (fv_orient(e->x1, e->y1, e->x2, e->y2, f->x2, f->y2) != 0)
                return FAST_VALID;
            double dot = (e->x2 - e->x1) * (f->x2 - f->x1) + (e->y2 - e->y1) * (f->y2 - f->y1);
            return dot > 0 ? FAST_VALID : FAST_UNKNOWN; /* straight on, or folding back */
        }
    }
    if (s->ring != t->ring) {
        /* Rings may touch at a vertex they both have (OGC), if they do not cross there:
         * an end of one edge is an end of the other, and the other ends are off the line. */
        double sx[2] = {s->x1, s->x2}, sy[2] = {s->y1, s->y2};
        double tx[2] = {t->x1, t->x2}, ty[2] = {t->y1, t->y2};
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                if (sx[a] == tx[b] && sy[a] == ty[b]) {
                    if (sx[1 - a] == tx[1 - b] && sy[1 - a] == ty[1 - b])
                        return FAST_UNKNOWN; /* the same edge twice */
                    if (fv_orient(sx[a], sy[a], sx[1 - a], sy[1 - a], tx[1 - b], ty[1 - b]) != 0)
                        return FAST_TOUCH;
                    /* On one line: they touch only if they leave the vertex opposite ways. */
                    double dot = (sx[1 - a] - sx[a]) * (tx[1 - b] - tx[b]) +
                                 (sy[1 - a] - sy[a]) * (ty[1 - b] - ty[b]);
                    return dot < 0 ? FAST_TOUCH : FAST_UNKNOWN;
                }
    }
    int o1 = fv_orient(s->x1, s->y1, s->x2, s->y2, t->x1, t->y1);
    int o2 = fv_orient(s->x1, s->y1, s->x2, s->y2, t->x2, t->y2);
    if (o1 != 0 && o1 == o2)
        return FAST_VALID;
    int o3 = fv_orient(t->x1, t->y1, t->x2, t->y2, s->x1, s->y1);
    int o4 = fv_orient(t->x1, t->y1, t->x2, t->y2, s->x2, s->y2);
    if (o3 != 0 && o3 == o4)
        return FAST_VALID;
    if (o1 && o2 && o3 && o4)
        return FAST_INVALID; /* o1 != o2 and o3 != o4: a proper crossing */
    return FAST_UNKNOWN;
}

static int fv_by_point(const void *a, const void *b)
{
    const struct fv_touch *p = a, *q = b;
    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->y > q->y) - (p->y < q->y);
}

static uint32_t fv_root(uint32_t *up, uint32_t i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

/* The far end of edge s from the vertex (x, y), as an angle around it. */
static double fv_angle(const struct fv_seg *s, double x, double y)
{
    return s->x1 == x && s->y1 == y ? atan2(s->y2 - y, s->x2 - x) : atan2(s->y1 - y, s->x1 - x);
}

/*
 * The vertices where two rings touch: exactly two rings at each, each with its two
 * edges there, not crossing (their edges do not alternate around the vertex); and
 * the rings of one polygon touch in a tree, not a cycle (a cycle cuts the interior
 * in two). Anything else is left to GEOS.
 */
static int fv_touches(struct fv *v, const struct fv_seg *seg)
{
    struct fv_touch *t = (struct fv_touch *)(void *)v->touches.data;
    size_t n = v->touches.len / sizeof *t, nrings = v->rings.len / sizeof(struct fv_ring);
    const struct fv_ring *ring = (const struct fv_ring *)(const void *)v->rings.data;
    uint32_t *up = malloc(nrings * sizeof *up);
    if (!up)
        return FAST_UNKNOWN;
    for (size_t i = 0; i < nrings; i++)
        up[i] = (uint32_t)i;
    qsort(t, n, sizeof *t, fv_by_point);
    int result = FAST_VALID;
    for (size_t i = 0; i < n && result == FAST_VALID;) {
        size_t j = i;
        while (j < n && t[j].x == t[i].x && t[j].y == t[i].y)
            j++;
        /* The edges at this vertex, each once: two rings of two edges each. */
        uint32_t e[4], ne = 0;
        for (size_t k = i; k < j && result == FAST_VALID; k++)
            for (int m = 0; m < 2; m++) {
                uint32_t s = t[k].seg[m], q = 0;
                while (q < ne && e[q] != s)
                    q++;
                if (q < ne)
                    continue;
                if (ne == 4) {
                    result = FAST_UNKNOWN;
                    break;
                }
                e[ne++] = s;
            }
        if (result != FAST_VALID || ne != 4) {
            result = FAST_UNKNOWN;
            break;
        }
        uint32_t ra = seg[e[0]].ring, rb = 0;
        int na = 0;
        for (int m = 0; m < 4; m++)
            if (seg[e[m]].ring == ra)
                na++;
            else
                rb = seg[e[m]].ring;
        if (na != 2) {
            result = FAST_UNKNOWN;
            break;
        }
        /* Around the vertex, the ends must not alternate a, b, a, b. */
        double ang[4];
        int of[4];
        for (int m = 0; m < 4; m++) {
            ang[m] = fv_angle(&seg[e[m]], t[i].x, t[i].y);
            of[m] = seg[e[m]].ring == ra;
        }
        for (int m = 1; m < 4; m++)
            for (int q = m; q > 0 && ang[q] < ang[q - 1]; q--) {
                double a = ang[q];
                ang[q] = ang[q - 1];
                ang[q - 1] = a;
                int o = of[q];
                of[q] = of[q - 1];
                of[q - 1] = o;
            }
        for (int m = 0; m < 4; m++) {
            double gap = m < 3 ? ang[m + 1] - ang[m] : ang[0] + 2 * M_PI - ang[3];
            if (!(gap > 1e-9))
                result = FAST_UNKNOWN; /* two ends too close in angle to order */
        }
        if (result == FAST_VALID && of[0] != of[1] && of[1] != of[2] && of[2] != of[3])
            result = FAST_INVALID; /* the rings cross here */
        /* Rings of one polygon: joined, unless already joined (a cycle). */
        if (result == FAST_VALID && ring[ra].polygon == ring[rb].polygon) {
            uint32_t a = fv_root(up, ra), b = fv_root(up, rb);
            if (a == b)
                result = FAST_UNKNOWN;
            else
                up[a] = b;
        }
        i = j;
    }
    free(up);
    return result;
}

/* The polygon feature g's validity: FAST_VALID, FAST_INVALID or FAST_UNKNOWN (ask GEOS). */
static int fast_validity(OGRGeometryH g)
{
    struct fv v = {0};
    fv_add(&v, g);
    size_t nseg = v.segs.len / sizeof(struct fv_seg), nrings = v.rings.len / sizeof(struct fv_ring);
    struct fv_seg *seg = (struct fv_seg *)(void *)v.segs.data;
    const struct fv_ring *ring = (const struct fv_ring *)(const void *)v.rings.data;
    int result = v.unknown || nseg == 0 ? FAST_UNKNOWN : FAST_VALID;
    /* Sweep along x: each edge against those whose x ranges overlap its own. */
    if (result == FAST_VALID) {
        qsort(seg, nseg, sizeof *seg, fv_by_minx);
        for (size_t i = 0; i < nseg && result == FAST_VALID; i++)
            for (size_t j = i + 1; j < nseg && seg[j].minx <= seg[i].maxx; j++) {
                int r = fv_pair(&v, &seg[i], &seg[j]);
                if (r == FAST_TOUCH) {
                    struct fv_touch t = {seg[i].x1, seg[i].y1, {(uint32_t)i, (uint32_t)j}};
                    if (!((seg[i].x1 == seg[j].x1 && seg[i].y1 == seg[j].y1) ||
                          (seg[i].x1 == seg[j].x2 && seg[i].y1 == seg[j].y2))) {
                        t.x = seg[i].x2;
                        t.y = seg[i].y2;
                    }
                    r = bm__buf_append(&v.touches, &t, sizeof t) == 0 ? FAST_VALID : FAST_UNKNOWN;
                }
                if (r != FAST_VALID) {
                    result = r;
                    break;
                }
            }
    }
    if (result == FAST_VALID && v.touches.len)
        result = fv_touches(&v, seg);
    /* Parity of a ray to +x from the first vertex of each ring, per polygon, over edges
     * bucketed by bands of y. */
    size_t nbands = (size_t)sqrt((double)nseg) + 1;
    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < nseg; i++) {
        ymin = fmin(ymin, fmin(seg[i].y1, seg[i].y2));
        ymax = fmax(ymax, fmax(seg[i].y1, seg[i].y2));
    }
    double h = (ymax - ymin) / (double)nbands;
    size_t *start = NULL, *list = NULL;
    unsigned char *parity = NULL;
    uint32_t *touched = NULL;
    const double *first = NULL;
    double *firsts = NULL;
    if (result == FAST_VALID && nrings > 1) {
        start = calloc(nbands + 2, sizeof *start);
        parity = calloc(v.npolygons, 1);
        firsts = malloc(2 * nrings * sizeof *firsts);
        touched = malloc(nseg * sizeof *touched);
        if (!start || !parity || !firsts || !touched || !(h > 0))
            result = FAST_UNKNOWN;
    }
#define FV_BAND(y) ((size_t)fmin((double)(nbands - 1), fmax(0.0, floor(((y)-ymin) / h))))
    if (result == FAST_VALID && nrings > 1) {
        size_t total = 0;
        for (int pass = 0; pass < 2 && result == FAST_VALID; pass++) {
            for (size_t i = 0; i < nseg; i++) {
                size_t b0 = FV_BAND(fmin(seg[i].y1, seg[i].y2));
                size_t b1 = FV_BAND(fmax(seg[i].y1, seg[i].y2));
                for (size_t b = b0; b <= b1; b++) {
                    if (pass == 0)
                        start[b + 1]++;
                    else
                        list[start[b]++] = i;
                }
                /* the first vertex of each ring: its edge 0 begins there */
                if (pass == 0 && seg[i].index == 0) {
                    /* the middle of its first edge: no other ring meets an edge
                     * inside (the sweep), where it may at a vertex */
                    firsts[2 * seg[i].ring] = seg[i].x1 + (seg[i].x2 - seg[i].x1) / 2;
                    firsts[2 * seg[i].ring + 1] = seg[i].y1 + (seg[i].y2 - seg[i].y1) / 2;
                }
            }
            if (pass == 0) {
                for (size_t b = 0; b < nbands; b++)
                    start[b + 1] += start[b];
                total = start[nbands];
                if (!(list = malloc((total ? total : 1) * sizeof *list)))
                    result = FAST_UNKNOWN;
            } else {
                for (size_t b = nbands; b > 0; b--)
                    start[b] = start[b - 1];
                start[0] = 0;
            }
        }
        first = firsts;
        for (size_t r = 0; r < nrings && result == FAST_VALID; r++) {
            double px = first[2 * r], py = first[2 * r + 1];
            size_t b = FV_BAND(py), nt = 0;
            for (size_t k = start[b]; k < start[b + 1]; k++) {
                const struct fv_seg *s = &seg[list[k]];
                if (s->ring == r || (s->y1 > py) == (s->y2 > py))
                    continue;
                /* The edge straddles the ray's line; it crosses the ray when the point
                 * is left of the edge taken upwards. */
                int o = s->y1 < s->y2 ? fv_orient(s->x1, s->y1, s->x2, s->y2, px, py)
                                      : fv_orient(s->x2, s->y2, s->x1, s->y1, px, py);
                if (o == 0) {
                    result = FAST_UNKNOWN;
                    break;
                }
                if (o > 0) {
                    parity[ring[s->ring].polygon] ^= 1;
                    touched[nt++] = ring[s->ring].polygon;
                }
            }
            uint32_t p = ring[r].polygon;
            if (result == FAST_VALID && ring[r].hole && parity[p] != 1)
                result = FAST_UNKNOWN; /* outside its shell, or in another hole */
            for (size_t k = 0; k < nt; k++) {
                if (result == FAST_VALID && !ring[r].hole && touched[k] != p && parity[touched[k]])
                    result = FAST_UNKNOWN; /* a shell inside another polygon */
                parity[touched[k]] = 0;
            }
        }
    }
#undef FV_BAND
    free(start);
    free(list);
    free(parity);
    free(firsts);
    free(touched);
    bm__buf_free(&v.segs);
    bm__buf_free(&v.rings);
    bm__buf_free(&v.touches);
    return result;
}

/*
 * A valid version of polygon g (owned by the caller), or NULL. GEOS MakeValid
 * with METHOD=STRUCTURE (GEOS >= 3.10): outer rings are unioned and holes cut
 * out, so a bow-tie becomes its two triangles, and no line or point pieces
 * are made (the LINEWORK method keeps collapsed parts as lines, which a
 * polygon layer would then drop). Falls back to the LINEWORK method where
 * GDAL or GEOS is older, and to a zero buffer where the result is still not
 * valid.
 */
static OGRGeometryH repair(struct loader *ld, OGRGeometryH g)
{
    ld->cap->armed = 0; /* GEOS's complaints about the input are not read errors */
    char *structure[] = {"METHOD=STRUCTURE", NULL};
    OGRGeometryH fixed = OGR_G_MakeValidEx(g, structure);
    if (!fixed)
        fixed = OGR_G_MakeValid(g);
    if (fixed && !OGR_G_IsValid(fixed)) {
        OGRGeometryH buffered = OGR_G_Buffer(fixed, 0.0, 8);
        OGR_G_DestroyGeometry(fixed);
        fixed = buffered;
    }
    ld->cap->armed = 1;
    return fixed;
}

static enum bm_status add_feature(struct loader *ld, OGRFeatureH f)
{
    struct bm_layer *L = ld->L;
    long long fid = (long long)OGR_F_GetFID(f);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g)) {
        tally_add(&ld->empty, fid);
        L->skipped++;
        return BM_OK;
    }
    OGRGeometryH linear = NULL, fixed = NULL;
    if (OGR_G_HasCurveGeometry(g, 1))
        g = linear = OGR_G_GetLinearGeometry(g, 0.0, NULL);
    enum bm_geom_type fam = g ? dominant_family(g) : BM_GEOM_NONE;
    enum bm_status st = BM_OK;
    int kept = 0;
    if (fam == BM_GEOM_NONE) {
        tally_add(&ld->unsupported, fid);
        goto done;
    }
    if (fam == BM_GEOM_POLYGON && ld->opts->invalid != BM_INVALID_UNCHECKED) {
        int fast = fast_validity(g), valid = fast == FAST_VALID;
        if (fast == FAST_UNKNOWN) {
            ld->cap->armed = 0;
            valid = OGR_G_IsValid(g);
            ld->cap->armed = 1;
        }
        if (!valid) {
            tally_add(&ld->invalid, fid);
            if (ld->opts->invalid == BM_INVALID_SKIP)
                goto done;
            if (ld->opts->invalid == BM_INVALID_KEEP)
                goto add;
            fixed = repair(ld, g);
            if (!fixed)
                goto done;
            g = fixed;
        }
    }
add:;
    struct mark m = mark_of(L);
    st = add_geometry(ld, g, fam, fid, &kept);
    if (st == BM_OK && kept) {
        st = add_attributes(ld, f);
        if (st != BM_OK)
            roll_back(L, m);
        else if (fixed)
            L->repaired++;
    }
done:
    if (st == BM_OK && !kept)
        L->skipped++;
    if (linear)
        OGR_G_DestroyGeometry(linear);
    if (fixed)
        OGR_G_DestroyGeometry(fixed);
    return st;
}

static void compute_extent(struct bm_layer *L)
{
    size_t n = bm_layer_point_count(L);
    const double *xy = (const double *)(const void *)L->xy.data;
    struct bm_bbox b = {0, 0, 0, 0};
    if (n > 0) {
        b.west = b.east = xy[0];
        b.south = b.north = xy[1];
    }
    for (size_t i = 1; i < n; i++) {
        b.west = fmin(b.west, xy[2 * i]);
        b.east = fmax(b.east, xy[2 * i]);
        b.south = fmin(b.south, xy[2 * i + 1]);
        b.north = fmax(b.north, xy[2 * i + 1]);
    }
    L->extent = b;
    /* A layer that mixes families is of its highest one (polygon > line > point). */
    L->type = BM_GEOM_NONE;
    for (size_t i = 0; i < bm_layer_feature_count(L); i++)
        if (bm_layer_feature(L, i)->type > L->type)
            L->type = bm_layer_feature(L, i)->type;
}

/* Warn of features skipped for one reason (what), if any: how many, the first, and advice. */
static void warn_skipped(struct loader *ld, const struct tally *t, const char *what,
                         const char *advice)
{
    char w[64];
    if (t->count)
        bm__warn(ld->ctx, "'%s': %zu feature(s) %s skipped (first: %s)%s", ld->L->path, t->count,
                 what, bm__feature_where(ld->L, t->first_fid, w, sizeof w), advice);
}

static void report_tallies(struct loader *ld, size_t total)
{
    struct bm_ctx *ctx = ld->ctx;
    const char *p = ld->L->path;
    char w[64];
    if (ld->no_crs && bm_layer_feature_count(ld->L) > 0)
        bm__warn(ctx,
                 "'%s' has no CRS: assumed WGS 84 longitude/latitude, as all its coordinates are "
                 "in the degree range; %s",
                 p, ld->crs_fix_warn);
    warn_skipped(ld, &ld->empty, "with no or empty geometry", "");
    warn_skipped(ld, &ld->unsupported, "of an unsupported geometry type", "");
    warn_skipped(ld, &ld->nonfinite, "with NaN or infinite coordinates",
                 "; fix them in the source");
    warn_skipped(ld, &ld->range, "with coordinates outside longitude -180..180 or latitude -90..90",
                 "");
    if (ld->invalid.count) {
        const char *what = ld->opts->invalid == BM_INVALID_SKIP   ? "skipped"
                           : ld->opts->invalid == BM_INVALID_KEEP ? "kept as they are"
                                                                  : "repaired";
        if (ld->opts->invalid == BM_INVALID_REPAIR && ld->L->repaired < ld->invalid.count)
            what = "repaired or, where repair failed, skipped";
        bm__warn(ctx, "'%s': %zu invalid polygon(s) %s (first: %s)", p, ld->invalid.count, what,
                 bm__feature_where(ld->L, ld->invalid.first_fid, w, sizeof w));
    }
    /* A map's view (bbox) that holds nothing of a layer is no news: a base map's lakes or
     * rivers are often out of a small map's view. Only a whole layer that is empty, or that
     * its filter empties, is told. */
    if (total == 0 && !ld->opts->bbox)
        bm__warn(ctx, "layer '%s' of '%s' has no features%s", ld->L->name, p,
                 ld->opts->where ? " that match the filter" : "");
}

/* The feature being read, as the filter sees it. */
struct filter_arg {
    OGRFeatureH f;
    const struct bm_layer *L;
    char iso[96];
};

/* A field of the feature being read, for the filter: its text as the layer will hold
 * it (dates in ISO 8601), or NULL when null. */
static const char *feature_value(void *arg, int field)
{
    struct filter_arg *a = arg;
    if (field == BM__FILTER_GEOMETRY_INDEX) {
        OGRGeometryH g = OGR_F_GetGeometryRef(a->f);
        return g ? OGR_G_GetGeometryName(g) : NULL;
    }
    if (!OGR_F_IsFieldSetAndNotNull(a->f, field))
        return NULL;
    if (field >= 0 && (size_t)field < a->L->nfields && a->L->field_types[field] == BM_FIELD_DATE) {
        OGRFieldDefnH d = OGR_FD_GetFieldDefn(OGR_F_GetDefnRef(a->f), field);
        const char *iso = iso_datetime(a->f, field, OGR_Fld_GetType(d), a->iso, sizeof a->iso);
        if (iso)
            return iso;
    }
    return OGR_F_GetFieldAsString(a->f, field);
}

/* Read every feature the filters keep; *total counts those that matched. */
/*
 * A shapefile's polygon is a list of rings, outer ones clockwise; GDAL works
 * out which hole lies in which outer ring by testing each hole against every
 * outer ring (its default for shapefiles, ONLY_CCW): on the shipped admin
 * divisions, 46,000 rings, that was a fifth of drawing the situation map.
 * Writers (GDAL's among them) put each outer ring's holes right after it, and
 * GDAL can take that order as given (CCW_INNER_JUST_AFTER_CW_OUTER: the same
 * polygons, no tests). Where a hole is not within the ring before it, GDAL
 * warns, and that feature is read again the thorough way. Not when the user
 * chose a method (OGR_ORGANIZE_POLYGONS); for this thread only.
 */
static const char ORGANIZE[] = "OGR_ORGANIZE_POLYGONS";

static OGRFeatureH next_feature(struct loader *ld, OGRLayerH ogr, int in_order)
{
    ld->cap->misordered = 0;
    OGRFeatureH f = OGR_L_GetNextFeature(ogr);
    if (!f || !in_order || !ld->cap->misordered)
        return f;
    GIntBig fid = OGR_F_GetFID(f);
    OGR_F_Destroy(f);
    CPLSetThreadLocalConfigOption(ORGANIZE, NULL);
    f = OGR_L_GetFeature(ogr, fid);
    CPLSetThreadLocalConfigOption(ORGANIZE, "CCW_INNER_JUST_AFTER_CW_OUTER");
    return f;
}

static enum bm_status read_all(struct loader *ld, OGRLayerH ogr, size_t *total)
{
    enum bm_status st = BM_OK;
    OGRFeatureH f;
    *total = 0;
    ld->cap->failures = 0;
    OGR_L_ResetReading(ogr);
    const char *chosen = CPLGetConfigOption(ORGANIZE, NULL);
    int in_order =
        ld->L->driver && strcmp(ld->L->driver, "ESRI Shapefile") == 0 && (!chosen || !chosen[0]);
    if (in_order)
        CPLSetThreadLocalConfigOption(ORGANIZE, "CCW_INNER_JUST_AFTER_CW_OUTER");
    while (st == BM_OK && (f = next_feature(ld, ogr, in_order)) != NULL) {
        struct filter_arg arg = {f, ld->L, ""};
        if ((!ld->own_box || in_box(ld, f)) &&
            (!ld->filter || bm__filter_eval(ld->filter, feature_value, &arg))) {
            (*total)++;
            st = add_feature(ld, f);
            if (st == BM_OK)
                st = check_growth(ld, (long long)OGR_F_GetFID(f));
        }
        OGR_F_Destroy(f);
    }
    if (in_order)
        CPLSetThreadLocalConfigOption(ORGANIZE, NULL);
    return st;
}

static enum bm_status read_features(struct loader *ld, OGRLayerH ogr)
{
    size_t total = 0;
    enum bm_status st = read_all(ld, ogr, &total);
    if (st == BM_OK && ld->cap->failures && total == 0 && ld->pushed) {
        /* A database may refuse the pushed-down part only when reading: filter alone. */
        free(ld->pushed);
        ld->pushed = NULL;
        OGR_L_SetAttributeFilter(ogr, NULL);
        st = read_all(ld, ogr, &total);
    }
    if (st != BM_OK)
        return st;
    if (ld->cap->failures)
        return bm__fail(ld->ctx, BM_ERR_SOURCE_CORRUPT,
                        "cannot read '%s': the file is damaged or truncated (%s); restore it "
                        "from its source",
                        ld->L->path, ld->cap->first);
    compute_extent(ld->L);
    size_t before = bm_ctx_warning_count(ld->ctx);
    report_tallies(ld, total);
    if (total == 0 || bm_layer_feature_count(ld->L) > 0)
        return BM_OK;
    /* Nothing left: the reasons become the one error instead of warnings beside it. */
    char *why = bm__take_warnings(ld->ctx, before);
    st = bm__fail(ld->ctx, BM_ERR_GEOMETRY,
                  "no usable features in layer '%s' of '%s': all %zu were skipped (%s)",
                  ld->L->name, ld->L->path, total, why ? why : "out of memory");
    free(why);
    return st;
}

/* ---- opening ----------------------------------------------------------- */

static GDALDatasetH open_source(struct bm_ctx *ctx, const char *path, struct capture *cap)
{
    char **oo = NULL;
    if (strcasecmp(extension(path), "csv") == 0) {
        /* CSV points: recognise the usual coordinate column names. */
        oo = CSLAddString(oo, "X_POSSIBLE_NAMES=lon,longitude,lng,long,x");
        oo = CSLAddString(oo, "Y_POSSIBLE_NAMES=lat,latitude,y");
        /* KEEP_GEOM_COLUMNS=NO would drop lon/lat from the attributes, but GDAL 3.6
         * crashes with it on some malformed headers (found by fuzzing: see
         * tests/fuzz/regressions/events/); the columns stay, as text, beside the geometry. */
    }
    cap->failures = 0;
    int refused;
    GDALDatasetH ds = bm__source_open(ctx, path, oo, &refused);
    CSLDestroy(oo);
    if (ds || refused)
        return ds;
    const char *why = cap->failures ? cap->first : "no vector driver recognises its contents";
    if (strncasecmp(path, "PG:", 3) == 0) {
        /* It is a PostGIS connection already: say what to check, not what to use. */
        if (strncmp(why, "PQconnectdb failed. ", 20) == 0)
            why += 20;
        bm__fail(ctx, BM_ERR_SOURCE_MISSING,
                 "cannot connect to PostgreSQL with '%s' (%s); check that the server is running "
                 "and the host, port, database, user and password (keep the password in "
                 "~/.pgpass or a pg_service.conf service, not in the connection string)",
                 path, why);
    } else if (is_plain_file(path) && is_known_vector_extension(extension(path)))
        bm__fail(ctx, BM_ERR_SOURCE_CORRUPT,
                 "cannot read '%s': the file is damaged, truncated or not what its extension "
                 "says (%s); restore it from its source",
                 path, why);
    else
        bm__fail(ctx, BM_ERR_SOURCE_FORMAT,
                 "cannot read '%s' as vector data (%s); use a Shapefile, GeoJSON, GeoPackage, "
                 "KML, CSV with lon/lat columns or a PostGIS connection",
                 path, why);
    return NULL;
}

/* The names of the layers of ds, joined by ", " (NULL when out of memory). */
static char *layer_list(GDALDatasetH ds)
{
    struct bm__buf list = {0};
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n; i++)
        bm__buf_printf(&list, "%s%s", i ? ", " : "", OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    char *s = list.data ? bm__buf_take(&list) : bm__strdup("");
    bm__buf_free(&list);
    return s;
}

/*
 * The layer named name, or the only layer when name is NULL. A source of
 * several layers with none named is refused, listing them: taking the first
 * silently measured or drew the wrong table. how says how the caller names a
 * layer ("--layer", "layer:").
 */
static enum bm_status pick_layer(struct bm_ctx *ctx, GDALDatasetH ds, const char *path,
                                 const char *name, const char *how, OGRLayerH *out)
{
    int n = GDALDatasetGetLayerCount(ds);
    *out = NULL;
    if (n == 0)
        return bm__fail(ctx, BM_ERR_LAYER, "'%s' has no layers", path);
    if (name && name[0])
        *out = GDALDatasetGetLayerByName(ds, name);
    else if (n == 1)
        *out = GDALDatasetGetLayer(ds, 0);
    if (*out)
        return BM_OK;
    char *list = layer_list(ds);
    enum bm_status st;
    if (!list)
        st = bm__fail(ctx, BM_ERR_NOMEM, "out of memory");
    else if (name && name[0])
        st = bm__fail(ctx, BM_ERR_LAYER, "no layer '%s' in '%s'; its layers are: %s", name, path,
                      list);
    else
        st = bm__fail(ctx, BM_ERR_LAYER, "'%s' has %d layers (%s); name one with %s", path, n, list,
                      how && how[0] ? how : "--layer");
    free(list);
    return st;
}

static enum bm_status load(struct loader *ld, GDALDatasetH ds)
{
    struct bm_layer *L = ld->L;
    OGRLayerH ogr;
    enum bm_status st =
        pick_layer(ld->ctx, ds, L->path, ld->opts->layer, ld->opts->layer_option, &ogr);
    if (st != BM_OK)
        return st;
    if (OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(ogr)) == 0) {
        if (strcasecmp(extension(L->path), "csv") == 0)
            return bm__fail(ld->ctx, BM_ERR_GEOMETRY,
                            "'%s' has no coordinate columns; name them lon and lat (or "
                            "longitude and latitude, or x and y), in decimal degrees",
                            L->path);
        return bm__fail(ld->ctx, BM_ERR_GEOMETRY,
                        "layer '%s' of '%s' has no geometry (it is a table); give a layer of "
                        "points, lines or polygons",
                        OGR_L_GetName(ogr), L->path);
    }
    GDALDriverH drv = GDALGetDatasetDriver(ds);
    L->name = bm__strdup(OGR_L_GetName(ogr));
    L->driver = bm__strdup(drv ? GDALGetDriverLongName(drv) : "unknown");
    L->geom_name = bm__strdup(OGRGeometryTypeToName(OGR_L_GetGeomType(ogr)));
    if (!L->name || !L->driver || !L->geom_name)
        return bm__fail(ld->ctx, BM_ERR_NOMEM, "out of memory");
    if ((st = setup_fields(ld, ogr)) != BM_OK || (st = setup_crs(ld, ogr)) != BM_OK ||
        (st = set_filters(ld, ogr)) != BM_OK)
        return st;
    return read_features(ld, ogr);
}

/*
 * What comes before a source is opened: a path given, the source allowed
 * (bm__source_check) and, when it is a file, one that can be read; then GDAL
 * set up, the source's walls pushed (*walls, for bm__source_walls_pop()) and
 * GDAL's errors captured in cap (until CPLPopErrorHandler()).
 * Returns BM_OK, or the failure (with nothing pushed).
 */
static enum bm_status source_begin(struct bm_ctx *ctx, const char *path, int *walls,
                                   struct capture *cap)
{
    if (!path || !path[0])
        return bm__fail(ctx, BM_ERR_ARG, "no source path given");
    if (bm__source_check(ctx, path) != BM_OK ||
        (is_plain_file(path) && check_file(ctx, path) != BM_OK))
        return bm_ctx_status(ctx);
    bm__gdal_init();
    *walls = bm__source_walls_push(ctx);
    CPLPushErrorHandlerEx(capture_error, cap);
    return BM_OK;
}

enum bm_status bm_layer_load(struct bm_ctx *ctx, const char *path, const struct bm_load_opts *opts,
                             struct bm_layer **out)
{
    static const struct bm_load_opts defaults = {0};
    bm__begin(ctx);
    *out = NULL;
    int walls;
    struct capture cap = {.armed = 1};
    enum bm_status begun = source_begin(ctx, path, &walls, &cap);
    if (begun != BM_OK)
        return begun;
    struct bm_layer *L = calloc(1, sizeof *L);
    struct loader ld = {.ctx = ctx, .L = L, .opts = opts ? opts : &defaults, .cap = &cap};
    enum bm_status st = BM_OK;
    GDALDatasetH ds = NULL;
    if (!L || !(L->path = bm__strdup(path)) || !(L->shown = bm_redact(path)))
        st = bm__fail(ctx, BM_ERR_NOMEM, "out of memory");
    else
        st = check_size(&ld, path);
    /* GDAL's GeoJSON reader refuses a feature over 200 MB of text (a large country's
     * coastline in a 1:10m world file); the memory budget, checked above against the
     * file's size and while reading, is the limit that holds here. For this thread only. */
    char geojson_max[32], *saved_max = NULL;
    int set_max = 0;
    if (st == BM_OK) {
        const char *old = CPLGetThreadLocalConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", NULL);
        unsigned long long mb = ld.budget >> 20;
        if (old && !(saved_max = bm__strdup(old)))
            st = bm__fail(ctx, BM_ERR_NOMEM, "out of memory");
        snprintf(geojson_max, sizeof geojson_max, "%llu", mb > 200 ? mb : 200ULL);
        if (st == BM_OK) {
            CPLSetThreadLocalConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", geojson_max);
            set_max = 1;
        }
    }
    if (st == BM_OK && !(ds = open_source(ctx, path, &cap)))
        st = bm_ctx_status(ctx);
    else if (st == BM_OK)
        st = load(&ld, ds);
    if (ds)
        GDALClose(ds);
    if (set_max)
        CPLSetThreadLocalConfigOption("OGR_GEOJSON_MAX_OBJ_SIZE", saved_max);
    free(saved_max);
    proj_destroy(ld.pj);
    bm__filter_free(ld.filter);
    free(ld.pushed);
    CPLPopErrorHandler();
    bm__source_walls_pop(walls);
    if (st != BM_OK) {
        bm_layer_free(L);
        return st;
    }
    *out = L;
    return BM_OK;
}

enum bm_status bm_source_layer_names(struct bm_ctx *ctx, const char *path, char ***names,
                                     size_t *count)
{
    bm__begin(ctx);
    *names = NULL;
    *count = 0;
    int walls;
    struct capture cap = {.armed = 1};
    enum bm_status begun = source_begin(ctx, path, &walls, &cap);
    if (begun != BM_OK)
        return begun;
    GDALDatasetH ds = open_source(ctx, path, &cap);
    CPLPopErrorHandler();
    if (!ds) {
        bm__source_walls_pop(walls);
        return bm_ctx_status(ctx);
    }
    int n = GDALDatasetGetLayerCount(ds);
    char **list = calloc((size_t)n + 1, sizeof *list);
    enum bm_status st = list ? BM_OK : bm__fail(ctx, BM_ERR_NOMEM, "out of memory");
    for (int i = 0; st == BM_OK && i < n; i++)
        if (!(list[i] = bm__strdup(OGR_L_GetName(GDALDatasetGetLayer(ds, i)))))
            st = bm__fail(ctx, BM_ERR_NOMEM, "out of memory");
    GDALClose(ds);
    bm__source_walls_pop(walls);
    if (st != BM_OK) {
        bm_strings_free(list, (size_t)n);
        return st;
    }
    *names = list;
    *count = (size_t)n;
    return BM_OK;
}

void bm_strings_free(char **strings, size_t count)
{
    if (!strings)
        return;
    for (size_t i = 0; i < count; i++)
        free(strings[i]);
    free(strings);
}

/* ---- layers made in memory ------------------------------------------------ */

struct bm_layer *bm__layer_new(const char *name, const char *path, const char *const *fields,
                               size_t nfields)
{
    struct bm_layer *L = calloc(1, sizeof *L);
    if (!L)
        return NULL;
    L->name = bm__strdup(name);
    L->path = bm__strdup(path);
    L->shown = bm_redact(path);
    L->driver = bm__strdup("memory");
    L->geom_name = bm__strdup("Line String");
    L->crs = bm__strdup("WGS 84 (EPSG:4326)");
    L->field_names = calloc(nfields + 1, sizeof *L->field_names);
    L->field_types = calloc(nfields + 1, sizeof *L->field_types);
    int ok = L->name && L->path && L->shown && L->driver && L->geom_name && L->crs &&
             L->field_names && L->field_types;
    for (size_t i = 0; ok && i < nfields; i++) {
        ok = (L->field_names[i] = bm__strdup(fields[i])) != NULL;
        L->nfields = i + 1;
    }
    if (!ok) {
        bm_layer_free(L);
        return NULL;
    }
    return L;
}

int bm__layer_add(struct bm_layer *L, enum bm_geom_type type, const double *xy, size_t n,
                  const char *const *attrs)
{
    struct mark m = mark_of(L);
    struct bm_part part = {BM__BUF_COUNT(&L->xy, double) / 2, n, 0, 0};
    struct bm_feature f = {(int64_t)bm_layer_feature_count(L), type,
                           BM__BUF_COUNT(&L->parts, struct bm_part), 1};
    int bad = bm__buf_append(&L->xy, xy, n * 2 * sizeof(double)) ||
              bm__buf_append(&L->parts, &part, sizeof part) ||
              bm__buf_append(&L->features, &f, sizeof f);
    for (size_t i = 0; !bad && i < L->nfields; i++) {
        size_t off = NULL_ATTR;
        if (attrs && attrs[i]) {
            off = L->strings.len;
            bad = bm__buf_append(&L->strings, attrs[i], strlen(attrs[i]) + 1);
        }
        bad = bad || bm__buf_append(&L->attr_off, &off, sizeof off);
    }
    if (bad) {
        roll_back(L, m);
        return -1;
    }
    compute_extent(L);
    return 0;
}

int bm__is_iso_date(const char *t)
{
    return bm__is_iso_datetime(t) && t[10] == '\0';
}

int bm__is_iso_datetime(const char *t)
{
    if (!t || strlen(t) < 10)
        return 0;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? t[i] != '-' : !isdigit((unsigned char)t[i]))
            return 0;
    int m = (t[5] - '0') * 10 + (t[6] - '0'), d = (t[8] - '0') * 10 + (t[9] - '0');
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    /* A date, or a date and time (2023-11-16T08:30:00, as OGR's DateTime fields read). */
    return t[10] == '\0' || ((t[10] == 'T' || t[10] == ' ') && isdigit((unsigned char)t[11]));
}

long long bm__feature_line(const struct bm_layer *L, long long fid)
{
    /* A CSV's features are its rows, numbered from 1 after the header. */
    int csv = L->driver && strcmp(L->driver, "Comma Separated Value (.csv)") == 0;
    return csv ? fid + 1 : -1;
}

const char *bm__feature_where(const struct bm_layer *L, long long fid, char *buf, size_t size)
{
    long long line = bm__feature_line(L, fid);
    if (line >= 0)
        snprintf(buf, size, "line %lld", line);
    else
        snprintf(buf, size, "feature %lld", fid);
    return buf;
}

/* ---- accessors --------------------------------------------------------- */

void bm_layer_free(struct bm_layer *L)
{
    if (!L)
        return;
    for (size_t i = 0; i < L->nfields; i++)
        free(L->field_names[i]);
    free(L->field_names);
    free(L->field_types);
    bm__buf_free(&L->xy);
    bm__buf_free(&L->parts);
    bm__buf_free(&L->features);
    bm__buf_free(&L->attr_off);
    bm__buf_free(&L->strings);
    free(L->path);
    free(L->shown);
    free(L->name);
    free(L->driver);
    free(L->geom_name);
    free(L->crs);
    free(L);
}

const char *bm_layer_name(const struct bm_layer *L)
{
    return L->name;
}

const char *bm_layer_path(const struct bm_layer *L)
{
    return L->shown;
}

const char *bm__layer_source(const struct bm_layer *L)
{
    return L->path;
}

const char *bm_layer_driver(const struct bm_layer *L)
{
    return L->driver;
}

const char *bm_layer_geom_name(const struct bm_layer *L)
{
    return L->geom_name;
}

enum bm_geom_type bm_layer_geom_type(const struct bm_layer *L)
{
    return L->type;
}

const char *bm_layer_crs(const struct bm_layer *L)
{
    return L->crs;
}

struct bm_bbox bm_layer_extent(const struct bm_layer *L)
{
    return L->extent;
}

struct bm_bbox bm_layer_feature_extent(const struct bm_layer *L, size_t feat)
{
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = bm_layer_xy(L);
    struct bm_bbox b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t k = 0; k < f->nparts; k++)
        for (size_t i = parts[k].first; i < parts[k].first + parts[k].count; i++) {
            b.west = fmin(b.west, xy[2 * i]);
            b.east = fmax(b.east, xy[2 * i]);
            b.south = fmin(b.south, xy[2 * i + 1]);
            b.north = fmax(b.north, xy[2 * i + 1]);
        }
    return b;
}

size_t bm_layer_feature_count(const struct bm_layer *L)
{
    return BM__BUF_COUNT(&L->features, struct bm_feature);
}

const struct bm_feature *bm_layer_feature(const struct bm_layer *L, size_t i)
{
    return &BM__BUF_AT(&L->features, struct bm_feature, i);
}

const struct bm_part *bm_layer_parts(const struct bm_layer *L)
{
    return (const struct bm_part *)(const void *)L->parts.data;
}

const double *bm_layer_xy(const struct bm_layer *L)
{
    return (const double *)(const void *)L->xy.data;
}

size_t bm_layer_point_count(const struct bm_layer *L)
{
    return BM__BUF_COUNT(&L->xy, double) / 2;
}

size_t bm_layer_field_count(const struct bm_layer *L)
{
    return L->nfields;
}

const char *bm_layer_field_name(const struct bm_layer *L, size_t i)
{
    return i < L->nfields ? L->field_names[i] : NULL;
}

enum bm_field_type bm_layer_field_type(const struct bm_layer *L, size_t i)
{
    return i < L->nfields ? L->field_types[i] : BM_FIELD_OTHER;
}

long bm_layer_find(const struct bm_layer *L, const char *field, const char *value)
{
    int k = bm_layer_field_index(L, field);
    for (size_t i = 0; k >= 0 && i < bm_layer_feature_count(L); i++) {
        const char *v = bm_layer_attr(L, i, (size_t)k);
        if (v && strcasecmp(v, value) == 0)
            return (long)i;
    }
    return -1;
}

int bm_layer_field_index(const struct bm_layer *L, const char *name)
{
    for (size_t i = 0; i < L->nfields; i++)
        if (strcasecmp(L->field_names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *bm_layer_attr(const struct bm_layer *L, size_t feat, size_t field)
{
    if (feat >= bm_layer_feature_count(L) || field >= L->nfields)
        return NULL;
    size_t off = BM__BUF_AT(&L->attr_off, size_t, feat * L->nfields + field);
    return off == NULL_ATTR ? NULL : L->strings.data + off;
}

bool bm_layer_attr_double(const struct bm_layer *L, size_t feat, size_t field, double *out)
{
    const char *s = bm_layer_attr(L, feat, field);
    if (!s || !s[0])
        return false;
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

size_t bm_layer_repaired_count(const struct bm_layer *L)
{
    return L->repaired;
}

size_t bm_layer_skipped_count(const struct bm_layer *L)
{
    return L->skipped;
}

const char *bm_geom_type_name(enum bm_geom_type type)
{
    switch (type) {
    case BM_GEOM_POINT:
        return "point";
    case BM_GEOM_LINE:
        return "line";
    case BM_GEOM_POLYGON:
        return "polygon";
    default:
        return "none";
    }
}

const char *bm_field_type_name(enum bm_field_type type)
{
    static const char *const names[] = {"String", "Integer", "Real", "Date", "Other"};
    return type <= BM_FIELD_OTHER ? names[type] : "Other";
}
