/* bordermap program: 'bordermap places'. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char HELP_PLACES[] = "usage: bordermap places [--format table|csv|json] [QUERY]\n"
                           "\n"
                           "Find places in the gazetteer by name in English, Chinese or Burmese\n"
                           "(case-insensitive; exact matches first, then names that begin with\n"
                           "QUERY). Prints the names in the three scripts, latitude and longitude\n"
                           "(degrees, WGS 84), kind, country and first-level division. Without a\n"
                           "QUERY, lists every place in label-priority order.\n"
                           "\n"
                           "  -f, --format FMT  table (default), csv or json\n"
                           "\n"
                           "examples:\n"
                           "  bordermap places Ruili\n"
                           "  bordermap places 瑞丽\n"
                           "  bordermap places နေပြည်တော်\n";

static void coord(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.5f", v);
}

static void print_table(const struct bm_place *const *p, size_t n)
{
    static const char *const head[] = {"name", "chinese", "burmese", "lat",
                                       "lon",  "kind",    "country", "division"};
    struct cli_table t;
    table_init(&t, 8);
    if (t.right)
        t.right[3] = t.right[4] = 1;
    table_add(&t, head);
    for (size_t i = 0; i < n; i++) {
        char lat[32], lon[32];
        coord(lat, sizeof lat, p[i]->lat);
        coord(lon, sizeof lon, p[i]->lon);
        const char *row[] = {p[i]->name, p[i]->name_zh, p[i]->name_my, lat,
                             lon,        p[i]->kind,    p[i]->country, p[i]->admin1};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
}

static void print_csv(const struct bm_place *const *p, size_t n)
{
    fputs("name,name_zh,name_my,lat,lon,kind,country,admin1,rank,in_article,source\n", stdout);
    for (size_t i = 0; i < n; i++) {
        char lat[32], lon[32], rank[16];
        coord(lat, sizeof lat, p[i]->lat);
        coord(lon, sizeof lon, p[i]->lon);
        snprintf(rank, sizeof rank, "%d", p[i]->rank);
        const char *row[] = {
            p[i]->name,  p[i]->name_zh, p[i]->name_my, lat,  lon,
            p[i]->kind,  p[i]->country, p[i]->admin1,  rank, p[i]->in_article ? "yes" : "no",
            p[i]->source};
        for (size_t k = 0; k < 11; k++)
            csv_field(stdout, row[k], k == 10);
    }
}

static void print_json(const struct bm_place *const *p, size_t n)
{
    fputs("[", stdout);
    for (size_t i = 0; i < n; i++) {
        static const char *const keys[] = {"name",    "name_zh", "name_my", "kind",
                                           "country", "admin1",  "source"};
        const char *vals[] = {p[i]->name,    p[i]->name_zh, p[i]->name_my, p[i]->kind,
                              p[i]->country, p[i]->admin1,  p[i]->source};
        fputs(i ? ",\n  {" : "\n  {", stdout);
        for (size_t k = 0; k < 7; k++) {
            printf("%s\"%s\": ", k ? ", " : "", keys[k]);
            json_string(stdout, vals[k][0] ? vals[k] : NULL);
        }
        printf(", \"lat\": %.10g, \"lon\": %.10g, \"rank\": %d, \"in_article\": %s}", p[i]->lat,
               p[i]->lon, p[i]->rank, p[i]->in_article ? "true" : "false");
    }
    fputs(n ? "\n]\n" : "]\n", stdout);
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
            return cli_usage("places", "unknown format '%s' (use table, csv or json)", optarg);
        return cli_bad_option("places", c, argv);
    }
    if (argc - optind > 1)
        return cli_usage("places", "give one name at a time (quote names with spaces)");
    const char *query = optind < argc ? argv[optind] : NULL;
    struct bm_gazetteer *gz;
    if (bm_gazetteer_load(ctx, NULL, &gz) != BM_OK)
        return cli_fail(ctx);
    const struct bm_place **list = NULL;
    size_t n = 0;
    int rc = collect(ctx, gz, query, &list, &n);
    if (rc == EXIT_OK) {
        if (fmt == FORMAT_TABLE)
            print_table(list, n);
        else if (fmt == FORMAT_CSV)
            print_csv(list, n);
        else
            print_json(list, n);
    }
    free(list);
    bm_gazetteer_free(gz);
    return rc;
}
