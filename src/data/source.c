/* bordermap: which sources may be opened, and how (see source.h). */
#include "data/source.h"
#include "core/buf.h"
#include "core/internal.h"

#include <cpl_conv.h>
#include <cpl_http.h>
#include <cpl_string.h>
#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The vector drivers bordermap opens; VRT and the network's only when the user allows. */
static const char *const DRIVERS[] = {
    "ESRI Shapefile", "GeoJSON", "GPKG", "FlatGeobuf", "KML", "CSV", "OSM", "PostgreSQL", "SQLite"};
static const char *const VRT_DRIVERS[] = {"OGR_VRT"};
static const char *const NETWORK_DRIVERS[] = {"WFS", "OAPIF", "HTTP"};
/* The raster drivers: files a user has (GeoTIFF above all: SRTM, ETOPO, a hillshade from
 * gdaldem), never one that reaches a network or opens other files (VRT, WMS, ...). */
static const char *const RASTER_DRIVERS[] = {"GTiff",   "PNG",     "JPEG", "JP2OpenJPEG", "netCDF",
                                             "HFA",     "AAIGrid", "EHdr", "ENVI",        "SRTMHGT",
                                             "USGSDEM", "GSAG",    "GSBG", "GS7BG",       NULL};

#define NKEYS(a) (sizeof(a) / sizeof(a)[0])

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* ---- what a source string reaches ------------------------------------------ */

int bm__is_pg(const char *path)
{
    return g_ascii_strncasecmp(path, "PG:", 3) == 0 ||
           g_ascii_strncasecmp(path, "postgresql://", 13) == 0 ||
           g_ascii_strncasecmp(path, "postgres://", 11) == 0;
}

static int is_uri_pg(const char *path)
{
    const char *s = g_ascii_strncasecmp(path, "PG:", 3) == 0 ? path + 3 : path;
    return g_ascii_strncasecmp(s, "postgresql://", 13) == 0 ||
           g_ascii_strncasecmp(s, "postgres://", 11) == 0;
}

/* GDAL's file systems that read the network, by their /vsiNAME/ prefix. */
static const char *const NETWORK_VSI[] = {"vsicurl",
                                          "vsicurl_streaming",
                                          "vsis3",
                                          "vsis3_streaming",
                                          "vsigs",
                                          "vsigs_streaming",
                                          "vsiaz",
                                          "vsiaz_streaming",
                                          "vsiadls",
                                          "vsioss",
                                          "vsioss_streaming",
                                          "vsiswift",
                                          "vsiswift_streaming",
                                          "vsiwebhdfs",
                                          "vsihdfs"};
/* Those around a local file that bordermap reads. */
static const char *const LOCAL_VSI[] = {"vsizip", "vsigzip", "vsitar"};
/* Connection prefixes of GDAL's network drivers. */
static const char *const NETWORK_PREFIXES[] = {
    "WFS:",        "OAPIF:", "CSW:",      "ES:",   "ElasticSearch:", "CARTO:",
    "AmigoCloud:", "NGW:",   "PLScenes:", "EEDA:", "OGCAPI:"};

struct reach {
    char network[32]; /* what makes it a network source ("http://", "/vsicurl/"), or "" */
    char unknown[32]; /* a /vsi prefix bordermap does not read, or "" */
};

/* Walk the chain of /vsi prefixes ("/vsizip//vsicurl/http://...") and what follows. */
static void reach_of(const char *path, struct reach *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < NKEYS(NETWORK_PREFIXES); i++)
        if (g_ascii_strncasecmp(path, NETWORK_PREFIXES[i], strlen(NETWORK_PREFIXES[i])) == 0) {
            snprintf(r->network, sizeof r->network, "%s", NETWORK_PREFIXES[i]);
            return;
        }
    const char *s = path;
    while (strncmp(s, "/vsi", 4) == 0) {
        size_t n = strcspn(s + 1, "/");
        char name[24];
        snprintf(name, sizeof name, "%.*s", (int)(n < 23 ? n : 23), s + 1);
        if (in_list(name, NETWORK_VSI, NKEYS(NETWORK_VSI))) {
            snprintf(r->network, sizeof r->network, "/%s/", name);
            return;
        }
        if (!in_list(name, LOCAL_VSI, NKEYS(LOCAL_VSI))) {
            snprintf(r->unknown, sizeof r->unknown, "/%s/", name);
            return;
        }
        s += 1 + n;
        if (*s == '/')
            s++;
        if (*s == '{')
            s++;
        if (strncmp(s, "/vsi", 4) != 0)
            break;
    }
    const char *scheme = strstr(s, "://");
    if (scheme) {
        const char *b = scheme;
        while (b > s && (isalnum((unsigned char)b[-1]) || b[-1] == '+' || b[-1] == '.'))
            b--;
        snprintf(r->network, sizeof r->network, "%.*s://", (int)(scheme - b < 20 ? scheme - b : 20),
                 b);
    }
}

