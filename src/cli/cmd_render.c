/* bordermap program: 'bordermap render'. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    "styles/corridor.yaml. RECIPE '-' reads the recipe from stdin; its relative\n"
    "source paths are then taken from the working folder (else the data root),\n"
    "and -o is needed.\n"
    "\n"
    "  -o, --output FILE   where to write (default: the recipe's name, .png);\n"
    "                      '-' writes the map to stdout, in the --format given\n"
    "                      (needed then; png, pdf and tif not to a terminal)\n"
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
    "      --frame-only[=no]  the map frame alone: no margins, title, legend, scale\n"
    "                      bar or credits, transparent where nothing is drawn: a\n"
    "                      GIS overlay (=no: the whole page, the default)\n"
    "      --svg-text HOW  an SVG's text: text (<text> elements, the default) or\n"
    "                      outlines (glyph outlines: the same without the fonts)\n"
    "\n"
    "The output is written whole or not at all: a failure leaves no file, nor\n"
    "does Ctrl-C or SIGTERM. To stdout the map is drawn whole first, so a failure\n"
    "writes nothing there.\n"
    "\n"
    "examples:\n"
    "  bordermap render corridor -o - --format png | file -\n"
    "  cat my-map.yaml | bordermap render - -o - --format pdf | pdftotext - -\n";
/* clang-format on */

struct render_opts {
    const char *recipe, *output, *format, *size, *extent, *around, *title, *from, *to;
    const char *svg_text;
    double dpi, radius;
    int world_file;
    int frame_only; /* 0 not given, 1 the frame alone, 2 the whole page */
};

static int parse(int argc, char **argv, struct render_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},   {"format", required_argument, NULL, 'F'},
        {"dpi", required_argument, NULL, 'd'},      {"size", required_argument, NULL, 's'},
        {"extent", required_argument, NULL, 'e'},   {"around", required_argument, NULL, 'a'},
        {"radius", required_argument, NULL, 'r'},   {"title", required_argument, NULL, 't'},
        {"world-file", no_argument, NULL, 'w'},     {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'T'},       {"frame-only", optional_argument, NULL, 'Z'},
        {"svg-text", required_argument, NULL, 'X'}, {NULL, 0, NULL, 0}};
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
        case 'Z':
            o->frame_only = !optarg || strcmp(optarg, "yes") == 0 ? 1
                            : strcmp(optarg, "no") == 0           ? 2
                                                                  : 0;
            if (!o->frame_only)
                return cli_usage("render", "--frame-only takes yes or no, not '%s'", optarg);
            break;
        case 'X':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "outlines") != 0)
                return cli_usage("render", "--svg-text takes text or outlines, not '%s'", optarg);
            o->svg_text = optarg;
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

int cli_recipe_get(struct bm_ctx *ctx, const char *given, struct cli_recipe *r)
{
    memset(r, 0, sizeof *r);
    if (!given || strcmp(given, "-") != 0) {
        cli_recipe_path(ctx, given, r->path, sizeof r->path);
        return EXIT_OK;
    }
    snprintf(r->path, sizeof r->path, "<stdin>");
    /* One byte past the library's limit at most: enough for it to say the recipe is too long. */
    size_t cap = (1u << 20) + 1;
    r->text = malloc(cap);
    if (!r->text) {
        fputs("bordermap: out of memory reading the recipe from stdin\n", stderr);
        return EXIT_FAIL;
    }
    while (r->len < cap) {
        ssize_t n = read(STDIN_FILENO, r->text + r->len, cap - r->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "bordermap: cannot read the recipe from stdin: %s; pipe a recipe in\n",
                    strerror(errno));
            cli_recipe_free(r);
            return EXIT_FAIL;
        }
        if (n == 0)
            break;
        r->len += (size_t)n;
    }
    return EXIT_OK;
}

enum bm_status cli_recipe_load(struct bm_ctx *ctx, const struct cli_recipe *r, struct bm_map **out)
{
    return r->text ? bm_map_load_text(ctx, r->text, r->len, r->path, out)
                   : bm_map_load(ctx, r->path, out);
}

