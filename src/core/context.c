/* bordermap: the context. */
#include "core/internal.h"
#include "core/buf.h"
#include "bordermap/redact.h"
#include "bordermap/escape.h"

#include <dlfcn.h>
#include <gdal.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef BM_SOURCE_DATA_DIR
#define BM_SOURCE_DATA_DIR ""
#endif
#ifndef BM_INSTALL_DATA_DIR
#define BM_INSTALL_DATA_DIR ""
#endif

struct bm_ctx {
    enum bm_status status;
    char *error;
    struct bm__buf warnings; /* array of char * */
    PJ_CONTEXT *pj;
    char *data_root;
    int allow_set;  /* bm_ctx_set_allow() was called: $BORDERMAP_ALLOW is not read */
    unsigned allow; /* enum bm_allow bits */
    struct bm__buf boxes, box_names; /* the last render's placed boxes (bm_render_info) */
};

const char *bm__strerror(int err)
{
    static _Thread_local char buf[128];
    /* The GNU strerror_r (_GNU_SOURCE): returns a static string or fills buf. */
    return strerror_r(err, buf, sizeof buf);
}

char *bm__strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int has_shapes(const char *dir)
{
    char path[4096];
    struct stat st;
    if (!dir[0])
        return 0;
    snprintf(path, sizeof path, "%s/shapes", dir);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The installed data beside the library itself (PREFIX/lib[/multiarch]/ ->
 * PREFIX/share/bordermap), so that an install moved or made with
 * 'cmake --install --prefix' still finds its data. Writes "" if none.
 */
static void data_beside_library(char *out, size_t size)
{
    Dl_info info;
    out[0] = '\0';
    if (!dladdr((void *)data_beside_library, &info) || !info.dli_fname)
        return;
    const char *slash = strrchr(info.dli_fname, '/');
    if (!slash)
        return;
    static const char *const ups[] = {"/../share/bordermap", "/../../share/bordermap"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(out, size, "%.*s%s", (int)(slash - info.dli_fname), info.dli_fname, ups[i]);
        if (has_shapes(out))
            return;
    }
    out[0] = '\0';
}

/*
 * The environment wins; then the source tree (so a build tree and its tests
 * use the data beside them); then the copy installed beside the library;
 * then the configured install folder.
 */
static char *default_data_root(void)
{
    const char *env = getenv("BORDERMAP_DATA");
    if (env && env[0])
        return bm__strdup(env);
    if (has_shapes(BM_SOURCE_DATA_DIR))
        return bm__strdup(BM_SOURCE_DATA_DIR);
    char beside[4096];
    data_beside_library(beside, sizeof beside);
    return bm__strdup(beside[0] ? beside : BM_INSTALL_DATA_DIR);
}

static void quiet_proj(void *data, int level, const char *msg)
{
    (void)data;
    (void)level;
    (void)msg;
}

/*
 * GDAL's registration functions of the drivers bordermap opens (the lists in
 * data/source.c: vector, VRT and the network's when allowed, raster) or
 * writes (GeoJSON, GPKG, GTiff, MEM). They are exported by libgdal, declared
 * in its C++ headers only.
 */
void GDALRegister_GTiff(void);
void GDALRegister_HFA(void);
void GDALRegister_AAIGrid(void);
void GDALRegister_PNG(void);
void GDALRegister_JPEG(void);
void GDALRegister_MEM(void);
void GDALRegister_SRTMHGT(void);
void GDALRegister_netCDF(void);
void GDALRegister_JP2OpenJPEG(void);
void GDALRegister_GSAG(void);
void GDALRegister_GSBG(void);
void GDALRegister_GS7BG(void);
void GDALRegister_USGSDEM(void);
void RegisterOGRShape(void);
void RegisterOGRVRT(void);
void RegisterOGRCSV(void);
void RegisterOGRKML(void);
void RegisterOGRGeoJSON(void);
void RegisterOGRGeoPackage(void);
void RegisterOGRSQLite(void);
void RegisterOGRPG(void);
void RegisterOGRFlatGeobuf(void);
void RegisterOGROSM(void);
void RegisterOGRWFS(void);
void RegisterOGROAPIF(void);
void GDALRegister_ENVI(void);
void GDALRegister_EHdr(void);
void GDALRegister_HTTP(void);

/*
 * Only those drivers, in the order GDALAllRegister() gives them (which one
 * tries a file first: GPKG before SQLite). GDALAllRegister() makes all 210 of
 * Debian's, which pages in 9 MB of libgdal (the reference map's peak memory:
 * 112 -> 107 MiB) for drivers bordermap never lets open a file; all of them
 * are registered only to name the driver of a file it refuses.
 */
static void register_drivers(void)
{
    static void (*const REGISTER[])(void) = {
        GDALRegister_GTiff,    GDALRegister_HFA,    GDALRegister_AAIGrid,
        GDALRegister_PNG,      GDALRegister_JPEG,   GDALRegister_MEM,
        GDALRegister_SRTMHGT,  GDALRegister_netCDF, GDALRegister_JP2OpenJPEG,
        GDALRegister_GSAG,     GDALRegister_GSBG,   GDALRegister_GS7BG,
        GDALRegister_USGSDEM,  RegisterOGRShape,    RegisterOGRVRT,
        RegisterOGRCSV,        RegisterOGRKML,      RegisterOGRGeoJSON,
        RegisterOGRGeoPackage, RegisterOGRSQLite,   RegisterOGRPG,
        RegisterOGRFlatGeobuf, RegisterOGROSM,      RegisterOGRWFS,
        RegisterOGROAPIF,      GDALRegister_ENVI,   GDALRegister_EHdr,
        GDALRegister_HTTP};
    for (size_t i = 0; i < sizeof REGISTER / sizeof REGISTER[0]; i++)
        REGISTER[i]();
}

void bm__gdal_init(void)
{
    /* GDAL's registration is not safe to run in several threads at once (one
     * thread reads a driver another is still making): it runs once, and a
     * thread that comes while it runs waits for it. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_drivers);
}

static void register_all(void)
{
    GDALAllRegister();
}

void bm__gdal_init_all(void)
{
    bm__gdal_init(); /* first, so that these keep their places */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_all);
}