static int has_vrt_extension(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".vrt") == 0;
}

#define ALLOW_NETWORK_HINT                                                                         \
    "bordermap reads local files and databases only, unless you allow the network with "           \
    "--allow network or BORDERMAP_ALLOW=network"
#define ALLOW_VRT_HINT                                                                             \
    "a GDAL virtual dataset (VRT) can run SQL on a database and open other sources; if you trust " \
    "it, allow it with --allow vrt or BORDERMAP_ALLOW=vrt"

/* Why path may not be opened under allow, in msg; 0 when it may. */
static int refusal(const char *path, unsigned allow, const char *shown, char *msg, size_t size)
{
    struct reach r;
    if (bm__is_pg(path))
        return 0;
    reach_of(path, &r);
    if (r.unknown[0]) {
        snprintf(msg, size,
                 "cannot open '%s': GDAL's %s paths are not read by bordermap; use /vsizip/, "
                 "/vsigzip/ or /vsitar/ around a local file",
                 shown, r.unknown);
        return -1;
    }
    if (r.network[0] && !(allow & BM_ALLOW_NETWORK)) {
        snprintf(msg, size,
                 "refused to open '%s': it is a network source (%s); " ALLOW_NETWORK_HINT, shown,
                 r.network);
        return -1;
    }
    if (has_vrt_extension(path) && !(allow & BM_ALLOW_VRT)) {
        snprintf(msg, size, "refused to open '%s': " ALLOW_VRT_HINT, shown);
        return -1;
    }
    return 0;
}

enum bm_status bm__source_check(struct bm_ctx *ctx, const char *path)
{
    unsigned allow;
    if (bm_ctx_allow(ctx, &allow) != BM_OK)
        return bm_ctx_status(ctx);
    char msg[1024], clip[200];
    if (refusal(path, allow, bm__clip(path, clip, sizeof clip), msg, sizeof msg) != 0)
        return bm__fail(ctx, BM_ERR_SOURCE_REFUSED, "%s", msg);
    return BM_OK;
}

/* ---- PostgreSQL connection strings ------------------------------------------ */

struct kv {
    char *key, *value;
};

static void kv_free(struct kv *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_free(list[i].key);
        g_free(list[i].value);
    }
    g_free(list);
}

/*
 * libpq's keyword = value syntax: values bare (a backslash escapes the next
 * character) or single-quoted (a backslash escapes ' and \). Returns the pairs
 * (g_free'd by kv_free) and their count, or NULL with the reason in why.
 */
static struct kv *kv_parse(const char *s, size_t *count, const char **why)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(struct kv));
    *why = NULL;
    while (*s) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        const char *k = s;
        while (*s && *s != '=' && !isspace((unsigned char)*s))
            s++;
        struct kv e = {g_strndup(k, (gsize)(s - k)), NULL};
        while (isspace((unsigned char)*s))
            s++;
        if (*s != '=') {
            g_free(e.key);
            *why = "a keyword without '='";
            break;
        }
        s++;
        while (isspace((unsigned char)*s))
            s++;
        GString *v = g_string_new(NULL);
        if (*s == '\'') {
            for (s++; *s && *s != '\''; s++) {
                if (*s == '\\' && s[1])
                    s++;
                g_string_append_c(v, *s);
            }
            if (*s != '\'') {
                g_string_free(v, TRUE);
                g_free(e.key);
                *why = "a quoted value without its closing quote";
                break;
            }
            s++;
        } else {
            for (; *s && !isspace((unsigned char)*s); s++) {
                if (*s == '\\' && s[1])
                    s++;
                g_string_append_c(v, *s);
            }
        }
        e.value = g_string_free(v, FALSE);
        g_array_append_val(a, e);
    }
    *count = a->len;
    struct kv *list = (struct kv *)(void *)g_array_free(a, FALSE);
    if (*why) {
        kv_free(list, *count);
        return NULL;
    }
    return list;
}

/* Keywords a recipe's connection may give: names, not places or secrets. The last three
 * are GDAL's own (which tables to list). */
