/* bordermap program: 'bordermap measure'. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char HELP_MEASURE[] =
    "usage: bordermap measure [OPTIONS]\n"
    "       bordermap measure border [A B] [--source SOURCE [--layer NAME]\n"
    "                                [--invalid repair|keep|skip]] [--compare]\n"
    "                                [--tolerance M] [--export FILE]\n"
    "       bordermap measure distance PLACE PLACE...\n"
    "       bordermap measure layer SOURCE [--where EXPR] [--layer NAME]\n"
    "                               [--invalid keep|repair|skip]\n"
    "\n"
    "Geodesic lengths on the WGS 84 ellipsoid (Karney's algorithm, PROJ).\n"
    "\n"
    "With no subcommand: the China-Myanmar border in total and per stretch, and\n"
    "each pipeline section and railway segment with its measured length, its\n"
    "published length and their ratio.\n"
    "\n"
    "  border     the border between two countries by ISO 3166 alpha-3 code\n"
    "             (default CHN MMR), found as the shared edge of their polygons\n"
    "             in the shipped OpenStreetMap countries or in --source SOURCE\n"
    "             (its layer --layer NAME, when it has several);\n"
    "             --compare measures it on OpenStreetMap and Natural Earth data\n"
    "             side by side; --tolerance sets how far apart (metres, default\n"
    "             100) the two polygons' edges may lie and still count as shared;\n"
    "             --export writes the border lines to a .geojson or .gpkg file\n"
    "  distance   the geodesic legs along a chain of places, each with its\n"
    "             initial azimuth (degrees clockwise from true north, 0 to 360),\n"
    "             and the total; a PLACE is a gazetteer name in English, Chinese\n"
    "             or Burmese, or lat,lon in degrees\n"
    "  layer      lengths of the lines or areas of the polygons of any vector\n"
    "             source, per feature and in total; --layer NAME picks the layer\n"
    "             or table of a source that has several (a GeoPackage, a PostGIS\n"
    "             database: border_cn_mm, or ops.border with its schema)\n"
    "\n"
    "  --invalid P  what to do with polygons that are not valid (a ring that\n"
    "             crosses itself, a hole outside its shell): keep them as the\n"
    "             source holds them, not checked (the default of 'measure layer':\n"
    "             lengths and areas need no validity; SpatiaLite and PostGIS\n"
    "             measure them so too); repair them with GEOS MakeValid (the\n"
    "             default of 'measure border --source': a shared edge needs\n"
    "             valid polygons; only the two countries are checked); or skip\n"
    "             them; repair and skip say how many in a warning\n"
    "\n"
    "  -u, --units U     km (default), mi or nmi\n"
    "  -f, --format FMT  table (default), csv or json (full precision, with units);\n"
    "                    geojson for distance (each leg a geodesic line, within\n"
    "                    1 km) and layer (each feature with its length or area)\n"
    "\n"
    "examples:\n"
    "  bordermap measure\n"
    "  bordermap measure border --compare\n"
    "  bordermap measure border THA MMR\n"
    "  bordermap measure distance Ruili Naypyidaw\n"
    "  bordermap measure distance 瑞丽 Lashio Mandalay --units mi\n"
    "  bordermap measure layer PG:service=gis --layer border_cn_mm\n";

#define AZIMUTH_NOTE "degrees clockwise from true north, 0 to 360"

#define ELLIPSOID_NOTE                                                                             \
    "WGS 84 ellipsoid (a = 6378137 m, 1/f = 298.257223563), geodesics by Karney's algorithm "      \
    "(PROJ geod)"

struct options {
    struct cli_out out;
    const char *source, *where, *layer, *export_path;
    double tolerance;
    enum bm_invalid_policy invalid;
    int invalid_set; /* --invalid given; else each subcommand's default */
    int compare;
};

/* ---- the default: the border by stretch, the corridor against published lengths ---- */

