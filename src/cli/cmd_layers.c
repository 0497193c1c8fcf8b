/* bordermap program: 'bordermap layers'. */
#include "cli.h"

#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char HELP_LAYERS[] =
    "usage: bordermap layers [--format table|csv|json] [--layer NAME] [SOURCE...]\n"
    "\n"
    "List each layer of the shipped data (shapes/), or of the given\n"
    "sources: its geometry type, feature count, extent, CRS and fields; for a\n"
    "raster, its data type, size in pixels (features and points: the pixel\n"
    "count), extent, CRS and bands (with band 1's unit and range of values).\n"
    "A SOURCE is any file GDAL reads as vectors (Shapefile, GeoJSON,\n"
    "GeoPackage, KML, CSV with lon/lat columns, OpenStreetMap .osm and .osm.pbf),\n"
    "a raster bordermap draws (GeoTIFF, PNG, JPEG 2000, netCDF, ...) or a\n"
    "PostGIS connection string such as \"PG:service=gis\" or \"PG:dbname=gis\".\n"
    "A shipped layer may be named as this command lists it, 'water/rivers', or\n"
    "by its last part, 'rivers' (here and wherever a command takes a SOURCE).\n"
    "\n"
    "  -l, --layer NAME  only this layer or table of each SOURCE (\"ops.border\":\n"
    "                    a PostGIS table with its schema)\n"
    "  -f, --format FMT  table (default), csv or json\n";

/* One row of the listing: a display name and where to load it from. */
struct entry {
    char *label;
    char *path;
    char *layer; /* NULL: the only layer */
    int shipped; /* checked valid when built: no need to check again */
    int raster;  /* a raster source (bm_source_is_raster): its bands, not features */
};

struct listing {
    struct entry *items;
    size_t n, cap;
};

static int listing_add(struct listing *l, const char *label, const char *path, const char *layer,
                       int shipped, int raster)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        struct entry *p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return -1;
        l->items = p;
        l->cap = cap;
    }
    struct entry *e = &l->items[l->n++];
    e->label = bm_redact(label); /* a connection string's password is never shown */
    e->path = strdup(path);
    e->layer = layer ? strdup(layer) : NULL;
    e->shipped = shipped;
    e->raster = raster;
    return 0;
}

static void listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].label);
        free(l->items[i].path);
        free(l->items[i].layer);
    }
    free(l->items);
}

static int by_label(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->label, ((const struct entry *)b)->label);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Every shapes/GROUP/NAME.shp and NAME.tif under the data root, labelled GROUP/NAME. */
static int list_shipped(struct bm_ctx *ctx, struct listing *l)
{
    char root[4096];
    if (bm_ctx_data_path(ctx, "shapes", root, sizeof root) != BM_OK)
        return cli_fail(ctx);
    DIR *top = opendir(root);
    if (!top) {
        fprintf(stderr,
                "bordermap: cannot open the shipped data folder '%s'; set BORDERMAP_DATA to the "
                "folder that holds shapes/\n",
                root);
        return EXIT_FAIL;
    }
    struct dirent *g;
    while ((g = readdir(top)) != NULL) {
        if (g->d_name[0] == '.')
            continue;
        char dir[4096 + 256];
        snprintf(dir, sizeof dir, "%s/%s", root, g->d_name);
        DIR *sub = opendir(dir);
        if (!sub)
            continue;
        struct dirent *f;
        while ((f = readdir(sub)) != NULL) {
            int raster = has_suffix(f->d_name, ".tif");
            if (!has_suffix(f->d_name, ".shp") && !raster)
                continue;
            char label[512], path[4096 + 512];
            snprintf(label, sizeof label, "%s/%.*s", g->d_name, (int)(strlen(f->d_name) - 4),
                     f->d_name);
            snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
            listing_add(l, label, path, NULL, 1, raster);
        }
        closedir(sub);
    }
    closedir(top);
    qsort(l->items, l->n, sizeof *l->items, by_label);
    return EXIT_OK;
}

