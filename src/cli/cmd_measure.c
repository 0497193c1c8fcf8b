/* bordermap program: 'bordermap measure'. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char HELP_MEASURE[] =
    "usage: bordermap measure [OPTIONS]\n"
    "       bordermap measure border [A B] [--source FILE] [--compare] [--tolerance M]\n"
    "                                [--export FILE]\n"
    "       bordermap measure distance PLACE PLACE...\n"
    "       bordermap measure layer SOURCE [--where EXPR] [--layer NAME]\n"
    "\n"
    "Geodesic lengths on the WGS 84 ellipsoid (Karney's algorithm, PROJ).\n"
    "\n"
    "With no subcommand: the China-Myanmar border in total and per stretch, and\n"
    "each pipeline section and railway segment with its measured length, its\n"
    "published length and their ratio.\n"
    "\n"
    "  border     the border between two countries by ISO 3166 alpha-3 code\n"
    "             (default CHN MMR), found as the shared edge of their polygons\n"
    "             in the shipped OpenStreetMap countries or in --source FILE;\n"
    "             --compare measures it on OpenStreetMap and Natural Earth data\n"
    "             side by side; --tolerance sets how far apart (metres, default\n"
    "             100) the two polygons' edges may lie and still count as shared;\n"
    "             --export writes the border lines to a .geojson or .gpkg file\n"
    "  distance   the geodesic legs along a chain of places, each with its\n"
    "             initial azimuth, and the total; a PLACE is a gazetteer name in\n"
    "             English, Chinese or Burmese, or lat,lon in degrees\n"
    "  layer      lengths of the lines or areas of the polygons of any vector\n"
    "             source, per feature and in total\n"
    "\n"
    "  -u, --units U     km (default), mi or nmi\n"
    "  -f, --format FMT  table (default), csv or json (full precision, with units)\n"
    "\n"
    "examples:\n"
    "  bordermap measure\n"
    "  bordermap measure border --compare\n"
    "  bordermap measure border THA MMR\n"
    "  bordermap measure distance Ruili Naypyidaw\n"
    "  bordermap measure distance 瑞丽 Lashio Mandalay --units mi\n";

#define ELLIPSOID_NOTE                                                                             \
    "WGS 84 ellipsoid (a = 6378137 m, 1/f = 298.257223563), geodesics by Karney's algorithm "      \
    "(PROJ geod)"

struct options {
    enum cli_format format;
    struct cli_units units;
    const char *source, *where, *layer, *export_path;
    double tolerance;
    int compare;
};

/* ---- output helpers ---- */

static void print_json_number(const char *key, double v, int comma)
{
    printf("%s\"%s\": %.17g", comma ? ", " : "", key, v);
}

static void print_json_length(const char *key, double metres, const struct options *o, int comma)
{
    printf("%s\"%s\": {\"metres\": %.17g, \"%s\": %.17g}", comma ? ", " : "", key, metres,
           o->units.name, metres / o->units.metres);
}

static char *length_cell(char *buf, size_t size, double metres, const struct options *o)
{
    format_length(buf, size, metres, &o->units, 1);
    return buf;
}

/* ---- the default report ---- */

static int load_shipped(struct bm_ctx *ctx, const char *rel, struct bm_layer **L)
{
    char path[4096];
    /* The shipped layers were checked valid when they were built. */
    struct bm_load_opts opts = {.invalid = BM_INVALID_UNCHECKED};
    if (bm_ctx_data_path(ctx, rel, path, sizeof path) != BM_OK ||
        bm_layer_load(ctx, path, &opts, L) != BM_OK)
        return cli_fail(ctx);
    return EXIT_OK;
}

static const char *attr(const struct bm_layer *L, size_t i, const char *field)
{
    int k = bm_layer_field_index(L, field);
    const char *v = k >= 0 ? bm_layer_attr(L, i, (size_t)k) : NULL;
    return v ? v : "";
}

