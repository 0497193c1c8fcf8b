/*
 * bordermap program: what the command files share. The program uses only
 * the library's public headers, like any other user.
 */
#ifndef BM_CLI_H
#define BM_CLI_H

#include <stdio.h>

#include "bordermap/bordermap.h"

/* A number from a header as text, for help texts: CLI_STR(BM_DPI_MIN) is "72". */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)

/* Exit statuses: 0 done, 1 the work failed (bad input, unknown place, ...), 2 bad usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Output formats shared by the commands. */
enum cli_format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

/* A subcommand: run(ctx, argc, argv) with argv[0] the command's name. */
struct cli_command {
    const char *name;
    const char *summary;
    const char *help; /* the full text of 'bordermap help NAME' */
    int (*run)(struct bm_ctx *ctx, int argc, char **argv);
};

int cmd_layers(struct bm_ctx *ctx, int argc, char **argv);
int cmd_places(struct bm_ctx *ctx, int argc, char **argv);
int cmd_measure(struct bm_ctx *ctx, int argc, char **argv);
int cmd_near(struct bm_ctx *ctx, int argc, char **argv);
int cmd_render(struct bm_ctx *ctx, int argc, char **argv);
int cmd_report(struct bm_ctx *ctx, int argc, char **argv);
int cmd_atlas(struct bm_ctx *ctx, int argc, char **argv);

/* The path of a recipe: a bare name is a shipped one (styles/NAME.yaml); NULL the default. */
void cli_recipe_path(struct bm_ctx *ctx, const char *given, char *out, size_t size);

extern const char HELP_LAYERS[];
extern const char HELP_PLACES[];
extern const char HELP_MEASURE[];
extern const char HELP_NEAR[];
extern const char HELP_RENDER[];
extern const char HELP_REPORT[];
extern const char HELP_ATLAS[];

/* ---- units and places ---- */

/* A unit of length for output. */
struct cli_units {
    const char *name; /* km, mi, nmi */
    const char *long_name;
    double metres; /* metres in one unit */
};

/* Parse km, mi or nmi. Returns 0, or -1 when unknown. */
int cli_parse_units(const char *s, struct cli_units *out);

/* metres in units, grouped digits and `decimals` decimals: 2184312 m -> "2,184.3". */
void format_length(char *buf, size_t size, double metres, const struct cli_units *u, int decimals);

/* A point the user named: a gazetteer name (any script) or "lat,lon". */
struct cli_point {
    double lat, lon;
    char label[256];
};

/*
 * Resolve text to a point, loading the gazetteer into *gz on first use
 * (the caller frees it). Prints the error and returns EXIT_FAIL on failure.
 */
int cli_place(struct bm_ctx *ctx, struct bm_gazetteer **gz, const char *text,
              struct cli_point *out);

/* Print the context's error as one line on stderr; returns EXIT_FAIL. */
int cli_fail(const struct bm_ctx *ctx);

/* Print a usage error as one line on stderr; returns EXIT_USAGE. */
int cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The usage error for getopt's answer c (':' a missing value, else unknown); EXIT_USAGE. */
int cli_bad_option(const char *command, int c, char **argv);

/* Print and clear the context's warnings on stderr. */
void cli_warnings(struct bm_ctx *ctx);

/* Parse "table", "csv" or "json". Returns 0, or -1 when unknown. */
int cli_parse_format(const char *s, enum cli_format *out);

/* ---- tables ---- */

/* A table of text cells, printed with columns aligned by display width. */
struct cli_table {
    size_t ncols, nrows, cap;
    char **cells; /* nrows * ncols, owned */
    int *right;   /* per column: right-align (numbers) */
};

void table_init(struct cli_table *t, size_t ncols);
/* Add a row of ncols cells (copied); NULL cells print empty. Returns 0 or -1. */
int table_add(struct cli_table *t, const char *const *cells);
void table_print(const struct cli_table *t, FILE *out);
void table_free(struct cli_table *t);

/* Columns a UTF-8 string takes on a terminal: CJK counts 2, marks 0. */
size_t display_width(const char *s);

/* ---- CSV and JSON ---- */

void csv_field(FILE *out, const char *s, int last);
void json_string(FILE *out, const char *s);

/* Format n with grouped thousands, e.g. 331204 -> "331,204". */
void group_digits(char *buf, size_t size, unsigned long long n);

#endif