static const struct cli_col STRETCH_COLS[] = {
    {"section", NULL, COL_TEXT, IN_CSV, 0, 0},     {"seq", "seq", COL_TEXT, IN_TABLE, COL_RIGHT, 0},
    {"name", "stretch", COL_TEXT, IN_ALL, 0, 0},   {"kind", NULL, COL_TEXT, IN_CSV, 0, 0},
    {"status", NULL, COL_TEXT, IN_CSV, 0, 0},      {"length", NULL, COL_LENGTH, IN_ALL, 0, 1},
    {"published", NULL, COL_LENGTH, IN_CSV, 0, 0}, {"ratio", NULL, COL_RATIO, IN_CSV, 0, 0},
    {"source", NULL, COL_TEXT, IN_CSV, 0, 0}};

static const struct cli_col ROUTE_COLS[] = {{"section", NULL, COL_TEXT, IN_CSV, 0, 0},
                                            {"name", "name", COL_TEXT, IN_ALL, 0, 0},
                                            {"kind", "kind", COL_TEXT, IN_ALL, 0, 0},
                                            {"status", "status", COL_TEXT, IN_ALL, 0, 0},
                                            {"measured", "measured", COL_LENGTH, IN_ALL, 0, 1},
                                            {"published", "published", COL_LENGTH, IN_ALL, 0, 1},
                                            {"ratio", "ratio", COL_RATIO, IN_ALL, 0, 0},
                                            {"source", NULL, COL_TEXT, IN_CSV | IN_JSON, 0, 0}};

static void corridor_rows(const struct bm_corridor_table *t, const struct cli_out *o,
                          struct cli_rows *stretches, struct cli_rows *routes)
{
    cli_rows_init(stretches, STRETCH_COLS, sizeof STRETCH_COLS / sizeof STRETCH_COLS[0]);
    for (size_t i = 0; i < t->nstretches; i++) {
        const struct bm_stretch *s = &t->stretches[i];
        cli_add(stretches, IN_ALL,
                (struct cli_cell[]){{.s = "border"},
                                    {.s = s->seq},
                                    {.s = s->name},
                                    {0},
                                    {0},
                                    {.v = s->length_m},
                                    {.null = 1},
                                    {.null = 1},
                                    {.s = t->border_source}});
    }
    char total[256];
    snprintf(total, sizeof total, "%s (total)", t->border_name);
    cli_add(stretches, IN_CSV,
            (struct cli_cell[]){{.s = "border"},
                                {0},
                                {.s = total},
                                {0},
                                {0},
                                {.v = t->border_m},
                                {.null = 1},
                                {.null = 1},
                                {.s = t->border_source}});
    cli_rows_init(routes, ROUTE_COLS, sizeof ROUTE_COLS / sizeof ROUTE_COLS[0]);
    for (size_t i = 0; i < t->nroutes; i++) {
        const struct bm_route *r = &t->routes[i];
        int none = isnan(r->published_m);
        /* The "as published" rule holds in the units it was published in, kilometres. */
        int decimals = o->units.metres == 1000 ? r->published_decimals : 1;
        cli_add(routes, IN_ALL,
                (struct cli_cell[]){
                    {.s = "corridor"},
                    {.s = r->name},
                    {.s = r->kind},
                    {.s = r->status},
                    {.v = r->length_m},
                    {.v = r->published_m, .null = none, .s = "none", .decimals = decimals},
                    {.v = r->ratio, .null = none},
                    {.s = r->source}});
    }
}

