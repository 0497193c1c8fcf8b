/*
 * bordermap program: what the command files share. The program uses only
 * the library's public headers, like any other user.
 *
 * A command parses its options with cli_getopt() (which handles the shared
 * ones: --format, --units, -q, -v), asks the library for its rows, puts them
 * in a struct cli_rows and prints them with cli_rows_print(): the one writer
 * of tables, CSV, JSON and GeoJSON. Messages go to stderr, data to stdout.
 */
#ifndef BM_CLI_H
#define BM_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <sys/types.h>

#include "bordermap/bordermap.h"

/* A number from a header as text, for help texts: CLI_STR(BM_DPI_MIN) is "72". */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)

/* Exit statuses: 0 done, 1 the work failed (bad input, unknown place, ...), 2 bad usage. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

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
/* A shipped layer named as 'layers' lists it ("water/rivers", or "rivers") when no such
 * file is here: its path under the data root (lives as long as the program); else given. */
const char *cli_source_path(struct bm_ctx *ctx, const char *given);

extern const char HELP_LAYERS[];
extern const char HELP_PLACES[];
extern const char HELP_MEASURE[];
extern const char HELP_NEAR[];
extern const char HELP_RENDER[];
extern const char HELP_REPORT[];
extern const char HELP_ATLAS[];

/* ---- the shared options (options.c) ---------------------------------------------- */

/* Output formats of the data commands. */
enum cli_format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON, FORMAT_GEOJSON };

/* A unit of length for output. */
struct cli_units {
    const char *name; /* km, mi, nmi */
    const char *long_name;
    double metres; /* metres in one unit */
};

/* How a command prints its rows: set by the shared options. */
struct cli_out {
    enum cli_format format;
    struct cli_units units;
};

/* The defaults: a table, in kilometres. */
struct cli_out cli_out_default(void);

/* Which shared options a command takes, besides -q/--quiet and -v/--verbose. */
enum { CLI_FORMAT = 1, CLI_GEOJSON = 2, CLI_UNITS = 4 };

/* A command's options for cli_getopt(). */
struct cli_opts {
    const char *command;           /* its name, for 'see bordermap help NAME' */
    const char *shortopts;         /* its own, as for getopt ("o:w"); no leading ':' */
    const struct option *longopts; /* its own, ending in a zero entry; NULL: none */
    unsigned shared;               /* CLI_FORMAT (table, csv, json), CLI_GEOJSON, CLI_UNITS */
    struct cli_out *out;           /* receives --format and --units */
};

/* What cli_getopt() returns after printing a usage error. */
#define CLI_BAD_OPTION (-2)

/*
 * getopt_long over the command's options and the shared ones: handles the
 * shared ones itself and returns the next of the command's own (with optarg
 * set), -1 after the last option, or CLI_BAD_OPTION after printing the
 * usage error (an unknown option, a missing value, a bad --format or
 * --units): the command then returns EXIT_USAGE.
 */
int cli_getopt(const struct cli_opts *o, int argc, char **argv);

/* Take -q/--quiet and -v/--verbose given before the command; returns how many. */
int cli_global_options(int argc, char **argv);

/* -q: no warnings or notes. */
int cli_quiet(void);

/* -v: timings per stage. */
int cli_verbose(void);

/* A note for the user ("wrote situation.png"), on stderr unless -q. */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -v: one line on stderr with the wall-clock and CPU time since the previous stage. */
void cli_stage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Send stdout through a stream that notes the cause of a failed write (call first). */
void cli_watch_stdout(void);

/* Does out (stdout or another stream) write to a terminal? stdout is our own stream
 * over descriptor 1 (cli_watch_stdout), which has no descriptor of its own. */
int cli_is_terminal(FILE *out);

/*
 * Flush stdout and check that everything written to it arrived: on an error
 * (a full disk, a closed pipe) print one line and return EXIT_FAIL.
 */
int cli_finish_stdout(void);