static void border_section(const struct bm_layer *B, const struct options *o)
{
    double total = 0;
    for (size_t i = 0; i < bm_layer_feature_count(B); i++)
        total += bm_feature_length(B, i);
    char cell[64];
    if (o->format == FORMAT_TABLE) {
        printf("China–Myanmar border: %s %s\n", length_cell(cell, sizeof cell, total, o),
               o->units.name);
        printf("  data: shapes/boundaries/border_cn_mm.shp: %s\n\n", attr(B, 0, "source"));
        struct cli_table t;
        table_init(&t, 3);
        t.right[0] = t.right[2] = 1;
        const char *head[] = {"seq", "stretch", o->units.name};
        table_add(&t, head);
        for (size_t i = 0; i < bm_layer_feature_count(B); i++) {
            const char *row[] = {attr(B, i, "seq"), attr(B, i, "name"),
                                 length_cell(cell, sizeof cell, bm_feature_length(B, i), o)};
            table_add(&t, row);
        }
        table_print(&t, stdout);
        table_free(&t);
    } else if (o->format == FORMAT_CSV) {
        for (size_t i = 0; i < bm_layer_feature_count(B); i++) {
            snprintf(cell, sizeof cell, "%.6f", bm_feature_length(B, i) / o->units.metres);
            const char *row[] = {"border", attr(B, i, "name"),  "", "", cell, "",
                                 "",       attr(B, i, "source")};
            for (int k = 0; k < 8; k++)
                csv_field(stdout, row[k], k == 7);
        }
        snprintf(cell, sizeof cell, "%.6f", total / o->units.metres);
        const char *row[] = {
            "border", "China–Myanmar border (total)", "", "", cell, "", "", attr(B, 0, "source")};
        for (int k = 0; k < 8; k++)
            csv_field(stdout, row[k], k == 7);
    } else {
        fputs("  \"border\": {\"name\": \"China–Myanmar border\", \"data\": ", stdout);
        json_string(stdout, bm_layer_path(B));
        fputs(", \"source\": ", stdout);
        json_string(stdout, attr(B, 0, "source"));
        print_json_length("total", total, o, 1);
        fputs(", \"stretches\": [", stdout);
        for (size_t i = 0; i < bm_layer_feature_count(B); i++) {
            fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", stdout);
            json_string(stdout, attr(B, i, "name"));
            print_json_length("length", bm_feature_length(B, i), o, 1);
            fputc('}', stdout);
        }
        fputs("]},\n", stdout);
    }
}

/* One row per pipeline section or rail segment: measured, published, ratio. */
static void corridor_rows(const struct bm_layer *L, const struct options *o, struct cli_table *t,
                          int *first_json)
{
    for (size_t i = 0; i < bm_layer_feature_count(L); i++) {
        double m = bm_feature_length(L, i), pub = NAN;
        int k = bm_layer_field_index(L, "publish_km");
        int has_pub = k >= 0 && bm_layer_attr_double(L, i, (size_t)k, &pub) && pub > 0;
        char measured[64], published[64] = "", ratio[32] = "";
        if (o->format == FORMAT_JSON) {
            fputs(*first_json ? "\n    {\"name\": " : ",\n    {\"name\": ", stdout);
            *first_json = 0;
            json_string(stdout, attr(L, i, "name"));
            fputs(", \"kind\": ", stdout);
            json_string(stdout, attr(L, i, "kind"));
            fputs(", \"status\": ", stdout);
            json_string(stdout, attr(L, i, "status"));
            print_json_length("measured", m, o, 1);
            if (has_pub) {
                print_json_length("published", pub * 1000, o, 1);
                print_json_number("ratio", m / (pub * 1000), 1);
            } else {
                fputs(", \"published\": null, \"ratio\": null", stdout);
            }
            fputs(", \"source\": ", stdout);
            json_string(stdout, attr(L, i, "source"));
            fputc('}', stdout);
            continue;
        }
        if (o->format == FORMAT_CSV) {
            snprintf(measured, sizeof measured, "%.6f", m / o->units.metres);
            if (has_pub) {
                snprintf(published, sizeof published, "%.6f", pub * 1000 / o->units.metres);
                snprintf(ratio, sizeof ratio, "%.4f", m / (pub * 1000));
            }
            const char *row[] = {"corridor",
                                 attr(L, i, "name"),
                                 attr(L, i, "kind"),
                                 attr(L, i, "status"),
                                 measured,
                                 published,
                                 ratio,
                                 attr(L, i, "source")};
            for (int c = 0; c < 8; c++)
                csv_field(stdout, row[c], c == 7);
            continue;
        }
        length_cell(measured, sizeof measured, m, o);
        if (has_pub) {
            /* Quote a published figure as precisely as it was published (133.66 km). */
            int two = fabs(pub * 10 - round(pub * 10)) > 1e-9 && o->units.metres == 1000;
            format_length(published, sizeof published, pub * 1000, &o->units, two ? 2 : 1);
            snprintf(ratio, sizeof ratio, "%.2f", m / (pub * 1000));
        } else {
            snprintf(published, sizeof published, "none");
        }
        const char *row[] = {attr(L, i, "name"), attr(L, i, "kind"), attr(L, i, "status"),
                             measured,           published,          ratio};
        table_add(t, row);
    }
}