static void print_corridor(const struct bm_corridor_table *t, const struct cli_out *o)
{
    struct cli_rows stretches, routes;
    corridor_rows(t, o, &stretches, &routes);
    char cell[64];
    switch (o->format) {
    case FORMAT_TABLE:
        printf("Geodesic lengths on the " ELLIPSOID_NOTE ", in %s.\n\n", o->units.long_name);
        format_length(cell, sizeof cell, t->border_m, &o->units, 1);
        printf("%s: %s %s\n", t->border_name, cell, o->units.name);
        printf("  data: shapes/boundaries/border_cn_mm.shp: %s\n\n", t->border_source);
        cli_rows_print(&stretches, o, 0, 0);
        printf("\nPipelines and railways (%s):\n", o->units.name);
        puts("  data: shapes/infrastructure/pipelines.shp and rail.shp; each route's sources in "
             "--format csv or json");
        printf("  %s\n\n", t->routes_accuracy);
        cli_rows_print(&routes, o, 0, 0);
        puts("\nA schematic route is expected to measure shorter than the published length,\n"
             "which follows the terrain.");
        break;
    case FORMAT_CSV:
        cli_rows_csv_header(&routes, o);
        cli_rows_print(&stretches, o, CLI_NO_HEADER, 0);
        cli_rows_print(&routes, o, CLI_NO_HEADER, 0);
        break;
    default:
        printf("{\n  \"method\": \"" ELLIPSOID_NOTE "\",\n  \"units\": \"%s\",\n", o->units.name);
        fputs("  \"border\": {\"name\": ", stdout);
        json_string(stdout, t->border_name);
        fputs(", \"data\": ", stdout);
        json_string(stdout, t->border_path);
        fputs(", \"source\": ", stdout);
        json_string(stdout, t->border_source);
        fputs(", \"total\": ", stdout);
        json_length(stdout, t->border_m, &o->units);
        fputs(", \"stretches\": ", stdout);
        cli_rows_print(&stretches, o, 0, 4);
        fputs("},\n  \"corridor\": ", stdout);
        cli_rows_print(&routes, o, 0, 4);
        fputs(",\n  \"corridor_accuracy\": ", stdout);
        json_string(stdout, t->routes_accuracy);
        fputs("\n}\n", stdout);
    }
    cli_rows_free(&stretches);
    cli_rows_free(&routes);
}

static int measure_corridor(struct bm_ctx *ctx, const struct options *o)
{
    struct bm_corridor_table *t;
    if (bm_measure_corridor(ctx, &t) != BM_OK)
        return cli_fail(ctx);
    cli_stage("measure the border and the corridor");
    print_corridor(t, &o->out);
    bm_corridor_table_free(t);
    return EXIT_OK;
}

/* ---- measure border ---- */

static int measure_border(struct bm_ctx *ctx, int n, char **args, const struct options *o)
{
    if (n != 0 && n != 2)
        return cli_usage("measure", "give two country codes, e.g. 'measure border CHN MMR'");
    struct bm_border_query q = {
        n ? args[0] : NULL, n ? args[1] : NULL,
        o->source,          o->compare,
        o->tolerance,       o->export_path,
        o->layer,           o->invalid_set ? o->invalid : BM_INVALID_REPAIR};
    struct bm_border_table *t;
    if (bm_measure_border(ctx, &q, &t) != BM_OK)
        return cli_fail(ctx);
    cli_stage("measure the border");
    static const struct cli_col cols[] = {{"a", NULL, COL_TEXT, IN_CSV, 0, 0},
                                          {"b", NULL, COL_TEXT, IN_CSV, 0, 0},
                                          {"data", "data", COL_TEXT, IN_ALL, 0, 0},
                                          {"path", NULL, COL_TEXT, IN_CSV | IN_JSON, 0, 0},
                                          {"length", NULL, COL_LENGTH, IN_ALL, 0, 1},
                                          {"units", NULL, COL_UNITS, IN_CSV, 0, 0},
                                          {"lines", "lines", COL_INT, IN_ALL, COL_LEFT, 0},
                                          {"tolerance_m", NULL, COL_NUMBER, IN_CSV, 0, 0}};
    struct cli_rows r;
    cli_rows_init(&r, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < t->nrows; i++)
        cli_add(&r, IN_ALL,
                (struct cli_cell[]){{.s = t->a},
                                    {.s = t->b},
                                    {.s = t->rows[i].label},
                                    {.s = t->rows[i].path},
                                    {.v = t->rows[i].length_m},
                                    {0},
                                    {.i = (long long)t->rows[i].lines},
                                    {.v = t->tolerance_m}});
    const struct cli_out *out = &o->out;
    if (out->format == FORMAT_JSON) {
        printf("{\"method\": \"" ELLIPSOID_NOTE "\", \"countries\": [\"%s\", \"%s\"], "
               "\"tolerance_m\": ",
               t->a, t->b);
        json_number(stdout, t->tolerance_m);
        printf(", \"units\": \"%s\", \"borders\": ", out->units.name);
        cli_rows_print(&r, out, 0, 2);
        puts("}");
    } else if (out->format == FORMAT_CSV) {
        cli_rows_print(&r, out, 0, 0);
    } else {
        printf("Border %s–%s, geodesic length on the " ELLIPSOID_NOTE ".\n", t->a, t->b);
        printf("Shared edge of the two countries' polygons within %g m.\n\n", t->tolerance_m);
        cli_rows_print(&r, out, 0, 0);
        if (t->nrows == 2)
            printf("\nThe coarser the data, the shorter the line: Natural Earth 1:10m gives "
                   "%.0f %% of the OpenStreetMap length.\n",
                   100 * t->rows[1].length_m / t->rows[0].length_m);
    }
    cli_rows_free(&r);
    bm_border_table_free(t);
    return EXIT_OK;
}

