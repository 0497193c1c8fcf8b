/* bordermap program: 'bordermap render'. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* The limits come from bordermap/map.h. */
/* clang-format off */
const char HELP_RENDER[] =
    "usage: bordermap render [RECIPE] [-o FILE] [--format FMT] [--dpi N]\n"
    "                        [--size A4|A3|Letter|WxHmm] [--extent W,S,E,N |\n"
    "                        --around PLACE --radius KM] [--title TEXT]\n"
    "\n"
    "Draw a map from a recipe (styles/NAME.yaml) to an image or a document\n"
    "('bordermap help formats' lists the formats). With no\n"
    "RECIPE, draws the default situation map (styles/situation.yaml) to\n"
    "situation.png in the current folder. A RECIPE without a folder is looked\n"
    "for in the shipped styles: 'bordermap render corridor' draws\n"
    "styles/corridor.yaml.\n"
    "\n"
    "  -o, --output FILE   where to write (default: the recipe's name, .png)\n"
    "  -F, --format FMT    the output's format, by name (see 'bordermap help formats';\n"
    "                      default: from the output's extension, png when it has none)\n"
    "  -w, --world-file    beside a raster output, write a world file, a .prj and\n"
    "                      (PNG) a .aux.xml with its CRS, so that GDAL and QGIS place it\n"
    "  -d, --dpi N         raster resolution, " CLI_STR(BM_DPI_MIN) ".." CLI_STR(BM_DPI_MAX)
    " (default: the recipe's)\n"
    "  -s, --size SIZE     page: A4, A3, Letter (landscape) or WxHmm, e.g. 300x200mm\n"
    "  -e, --extent W,S,E,N  the map's extent in degrees\n"
    "  -a, --around PLACE  centre the map on a place (name or lat,lon)...\n"
    "  -r, --radius KM     ...showing this many km around it (default "
    CLI_STR(BM_RADIUS_KM_DEFAULT) ")\n"
    "  -t, --title TEXT    replace the recipe's title\n"
    "      --from DATE     show only events on or after DATE (YYYY-MM-DD)...\n"
    "      --to DATE       ...and on or before DATE, on the layers with a date_field\n"
    "\n"
    "The output is written whole or not at all: a failure leaves no file.\n";
/* clang-format on */

struct render_opts {
    const char *recipe, *output, *format, *size, *extent, *around, *title, *from, *to;
    double dpi, radius;
    int world_file;
};

static int parse(int argc, char **argv, struct render_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'F'},
        {"dpi", required_argument, NULL, 'd'},    {"size", required_argument, NULL, 's'},
        {"extent", required_argument, NULL, 'e'}, {"around", required_argument, NULL, 'a'},
        {"radius", required_argument, NULL, 'r'}, {"title", required_argument, NULL, 't'},
        {"world-file", no_argument, NULL, 'w'},   {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'T'},     {NULL, 0, NULL, 0}};
    int c;
    struct cli_opts opts = {"render", "o:F:d:s:e:a:r:t:wf:T:", longopts, 0, NULL};
    while ((c = cli_getopt(&opts, argc, argv)) != -1) {
        char *end;
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'F':
            o->format = optarg;
            break;
        case 'd':
            o->dpi = strtod(optarg, &end);
            if (*end || !(o->dpi >= BM_DPI_MIN && o->dpi <= BM_DPI_MAX))
                return cli_usage("render", "--dpi takes a number from %d to %d, not '%s'",
                                 BM_DPI_MIN, BM_DPI_MAX, optarg);
            break;
        case 's':
            o->size = optarg;
            break;
        case 'e':
            o->extent = optarg;
            break;
        case 'a':
            o->around = optarg;
            break;
        case 'r':
            o->radius = strtod(optarg, &end);
            if (*end || !(o->radius >= BM_RADIUS_KM_MIN && o->radius <= BM_RADIUS_KM_MAX))
                return cli_usage("render", "--radius takes kilometres from %d to %d, not '%s'",
                                 BM_RADIUS_KM_MIN, BM_RADIUS_KM_MAX, optarg);
            break;
        case 't':
            o->title = optarg;
            break;
        case 'w':
            o->world_file = 1;
            break;
        case 'f':
            o->from = optarg;
            break;
        case 'T':
            o->to = optarg;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1)
        return cli_usage("render", "give one recipe at a time");
    o->recipe = optind < argc ? argv[optind] : NULL;
    return EXIT_OK;
}

/* A bare name ("corridor") is a shipped recipe; anything else is a path. */
void cli_recipe_path(struct bm_ctx *ctx, const char *given, char *out, size_t size)
{
    char rel[512];
    if (!given) {
        bm_ctx_data_path(ctx, "styles/situation.yaml", out, size);
        return;
    }
    if (!strchr(given, '/') && !strchr(given, '.')) {
        snprintf(rel, sizeof rel, "styles/%s.yaml", given);
        bm_ctx_data_path(ctx, rel, out, size);
        return;
    }
    snprintf(out, size, "%s", given);
}

/*
 * The output's format: --format by name, else the output's extension (the
 * table's first format, PNG, when the name has none). Prints the usage
 * error and returns NULL when neither says.
 */