/* Each layer of each source; a source with several layers gets SOURCE:LAYER labels. */
static int list_sources(struct bm_ctx *ctx, struct listing *l, int n, char **paths,
                        const char *layer)
{
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        if (bm_source_is_raster(paths[i])) {
            /* A raster has no layers: --layer names none of it. */
            if (layer) {
                fprintf(stderr,
                        "bordermap: '%s' is a raster, it has no layer '%s'; leave out --layer\n",
                        paths[i], layer);
                return EXIT_FAIL;
            }
            listing_add(l, paths[i], paths[i], NULL, 0, 1);
            continue;
        }
        if (layer) {
            /* Loading it says so, with the list, when the source has no such layer. */
            char label[4096 + 256];
            snprintf(label, sizeof label, "%s:%s", paths[i], layer);
            listing_add(l, label, paths[i], layer, 0, 0);
            continue;
        }
        char **names;
        size_t count;
        if (bm_source_layer_names(ctx, paths[i], &names, &count) != BM_OK)
            return cli_fail(ctx); /* one line: the first source that cannot be read */
        for (size_t k = 0; k < count; k++) {
            char label[4096 + 256];
            if (count > 1)
                snprintf(label, sizeof label, "%s:%s", paths[i], names[k]);
            else
                snprintf(label, sizeof label, "%s", paths[i]);
            listing_add(l, label, paths[i], names[k], 0, 0);
        }
        bm_strings_free(names, count);
        if (count == 0) {
            char shown[1024];
            fprintf(stderr, "bordermap: '%s' has no layers\n",
                    bm_redact_to(paths[i], shown, sizeof shown));
            return EXIT_FAIL;
        }
    }
    return rc;
}

/* The columns of the listing: a block per layer in a table, a row in CSV and JSON. */
enum {
    L_LAYER,
    L_SUMMARY,
    L_GEOMETRY,
    L_FEATURES,
    L_POINTS,
    L_EXTENT,
    L_WEST,
    L_SOUTH,
    L_EAST,
    L_NORTH,
    L_BBOX,
    L_CRS,
    L_FORMAT,
    L_FIELDS,
    L_FIELDS_CSV,
    L_FIELDS_JSON,
    L_NCOLS
};

static const struct cli_col COLS[L_NCOLS] = {
    {"layer", "layer", COL_TEXT, IN_ALL, 0, 0},
    {"summary", "geometry", COL_TEXT, IN_TABLE, 0, 0},
    {"geometry", NULL, COL_TEXT, IN_CSV | IN_JSON, 0, 0},
    {"features", NULL, COL_INT, IN_CSV | IN_JSON, 0, 0},
    {"points", NULL, COL_INT, IN_CSV | IN_JSON, 0, 0},
    {"extent", "extent", COL_TEXT, IN_TABLE, 0, 0},
    {"west", NULL, COL_DEGREES, IN_CSV, 0, 6},
    {"south", NULL, COL_DEGREES, IN_CSV, 0, 6},
    {"east", NULL, COL_DEGREES, IN_CSV, 0, 6},
    {"north", NULL, COL_DEGREES, IN_CSV, 0, 6},
    {"extent", NULL, COL_JSON, IN_JSON, 0, 0},
    {"crs", "CRS", COL_TEXT, IN_ALL, 0, 0},
    {"format", "format", COL_TEXT, IN_TABLE | IN_JSON, 0, 0},
    {"fields", "fields", COL_TEXT, IN_TABLE, 0, 0},
    {"fields", NULL, COL_TEXT, IN_CSV, 0, 0},
    {"fields", NULL, COL_JSON, IN_JSON, 0, 0}};

/* The text of one of a layer's descriptions, built in a memory stream; free() it. */
struct text {
    char *s;
    size_t len;
    FILE *f;
};

static FILE *text_open(struct text *t)
{
    t->s = NULL;
    t->f = open_memstream(&t->s, &t->len);
    if (!t->f) {
        fputs("bordermap: out of memory listing the layers\n", stderr);
        exit(EXIT_FAIL);
    }
    return t->f;
}

static const char *text_close(struct text *t)
{
    if (t->f)
        fclose(t->f);
    return t->s ? t->s : "";
}

/* The texts of a row (a layer's or a raster's), each written to its stream f[i]. */
enum { SUMMARY, EXTENT, BBOX, FIELDS, FIELDS_CSV, FIELDS_JSON, NTEXT };
struct row_text {
    struct text t[NTEXT];
    FILE *f[NTEXT];
};

static void row_open(struct row_text *x)
{
    for (int i = 0; i < NTEXT; i++)
        x->f[i] = text_open(&x->t[i]);
}

/* The extent, degrees: in words (EXTENT) and as JSON's [west, south, east, north] (BBOX). */
static void row_extent(struct row_text *x, const struct bm_bbox *b)
{
    fprintf(x->f[EXTENT], "lon %.4f to %.4f, lat %.4f to %.4f", b->west, b->east, b->south,
            b->north);
    const double v[4] = {b->west, b->south, b->east, b->north};
    for (int i = 0; i < 4; i++) {
        fputs(i ? ", " : "[", x->f[BBOX]);
        json_number(x->f[BBOX], v[i]);
    }
    fputc(']', x->f[BBOX]);
}