/* ---- measure distance ---- */

/* GeoJSON: each leg is its geodesic. */
struct legs_geometry {
    struct bm_ctx *ctx;
    const struct bm_leg_table *t;
};

static void leg_line(FILE *out, size_t row, const void *data)
{
    const struct legs_geometry *g = data;
    const struct bm_leg *l = &g->t->legs[row];
    cli_geojson_geodesic(out, g->ctx, l->from_lat, l->from_lon, l->to_lat, l->to_lon);
}

static void print_legs(struct bm_ctx *ctx, const struct bm_leg_table *t, const struct cli_out *o)
{
    static const struct cli_col cols[] = {
        {"leg", "leg", COL_INT, IN_TABLE | IN_CSV, 0, 0},
        {"from", "from", COL_TEXT, IN_ALL, 0, 0},
        {"to", "to", COL_TEXT, IN_ALL, 0, 0},
        {"from_lat", NULL, COL_DEGREES, IN_CSV, 0, 8},
        {"from_lon", NULL, COL_DEGREES, IN_CSV, 0, 8},
        {"to_lat", NULL, COL_DEGREES, IN_CSV, 0, 8},
        {"to_lon", NULL, COL_DEGREES, IN_CSV, 0, 8},
        {"from_latlon", NULL, COL_LATLON, IN_JSON, 0, 0},
        {"to_latlon", NULL, COL_LATLON, IN_JSON, 0, 0},
        {"distance", NULL, COL_LENGTH, IN_ALL, 0, 1},
        {"units", NULL, COL_UNITS, IN_CSV, 0, 0},
        {"azimuth_initial", "azimuth", COL_AZIMUTH, IN_ALL, 0, 0},
        {"azimuth_final", NULL, COL_AZIMUTH, IN_CSV | IN_JSON, 0, 0}};
    struct cli_rows r;
    cli_rows_init(&r, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < t->nlegs; i++) {
        const struct bm_leg *l = &t->legs[i];
        cli_add(&r, IN_ALL,
                (struct cli_cell[]){{.i = (long long)i + 1},
                                    {.s = l->from},
                                    {.s = l->to},
                                    {.v = l->from_lat},
                                    {.v = l->from_lon},
                                    {.v = l->to_lat},
                                    {.v = l->to_lon},
                                    {.v = l->from_lat, .v2 = l->from_lon},
                                    {.v = l->to_lat, .v2 = l->to_lon},
                                    {.v = l->distance_m},
                                    {0},
                                    {.v = l->azimuth_initial},
                                    {.v = l->azimuth_final}});
    }
    if (t->nlegs > 1)
        cli_add(&r, IN_TABLE,
                (struct cli_cell[]){{.null = 1},
                                    {.s = "total"},
                                    {0},
                                    {0},
                                    {0},
                                    {0},
                                    {0},
                                    {0},
                                    {0},
                                    {.v = t->total_m},
                                    {0},
                                    {.null = 1},
                                    {0}});
    struct legs_geometry geometry = {ctx, t};
    r.geometry = leg_line;
    r.geometry_data = &geometry;
    if (o->format == FORMAT_JSON) {
        printf("{\"method\": \"" ELLIPSOID_NOTE "\", \"units\": \"%s\", \"azimuth_units\": "
               "\"" AZIMUTH_NOTE "\", \"legs\": ",
               o->units.name);
        cli_rows_print(&r, o, 0, 2);
        fputs(", \"total\": ", stdout);
        json_length(stdout, t->total_m, &o->units);
        puts("}");
    } else {
        cli_rows_print(&r, o, 0, 0);
        if (o->format == FORMAT_TABLE)
            puts("\nAzimuths are initial bearings, degrees clockwise from true north (0 to "
                 "360); distances on the WGS 84 ellipsoid.");
    }
    cli_rows_free(&r);
}

