/* bordermap program: 'bordermap places'. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char HELP_PLACES[] = "usage: bordermap places [--format table|csv|json|geojson] [QUERY]\n"
                           "\n"
                           "Find places in the gazetteer by name in English, Chinese or Burmese\n"
                           "(case-insensitive; exact matches first, then names that begin with\n"
                           "QUERY). Prints the names in the three scripts, latitude and longitude\n"
                           "(degrees, WGS 84), kind, country and first-level division. Without a\n"
                           "QUERY, lists every place in label-priority order.\n"
                           "\n"
                           "  -f, --format FMT  table (default), csv, json or geojson (points)\n"
                           "\n"
                           "examples:\n"
                           "  bordermap places Ruili\n"
                           "  bordermap places 瑞丽\n"
                           "  bordermap places နေပြည်တော်\n";

/* GeoJSON: each place is a point. */
static void place_point(FILE *out, size_t row, const void *data)
{
    const struct bm_place *const *p = data;
    cli_geojson_point(out, p[row]->lon, p[row]->lat);
}

static void print_places(const struct bm_place *const *p, size_t n, const struct cli_out *o)
{
    static const struct cli_col cols[] = {
        {"name", "name", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {"name_zh", "chinese", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {"name_my", "burmese", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {"lat", "lat", COL_DEGREES, IN_TABLE | IN_CSV, 0, 5},
        {"lon", "lon", COL_DEGREES, IN_TABLE | IN_CSV, 0, 5},
        {"kind", "kind", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {"country", "country", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        {"admin1", "division", COL_TEXT, IN_ALL, COL_EMPTY_NULL, 0},
        /* JSON has always given the source before the position */
        {"source", NULL, COL_TEXT, IN_JSON, COL_EMPTY_NULL, 0},
        {"lat", NULL, COL_DEGREES, IN_JSON, 0, 0},
        {"lon", NULL, COL_DEGREES, IN_JSON, 0, 0},
        {"rank", NULL, COL_INT, IN_CSV | IN_JSON, 0, 0},
        {"in_article", NULL, COL_BOOL, IN_CSV | IN_JSON, 0, 0},
        {"source", NULL, COL_TEXT, IN_CSV, COL_EMPTY_NULL, 0}};
    struct cli_rows r;
    cli_rows_init(&r, cols, sizeof cols / sizeof cols[0]);
    for (size_t i = 0; i < n; i++)
        cli_add(&r, IN_ALL,
                (struct cli_cell[]){{.s = p[i]->name},
                                    {.s = p[i]->name_zh},
                                    {.s = p[i]->name_my},
                                    {.v = p[i]->lat},
                                    {.v = p[i]->lon},
                                    {.s = p[i]->kind},
                                    {.s = p[i]->country},
                                    {.s = p[i]->admin1},
                                    {.s = p[i]->source},
                                    {.v = p[i]->lat},
                                    {.v = p[i]->lon},
                                    {.i = p[i]->rank},
                                    {.i = p[i]->in_article},
                                    {.s = p[i]->source}});
    r.geometry = place_point;
    r.geometry_data = p;
    cli_rows_print(&r, o, 0, 2);
    if (o->format == FORMAT_JSON)
        putchar('\n');
    cli_rows_free(&r);
}

/* The places to print: the matches of query, or all. Caller frees the array. */
static int collect(struct bm_ctx *ctx, const struct bm_gazetteer *gz, const char *query,
                   const struct bm_place ***out, size_t *n)
{
    size_t total = bm_gazetteer_count(gz);
    const struct bm_place **list = calloc(total ? total : 1, sizeof *list);
    struct bm_place_match *m = calloc(total ? total : 1, sizeof *m);
    if (!list || !m) {
        free(list);
        free(m);
        fputs("bordermap: out of memory\n", stderr);
        return EXIT_FAIL;
    }
    if (!query) {
        for (size_t i = 0; i < total; i++)
            list[i] = bm_gazetteer_place(gz, i);
        *n = total;
    } else if (bm_gazetteer_find(ctx, gz, query, m, total, n) != BM_OK) {
        free(list);
        free(m);
        return cli_fail(ctx);
    } else {
        for (size_t i = 0; i < *n; i++)
            list[i] = m[i].place;
    }
    free(m);
    *out = list;
    return EXIT_OK;
}

int cmd_places(struct bm_ctx *ctx, int argc, char **argv)
{
    struct cli_out out = cli_out_default();
    struct cli_opts opts = {"places", "", NULL, CLI_FORMAT | CLI_GEOJSON, &out};
    int c;
    while ((c = cli_getopt(&opts, argc, argv)) != -1)
        if (c == CLI_BAD_OPTION)
            return EXIT_USAGE;
    if (argc - optind > 1)
        return cli_usage("places", "give one name at a time (quote names with spaces)");
    const char *query = optind < argc ? argv[optind] : NULL;
    struct bm_gazetteer *gz;
    if (bm_gazetteer_load(ctx, NULL, &gz) != BM_OK)
        return cli_fail(ctx);
    cli_stage("load the gazetteer");
    const struct bm_place **list = NULL;
    size_t n = 0;
    int rc = collect(ctx, gz, query, &list, &n);
    cli_stage("find the places");
    if (rc == EXIT_OK) {
        print_places(list, n, &out);
        cli_stage("print %zu rows", n);
    }
    free(list);
    bm_gazetteer_free(gz);
    return rc;
}