struct bm_ctx *bm_ctx_new(void)
{
    bm__gdal_init();
    struct bm_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->pj = proj_context_create();
    /* PROJ's own complaints would be a second line on stderr: bordermap says what failed. */
    if (ctx->pj)
        proj_log_func(ctx->pj, NULL, quiet_proj);
    ctx->data_root = default_data_root();
    if (!ctx->pj || !ctx->data_root) {
        bm_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

struct bm_ctx *bm__ctx_sibling(const struct bm_ctx *ctx)
{
    struct bm_ctx *c = bm_ctx_new();
    if (!c)
        return NULL;
    char *root = bm__strdup(ctx->data_root);
    if (ctx->data_root && !root) {
        bm_ctx_free(c);
        return NULL;
    }
    free(c->data_root);
    c->data_root = root;
    c->allow_set = ctx->allow_set;
    c->allow = ctx->allow;
    return c;
}

void bm_ctx_free(struct bm_ctx *ctx)
{
    if (!ctx)
        return;
    bm_ctx_clear_warnings(ctx);
    bm__buf_free(&ctx->warnings);
    free(ctx->error);
    free(ctx->data_root);
    bm__buf_free(&ctx->boxes);
    bm__buf_free(&ctx->box_names);
    if (ctx->pj)
        proj_context_destroy(ctx->pj);
    free(ctx);
}

char *bm__ctx_keep_boxes(struct bm_ctx *ctx, struct bm__buf *boxes, struct bm__buf *names,
                         char **names_data)
{
    bm__buf_free(&ctx->boxes);
    bm__buf_free(&ctx->box_names);
    ctx->boxes = *boxes;
    ctx->box_names = *names;
    *boxes = (struct bm__buf){0};
    *names = (struct bm__buf){0};
    *names_data = ctx->box_names.data;
    return ctx->boxes.data;
}

enum bm_status bm_ctx_status(const struct bm_ctx *ctx)
{
    return ctx->status;
}

const char *bm_ctx_error(const struct bm_ctx *ctx)
{
    return ctx->error ? ctx->error : "";
}

void bm_ctx_clear_error(struct bm_ctx *ctx)
{
    free(ctx->error);
    ctx->error = NULL;
    ctx->status = BM_OK;
}

void bm__begin(struct bm_ctx *ctx)
{
    bm_ctx_clear_error(ctx);
}

/*
 * A message as it may be shown: the control characters that data or a recipe put
 * in it (a place name with ESC ]0;...BEL) escaped, so that printing it cannot
 * drive the terminal. Takes msg; NULL when out of memory.
 */
static char *shown(char *msg)
{
    if (!msg || !bm_has_control(msg))
        return msg;
    char *safe = bm_escape(msg);
    free(msg);
    return safe;
}

enum bm_status bm__fail(struct bm_ctx *ctx, enum bm_status status, const char *fmt, ...)
{
    if (ctx->status != BM_OK)
        return ctx->status; /* keep the cause, drop the symptom */
    struct bm__buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    int r = bm__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    ctx->status = status;
    /* Messages quote sources, and GDAL's own words: no credential is ever printed,
     * and no control character from data reaches a terminal. */
    ctx->error = r == 0 ? shown(bm_redact(b.data)) : NULL;
    bm__buf_free(&b);
    return status;
}

void bm__warn(struct bm_ctx *ctx, const char *fmt, ...)
{
    struct bm__buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    int r = bm__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char *msg = r == 0 ? shown(bm_redact(b.data)) : NULL;
    bm__buf_free(&b);
    if (msg && bm__buf_append(&ctx->warnings, &msg, sizeof msg) != 0)
        free(msg);
}

char *bm__take_warnings(struct bm_ctx *ctx, size_t since)
{
    size_t n = bm_ctx_warning_count(ctx);
    struct bm__buf b = {0};
    for (size_t i = since; i < n; i++) {
        char *w = BM__BUF_AT(&ctx->warnings, char *, i);
        bm__buf_printf(&b, "%s%s", i > since ? "; " : "", w);
        free(w);
    }
    if (since < n)
        ctx->warnings.len = since * sizeof(char *);
    char *all = bm__buf_take(&b);
    bm__buf_free(&b);
    return all;
}

size_t bm_ctx_warning_count(const struct bm_ctx *ctx)
{
    return BM__BUF_COUNT(&ctx->warnings, char *);
}

const char *bm_ctx_warning(const struct bm_ctx *ctx, size_t i)
{
    if (i >= bm_ctx_warning_count(ctx))
        return "";
    return BM__BUF_AT(&ctx->warnings, char *, i);
}

void bm_ctx_clear_warnings(struct bm_ctx *ctx)
{
    size_t n = bm_ctx_warning_count(ctx);
    for (size_t i = 0; i < n; i++)
        free(BM__BUF_AT(&ctx->warnings, char *, i));
    ctx->warnings.len = 0;
}

const char *bm_ctx_data_root(const struct bm_ctx *ctx)
{
    return ctx->data_root;
}

enum bm_status bm_ctx_set_data_root(struct bm_ctx *ctx, const char *dir)
{
    bm__begin(ctx);
    char *copy = bm__strdup(dir ? dir : "");
    if (!copy)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory setting the data root");
    free(ctx->data_root);
    ctx->data_root = copy;
    return BM_OK;
}

enum bm_status bm_ctx_data_path(struct bm_ctx *ctx, const char *rel, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s", ctx->data_root, rel);
    if (n < 0 || (size_t)n >= size)
        return bm__fail(ctx, BM_ERR_ARG, "data path '%s/%s' is too long", ctx->data_root, rel);
    return BM_OK;
}

PJ_CONTEXT *bm__proj(struct bm_ctx *ctx)
{
    return ctx->pj;
}

const char *bm__clip(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (n < size)
        return s;
    /* Cut at a character boundary, leaving room for "...". */
    n = size > 4 ? size - 4 : 0;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    snprintf(buf, size, "%.*s...", (int)n, s);
    return buf;
}

/* "vrt,network" -> bits; -1 with the unknown word in bad. */
static int parse_allow(const char *list, unsigned *bits, char *bad, size_t size)
{
    *bits = 0;
    const char *p = list ? list : "";
    while (*p) {
        size_t n = strcspn(p, ", ");
        if (n == 3 && strncmp(p, "vrt", 3) == 0)
            *bits |= BM_ALLOW_VRT;
        else if (n == 7 && strncmp(p, "network", 7) == 0)
            *bits |= BM_ALLOW_NETWORK;
        else if (n == 4 && strncmp(p, "none", 4) == 0)
            ;
        else if (n > 0) {
            char word[256], clip[48];
            snprintf(word, sizeof word, "%.*s", (int)(n < 200 ? n : 200), p);
            snprintf(bad, size, "%s", bm__clip(word, clip, sizeof clip));
            return -1;
        }
        p += n;
        p += strspn(p, ", ");
    }
    return 0;
}

enum bm_status bm_ctx_set_allow(struct bm_ctx *ctx, const char *list)
{
    bm__begin(ctx);
    unsigned bits;
    char bad[256];
    if (parse_allow(list, &bits, bad, sizeof bad) != 0)
        return bm__fail(ctx, BM_ERR_ARG,
                        "cannot allow '%s': say vrt, network, both as vrt,network, or none", bad);
    ctx->allow = bits;
    ctx->allow_set = 1;
    return BM_OK;
}

enum bm_status bm_ctx_allow(struct bm_ctx *ctx, unsigned *allow)
{
    *allow = ctx->allow;
    if (ctx->allow_set)
        return BM_OK;
    char bad[256];
    const char *env = getenv("BORDERMAP_ALLOW");
    if (parse_allow(env, allow, bad, sizeof bad) != 0) {
        *allow = 0;
        return bm__fail(ctx, BM_ERR_ARG,
                        "BORDERMAP_ALLOW names '%s'; say vrt, network, both as vrt,network, or "
                        "none, or unset it",
                        bad);
    }
    return BM_OK;
}