void cli_recipe_free(struct cli_recipe *r)
{
    free(r->text);
    r->text = NULL;
    r->len = 0;
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
    if (o->frame_only && bm_map_set_frame_only(ctx, m, o->frame_only == 1) != BM_OK)
        return bad_value(ctx);
    if (o->svg_text &&
        bm_map_set_svg_text(
            ctx, m, strcmp(o->svg_text, "outlines") == 0 ? BM_SVG_OUTLINES : BM_SVG_TEXT) != BM_OK)
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

/* Copy the file at path to stdout. Returns EXIT_OK, or EXIT_FAIL with its message printed
 * (a failed write to stdout is told by cli_finish_stdout()). */
static int copy_to_stdout(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bordermap: cannot read back the map drawn in '%s': %s\n", path,
                strerror(errno));
        return EXIT_FAIL;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && !ferror(stdout))
        fwrite(buf, 1, n, stdout);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "bordermap: cannot read back the map drawn in '%s'\n", path);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/*
 * -o -: the map is drawn whole into a private folder ($TMPDIR, else /tmp),
 * then copied to stdout, so that a failure writes nothing there; the folder
 * is removed in any case, and by the signal handler if the program is stopped.
 */
static int render_to_stdout(struct bm_ctx *ctx, const struct bm_map *m,
                            const struct bm_format_info *fmt)
{
    const char *tmp = getenv("TMPDIR");
    char dir[2048], file[2100];
    tmp = tmp && tmp[0] ? tmp : "/tmp";
    if (snprintf(dir, sizeof dir, "%s/bordermap-XXXXXX", tmp) >= (int)sizeof dir || !mkdtemp(dir)) {
        fprintf(stderr,
                "bordermap: cannot make a folder in '%s' to draw the map in: %s; set TMPDIR to a "
                "writable folder\n",
                tmp, strerror(errno));
        return EXIT_FAIL;
    }
    snprintf(file, sizeof file, "%s/map.%s", dir, fmt->name);
    cli_cleanup_path(file);
    cli_cleanup_path(dir);
    int rc = bm_map_render(ctx, m, fmt->format, file) == BM_OK ? EXIT_OK : cli_fail(ctx);
    cli_stage("load the layers, draw the map");
    if (rc == EXIT_OK)
        rc = copy_to_stdout(file);
    unlink(file);
    rmdir(dir);
    cli_cleanup_path(NULL);
    cli_stage("write it to stdout");
    return rc;
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
    int to_stdout = o.output && strcmp(o.output, "-") == 0;
    int from_stdin = o.recipe && strcmp(o.recipe, "-") == 0;
    char output[4096], names[256];
    const struct bm_format_info *fmt = o.format ? pick_format(o.format, NULL) : NULL;
    if (o.format && !fmt)
        return EXIT_USAGE;
    if (to_stdout && !fmt)
        return cli_usage("render",
                         "-o - writes the map to stdout: give its format with --format "
                         "(%s)",
                         bm_format_list(names, sizeof names, NULL, false));
    if (to_stdout && o.world_file)
        return cli_usage("render", "--world-file writes files beside the map; give -o FILE, "
                                   "not -o -");
    /* SVG is text; the others are bytes that would garble a terminal. */
    if (to_stdout && fmt->format != BM_FORMAT_SVG && cli_is_terminal(stdout))
        return cli_usage("render",
                         "will not write a %s to a terminal; send stdout to a file "
                         "or a pipe (-o - | ...), or give -o FILE",
                         fmt->title);
    if (from_stdin && !o.output)
        return cli_usage("render", "a recipe from stdin has no name to name the map after; "
                                   "give -o FILE (or -o - for stdout)");
    struct cli_recipe recipe;
    if ((rc = cli_recipe_get(ctx, o.recipe, &recipe)) != EXIT_OK)
        return rc;
    if (to_stdout)
        snprintf(output, sizeof output, "(stdout)");
    else if (o.output)
        snprintf(output, sizeof output, "%s", o.output);
    else
        default_output(recipe.path, (fmt ? fmt : bm_format_at(0))->name, output, sizeof output);
    if (!fmt && !(fmt = pick_format(NULL, output))) {
        cli_recipe_free(&recipe);
        return EXIT_USAGE;
    }
    char raster[128];
    if (o.world_file && !fmt->raster) {
        cli_recipe_free(&recipe);
        return cli_usage("render", "--world-file goes with a raster output (%s)",
                         bm_format_list(raster, sizeof raster, ".", true));
    }
    if (o.svg_text && fmt->format != BM_FORMAT_SVG) {
        cli_recipe_free(&recipe);
        return cli_usage("render", "--svg-text goes with an SVG output (.svg)");
    }
    struct bm_map *m;
    enum bm_status st = cli_recipe_load(ctx, &recipe, &m);
    cli_recipe_free(&recipe);
    if (st != BM_OK)
        return cli_fail(ctx);
    cli_stage("read the recipe %s", recipe.path);
    rc = apply_overrides(ctx, m, &o);
    if (rc == EXIT_OK && to_stdout) {
        rc = render_to_stdout(ctx, m, fmt);
        bm_map_free(m);
        return rc;
    }
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