static int report(struct bm_ctx *ctx, const struct options *o)
{
    struct bm_layer *B = NULL, *P = NULL, *R = NULL;
    int rc = load_shipped(ctx, "shapes/boundaries/border_cn_mm.shp", &B);
    if (rc == EXIT_OK)
        rc = load_shipped(ctx, "shapes/infrastructure/pipelines.shp", &P);
    if (rc == EXIT_OK)
        rc = load_shipped(ctx, "shapes/infrastructure/rail.shp", &R);
    if (rc != EXIT_OK)
        goto done;
    if (o->format == FORMAT_TABLE)
        printf("Geodesic lengths on the " ELLIPSOID_NOTE ", in %s.\n\n", o->units.long_name);
    else if (o->format == FORMAT_CSV)
        puts("section,name,kind,status,measured,published,ratio,source");
    else
        printf("{\n  \"method\": \"" ELLIPSOID_NOTE "\",\n  \"units\": \"%s\",\n", o->units.name);
    border_section(B, o);
    struct cli_table t;
    table_init(&t, 6);
    t.right[3] = t.right[4] = t.right[5] = 1;
    const char *head[] = {"name", "kind", "status", "measured", "published", "ratio"};
    table_add(&t, head);
    int first_json = 1;
    if (o->format == FORMAT_JSON)
        fputs("  \"corridor\": [", stdout);
    corridor_rows(P, o, &t, &first_json);
    corridor_rows(R, o, &t, &first_json);
    if (o->format == FORMAT_TABLE) {
        printf("\nPipelines and railways (%s):\n", o->units.name);
        puts("  data: shapes/infrastructure/pipelines.shp and rail.shp; each route's sources in "
             "--format csv or json");
        printf("  %s\n\n", attr(P, 0, "accuracy"));
        table_print(&t, stdout);
        puts("\nA schematic route is expected to measure shorter than the published length,\n"
             "which follows the terrain.");
    } else if (o->format == FORMAT_JSON) {
        fputs("\n  ],\n  \"corridor_accuracy\": ", stdout);
        json_string(stdout, attr(P, 0, "accuracy"));
        fputs("\n}\n", stdout);
    }
    table_free(&t);
done:
    bm_layer_free(B);
    bm_layer_free(P);
    bm_layer_free(R);
    return rc;
}

/* ---- measure border ---- */

static const char *const ISO_FIELDS[] = {"iso_a3", "adm0_a3", "a3", "iso3", NULL};

static int iso_field(const struct bm_layer *L)
{
    for (const char *const *f = ISO_FIELDS; *f; f++)
        if (bm_layer_field_index(L, *f) >= 0)
            return bm_layer_field_index(L, *f);
    return -1;
}

