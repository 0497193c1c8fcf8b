/* bordermap program: 'bordermap layers'. */
#include "cli.h"

#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char HELP_LAYERS[] = "usage: bordermap layers [--format table|csv|json] [SOURCE...]\n"
                           "\n"
                           "List each layer of the shipped data (shapes/), or of the given vector\n"
                           "sources: its geometry type, feature count, extent, CRS and fields.\n"
                           "A SOURCE is any file GDAL reads as vectors (Shapefile, GeoJSON,\n"
                           "GeoPackage, KML, CSV with lon/lat columns) or a PostGIS connection\n"
                           "string such as \"PG:dbname=gis\".\n"
                           "\n"
                           "  -f, --format FMT  table (default), csv or json\n";

/* One row of the listing: a display name and where to load it from. */
struct entry {
    char *label;
    char *path;
    char *layer; /* NULL: the only layer */
    int shipped; /* checked valid when built: no need to check again */
};

struct listing {
    struct entry *items;
    size_t n, cap;
};

static int listing_add(struct listing *l, const char *label, const char *path, const char *layer,
                       int shipped)
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
    e->label = strdup(label);
    e->path = strdup(path);
    e->layer = layer ? strdup(layer) : NULL;
    e->shipped = shipped;
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

/* Every shapes/GROUP/NAME.shp under the data root, labelled GROUP/NAME. */
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
            if (!has_suffix(f->d_name, ".shp"))
                continue;
            char label[512], path[4096 + 512];
            snprintf(label, sizeof label, "%s/%.*s", g->d_name, (int)(strlen(f->d_name) - 4),
                     f->d_name);
            snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
            listing_add(l, label, path, NULL, 1);
        }
        closedir(sub);
    }
    closedir(top);
    qsort(l->items, l->n, sizeof *l->items, by_label);
    return EXIT_OK;
}

/* Each layer of each source; a source with several layers gets SOURCE:LAYER labels. */
static int list_sources(struct bm_ctx *ctx, struct listing *l, int n, char **paths)
{
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        char **names;
        size_t count;
        if (bm_source_layer_names(ctx, paths[i], &names, &count) != BM_OK) {
            rc = cli_fail(ctx);
            continue;
        }
        for (size_t k = 0; k < count; k++) {
            char label[4096 + 256];
            if (count > 1)
                snprintf(label, sizeof label, "%s:%s", paths[i], names[k]);
            else
                snprintf(label, sizeof label, "%s", paths[i]);
            listing_add(l, label, paths[i], names[k], 0);
        }
        if (count == 0) {
            fprintf(stderr, "bordermap: '%s' has no layers\n", paths[i]);
            rc = EXIT_FAIL;
        }
        bm_strings_free(names, count);
    }
    return rc;
}

static void print_fields(FILE *out, const struct bm_layer *L, const char *sep)
{
    for (size_t i = 0; i < bm_layer_field_count(L); i++)
        fprintf(out, "%s%s (%s)", i ? sep : "", bm_layer_field_name(L, i),
                bm_field_type_name(bm_layer_field_type(L, i)));
}

static void print_table(FILE *out, const char *label, const struct bm_layer *L, int first)
{
    char nf[32], np[32];
    struct bm_bbox b = bm_layer_extent(L);
    group_digits(nf, sizeof nf, bm_layer_feature_count(L));
    group_digits(np, sizeof np, bm_layer_point_count(L));
    fprintf(out, "%s%s\n", first ? "" : "\n", label);
    fprintf(out, "  geometry  %s, %s features, %s points\n", bm_layer_geom_name(L), nf, np);
    if (bm_layer_feature_count(L) > 0)
        fprintf(out, "  extent    lon %.4f to %.4f, lat %.4f to %.4f\n", b.west, b.east, b.south,
                b.north);
    else
        fputs("  extent    (empty)\n", out);
    fprintf(out, "  CRS       %s\n", bm_layer_crs(L));
    fprintf(out, "  format    %s\n", bm_layer_driver(L));
    fputs("  fields    ", out);
    print_fields(out, L, ", ");
    fputs(bm_layer_field_count(L) ? "\n" : "(none)\n", out);
}