static const char *const RECIPE_PG_KEYS[] = {"dbname", "service",          "user",
                                             "port",   "application_name", "connect_timeout",
                                             "tables", "schemas",          "active_schema"};

#define PG_ADVICE                                                                                  \
    "a connection belongs to you, not to the recipe: name a service from your pg_service.conf "    \
    "(PG:service=NAME), a database on the local socket (PG:dbname=NAME), or put the whole "        \
    "connection in an environment variable and write source: ${env:NAME}"

static int pg_recipe_rules(const char *text, char *msg, size_t size)
{
    if (is_uri_pg(text)) {
        snprintf(msg, size,
                 "source 'postgresql://...': a recipe names a PostgreSQL database as "
                 "PG:service=NAME or PG:dbname=NAME, not as an address; " PG_ADVICE);
        return -1;
    }
    size_t n;
    const char *why;
    struct kv *list = kv_parse(text + 3, &n, &why);
    if (!list) {
        snprintf(msg, size,
                 "source 'PG:...': cannot read the PostgreSQL connection (%s); write it as "
                 "PG:service=NAME or PG:dbname=NAME",
                 why ? why : "empty");
        return -1;
    }
    int bad = 0;
    for (size_t i = 0; !bad && i < n; i++) {
        char key[48];
        snprintf(key, sizeof key, "%s", list[i].key);
        if (!in_list(list[i].key, RECIPE_PG_KEYS, NKEYS(RECIPE_PG_KEYS))) {
            snprintf(
                msg, size,
                "source 'PG:...': a recipe's PostgreSQL connection may not set '%s'; " PG_ADVICE,
                g_utf8_validate(key, -1, NULL) ? key : "?");
            bad = 1;
        } else if (strcasecmp(list[i].key, "dbname") == 0 &&
                   (strchr(list[i].value, '=') || strstr(list[i].value, "://"))) {
            /* libpq reads such a dbname as a whole connection string, host and all. */
            snprintf(msg, size,
                     "source 'PG:...': a recipe's dbname= must name a database, not hold a "
                     "connection string; " PG_ADVICE);
            bad = 1;
        }
    }
    if (!bad && n == 0) {
        snprintf(msg, size,
                 "source 'PG:...': the PostgreSQL connection names nothing; write "
                 "PG:service=NAME or PG:dbname=NAME");
        bad = 1;
    }
    kv_free(list, n);
    return bad ? -1 : 0;
}

static void append_quoted(GString *out, const char *v)
{
    g_string_append_c(out, '\'');
    for (; *v; v++) {
        if (*v == '\'' || *v == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *v);
    }
    g_string_append_c(out, '\'');
}

#define PG_WALL_OPTIONS "-c default_transaction_read_only=on -c statement_timeout="

/*
 * The connection as bordermap opens it: libpq's options get a read-only
 * default transaction and a statement timeout, after any the user gave (the
 * last -c wins), so that a session bordermap opens can change nothing and
 * cannot run for ever. NULL (use path as it is) when it cannot be read.
 */
static char *pg_with_walls(const char *path)
{
    char wall[96];
    snprintf(wall, sizeof wall, PG_WALL_OPTIONS "%d", BM__PG_STATEMENT_TIMEOUT_MS);
    if (is_uri_pg(path)) {
        const char *uri = g_ascii_strncasecmp(path, "PG:", 3) == 0 ? path + 3 : path;
        if (strstr(uri, "options="))
            return NULL; /* the user's own options: kept as given */
        char *esc = g_uri_escape_string(wall, NULL, FALSE);
        char *s = g_strdup_printf("PG:%s%soptions=%s", uri, strchr(uri, '?') ? "&" : "?", esc);
        g_free(esc);
        return s;
    }
    size_t n;
    const char *why;
    struct kv *list = kv_parse(path + 3, &n, &why);
    if (!list)
        return NULL;
    GString *out = g_string_new("PG:");
    const char *theirs = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(list[i].key, "options") == 0) {
            theirs = list[i].value;
            continue;
        }
        g_string_append_printf(out, "%s=", list[i].key);
        append_quoted(out, list[i].value);
        g_string_append_c(out, ' ');
    }
    char *opts = g_strdup_printf("%s%s%s", theirs ? theirs : "", theirs ? " " : "", wall);
    g_string_append(out, "options=");
    append_quoted(out, opts);
    g_free(opts);
    kv_free(list, n);
    return g_string_free(out, FALSE);
}

/* ---- recipes ------------------------------------------------------------------ */