/* The shared border of codes a and b in source; *metres and *lines on success. */
static int border_length(struct bm_ctx *ctx, const char *source, int shipped, const char *a,
                         const char *b, const struct options *o, const char *export_path,
                         double *metres, size_t *lines)
{
    struct bm_layer *L, *S = NULL;
    struct bm_load_opts lo = {.invalid = shipped ? BM_INVALID_UNCHECKED : BM_INVALID_REPAIR};
    if (bm_layer_load(ctx, source, &lo, &L) != BM_OK)
        return cli_fail(ctx);
    int rc = EXIT_OK, k = iso_field(L);
    long fa = -1, fb = -1;
    if (k < 0) {
        fprintf(stderr,
                "bordermap: '%s' has no country code field (iso_a3, adm0_a3, a3 or iso3); give "
                "a countries layer with ISO 3166 alpha-3 codes\n",
                source);
        rc = EXIT_FAIL;
    } else {
        const char *field = bm_layer_field_name(L, (size_t)k);
        fa = bm_layer_find(L, field, a);
        fb = bm_layer_find(L, field, b);
        if (fa < 0 || fb < 0) {
            fprintf(stderr,
                    "bordermap: no country '%s' in '%s' (field %s); use ISO 3166 alpha-3 "
                    "codes such as CHN, MMR, THA\n",
                    fa < 0 ? a : b, source, field);
            rc = EXIT_FAIL;
        } else if (fa == fb) {
            fprintf(stderr, "bordermap: give two different countries (got %s twice)\n", a);
            rc = EXIT_FAIL;
        }
    }
    if (rc == EXIT_OK &&
        bm_shared_boundary(ctx, L, (size_t)fa, (size_t)fb,
                           &(struct bm_boundary_opts){o->tolerance, 10000, 3500}, &S) != BM_OK)
        rc = cli_fail(ctx);
    if (rc == EXIT_OK) {
        *metres = 0;
        *lines = bm_layer_feature_count(S);
        for (size_t i = 0; i < *lines; i++)
            *metres += bm_feature_length(S, i);
        if (*lines == 0) {
            fprintf(stderr,
                    "bordermap: %s and %s share no border in '%s' (no edges within %g m); check "
                    "the codes, or raise --tolerance\n",
                    a, b, source, o->tolerance);
            rc = EXIT_FAIL;
        }
    }
    if (rc == EXIT_OK && export_path && bm_layer_write(ctx, S, export_path) != BM_OK)
        rc = cli_fail(ctx);
    bm_layer_free(S);
    bm_layer_free(L);
    return rc;
}

