/* bordermap program: 'bordermap near'. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char HELP_NEAR[] =
    "usage: bordermap near PLACE|LAT,LON [--within KM] [--source SOURCE [--layer NAME]]\n"
    "                      [--invalid keep|repair|skip]\n"
    "       bordermap near --border [--within KM]\n"
    "\n"
    "Places within a distance of a place, or of the China-Myanmar border,\n"
    "nearest first, with their geodesic distances (WGS 84). With --source, the\n"
    "features of SOURCE (points, lines or polygons) near the place instead of\n"
    "the gazetteer's places; distances to lines and polygons are to their\n"
    "nearest point, and a place inside a polygon is at 0, inside it.\n"
    "\n"
    "  -w, --within KM   how far to look, in kilometres (default 50)\n"
    "  -b, --border      measure to the shipped China-Myanmar border\n"
    "  -s, --source SRC  list the features of SRC rather than places (a file, a\n"
    "                    connection, or a shipped layer: rivers, water/rivers)\n"
    "  -l, --layer NAME  the layer or table of SRC, when it has several (without\n"
    "                    --source, as before: --layer SRC is the source)\n"
    "  --invalid P       polygons of SRC that are not valid: keep them as the\n"
    "                    source holds them, not checked (default: distances to\n"
    "                    edges and inside by the even-odd rule need no validity),\n"
    "                    repair them with GEOS MakeValid, or skip them; repair\n"
    "                    and skip say how many in a warning\n"
    "  -u, --units U     km (default), mi or nmi for the distances shown\n"
    "  -f, --format FMT  table (default), csv, json or geojson (points); CSV and\n"
    "                    JSON give each place's lat and lon, or for a feature the\n"
    "                    nearest point the distance is measured to\n"
    "\n"
    "examples:\n"
    "  bordermap near Ruili --within 30\n"
    "  bordermap near --border --within 20\n"
    "  bordermap near 24.0,97.9 --source shapes/infrastructure/pipelines.shp\n"
    "  bordermap near Muse --source rivers --within 2\n"
    "  bordermap near Ruili --source PG:service=gis --layer admin1\n";

/* One place or feature within reach, and the point the distance was measured to. */
struct hit {
    const char *name, *name_zh, *name_my, *kind, *country;
    double lat, lon;
    double distance;
    int inside; /* the place is inside this polygon (distance 0) */
};

static int by_distance(const void *a, const void *b)
{
    const struct hit *p = a, *q = b;
    if (p->distance != q->distance)
        return p->distance < q->distance ? -1 : 1;
    return strcmp(p->name, q->name);
}

struct near_opts {
    struct cli_out out;
    double within_m;
    const char *source, *layer;
    int border;
    enum bm_invalid_policy invalid; /* of the source's polygons; default: kept unchecked */
    int invalid_set;
};

/* GeoJSON: each hit is a point. */
static void hit_point(FILE *out, size_t row, const void *data)
{
    const struct hit *h = data;
    cli_geojson_point(out, h[row].lon, h[row].lat);
}

/* features: the hits are a source's features, whose CSV and JSON say whether the place is
 * inside each (places of the gazetteer have no inside). */