/* Close the texts, add the row they and the other cells make, and free the texts. */
static void row_add(struct cli_rows *r, struct row_text *x, const char *label, const char *geometry,
                    long long features, long long points, const struct bm_bbox *b, const char *crs,
                    const char *format)
{
    const char *text[NTEXT];
    for (int i = 0; i < NTEXT; i++)
        text[i] = text_close(&x->t[i]);
    struct cli_cell c[L_NCOLS] = {[L_LAYER] = {.s = label},
                                  [L_SUMMARY] = {.s = text[SUMMARY]},
                                  [L_GEOMETRY] = {.s = geometry},
                                  [L_FEATURES] = {.i = features},
                                  [L_POINTS] = {.i = points},
                                  [L_EXTENT] = {.s = text[EXTENT]},
                                  [L_WEST] = {.v = b->west},
                                  [L_SOUTH] = {.v = b->south},
                                  [L_EAST] = {.v = b->east},
                                  [L_NORTH] = {.v = b->north},
                                  [L_BBOX] = {.s = text[BBOX]},
                                  [L_CRS] = {.s = crs},
                                  [L_FORMAT] = {.s = format},
                                  [L_FIELDS] = {.s = text[FIELDS]},
                                  [L_FIELDS_CSV] = {.s = text[FIELDS_CSV]},
                                  [L_FIELDS_JSON] = {.s = text[FIELDS_JSON]}};
    cli_add(r, IN_ALL, c);
    for (int i = 0; i < NTEXT; i++)
        free(x->t[i].s);
}

/* One layer's row: what the table says in words, CSV and JSON in fields. */
static void add_layer(struct cli_rows *r, const char *label, const struct bm_layer *L)
{
    struct row_text x;
    row_open(&x);
    FILE **f = x.f;
    char nf[32], np[32];
    size_t n = bm_layer_feature_count(L), nfields = bm_layer_field_count(L);
    struct bm_bbox b = bm_layer_extent(L);
    fprintf(f[SUMMARY], "%s, %s features, %s points", bm_layer_geom_name(L),
            bm_format_number(nf, sizeof nf, (double)n, 0),
            bm_format_number(np, sizeof np, (double)bm_layer_point_count(L), 0));
    if (n > 0) {
        row_extent(&x, &b);
    } else {
        fputs("(empty)", f[EXTENT]);
        fputs("null", f[BBOX]);
    }
    fputc('[', f[FIELDS_JSON]);
    for (size_t i = 0; i < nfields; i++) {
        const char *name = bm_layer_field_name(L, i);
        const char *type = bm_field_type_name(bm_layer_field_type(L, i));
        fprintf(f[FIELDS], "%s%s (%s)", i ? ", " : "", name, type);
        fprintf(f[FIELDS_CSV], "%s%s:%s", i ? " " : "", name, type);
        fputs(i ? ", {\"name\": " : "{\"name\": ", f[FIELDS_JSON]);
        json_string(f[FIELDS_JSON], name);
        fputs(", \"type\": ", f[FIELDS_JSON]);
        json_string(f[FIELDS_JSON], type);
        fputc('}', f[FIELDS_JSON]);
    }
    fputc(']', f[FIELDS_JSON]);
    if (nfields == 0)
        fputs("(none)", f[FIELDS]);
    row_add(r, &x, label, bm_layer_geom_name(L), (long long)n, (long long)bm_layer_point_count(L),
            &b, bm_layer_crs(L), bm_layer_driver(L));
}

/*
 * A raster's row: "Raster", its pixels as the count of features and points,
 * its extent in degrees, and its bands as the fields.
 */
