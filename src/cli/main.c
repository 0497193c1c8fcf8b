/* bordermap program: the entry point and the subcommand table. */
#include "cli.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command COMMANDS[] = {
    {"render", "draw a situation map to PNG, PDF or SVG from a recipe", HELP_RENDER, cmd_render},
    {"atlas", "one map per feature of a layer, in parallel processes", HELP_ATLAS, cmd_atlas},
    {"report", "one PDF: maps, the tables of lengths, sources, page numbers", HELP_REPORT,
     cmd_report},
    {"layers", "list the layers of the shipped data or of vector sources", HELP_LAYERS, cmd_layers},
    {"places", "find places by name in English, Chinese or Burmese", HELP_PLACES, cmd_places},
    {"measure", "geodesic lengths: the border, the corridor, distances, any layer", HELP_MEASURE,
     cmd_measure},
    {"near", "places near a place or near the border, with distances", HELP_NEAR, cmd_near},
};
static const size_t NCOMMANDS = sizeof COMMANDS / sizeof COMMANDS[0];

static void print_help(FILE *out)
{
    fputs("usage: bordermap [--help] [--version] [-q|-v] COMMAND [ARGS]\n"
          "\n"
          "Maps and measurements of the China-Myanmar border region.\n"
          "\n"
          "commands:\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fputs("  help       show the help of a command: bordermap help COMMAND\n"
          "             or every key a map recipe takes: bordermap help recipe\n"
          "             or the output formats: bordermap help formats\n"
          "\n"
          "Every command also takes, before or after its name:\n"
          "  -q, --quiet    no warnings or notes on stderr, only errors\n"
          "  -v, --verbose  the time of each stage on stderr (wall clock and CPU)\n"
          "  --allow vrt,network  let sources be GDAL virtual datasets (.vrt) or reach\n"
          "                 the network (http://, /vsicurl/, WFS:); refused otherwise,\n"
          "                 and never allowed by a recipe (also $BORDERMAP_ALLOW)\n"
          "\n"
          "Data goes to stdout, messages to stderr. A failed write to stdout (a full\n"
          "disk, a closed pipe) is an error. 'render -o -' writes a map to stdout and\n"
          "'render -' reads a recipe from stdin. Stopped by Ctrl-C or SIGTERM, a\n"
          "command leaves no temporary file and no half-written output. The shipped\n"
          "data is read from $BORDERMAP_DATA when it is set.\n",
          out);
}

/* Every key of a recipe, written by the library from the tables it reads recipes with. */
static int print_recipe_help(void)
{
    char *text = bm_recipe_help();
    if (!text) {
        fputs("bordermap: out of memory writing the help\n", stderr);
        return EXIT_FAIL;
    }
    fputs(text, stdout);
    free(text);
    return EXIT_OK;
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            return &COMMANDS[i];
    return NULL;
}

/* 'bordermap help formats': the library's table of output formats. */
static int help_formats(void)
{
    struct cli_table t;
    table_init(&t, 5);
    const char *head[] = {"name", "extensions", "kind", "georeferenced", "what"};
    int bad = table_add(&t, head);
    for (size_t i = 0; i < bm_format_count(); i++) {
        const struct bm_format_info *f = bm_format_at(i);
        char ext[128] = "", what[256];
        size_t len = 0;
        for (size_t k = 0; f->extensions[k] && len < sizeof ext; k++)
            len += (size_t)snprintf(ext + len, sizeof ext - len, "%s.%s", k ? " " : "",
                                    f->extensions[k]);
        snprintf(what, sizeof what, "%s%s%s%s", f->title, f->pages ? "; holds pages (report)" : "",
                 f->aliases[0] ? "; also called " : "", f->aliases[0] ? f->aliases[0] : "");
        const char *row[] = {f->name, ext, f->raster ? "raster" : "vector",
                             f->georeferenced ? "yes" : "no", what};
        bad |= table_add(&t, row);
    }
    fputs("Output formats: 'render --format NAME', 'atlas --format NAME', or the output's\n"
          "extension (render, report). Raster formats are drawn at the map's dpi.\n\n",
          stdout);
    table_print(&t, stdout);
    table_free(&t);
    return bad ? EXIT_FAIL : EXIT_OK;
}

static int run_help(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "recipe") == 0)
        return print_recipe_help();
    if (strcmp(argv[1], "formats") == 0)
        return help_formats();
    const struct cli_command *c = find_command(argv[1]);
    if (!c)
        return cli_usage(NULL, "no command '%s'", argv[1]);
    fputs(c->help, stdout);
    return EXIT_OK;
}

/* The status of a command: data that did not all arrive is a failure too (a full disk, a
 * closed pipe). */
static int finish(int rc)
{
    int out = cli_finish_stdout();
    return rc == EXIT_OK ? out : rc;
}

/*
 * --allow LIST (or --allow=LIST), anywhere before a "--": what sources may reach (vrt,
 * network). Taken out of argv, so that commands never see it; the last one counts.
 */
static int take_allow(int *argc, char **argv, const char **list)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(a, "--allow") == 0) {
            if (i + 1 >= *argc)
                return cli_usage(NULL, "option '--allow' needs a value: vrt, network or both as "
                                       "vrt,network");
            *list = argv[++i];
        } else if (strncmp(a, "--allow=", 8) == 0) {
            *list = a + 8;
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    *argc = out;
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "");
    const char *allow = NULL;
    if (take_allow(&argc, argv, &allow) != EXIT_OK)
        return EXIT_USAGE;
    /* A closed pipe is a write error like any other: one line and status 1, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    /* An interrupted command leaves no temporary file (a render, a report, an atlas). */
    cli_catch_signals();
    cli_watch_stdout();
    int skip = cli_global_options(argc, argv);
    argv[skip] = argv[0];
    argv += skip;
    argc -= skip;
    if (argc < 2) {
        print_help(stdout);
        return cli_finish_stdout();
    }
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0)
        return finish(run_help(1, argv));
    if (strcmp(first, "--version") == 0 || strcmp(first, "-V") == 0) {
        printf("bordermap %s (%s)\n", bm_version(), bm_library_versions());
        return cli_finish_stdout();
    }
    if (strcmp(first, "help") == 0)
        return finish(run_help(argc - 1, argv + 1));
    const struct cli_command *c = find_command(first);
    if (!c)
        return cli_usage(NULL, "no command '%s'", first);
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(c->help, stdout);
            return cli_finish_stdout();
        }
    struct bm_ctx *ctx = bm_ctx_new();
    if (!ctx) {
        fputs("bordermap: out of memory starting up\n", stderr);
        return EXIT_FAIL;
    }
    optind = 0; /* getopt starts afresh on the command's own arguments */
    if (allow && bm_ctx_set_allow(ctx, allow) != BM_OK) {
        cli_usage(NULL, "--allow: %s", bm_ctx_error(ctx));
        bm_ctx_free(ctx);
        return EXIT_USAGE;
    }
    /* Any PostgreSQL session this process opens is read-only and time-limited, unless the
     * user set PGOPTIONS (the library adds the same to the connections it opens itself). */
    setenv("PGOPTIONS", "-c default_transaction_read_only=on -c statement_timeout=60000", 0);
    int rc = c->run(ctx, argc - 1, argv + 1);
    /* A failure is one line, its error: the warnings are for work that was done. */
    if (rc == EXIT_OK)
        cli_warnings(ctx);
    bm_ctx_free(ctx);
    bm_library_cleanup();
    return finish(rc);
}