static int is_env_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* "${env:NAME}": the user's connection, by reference. */
static int env_reference(const char *text, char **resolved, char *msg, size_t size)
{
    size_t len = strlen(text);
    const char *name = text + 6;
    size_t n = len >= 7 ? len - 7 : 0;
    if (strncmp(text, "${env:", 6) != 0 || len < 7 || text[len - 1] != '}' ||
        !is_env_name(name, n)) {
        snprintf(msg, size,
                 "source: a reference is written ${env:NAME}, NAME an environment variable "
                 "(letters, digits, _) that holds a PostgreSQL connection");
        return -1;
    }
    char var[256];
    snprintf(var, sizeof var, "%.*s", (int)(n < 255 ? n : 255), name);
    const char *value = getenv(var);
    if (!value || !value[0]) {
        snprintf(msg, size,
                 "source '${env:%s}': the environment variable %s is not set; set it to your "
                 "connection, e.g. %s='PG:service=gis'",
                 var, var, var);
        return -1;
    }
    /* The value is not shown: it is the user's, and may hold anything. */
    if (!bm__is_pg(value)) {
        snprintf(msg, size,
                 "source '${env:%s}': the environment variable %s does not hold a PostgreSQL "
                 "connection (PG:...); a recipe may name only a connection this way",
                 var, var);
        return -1;
    }
    *resolved = bm__strdup(value);
    if (!*resolved) {
        snprintf(msg, size, "out of memory");
        return -1;
    }
    return 1;
}

/* A GDAL connection prefix ("CSV:", "WFS:") rather than a path ("C:" is a drive, not one). */
static int has_gdal_prefix(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
    return n >= 2 && s[n] == ':' && isalpha((unsigned char)s[0]);
}

int bm__recipe_source(struct bm_ctx *ctx, const char *text, char **resolved, char *msg, size_t size)
{
    unsigned allow;
    if (bm_ctx_allow(ctx, &allow) != BM_OK) {
        snprintf(msg, size, "%s", bm_ctx_error(ctx));
        return -1;
    }
    if (strncmp(text, "${", 2) == 0)
        return env_reference(text, resolved, msg, size);
    if (bm__is_pg(text)) {
        if (pg_recipe_rules(text, msg, size) != 0)
            return -1;
    } else {
        char clip[200];
        if (refusal(text, allow, bm__clip(text, clip, sizeof clip), msg, size) != 0)
            return -1;
        struct reach r;
        reach_of(text, &r);
        int vsi = strncmp(text, "/vsi", 4) == 0;
        if (!vsi && !r.network[0] && !has_gdal_prefix(text))
            return 0; /* a path: the caller finds it */
        if (!vsi && !r.network[0]) {
            size_t n = strcspn(text, ":");
            snprintf(msg, size,
                     "source '%.*s:...': a recipe may not use GDAL's '%.*s:' prefix; name the file "
                     "itself (its format is found from its contents)",
                     (int)(n < 30 ? n : 30), text, (int)(n < 30 ? n : 30), text);
            return -1;
        }
    }
    *resolved = bm__strdup(text);
    if (!*resolved) {
        snprintf(msg, size, "out of memory");
        return -1;
    }
    return 1;
}

/* ---- opening ------------------------------------------------------------------ */

GDALDatasetH bm__source_open(struct bm_ctx *ctx, const char *path, char **open_options,
                             int *refused)
{
    *refused = 0;
    unsigned allow;
    if (bm_ctx_allow(ctx, &allow) != BM_OK) {
        *refused = 1;
        return NULL;
    }
    const char *drivers[NKEYS(DRIVERS) + NKEYS(VRT_DRIVERS) + NKEYS(NETWORK_DRIVERS) + 1];
    size_t nd = 0;
    for (size_t i = 0; i < NKEYS(DRIVERS); i++)
        drivers[nd++] = DRIVERS[i];
    for (size_t i = 0; (allow & BM_ALLOW_VRT) && i < NKEYS(VRT_DRIVERS); i++)
        drivers[nd++] = VRT_DRIVERS[i];
    for (size_t i = 0; (allow & BM_ALLOW_NETWORK) && i < NKEYS(NETWORK_DRIVERS); i++)
        drivers[nd++] = NETWORK_DRIVERS[i];
    drivers[nd] = NULL;
    char *walled = bm__is_pg(path) ? pg_with_walls(path) : NULL;
    GDALDatasetH ds = GDALOpenEx(walled ? walled : path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers,
                                 (const char *const *)open_options, NULL);
    g_free(walled);
    if (ds || bm__is_pg(path))
        return ds;
    /* Which driver would have read it? If one bordermap does not open, say so. */
    bm__gdal_init_all();
    GDALDriverH d = GDALIdentifyDriverEx(path, GDAL_OF_VECTOR, NULL, NULL);
    const char *name = d ? GDALGetDescription(d) : NULL;
    if (!name || in_list(name, drivers, nd))
        return NULL;
    char clip[200];
    const char *shown = bm__clip(path, clip, sizeof clip);
    *refused = 1;
    if (in_list(name, VRT_DRIVERS, NKEYS(VRT_DRIVERS)))
        bm__fail(ctx, BM_ERR_SOURCE_REFUSED, "refused to open '%s': " ALLOW_VRT_HINT, shown);
    else
        bm__fail(ctx, BM_ERR_SOURCE_REFUSED,
                 "refused to open '%s': it is read by GDAL's %s driver, which bordermap does not "
                 "open; convert it to GeoPackage first, e.g. with 'ogr2ogr out.gpkg IN'",
                 shown, name);
    return NULL;
}