static const struct bm_format_info *pick_format(const char *name, const char *out)
{
    char names[256];
    const struct bm_format_info *f;
    if (name) {
        f = bm_format_from_name(name);
        if (!f)
            cli_usage("render", "unknown format '%s' (use %s)", name,
                      bm_format_list(names, sizeof names, NULL, false));
        return f;
    }
    const char *slash = strrchr(out, '/');
    if (!strchr(slash ? slash : out, '.'))
        return bm_format_at(0);
    f = bm_format_from_path(out);
    if (!f)
        cli_usage("render",
                  "cannot tell the format of '%s' from its name; end it in %s, or give --format",
                  out, bm_format_list(names, sizeof names, ".", false));
    return f;
}

/* The default output: the recipe's base name with the format's name as extension, here. */
static void default_output(const char *recipe, const char *fmt, char *out, size_t size)
{
    const char *base = strrchr(recipe, '/');
    base = base ? base + 1 : recipe;
    const char *dot = strrchr(base, '.');
    int n = dot ? (int)(dot - base) : (int)strlen(base);
    snprintf(out, size, "%.*s.%s", n, base, fmt);
}

/* A value given on the command line that the library refuses: a usage error. */
static int bad_value(const struct bm_ctx *ctx)
{
    return cli_usage("render", "%s", bm_ctx_error(ctx));
}

static int apply_overrides(struct bm_ctx *ctx, struct bm_map *m, const struct render_opts *o)
{
    if (o->dpi > 0 && bm_map_set_dpi(ctx, m, o->dpi) != BM_OK)
        return bad_value(ctx);
    if (o->title && bm_map_set_title(ctx, m, o->title) != BM_OK)
        return bad_value(ctx);
    if ((o->from || o->to) && bm_map_set_dates(ctx, m, o->from, o->to) != BM_OK)
        return bad_value(ctx);
    if (o->size && bm_map_set_page_size(ctx, m, o->size) != BM_OK)
        return bad_value(ctx);
    if (o->extent) {
        struct bm_bbox b;
        char *end;
        const char *p = o->extent;
        double *v[4] = {&b.west, &b.south, &b.east, &b.north};
        for (int i = 0; i < 4; i++) {
            *v[i] = strtod(p, &end);
            if (end == p || (i < 3 && *end != ',') || (i == 3 && *end))
                return cli_usage("render",
                                 "--extent takes W,S,E,N in degrees, e.g. "
                                 "96,22,100,26, not '%s'",
                                 o->extent);
            p = end + 1;
        }
        if (bm_map_set_extent(ctx, m, &b) != BM_OK)
            return bad_value(ctx);
    }
    if (o->around) {
        struct bm_gazetteer *gz = NULL;
        struct cli_point pt;
        int rc = cli_place(ctx, &gz, o->around, &pt);
        bm_gazetteer_free(gz);
        if (rc != EXIT_OK)
            return rc;
        if (bm_map_set_around(ctx, m, pt.lat, pt.lon,
                              o->radius > 0 ? o->radius : BM_RADIUS_KM_DEFAULT) != BM_OK)
            return bad_value(ctx);
    }
    return EXIT_OK;
}

int cmd_render(struct bm_ctx *ctx, int argc, char **argv)
{
    struct render_opts o = {0};
    int rc = parse(argc, argv, &o);
    if (rc != EXIT_OK)
        return rc;
    if (o.radius > 0 && !o.around)
        return cli_usage("render", "--radius goes with --around PLACE");
    if (o.extent && o.around)
        return cli_usage("render", "give --extent or --around, not both");
    char recipe[4096], output[4096];
    cli_recipe_path(ctx, o.recipe, recipe, sizeof recipe);
    const struct bm_format_info *fmt = o.format ? pick_format(o.format, NULL) : NULL;
    if (o.format && !fmt)
        return EXIT_USAGE;
    if (o.output)
        snprintf(output, sizeof output, "%s", o.output);
    else
        default_output(recipe, (fmt ? fmt : bm_format_at(0))->name, output, sizeof output);
    if (!fmt && !(fmt = pick_format(NULL, output)))
        return EXIT_USAGE;
    char raster[128];
    if (o.world_file && !fmt->raster)
        return cli_usage("render", "--world-file goes with a raster output (%s)",
                         bm_format_list(raster, sizeof raster, ".", true));
    struct bm_map *m;
    if (bm_map_load(ctx, recipe, &m) != BM_OK)
        return cli_fail(ctx);
    cli_stage("read the recipe %s", recipe);
    rc = apply_overrides(ctx, m, &o);
    struct bm_render_info info;
    if (rc == EXIT_OK && bm_map_render_info(ctx, m, fmt->format, output, &info) != BM_OK)
        rc = cli_fail(ctx);
    cli_stage("load the layers, draw and write %s", output);
    if (rc == EXIT_OK && o.world_file && bm_write_world_file(ctx, &info, output) != BM_OK)
        rc = cli_fail(ctx);
    if (rc == EXIT_OK)
        cli_note("wrote %s", output);
    bm_map_free(m);
    return rc;
}