/* Print the context's error as one line on stderr; returns EXIT_FAIL. */
int cli_fail(const struct bm_ctx *ctx);

/* Print a usage error as one line on stderr; returns EXIT_USAGE. */
int cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print and clear the context's warnings on stderr (none with -q). */
void cli_warnings(struct bm_ctx *ctx);

/* The long option --invalid (no short form): what cli_getopt() returns for it. */
enum { CLI_INVALID_OPTION = 0x100 };

/*
 * Parse --invalid's value for `command`: "repair" (GEOS MakeValid on the
 * polygons that are not valid), "skip" (drop them, counted in a warning) or
 * "keep" (use them as the source holds them, without checking). Returns 0, or
 * prints a usage error and returns EXIT_USAGE.
 */
int cli_parse_invalid(const char *command, const char *s, enum bm_invalid_policy *out);

/* ---- signals (signals.c) ------------------------------------------------------------ */

/*
 * On SIGINT, SIGTERM and SIGHUP (each unless the program was started ignoring
 * it): stop the atlas's jobs and wait for them, remove every temporary file
 * the library is writing and the paths given to cli_cleanup_path(), then die
 * of the signal (status 130 for SIGINT in a shell). Call once, first.
 */
void cli_catch_signals(void);

/* Remove path (a file, or an empty folder) too if a signal stops the program: two at most,
 * removed in the order given; NULL forgets them all. */
void cli_cleanup_path(const char *path);

/* A job of the atlas: the handler passes the signal on to it and waits for it. */
void cli_track_child(pid_t pid);

/* In a job: it has no jobs of its own (it inherited its parent's list). */
void cli_forget_children(void);

/* ---- recipes (cmd_render.c) ------------------------------------------------------- */

/* A recipe read from stdin ('-'): its text (malloc'ed) and length. */
struct cli_recipe {
    char path[4096]; /* the file, or "<stdin>" */
    char *text;      /* stdin's text; NULL for a file */
    size_t len;
};

/*
 * The recipe given on the command line: "-" reads stdin whole (at most
 * 1 MiB; more is the library's error), anything else is cli_recipe_path().
 * Prints the error and returns EXIT_FAIL when stdin cannot be read.
 */
int cli_recipe_get(struct bm_ctx *ctx, const char *given, struct cli_recipe *r);

/* Load it (bm_map_load or bm_map_load_text); the library's status. */
enum bm_status cli_recipe_load(struct bm_ctx *ctx, const struct cli_recipe *r, struct bm_map **out);

void cli_recipe_free(struct cli_recipe *r);

/* ---- units and places (units.c) --------------------------------------------------- */

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

/* ---- rows: what a command prints, built once, written in every format (rows.c) ----- */

/* What a column holds, and so how each format writes it. */
enum cli_kind {
    COL_TEXT,    /* s; JSON a string, null when NULL (or "" with COL_EMPTY_NULL) */
    COL_INT,     /* i */
    COL_BOOL,    /* i: yes/no; JSON true/false */
    COL_NUMBER,  /* v: %g; JSON full precision */
    COL_LENGTH,  /* v metres: table in units with `decimals`; CSV in units (%.6f);
                    JSON {"metres": v, UNIT: v in units} */
    COL_AREA,    /* v square metres: as COL_LENGTH in square units, "square_metres" */
    COL_RATIO,   /* v: table %.2f, CSV %.4f */
    COL_DEGREES, /* v, a latitude or longitude: table and CSV with `decimals` */
    COL_AZIMUTH, /* v, degrees clockwise from true north, 0..360: table %.1f°, CSV %.6f */
    COL_UNITS,   /* the unit's name (CSV): km, mi, nmi (km² with COL_SQUARE) */
    COL_LATLON,  /* v, v2: JSON [lat, lon] */
    COL_JSON     /* s: JSON text written as it is */
};