int bm__source_is_raster(const char *path)
{
    /* Only plain local files: a connection or a /vsi path is vector data or refused. */
    if (!path || bm__is_pg(path) || strncmp(path, "/vsi", 4) == 0)
        return 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDriverH d = GDALIdentifyDriverEx(path, GDAL_OF_RASTER, RASTER_DRIVERS, NULL);
    CPLPopErrorHandler();
    return d != NULL;
}

GDALDatasetH bm__source_open_raster(struct bm_ctx *ctx, const char *path)
{
    if (bm__source_check(ctx, path) != BM_OK)
        return NULL;
    return GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, RASTER_DRIVERS, NULL, NULL);
}

/* ---- the third wall ------------------------------------------------------------ */

static CPLHTTPResult *no_network(const char *url, CSLConstList options, GDALProgressFunc progress,
                                 void *progress_arg, CPLHTTPFetchWriteFunc write, void *write_arg,
                                 void *user)
{
    (void)url;
    (void)options;
    (void)progress;
    (void)progress_arg;
    (void)write;
    (void)write_arg;
    (void)user;
    CPLHTTPResult *r = CPLCalloc(1, sizeof *r);
    r->nStatus = 1;
    r->pszErrBuf = CPLStrdup("bordermap does not reach the network unless allowed "
                             "(--allow network)");
    CPLError(CE_Failure, CPLE_AppDefined, "%s", r->pszErrBuf);
    return r;
}

/* Thread-local configuration set while bordermap reads, and what was there before. */
static const char *const WALL_KEYS[] = {"CPL_VSIL_CURL_ALLOWED_FILENAME",
                                        "OGR_SQLITE_LIST_VIRTUAL_OGR"};
static _Thread_local char *saved[NKEYS(WALL_KEYS)];
static _Thread_local int saved_set[NKEYS(WALL_KEYS)];
static _Thread_local int depth; /* pushes in force: only the outermost sets and restores */

int bm__source_walls_push(struct bm_ctx *ctx)
{
    unsigned allow = 0;
    if (bm_ctx_allow(ctx, &allow) != BM_OK)
        bm_ctx_clear_error(ctx); /* reported when the source is checked */
    if (allow & BM_ALLOW_NETWORK)
        return 0;
    if (depth++ > 0)
        return 1;
    /* /vsicurl/ and the cloud file systems open no name but this one, which no URL is. */
    static const char *const values[] = {"bordermap-network-not-allowed", "NO"};
    for (size_t i = 0; i < NKEYS(WALL_KEYS); i++) {
        const char *old = CPLGetThreadLocalConfigOption(WALL_KEYS[i], NULL);
        saved_set[i] = old != NULL;
        saved[i] = old ? CPLStrdup(old) : NULL;
        CPLSetThreadLocalConfigOption(WALL_KEYS[i], values[i]);
    }
    CPLHTTPPushFetchCallback(no_network, NULL);
    return 1;
}

void bm__source_walls_pop(int pushed)
{
    if (!pushed || --depth > 0)
        return;
    CPLHTTPPopFetchCallback();
    for (size_t i = 0; i < NKEYS(WALL_KEYS); i++) {
        CPLSetThreadLocalConfigOption(WALL_KEYS[i], saved_set[i] ? saved[i] : NULL);
        CPLFree(saved[i]);
        saved[i] = NULL;
    }
}