static int measure_distance(struct bm_ctx *ctx, int n, char **args, const struct options *o)
{
    if (n < 2)
        return cli_usage("measure", "give at least two places, e.g. 'measure distance Ruili "
                                    "Naypyidaw'");
    struct bm_gazetteer *gz = NULL;
    struct cli_point *pts = calloc((size_t)n, sizeof *pts);
    struct bm_waypoint *way = calloc((size_t)n, sizeof *way);
    int rc = pts && way ? EXIT_OK : EXIT_FAIL;
    for (int i = 0; rc == EXIT_OK && i < n; i++) {
        rc = cli_place(ctx, &gz, args[i], &pts[i]);
        way[i] = (struct bm_waypoint){pts[i].label, pts[i].lat, pts[i].lon};
    }
    cli_stage("find %d places", n);
    struct bm_leg_table *t = NULL;
    if (rc == EXIT_OK && bm_measure_legs(ctx, way, (size_t)n, BM_LEGS_CHAIN, &t) != BM_OK)
        rc = cli_fail(ctx);
    if (rc == EXIT_OK) {
        cli_stage("measure %zu legs", t->nlegs);
        print_legs(ctx, t, &o->out);
    }
    bm_leg_table_free(t);
    free(way);
    free(pts);
    bm_gazetteer_free(gz);
    return rc;
}

/* ---- measure layer ---- */

/* GeoJSON: each feature with its own geometry, from the layer. */
struct features_geometry {
    const struct bm_layer_table *t;
    const struct bm_layer *L;
    int multi;
};

static void feature_geometry(FILE *out, size_t row, const void *data)
{
    const struct features_geometry *g = data;
    cli_geojson_feature(out, g->L, g->t->rows[row].feature, g->multi);
}