static void print_hits(const struct hit *h, size_t n, const struct near_opts *o, const char *what,
                       int features)
{
    static const struct cli_col cols[] = {
        {"name", "name", COL_TEXT, IN_ALL, 0, 0},
        {"name_zh", "chinese", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {"name_my", "burmese", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {"kind", "kind", COL_TEXT, IN_ALL, 0, 0},
        {"country", "country", COL_TEXT, IN_ALL, 0, 0},
        {"distance", NULL, COL_LENGTH, IN_ALL, 0, 1},
        {"units", NULL, COL_UNITS, IN_CSV, 0, 0},
        {"lat", NULL, COL_DEGREES, IN_CSV | IN_JSON, 0, 6},
        {"lon", NULL, COL_DEGREES, IN_CSV | IN_JSON, 0, 6},
        {"inside", NULL, COL_BOOL, IN_CSV | IN_JSON, 0, 0}};
    const struct cli_out *out = &o->out;
    struct cli_rows r;
    cli_rows_init(&r, cols, sizeof cols / sizeof cols[0] - !features);
    for (size_t i = 0; i < n; i++)
        cli_add(&r, IN_ALL,
                (struct cli_cell[]){{.s = h[i].name},
                                    {.s = h[i].name_zh},
                                    {.s = h[i].name_my},
                                    {.s = h[i].kind},
                                    {.s = h[i].country},
                                    {.v = h[i].distance},
                                    {0},
                                    {.v = h[i].lat},
                                    {.v = h[i].lon},
                                    {.i = h[i].inside}});
    r.geometry = hit_point;
    r.geometry_data = h;
    if (out->format == FORMAT_JSON) {
        printf("{\"near\": ");
        json_string(stdout, what);
        printf(", \"within\": {\"metres\": ");
        json_number(stdout, o->within_m);
        printf("}, \"units\": \"%s\", \"results\": ", out->units.name);
        cli_rows_print(&r, out, 0, 2);
        puts("}");
    } else if (out->format == FORMAT_TABLE) {
        char cell[64];
        format_length(cell, sizeof cell, o->within_m, &out->units, 0);
        char *shown = bm_escape(what); /* a place name from data */
        printf("Within %s %s of %s: %zu\n\n", cell, out->units.name, shown ? shown : "?", n);
        free(shown);
        if (n)
            cli_rows_print(&r, out, 0, 0);
    } else {
        cli_rows_print(&r, out, 0, 0);
    }
    cli_rows_free(&r);
}

/* Gazetteer places within reach of a layer (the border), or of a point. */
static int near_places(struct bm_ctx *ctx, struct bm_gazetteer *gz, const struct bm_layer *layer,
                       const struct cli_point *from, const struct near_opts *o, const char *what)
{
    size_t n = bm_gazetteer_count(gz), nh = 0;
    struct bm_nearest_index *to = NULL; /* the layer's vertices and segments, once for all places */
    if (layer && bm_nearest_index_new(ctx, layer, &to) != BM_OK)
        return cli_fail(ctx);
    struct hit *h = calloc(n ? n : 1, sizeof *h);
    if (!h) {
        bm_nearest_index_free(to);
        fputs("bordermap: out of memory\n", stderr);
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct bm_place *p = bm_gazetteer_place(gz, i);
        double d;
        if (to) {
            struct bm_nearest nn;
            if (bm_nearest_indexed(ctx, to, p->lat, p->lon, o->within_m, &nn) != BM_OK) {
                bm_nearest_index_free(to);
                free(h);
                return cli_fail(ctx);
            }
            d = nn.distance;
        } else {
            struct bm_geodesic g;
            bm_geod_inverse(ctx, from->lat, from->lon, p->lat, p->lon, &g);
            d = g.distance;
            if (strcmp(p->name, from->label) == 0)
                continue; /* the place itself */
        }
        if (d <= o->within_m)
            h[nh++] = (struct hit){p->name, p->name_zh, p->name_my, p->kind, p->country,
                                   p->lat,  p->lon,     d,          0};
    }
    bm_nearest_index_free(to);
    qsort(h, nh, sizeof *h, by_distance);
    cli_stage("measure to %zu places", n);
    print_hits(h, nh, o, what, 0);
    free(h);
    return EXIT_OK;
}

/* Features of a source within reach of a point; a feature's position is its nearest point. */
static int near_features(struct bm_ctx *ctx, const struct cli_point *from,
                         const struct near_opts *o)
{
    struct bm_layer *L;
    struct bm_load_opts lo = {.layer = o->source ? o->layer : NULL,
                              .invalid = o->invalid_set ? o->invalid : BM_INVALID_UNCHECKED};
    if (bm_layer_load(ctx, o->source ? o->source : o->layer, &lo, &L) != BM_OK)
        return cli_fail(ctx);
    cli_stage("load %s", bm_layer_path(L));
    size_t n = bm_layer_feature_count(L), nh = 0;
    struct hit *h = calloc(n ? n : 1, sizeof *h);
    char(*ids)[32] = calloc(n ? n : 1, sizeof *ids);
    int rc = h && ids ? EXIT_OK : EXIT_FAIL;
    int nf = bm_layer_field_index(L, "name"), kf = bm_layer_field_index(L, "kind");
    /* A layer with the gazetteer's fields (the shipped rivers, lakes, built-up areas) shows them.
     */
    int zf = bm_layer_field_index(L, "name_zh"), mf = bm_layer_field_index(L, "name_my"),
        cf = bm_layer_field_index(L, "country");
    for (size_t i = 0; rc == EXIT_OK && i < n; i++) {
        struct bm_nearest nn;
        if (bm_nearest_in_feature(ctx, L, i, from->lat, from->lon, &nn) != BM_OK) {
            rc = cli_fail(ctx);
            break;
        }
        if (nn.distance > o->within_m)
            continue;
        const char *name = nf >= 0 ? bm_layer_attr(L, i, (size_t)nf) : NULL;
        if (!name) {
            snprintf(ids[i], sizeof ids[i], "feature %lld", (long long)bm_layer_feature(L, i)->fid);
            name = ids[i];
        }
        const char *kind = kf >= 0 ? bm_layer_attr(L, i, (size_t)kf) : NULL;
        if (!kind)
            kind = nn.inside ? "inside polygon" : bm_geom_type_name(bm_layer_feature(L, i)->type);
        const char *zh = zf >= 0 ? bm_layer_attr(L, i, (size_t)zf) : NULL,
                   *my = mf >= 0 ? bm_layer_attr(L, i, (size_t)mf) : NULL,
                   *country = cf >= 0 ? bm_layer_attr(L, i, (size_t)cf) : NULL;
        h[nh++] = (struct hit){name,   zh ? zh : "", my ? my : "", kind,     country ? country : "",
                               nn.lat, nn.lon,       nn.distance,  nn.inside};
    }
    if (rc == EXIT_OK) {
        qsort(h, nh, sizeof *h, by_distance);
        cli_stage("measure to %zu features", n);
        print_hits(h, nh, o, from->label, 1);
    }
    free(ids);
    free(h);
    bm_layer_free(L);
    return rc;
}

int cmd_near(struct bm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"within", required_argument, NULL, 'w'},
        {"source", required_argument, NULL, 's'},
        {"layer", required_argument, NULL, 'l'},
        {"border", no_argument, NULL, 'b'},
        {"invalid", required_argument, NULL, CLI_INVALID_OPTION},
        {NULL, 0, NULL, 0}};
    struct near_opts o = {.out = cli_out_default(), .within_m = 50000};
    struct cli_opts opts = {"near", "w:s:l:b", longopts, CLI_FORMAT | CLI_GEOJSON | CLI_UNITS,
                            &o.out};
    int c;
    while ((c = cli_getopt(&opts, argc, argv)) != -1) {
        char *end;
        double km;
        switch (c) {
        case 'w':
            km = strtod(optarg, &end);
            if (*end || !(km > 0) || km > 20100)
                return cli_usage("near", "--within takes kilometres between 0 and 20100, not '%s'",
                                 optarg);
            o.within_m = km * 1000;
            break;
        case 's':
            o.source = optarg;
            break;
        case 'l':
            o.layer = optarg;
            break;
        case 'b':
            o.border = 1;
            break;
        case CLI_INVALID_OPTION:
            if (cli_parse_invalid("near", optarg, &o.invalid) != 0)
                return EXIT_USAGE;
            o.invalid_set = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    int n = argc - optind;
    if (o.border ? n != 0 : n != 1)
        return cli_usage("near", o.border ? "--border takes no place"
                                          : "give one place or lat,lon, or --border");
    if (o.border && (o.layer || o.source))
        return cli_usage("near", "--border and --source do not go together");
    if (o.invalid_set && !o.layer && !o.source)
        return cli_usage("near", "--invalid goes with --source (the shipped places and border "
                                 "are valid)");
    /* A shipped layer by name: 'near Muse --source rivers' (or --layer rivers). */
    if (o.source)
        o.source = cli_source_path(ctx, o.source);
    else if (o.layer)
        o.layer = cli_source_path(ctx, o.layer);
    struct bm_gazetteer *gz = NULL;
    int rc;
    if (o.border) {
        char path[4096];
        struct bm_layer *B = NULL;
        if (bm_ctx_data_path(ctx, "shapes/boundaries/border_cn_mm.shp", path, sizeof path) !=
                BM_OK ||
            bm_layer_load(ctx, path, NULL, &B) != BM_OK ||
            bm_gazetteer_load(ctx, NULL, &gz) != BM_OK)
            rc = cli_fail(ctx);
        else {
            cli_stage("load the border and the gazetteer");
            rc = near_places(ctx, gz, B, NULL, &o, "the China–Myanmar border");
        }
        bm_layer_free(B);
    } else {
        struct cli_point from;
        rc = cli_place(ctx, &gz, argv[optind], &from);
        if (rc == EXIT_OK && (o.layer || o.source))
            rc = near_features(ctx, &from, &o);
        else if (rc == EXIT_OK && (gz || bm_gazetteer_load(ctx, NULL, &gz) == BM_OK))
            rc = near_places(ctx, gz, NULL, &from, &o, from.label);
        else if (rc == EXIT_OK)
            rc = cli_fail(ctx);
    }
    bm_gazetteer_free(gz);
    return rc;
}