/* Where a column or a row appears. GeoJSON properties are the CSV's columns. */
enum { IN_TABLE = 1, IN_CSV = 2, IN_JSON = 4, IN_ALL = 7 };

/* Column flags. */
enum {
    COL_RIGHT = 1,      /* table: right-aligned (numbers are, by default) */
    COL_LEFT = 2,       /* table: left-aligned */
    COL_EMPTY_NULL = 4, /* JSON: "" is null */
    COL_FLAT = 8,       /* JSON: a length's or area's members go in the row itself */
    COL_SQUARE = 16     /* COL_UNITS: the square unit */
};

struct cli_col {
    const char *key;  /* CSV header and JSON key */
    const char *head; /* table header; NULL: the unit's name (km, km²) */
    enum cli_kind kind;
    unsigned in; /* IN_TABLE, IN_CSV, IN_JSON */
    unsigned flags;
    int decimals; /* table (and CSV for COL_DEGREES) */
};

/* One cell. A cell with null set has no value: "" (or s) in a table, "" in CSV, null in JSON. */
struct cli_cell {
    const char *s; /* copied by cli_add() */
    double v, v2;
    long long i;
    int null;
    int decimals; /* > 0: overrides the column's, in the table */
};

/* GeoJSON: write row's geometry object (lon, lat) to out. */
typedef void (*cli_geometry_fn)(FILE *out, size_t row, const void *data);

struct cli_rows {
    const struct cli_col *cols;
    size_t ncols, nrows;
    void *cells;   /* GArray of struct cli_cell, nrows * ncols */
    void *in;      /* GArray of unsigned: where each row appears */
    void *strings; /* GStringChunk: the cells' text */
    cli_geometry_fn geometry;
    const void *geometry_data;
};

void cli_rows_init(struct cli_rows *r, const struct cli_col *cols, size_t ncols);
void cli_rows_free(struct cli_rows *r);

/* Add a row of ncols cells (their text is copied), shown where `in` says. Returns its index. */
size_t cli_add(struct cli_rows *r, unsigned in, const struct cli_cell *cells);

/* Print the CSV header line of the columns. */
void cli_rows_csv_header(const struct cli_rows *r, const struct cli_out *o);

/* Writer flags. */
enum {
    CLI_NO_HEADER = 1, /* table and CSV: no header line */
    CLI_RECORDS = 2    /* table: a block per row, its first column as the heading */
};

/*
 * Print the rows in o's format on stdout: an aligned table, CSV, a JSON
 * array of objects (row lines indented by `indent` spaces) or a GeoJSON
 * FeatureCollection (r->geometry must be set).
 */
void cli_rows_print(const struct cli_rows *r, const struct cli_out *o, unsigned flags, int indent);

/* ---- GeoJSON geometries for cli_rows.geometry (geojson.c) ------------------------- */

void cli_geojson_point(FILE *out, double lon, double lat);

/* The geodesic from 1 to 2 as a LineString whose straight pieces stay within 1 km of it. */
void cli_geojson_geodesic(FILE *out, struct bm_ctx *ctx, double lat1, double lon1, double lat2,
                          double lon2);

/* Does any feature of L have several parts (so that all are written as Multi*)? */
int cli_geojson_needs_multi(const struct bm_layer *L);

/* Feature feat of L as its GeoJSON geometry; multi: as a Multi* even when single. */
void cli_geojson_feature(FILE *out, const struct bm_layer *L, size_t feat, int multi);

/* ---- JSON pieces for what surrounds the rows (rows.c) ----------------------------- */

void json_string(FILE *out, const char *s);

/* A number in the fewest digits that read back as the same double; null when not finite. */
void json_number(FILE *out, double v);

/* {"metres": m, "km": m / 1000}: a length in metres and in o's units. */
void json_length(FILE *out, double metres, const struct cli_units *u);

/* ---- text (text.c) ------------------------------------------------------------------ */

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

void csv_field(FILE *out, const char *s, int last);

#endif