static void print_csv(FILE *out, const char *label, const struct bm_layer *L)
{
    char num[6][64];
    struct bm_bbox b = bm_layer_extent(L);
    snprintf(num[0], sizeof num[0], "%zu", bm_layer_feature_count(L));
    snprintf(num[1], sizeof num[1], "%zu", bm_layer_point_count(L));
    snprintf(num[2], sizeof num[2], "%.6f", b.west);
    snprintf(num[3], sizeof num[3], "%.6f", b.south);
    snprintf(num[4], sizeof num[4], "%.6f", b.east);
    snprintf(num[5], sizeof num[5], "%.6f", b.north);
    csv_field(out, label, 0);
    csv_field(out, bm_layer_geom_name(L), 0);
    for (int i = 0; i < 6; i++)
        csv_field(out, num[i], 0);
    csv_field(out, bm_layer_crs(L), 0);
    /* fields as "name:Type name:Type" in one cell */
    char *joined = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&joined, &len);
    if (mem) {
        for (size_t i = 0; i < bm_layer_field_count(L); i++)
            fprintf(mem, "%s%s:%s", i ? " " : "", bm_layer_field_name(L, i),
                    bm_field_type_name(bm_layer_field_type(L, i)));
        fclose(mem);
    }
    csv_field(out, joined ? joined : "", 1);
    free(joined);
}

static void print_json(FILE *out, const char *label, const struct bm_layer *L, int first)
{
    struct bm_bbox b = bm_layer_extent(L);
    fputs(first ? "[\n  {" : ",\n  {", out);
    fputs("\"layer\": ", out);
    json_string(out, label);
    fputs(", \"geometry\": ", out);
    json_string(out, bm_layer_geom_name(L));
    fprintf(out, ", \"features\": %zu, \"points\": %zu", bm_layer_feature_count(L),
            bm_layer_point_count(L));
    if (bm_layer_feature_count(L) > 0)
        fprintf(out, ", \"extent\": [%.17g, %.17g, %.17g, %.17g]", b.west, b.south, b.east,
                b.north);
    else
        fputs(", \"extent\": null", out);
    fputs(", \"crs\": ", out);
    json_string(out, bm_layer_crs(L));
    fputs(", \"format\": ", out);
    json_string(out, bm_layer_driver(L));
    fputs(", \"fields\": [", out);
    for (size_t i = 0; i < bm_layer_field_count(L); i++) {
        fputs(i ? ", {\"name\": " : "{\"name\": ", out);
        json_string(out, bm_layer_field_name(L, i));
        fputs(", \"type\": ", out);
        json_string(out, bm_field_type_name(bm_layer_field_type(L, i)));
        fputc('}', out);
    }
    fputs("]}", out);
}

static int print_listing(struct bm_ctx *ctx, const struct listing *l, enum cli_format fmt)
{
    int rc = EXIT_OK, shown = 0;
    if (fmt == FORMAT_CSV)
        fputs("layer,geometry,features,points,west,south,east,north,crs,fields\n", stdout);
    for (size_t i = 0; i < l->n; i++) {
        struct bm_load_opts opts = {.layer = l->items[i].layer};
        if (l->items[i].shipped)
            opts.invalid = BM_INVALID_UNCHECKED;
        struct bm_layer *L;
        if (bm_layer_load(ctx, l->items[i].path, &opts, &L) != BM_OK) {
            rc = cli_fail(ctx);
            continue;
        }
        cli_warnings(ctx);
        if (fmt == FORMAT_TABLE)
            print_table(stdout, l->items[i].label, L, !shown);
        else if (fmt == FORMAT_CSV)
            print_csv(stdout, l->items[i].label, L);
        else
            print_json(stdout, l->items[i].label, L, !shown);
        shown++;
        bm_layer_free(L);
    }
    if (fmt == FORMAT_JSON)
        fputs(shown ? "\n]\n" : "[]\n", stdout);
    return rc;
}

int cmd_layers(struct bm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {NULL, 0, NULL, 0}};
    enum cli_format fmt = FORMAT_TABLE;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:", longopts, NULL)) != -1) {
        if (c == 'f' && cli_parse_format(optarg, &fmt) == 0)
            continue;
        if (c == 'f')
            return cli_usage("layers", "unknown format '%s' (use table, csv or json)", optarg);
        return cli_bad_option("layers", c, argv);
    }
    struct listing l = {0};
    int rc =
        optind < argc ? list_sources(ctx, &l, argc - optind, argv + optind) : list_shipped(ctx, &l);
    if (l.n > 0) {
        int rc2 = print_listing(ctx, &l, fmt);
        if (rc == EXIT_OK)
            rc = rc2;
    }
    listing_free(&l);
    return rc;
}