static void add_raster(struct cli_rows *r, const char *label, const struct bm_raster_info *ri)
{
    struct row_text x;
    row_open(&x);
    FILE **f = x.f;
    char nw[32], nh[32], np[32];
    long long cells = (long long)ri->width * ri->height;
    const struct bm_bbox *b = &ri->extent;
    fprintf(f[SUMMARY], "Raster, %s, %s x %s pixels (%s), %d band%s", ri->type,
            bm_format_number(nw, sizeof nw, ri->width, 0),
            bm_format_number(nh, sizeof nh, ri->height, 0),
            bm_format_number(np, sizeof np, (double)cells, 0), ri->bands,
            ri->bands == 1 ? "" : "s");
    row_extent(&x, b);
    /* Band 1 in words: its type, unit and values; the others by number. */
    char lo[32], hi[32];
    bm_format_number(lo, sizeof lo, ri->min, ri->min == floor(ri->min) ? 0 : 2);
    bm_format_number(hi, sizeof hi, ri->max, ri->max == floor(ri->max) ? 0 : 2);
    fprintf(f[FIELDS], "band 1 (%s%s%s, %s to %s)", ri->type, ri->unit[0] ? ", " : "", ri->unit, lo,
            hi);
    if (ri->bands == 2)
        fputs(", band 2", f[FIELDS]);
    else if (ri->bands > 2)
        fprintf(f[FIELDS], ", bands 2 to %d", ri->bands);
    fputc('[', f[FIELDS_JSON]);
    for (int i = 1; i <= ri->bands; i++) {
        fprintf(f[FIELDS_CSV], "%sband%d%s%s", i > 1 ? " " : "", i, i == 1 ? ":" : "",
                i == 1 ? ri->type : "");
        fprintf(f[FIELDS_JSON], "%s{\"name\": \"band%d\"", i > 1 ? ", " : "", i);
        if (i == 1) {
            fputs(", \"type\": ", f[FIELDS_JSON]);
            json_string(f[FIELDS_JSON], ri->type);
            fputs(", \"unit\": ", f[FIELDS_JSON]);
            json_string(f[FIELDS_JSON], ri->unit);
            fputs(", \"min\": ", f[FIELDS_JSON]);
            json_number(f[FIELDS_JSON], ri->min);
            fputs(", \"max\": ", f[FIELDS_JSON]);
            json_number(f[FIELDS_JSON], ri->max);
        }
        fputc('}', f[FIELDS_JSON]);
    }
    fputc(']', f[FIELDS_JSON]);
    row_add(r, &x, label, "Raster", cells, cells, b, ri->crs, ri->driver);
}

static int print_listing(struct bm_ctx *ctx, const struct listing *l, const struct cli_out *o)
{
    int rc = EXIT_OK;
    struct cli_rows r;
    cli_rows_init(&r, COLS, L_NCOLS);
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].raster) {
            struct bm_raster_info ri;
            if (bm_raster_info(ctx, l->items[i].path, &ri) != BM_OK) {
                rc = cli_fail(ctx);
                break;
            }
            cli_stage("load %s", l->items[i].label);
            add_raster(&r, l->items[i].label, &ri);
            continue;
        }
        /* A listing needs no valid polygons: none is checked. */
        struct bm_load_opts opts = {.layer = l->items[i].layer, .invalid = BM_INVALID_UNCHECKED};
        struct bm_layer *L;
        if (bm_layer_load(ctx, l->items[i].path, &opts, &L) != BM_OK) {
            /* One line: the listing stops at the first layer that cannot be loaded. */
            rc = cli_fail(ctx);
            break;
        }
        cli_warnings(ctx);
        cli_stage("load %s", l->items[i].label);
        add_layer(&r, l->items[i].label, L);
        bm_layer_free(L);
    }
    cli_rows_print(&r, o, CLI_RECORDS, 2);
    if (o->format == FORMAT_JSON)
        putchar('\n');
    cli_rows_free(&r);
    return rc;
}

int cmd_layers(struct bm_ctx *ctx, int argc, char **argv)
{
    struct cli_out out = cli_out_default();
    static const struct option longopts[] = {{"layer", required_argument, NULL, 'l'},
                                             {NULL, 0, NULL, 0}};
    struct cli_opts opts = {"layers", "l:", longopts, CLI_FORMAT, &out};
    const char *layer = NULL;
    int c;
    while ((c = cli_getopt(&opts, argc, argv)) != -1) {
        if (c == 'l')
            layer = optarg;
        else
            return EXIT_USAGE;
    }
    if (layer && optind >= argc)
        return cli_usage("layers", "--layer names a layer of a SOURCE; give the source too");
    for (int i = optind; i < argc; i++) /* a shipped layer by name: 'layers water/rivers' */
        argv[i] = (char *)cli_source_path(ctx, argv[i]);
    struct listing l = {0};
    int rc = optind < argc ? list_sources(ctx, &l, argc - optind, argv + optind, layer)
                           : list_shipped(ctx, &l);
    if (l.n > 0) {
        int rc2 = print_listing(ctx, &l, &out);
        if (rc == EXIT_OK)
            rc = rc2;
    }
    listing_free(&l);
    return rc;
}