static int measure_layer(struct bm_ctx *ctx, int n, char **args, const struct options *o)
{
    if (n != 1)
        return cli_usage("measure", "give one source, e.g. 'measure layer roads.gpkg'");
    /* Lengths and areas need no validity: measured as the source holds them, unless
     * --invalid says otherwise. */
    struct bm_load_opts lo = {.layer = o->layer,
                              .where = o->where,
                              .invalid = o->invalid_set ? o->invalid : BM_INVALID_UNCHECKED};
    struct bm_layer *L;
    struct bm_layer_table *t = NULL;
    const char *src = cli_source_path(ctx, args[0]);
    if (bm_layer_load(ctx, src, &lo, &L) != BM_OK)
        return cli_fail(ctx);
    cli_stage("load %s", src);
    if (bm_measure_layer(ctx, L, &t) != BM_OK) {
        bm_layer_free(L);
        return cli_fail(ctx);
    }
    cli_stage("measure %zu features", t->nrows);
    int area = t->area;
    const struct cli_col cols[] = {
        {"fid", "fid", COL_INT, IN_ALL, 0, 0},
        {"name", "name", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {area ? "area" : "length", NULL, area ? COL_AREA : COL_LENGTH, IN_ALL, COL_FLAT, !area},
        {"units", NULL, COL_UNITS, IN_CSV, area ? COL_SQUARE : 0, 0}};
    struct cli_rows r;
    cli_rows_init(&r, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < t->nrows; i++)
        cli_add(&r, IN_ALL,
                (struct cli_cell[]){
                    {.i = t->rows[i].fid}, {.s = t->rows[i].name}, {.v = t->rows[i].value}, {0}});
    cli_add(&r, IN_TABLE, (struct cli_cell[]){{.null = 1}, {.s = "total"}, {.v = t->total}, {0}});
    struct features_geometry geometry = {t, L, cli_geojson_needs_multi(L)};
    r.geometry = feature_geometry;
    r.geometry_data = &geometry;
    const struct cli_out *out = &o->out;
    if (out->format == FORMAT_JSON) {
        char unit[32];
        snprintf(unit, sizeof unit, area ? "%s²" : "%s", out->units.name);
        printf("{\"method\": \"" ELLIPSOID_NOTE "\", \"source\": ");
        json_string(stdout, bm_layer_path(L));
        printf(", \"measure\": \"%s\", \"units\": \"%s\", ", area ? "area" : "length", unit);
        if (area)
            printf("\"invalid_polygons\": \"%s\", ",
                   lo.invalid == BM_INVALID_REPAIR ? "repaired (GEOS MakeValid, METHOD=STRUCTURE)"
                   : lo.invalid == BM_INVALID_SKIP
                       ? "skipped"
                       : "measured as the source holds them, not checked");
        printf("\"features\": ");
        cli_rows_print(&r, out, 0, 2);
        printf(", \"total\": {\"%s\": ", area ? "square_metres" : "metres");
        json_number(stdout, t->total);
        printf(", \"%s\": ", unit);
        json_number(stdout,
                    t->total / (area ? out->units.metres * out->units.metres : out->units.metres));
        puts("}}");
    } else {
        cli_rows_print(&r, out, 0, 0);
    }
    cli_rows_free(&r);
    bm_layer_table_free(t);
    bm_layer_free(L);
    return EXIT_OK;
}

int cmd_measure(struct bm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"source", required_argument, NULL, 's'},
        {"where", required_argument, NULL, 'w'},
        {"layer", required_argument, NULL, 'l'},
        {"tolerance", required_argument, NULL, 't'},
        {"compare", no_argument, NULL, 'c'},
        {"export", required_argument, NULL, 'e'},
        {"invalid", required_argument, NULL, CLI_INVALID_OPTION},
        {NULL, 0, NULL, 0}};
    struct options o = {.out = cli_out_default(), .tolerance = 100};
    struct cli_opts opts = {"measure", "s:w:l:t:ce:", longopts,
                            CLI_FORMAT | CLI_GEOJSON | CLI_UNITS, &o.out};
    int c;
    while ((c = cli_getopt(&opts, argc, argv)) != -1) {
        char *end;
        switch (c) {
        case 's':
            o.source = cli_source_path(ctx, optarg);
            break;
        case 'w':
            o.where = optarg;
            break;
        case 'l':
            o.layer = optarg;
            break;
        case 't':
            o.tolerance = strtod(optarg, &end);
            if (*end || !(o.tolerance > 0) || o.tolerance > 100000)
                return cli_usage("measure",
                                 "--tolerance takes metres between 0 and 100000, not "
                                 "'%s'",
                                 optarg);
            break;
        case 'c':
            o.compare = 1;
            break;
        case 'e':
            o.export_path = optarg;
            break;
        case CLI_INVALID_OPTION:
            if (cli_parse_invalid("measure", optarg, &o.invalid) != 0)
                return EXIT_USAGE;
            o.invalid_set = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    int n = argc - optind;
    char **args = argv + optind;
    const char *what = n == 0 ? "" : args[0];
    int geo_ok = strcmp(what, "distance") == 0 || strcmp(what, "layer") == 0;
    if (o.layer && strcmp(what, "layer") != 0 && !(strcmp(what, "border") == 0 && o.source))
        return cli_usage("measure", "--layer names a layer of the source of 'measure layer' or "
                                    "of 'measure border --source'");
    if (o.invalid_set && strcmp(what, "layer") != 0 && !(strcmp(what, "border") == 0 && o.source))
        return cli_usage("measure", "--invalid goes with 'measure layer' and 'measure border "
                                    "--source' (the shipped layers are valid)");
    if (o.out.format == FORMAT_GEOJSON && !geo_ok && (n == 0 || strcmp(what, "border") == 0))
        return cli_usage("measure", "--format geojson goes with 'measure distance' and 'measure "
                                    "layer'; for the border's lines use --export FILE.geojson");
    if (n == 0)
        return measure_corridor(ctx, &o);
    if (strcmp(what, "border") == 0)
        return measure_border(ctx, n - 1, args + 1, &o);
    if (strcmp(what, "distance") == 0)
        return measure_distance(ctx, n - 1, args + 1, &o);
    if (strcmp(what, "layer") == 0)
        return measure_layer(ctx, n - 1, args + 1, &o);
    return cli_usage("measure", "no measure '%s' (use border, distance or layer)", what);
}
