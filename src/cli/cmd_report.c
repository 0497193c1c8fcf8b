/* bordermap program: 'bordermap report'. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char HELP_REPORT[] =
    "usage: bordermap report [RECIPE...] [-o FILE]\n"
    "\n"
    "Make one PDF: a title page with the contents, a page per map, the tables\n"
    "behind them (the border by stretch; pipelines and railway segments against\n"
    "their published lengths; distances between the places the 16 November 2023\n"
    "report names), the sources and their licences, and page numbers. The text\n"
    "stays text: it can be selected and searched. Without RECIPEs: situation,\n"
    "ruili-muse and corridor.\n"
    "\n"
    "  -o, --output FILE   where to write (default report.pdf)\n"
    "\n"
    "The report is written whole or not at all, also when Ctrl-C or SIGTERM\n"
    "stops it. Its recipes are files ('-' for stdin is taken by render and atlas).\n";

int cmd_report(struct bm_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {NULL, 0, NULL, 0}};
    const char *output = "report.pdf";
    int c;
    struct cli_opts opts = {"report", "o:", longopts, 0, NULL};
    while ((c = cli_getopt(&opts, argc, argv)) != -1) {
        if (c == 'o')
            output = optarg;
        else
            return EXIT_USAGE;
    }
    static const char *const defaults[] = {"situation", "ruili-muse", "corridor"};
    int n = argc - optind;
    for (int i = optind; i < argc; i++)
        if (strcmp(argv[i], "-") == 0)
            return cli_usage("report", "a report reads its recipes from files, not from stdin "
                                       "('-'); save the recipe to a file and name it");
    const char *const *names = n > 0 ? (const char *const *)(argv + optind) : defaults;
    size_t count = n > 0 ? (size_t)n : 3;
    char **paths = calloc(count, sizeof *paths);
    int rc = paths ? EXIT_OK : EXIT_FAIL;
    for (size_t i = 0; rc == EXIT_OK && i < count; i++) {
        char buf[4096];
        cli_recipe_path(ctx, names[i], buf, sizeof buf);
        paths[i] = strdup(buf);
    }
    if (rc == EXIT_OK && bm_report_write(ctx, (const char *const *)paths, count, output) != BM_OK)
        rc = cli_fail(ctx);
    cli_stage("draw %zu maps and the tables, write %s", count, output);
    if (rc == EXIT_OK)
        cli_note("wrote %s", output);
    for (size_t i = 0; paths && i < count; i++)
        free(paths[i]);
    free(paths);
    return rc;
}