static int measure_border(struct bm_ctx *ctx, int n, char **args, const struct options *o)
{
    if (n != 0 && n != 2)
        return cli_usage("measure", "give two country codes, e.g. 'measure border CHN MMR'");
    const char *a = n ? args[0] : "CHN", *b = n ? args[1] : "MMR";
    char osm[4096], ne[4096];
    if (bm_ctx_data_path(ctx, "shapes/boundaries/countries.shp", osm, sizeof osm) != BM_OK ||
        bm_ctx_data_path(ctx, "shapes/boundaries/countries_ne10.shp", ne, sizeof ne) != BM_OK)
        return cli_fail(ctx);
    const char *sources[2] = {o->source ? o->source : osm, ne};
    const char *labels[2] = {o->source ? o->source : "OpenStreetMap (shapes/boundaries/countries)",
                             "Natural Earth 1:10m (shapes/boundaries/countries_ne10)"};
    int count = o->compare ? 2 : 1;
    double len[2];
    size_t lines[2];
    for (int i = 0; i < count; i++) {
        int rc = border_length(ctx, sources[i], i > 0 || !o->source, a, b, o,
                               i == 0 ? o->export_path : NULL, &len[i], &lines[i]);
        if (rc != EXIT_OK)
            return rc;
    }
    char cell[64], tol[32];
    snprintf(tol, sizeof tol, "%g", o->tolerance);
    if (o->format == FORMAT_JSON) {
        printf("{\"method\": \"" ELLIPSOID_NOTE "\", \"countries\": [\"%s\", \"%s\"], "
               "\"tolerance_m\": %.17g, \"units\": \"%s\", \"borders\": [",
               a, b, o->tolerance, o->units.name);
        for (int i = 0; i < count; i++) {
            fputs(i ? ", {\"data\": " : "{\"data\": ", stdout);
            json_string(stdout, labels[i]);
            fputs(", \"path\": ", stdout);
            json_string(stdout, sources[i]);
            print_json_length("length", len[i], o, 1);
            printf(", \"lines\": %zu}", lines[i]);
        }
        puts("]}");
        return EXIT_OK;
    }
    if (o->format == FORMAT_CSV) {
        puts("a,b,data,path,length,units,lines,tolerance_m");
        for (int i = 0; i < count; i++) {
            printf("%s,%s,", a, b);
            csv_field(stdout, labels[i], 0);
            csv_field(stdout, sources[i], 0);
            printf("%.6f,%s,%zu,%s\n", len[i] / o->units.metres, o->units.name, lines[i], tol);
        }
        return EXIT_OK;
    }
    printf("Border %s–%s, geodesic length on the " ELLIPSOID_NOTE ".\n", a, b);
    printf("Shared edge of the two countries' polygons within %s m.\n\n", tol);
    struct cli_table t;
    table_init(&t, 3);
    t.right[1] = 1;
    const char *head[] = {"data", o->units.name, "lines"};
    table_add(&t, head);
    for (int i = 0; i < count; i++) {
        char nl[32];
        snprintf(nl, sizeof nl, "%zu", lines[i]);
        const char *row[] = {labels[i], length_cell(cell, sizeof cell, len[i], o), nl};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
    if (count == 2)
        printf("\nThe coarser the data, the shorter the line: Natural Earth 1:10m gives %.0f %% "
               "of the OpenStreetMap length.\n",
               100 * len[1] / len[0]);
    return EXIT_OK;
}

/* ---- measure distance ---- */

static int measure_distance(struct bm_ctx *ctx, int n, char **args, const struct options *o)
{
    if (n < 2)
        return cli_usage("measure", "give at least two places, e.g. 'measure distance Ruili "
                                    "Naypyidaw'");
    struct bm_gazetteer *gz = NULL;
    struct cli_point *pts = calloc((size_t)n, sizeof *pts);
    int rc = pts ? EXIT_OK : EXIT_FAIL;
    for (int i = 0; rc == EXIT_OK && i < n; i++)
        rc = cli_place(ctx, &gz, args[i], &pts[i]);
    struct bm_geodesic *legs = calloc((size_t)n, sizeof *legs);
    double total = 0;
    for (int i = 1; rc == EXIT_OK && i < n; i++) {
        if (bm_geod_inverse(ctx, pts[i - 1].lat, pts[i - 1].lon, pts[i].lat, pts[i].lon,
                            &legs[i]) != BM_OK)
            rc = cli_fail(ctx);
        total += legs[i].distance;
    }
    if (rc == EXIT_OK) {
        char cell[64], az[32], num[16];
        struct cli_table t;
        table_init(&t, 5);
        t.right[0] = t.right[3] = t.right[4] = 1;
        const char *head[] = {"leg", "from", "to", o->units.name, "azimuth"};
        if (o->format == FORMAT_TABLE)
            table_add(&t, head);
        else if (o->format == FORMAT_CSV)
            printf("leg,from,to,from_lat,from_lon,to_lat,to_lon,distance,units,azimuth_initial,"
                   "azimuth_final\n");
        else
            printf("{\"method\": \"" ELLIPSOID_NOTE "\", \"units\": \"%s\", \"legs\": [",
                   o->units.name);
        for (int i = 1; i < n; i++) {
            struct bm_geodesic *g = &legs[i];
            double azi = g->azi1 < 0 ? g->azi1 + 360 : g->azi1;
            if (o->format == FORMAT_TABLE) {
                snprintf(num, sizeof num, "%d", i);
                snprintf(az, sizeof az, "%.1f°", azi);
                const char *row[] = {num, pts[i - 1].label, pts[i].label,
                                     length_cell(cell, sizeof cell, g->distance, o), az};
                table_add(&t, row);
            } else if (o->format == FORMAT_CSV) {
                printf("%d,", i);
                csv_field(stdout, pts[i - 1].label, 0);
                csv_field(stdout, pts[i].label, 0);
                printf("%.8f,%.8f,%.8f,%.8f,%.6f,%s,%.6f,%.6f\n", pts[i - 1].lat, pts[i - 1].lon,
                       pts[i].lat, pts[i].lon, g->distance / o->units.metres, o->units.name,
                       g->azi1, g->azi2);
            } else {
                fputs(i > 1 ? ",\n  {\"from\": " : "\n  {\"from\": ", stdout);
                json_string(stdout, pts[i - 1].label);
                fputs(", \"to\": ", stdout);
                json_string(stdout, pts[i].label);
                printf(", \"from_latlon\": [%.17g, %.17g], \"to_latlon\": [%.17g, %.17g]",
                       pts[i - 1].lat, pts[i - 1].lon, pts[i].lat, pts[i].lon);
                print_json_length("distance", g->distance, o, 1);
                print_json_number("azimuth_initial", g->azi1, 1);
                print_json_number("azimuth_final", g->azi2, 1);
                fputc('}', stdout);
            }
        }
        if (o->format == FORMAT_TABLE) {
            if (n > 2) {
                const char *row[] = {"", "total", "", length_cell(cell, sizeof cell, total, o), ""};
                table_add(&t, row);
            }
            table_print(&t, stdout);
            puts("\nAzimuths are initial bearings, degrees clockwise from true north; distances "
                 "on the WGS 84 ellipsoid.");
        } else if (o->format == FORMAT_JSON) {
            fputs("\n]", stdout);
            print_json_length("total", total, o, 1);
            puts("}");
        }
        table_free(&t);
    }
    free(legs);
    free(pts);
    bm_gazetteer_free(gz);
    return rc;
}

/* ---- measure layer ---- */

/* The field that names features: name, NAME, ... else the first text field, else none. */
static int label_field(const struct bm_layer *L)
{
    static const char *const names[] = {"name", "name_en", "label", "title", NULL};
    for (const char *const *f = names; *f; f++)
        if (bm_layer_field_index(L, *f) >= 0)
            return bm_layer_field_index(L, *f);
    for (size_t i = 0; i < bm_layer_field_count(L); i++)
        if (bm_layer_field_type(L, i) == BM_FIELD_STRING)
            return (int)i;
    return -1;
}

static int measure_layer(struct bm_ctx *ctx, int n, char **args, const struct options *o)
{
    if (n != 1)
        return cli_usage("measure", "give one source, e.g. 'measure layer roads.gpkg'");
    struct bm_load_opts lo = {.layer = o->layer, .where = o->where};
    struct bm_layer *L;
    if (bm_layer_load(ctx, args[0], &lo, &L) != BM_OK)
        return cli_fail(ctx);
    enum bm_geom_type type = bm_layer_geom_type(L);
    if (type != BM_GEOM_LINE && type != BM_GEOM_POLYGON) {
        fprintf(stderr,
                "bordermap: '%s' has no lines or polygons to measure (%s); give a line "
                "or polygon layer\n",
                args[0], bm_layer_feature_count(L) ? "it holds points" : "it is empty");
        bm_layer_free(L);
        return EXIT_FAIL;
    }
    /* A layer that mixes families is measured by its highest one; say what was left out. */
    size_t count[4] = {0};
    for (size_t i = 0; i < bm_layer_feature_count(L); i++)
        count[bm_layer_feature(L, i)->type & 3]++;
    if (count[BM_GEOM_POINT] + count[BM_GEOM_LINE] + count[BM_GEOM_POLYGON] > count[type])
        fprintf(stderr,
                "bordermap: warning: '%s' mixes geometry types; measured its %zu %s, left out "
                "%zu line(s) and %zu point(s); pick features with --where, e.g. "
                "\"OGR_GEOMETRY='LINESTRING'\"\n",
                args[0], count[type], type == BM_GEOM_POLYGON ? "polygon(s)" : "line(s)",
                type == BM_GEOM_POLYGON ? count[BM_GEOM_LINE] : 0, count[BM_GEOM_POINT]);
    int area = type == BM_GEOM_POLYGON, lf = label_field(L);
    char unit[16];
    snprintf(unit, sizeof unit, area ? "%s²" : "%s", o->units.name);
    double scale = area ? o->units.metres * o->units.metres : o->units.metres, total = 0;
    struct cli_table t;
    table_init(&t, 3);
    t.right[0] = t.right[2] = 1;
    const char *head[] = {"fid", "name", unit};
    if (o->format == FORMAT_TABLE)
        table_add(&t, head);
    else if (o->format == FORMAT_CSV)
        printf("fid,name,%s,units\n", area ? "area" : "length");
    else
        printf("{\"method\": \"" ELLIPSOID_NOTE "\", \"source\": \"%s\", \"measure\": \"%s\", "
               "\"units\": \"%s\", \"features\": [",
               bm_layer_path(L), area ? "area" : "length", unit);
    for (size_t i = 0, shown = 0; i < bm_layer_feature_count(L); i++) {
        const struct bm_feature *f = bm_layer_feature(L, i);
        if (f->type != type)
            continue;
        double v = area ? bm_feature_area(L, i) : bm_feature_length(L, i);
        const char *name = lf >= 0 ? bm_layer_attr(L, i, (size_t)lf) : NULL;
        char fid[32], cell[64];
        snprintf(fid, sizeof fid, "%lld", (long long)f->fid);
        total += v;
        if (o->format == FORMAT_TABLE) {
            struct cli_units u = {unit, unit, scale};
            format_length(cell, sizeof cell, v, &u, area ? 0 : 1);
            const char *row[] = {fid, name, cell};
            table_add(&t, row);
        } else if (o->format == FORMAT_CSV) {
            printf("%s,", fid);
            csv_field(stdout, name, 0);
            printf("%.6f,%s\n", v / scale, unit);
        } else {
            printf("%s\n  {\"fid\": %s, \"name\": ", shown++ ? "," : "", fid);
            json_string(stdout, name);
            printf(", \"%s\": %.17g, \"%s\": %.17g}", area ? "square_metres" : "metres", v, unit,
                   v / scale);
        }
    }
    if (o->format == FORMAT_TABLE) {
        char cell[64];
        struct cli_units u = {unit, unit, scale};
        format_length(cell, sizeof cell, total, &u, area ? 0 : 1);
        const char *row[] = {"", "total", cell};
        table_add(&t, row);
        table_print(&t, stdout);
    } else if (o->format == FORMAT_JSON) {
        printf("\n], \"total\": {\"%s\": %.17g, \"%s\": %.17g}}\n",
               area ? "square_metres" : "metres", total, unit, total / scale);
    }
    table_free(&t);
    bm_layer_free(L);
    return EXIT_OK;
}

int cmd_measure(struct bm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"units", required_argument, NULL, 'u'},
                                             {"source", required_argument, NULL, 's'},
                                             {"where", required_argument, NULL, 'w'},
                                             {"layer", required_argument, NULL, 'l'},
                                             {"tolerance", required_argument, NULL, 't'},
                                             {"compare", no_argument, NULL, 'c'},
                                             {"export", required_argument, NULL, 'e'},
                                             {NULL, 0, NULL, 0}};
    struct options o = {.format = FORMAT_TABLE, .tolerance = 100};
    cli_parse_units("km", &o.units);
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:u:s:w:l:t:ce:", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'f':
            if (cli_parse_format(optarg, &o.format) != 0)
                return cli_usage("measure", "unknown format '%s' (use table, csv or json)", optarg);
            break;
        case 'u':
            if (cli_parse_units(optarg, &o.units) != 0)
                return cli_usage("measure", "unknown units '%s' (use km, mi or nmi)", optarg);
            break;
        case 's':
            o.source = optarg;
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
        default:
            return cli_bad_option("measure", c, argv);
        }
    }
    int n = argc - optind;
    char **args = argv + optind;
    if (n == 0)
        return report(ctx, &o);
    if (strcmp(args[0], "border") == 0)
        return measure_border(ctx, n - 1, args + 1, &o);
    if (strcmp(args[0], "distance") == 0)
        return measure_distance(ctx, n - 1, args + 1, &o);
    if (strcmp(args[0], "layer") == 0)
        return measure_layer(ctx, n - 1, args + 1, &o);
    return cli_usage("measure", "no measure '%s' (use border, distance or layer)", args[0]);
}
