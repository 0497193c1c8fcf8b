/*
 * bordermap program: the one writer of the data commands' output. A command
 * builds its rows once; this prints them as an aligned table, CSV, JSON or
 * GeoJSON, so every format says the same thing.
 */
#include "cli.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_rows_init(struct cli_rows *r, const struct cli_col *cols, size_t ncols)
{
    memset(r, 0, sizeof *r);
    r->cols = cols;
    r->ncols = ncols;
    r->cells = g_array_new(FALSE, TRUE, sizeof(struct cli_cell));
    r->in = g_array_new(FALSE, TRUE, sizeof(unsigned));
    r->strings = g_string_chunk_new(4096);
}

void cli_rows_free(struct cli_rows *r)
{
    if (r->cells)
        g_array_free(r->cells, TRUE);
    if (r->in)
        g_array_free(r->in, TRUE);
    if (r->strings)
        g_string_chunk_free(r->strings);
    memset(r, 0, sizeof *r);
}

size_t cli_add(struct cli_rows *r, unsigned in, const struct cli_cell *cells)
{
    for (size_t j = 0; j < r->ncols; j++) {
        struct cli_cell c = cells[j];
        if (c.s) {
            /* A cell may quote a source: a connection string's password is never shown. */
            char *shown = bm_redact(c.s);
            c.s = g_string_chunk_insert(r->strings, shown ? shown : BM_REDACTED);
            free(shown);
        }
        g_array_append_val((GArray *)r->cells, c);
    }
    g_array_append_val((GArray *)r->in, in);
    return r->nrows++;
}

static const struct cli_cell *cell(const struct cli_rows *r, size_t row, size_t col)
{
    return &g_array_index((GArray *)r->cells, struct cli_cell, row * r->ncols + col);
}

static unsigned row_in(const struct cli_rows *r, size_t row)
{
    return g_array_index((GArray *)r->in, unsigned, row);
}

/* The unit a column is written in: km, or km² for areas. */
static const char *unit_name(const struct cli_col *c, const struct cli_out *o, char *buf,
                             size_t size)
{
    if (c->kind == COL_AREA || (c->kind == COL_UNITS && c->flags & COL_SQUARE))
        snprintf(buf, size, "%s²", o->units.name);
    else
        snprintf(buf, size, "%s", o->units.name);
    return buf;
}

/* metres (or square metres) in the output's units (or their squares). */
static double in_units(const struct cli_col *c, const struct cli_out *o, double v)
{
    return c->kind == COL_AREA ? v / (o->units.metres * o->units.metres) : v / o->units.metres;
}

/* ---- table and CSV cells ------------------------------------------------------------- */

static const char *table_text(const struct cli_col *c, const struct cli_cell *x,
                              const struct cli_out *o, char *buf, size_t size)
{
    int decimals = x->decimals > 0 ? x->decimals : c->decimals;
    if (c->kind == COL_TEXT || c->kind == COL_JSON || (x->null && c->kind != COL_UNITS))
        return x->s ? x->s : "";
    switch (c->kind) {
    case COL_INT:
        snprintf(buf, size, "%lld", x->i);
        break;
    case COL_BOOL:
        snprintf(buf, size, "%s", x->i ? "yes" : "no");
        break;
    case COL_NUMBER:
        snprintf(buf, size, "%g", x->v);
        break;
    case COL_LENGTH:
    case COL_AREA:
        bm_format_number(buf, size, in_units(c, o, x->v), decimals);
        break;
    case COL_RATIO:
        snprintf(buf, size, "%.2f", x->v);
        break;
    case COL_DEGREES:
        snprintf(buf, size, "%.*f", decimals, x->v);
        break;
    case COL_AZIMUTH:
        snprintf(buf, size, "%.1f°", x->v);
        break;
    case COL_UNITS:
        return unit_name(c, o, buf, size);
    default:
        buf[0] = '\0';
    }
    return buf;
}

static const char *csv_text(const struct cli_col *c, const struct cli_cell *x,
                            const struct cli_out *o, char *buf, size_t size)
{
    if (c->kind == COL_TEXT || c->kind == COL_JSON)
        return x->s;
    if (x->null && c->kind != COL_UNITS)
        return "";
    switch (c->kind) {
    case COL_LENGTH:
    case COL_AREA:
        snprintf(buf, size, "%.6f", in_units(c, o, x->v));
        return buf;
    case COL_RATIO:
        snprintf(buf, size, "%.4f", x->v);
        return buf;
    case COL_DEGREES:
        snprintf(buf, size, "%.*f", c->decimals, x->v);
        return buf;
    case COL_AZIMUTH:
        snprintf(buf, size, "%.6f", x->v);
        return buf;
    default:
        return table_text(c, x, o, buf, size);
    }
}

static int right_aligned(const struct cli_col *c)
{
    if (c->flags & (COL_RIGHT | COL_LEFT))
        return (c->flags & COL_RIGHT) != 0;
    return c->kind != COL_TEXT && c->kind != COL_BOOL && c->kind != COL_UNITS;
}

static const char *head_text(const struct cli_col *c, const struct cli_out *o, char *buf,
                             size_t size)
{
    return c->head ? c->head : unit_name(c, o, buf, size);
}

static void print_table(const struct cli_rows *r, const struct cli_out *o, unsigned flags)
{
    size_t cols[64], n = 0;
    for (size_t j = 0; j < r->ncols && n < 64; j++)
        if (r->cols[j].in & IN_TABLE)
            cols[n++] = j;
    struct cli_table t;
    table_init(&t, n);
    const char *cells[64];
    char bufs[64][128];
    for (size_t k = 0; k < n; k++) {
        cells[k] = head_text(&r->cols[cols[k]], o, bufs[k], sizeof bufs[k]);
        t.right[k] = right_aligned(&r->cols[cols[k]]);
    }
    if (!(flags & CLI_NO_HEADER) && !(flags & CLI_RECORDS))
        table_add(&t, cells);
    for (size_t i = 0; i < r->nrows; i++) {
        if (!(row_in(r, i) & IN_TABLE))
            continue;
        for (size_t k = 0; k < n; k++)
            cells[k] =
                table_text(&r->cols[cols[k]], cell(r, i, cols[k]), o, bufs[k], sizeof bufs[k]);
        table_add(&t, cells);
    }
    if (!(flags & CLI_RECORDS)) {
        table_print(&t, stdout);
    } else {
        /* A block per row: the first column as its heading, then "  head  value" lines. */
        size_t width = 0;
        for (size_t k = 1; k < n; k++)
            width = MAX(width, display_width(head_text(&r->cols[cols[k]], o, bufs[0], 128)));
        for (size_t i = 0; i < t.nrows; i++) {
            printf("%s%s\n", i ? "\n" : "", t.cells[i * n]);
            for (size_t k = 1; k < n; k++) {
                const char *h = head_text(&r->cols[cols[k]], o, bufs[0], 128);
                printf("  %s%*s  %s\n", h, (int)(width - display_width(h)), "", t.cells[i * n + k]);
            }
        }
    }
    table_free(&t);
}

void cli_rows_csv_header(const struct cli_rows *r, const struct cli_out *o)
{
    (void)o;
    int first = 1;
    for (size_t j = 0; j < r->ncols; j++)
        if (r->cols[j].in & IN_CSV) {
            printf("%s%s", first ? "" : ",", r->cols[j].key);
            first = 0;
        }
    putchar('\n');
}

static void print_csv(const struct cli_rows *r, const struct cli_out *o, unsigned flags)
{
    if (!(flags & CLI_NO_HEADER))
        cli_rows_csv_header(r, o);
    size_t last = 0;
    for (size_t j = 0; j < r->ncols; j++)
        if (r->cols[j].in & IN_CSV)
            last = j;
    for (size_t i = 0; i < r->nrows && !ferror(stdout); i++) {
        if (!(row_in(r, i) & IN_CSV))
            continue;
        for (size_t j = 0; j < r->ncols; j++) {
            char buf[128];
            if (r->cols[j].in & IN_CSV)
                csv_field(stdout, csv_text(&r->cols[j], cell(r, i, j), o, buf, sizeof buf),
                          j == last);
        }
    }
}

/* ---- JSON and GeoJSON ------------------------------------------------------------------ */

void json_string(FILE *out, const char *text)
{
    if (!text) {
        fputs("null", out);
        return;
    }
    char *shown = bm_redact(text);
    const char *s = shown ? shown : BM_REDACTED;
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f)
            fprintf(out, "\\u%04x", (unsigned char)*++s); /* C1 controls, U+0080..U+009F */
        else
            fputc(c, out);
    }
    fputc('"', out);
    free(shown);
}

void json_number(FILE *out, double v)
{
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

void json_length(FILE *out, double metres, const struct cli_units *u)
{
    fputs("{\"metres\": ", out);
    json_number(out, metres);
    fprintf(out, ", \"%s\": ", u->name);
    json_number(out, metres / u->metres);
    fputc('}', out);
}

/* A length or area: "metres": v, "km": v / 1000 (the members only). */
static void json_measure_members(FILE *out, const struct cli_col *c, const struct cli_out *o,
                                 double v)
{
    char unit[32];
    fputs(c->kind == COL_AREA ? "\"square_metres\": " : "\"metres\": ", out);
    json_number(out, v);
    fprintf(out, ", \"%s\": ", unit_name(c, o, unit, sizeof unit));
    json_number(out, in_units(c, o, v));
}

/* A cell's value in JSON; geo: as a GeoJSON property (lengths in the output's units). */
static void json_value(FILE *out, const struct cli_col *c, const struct cli_cell *x,
                       const struct cli_out *o, int geo)
{
    char buf[32];
    if (c->kind == COL_TEXT) {
        json_string(out, c->flags & COL_EMPTY_NULL && x->s && !x->s[0] ? NULL : x->s);
        return;
    }
    if (c->kind == COL_UNITS) {
        json_string(out, unit_name(c, o, buf, sizeof buf));
        return;
    }
    if (c->kind == COL_JSON) {
        fputs(x->s ? x->s : "null", out);
        return;
    }
    if (x->null) {
        fputs("null", out);
        return;
    }
    switch (c->kind) {
    case COL_INT:
        fprintf(out, "%lld", x->i);
        break;
    case COL_BOOL:
        fputs(x->i ? "true" : "false", out);
        break;
    case COL_LENGTH:
    case COL_AREA:
        if (geo) {
            json_number(out, in_units(c, o, x->v));
        } else {
            fputc('{', out);
            json_measure_members(out, c, o, x->v);
            fputc('}', out);
        }
        break;
    case COL_LATLON:
        fputc('[', out);
        json_number(out, x->v);
        fputs(", ", out);
        json_number(out, x->v2);
        fputc(']', out);
        break;
    default:
        json_number(out, x->v);
    }
}

/* One row as a JSON object of the columns `in` selects. */
static void json_object(const struct cli_rows *r, size_t i, const struct cli_out *o, unsigned in)
{
    int geo = in == IN_CSV, first = 1;
    fputc('{', stdout);
    for (size_t j = 0; j < r->ncols; j++) {
        const struct cli_col *c = &r->cols[j];
        if (!(c->in & in))
            continue;
        fputs(first ? "" : ", ", stdout);
        first = 0;
        if (!geo && c->flags & COL_FLAT && (c->kind == COL_LENGTH || c->kind == COL_AREA)) {
            json_measure_members(stdout, c, o, cell(r, i, j)->v);
            continue;
        }
        json_string(stdout, c->key);
        fputs(": ", stdout);
        json_value(stdout, c, cell(r, i, j), o, geo);
    }
    fputc('}', stdout);
}

static void print_json(const struct cli_rows *r, const struct cli_out *o, int indent)
{
    size_t shown = 0;
    fputc('[', stdout);
    for (size_t i = 0; i < r->nrows && !ferror(stdout); i++) {
        if (!(row_in(r, i) & IN_JSON))
            continue;
        printf("%s\n%*s", shown++ ? "," : "", indent, "");
        json_object(r, i, o, IN_JSON);
    }
    if (shown)
        printf("\n%*s", indent > 2 ? indent - 2 : 0, "");
    fputc(']', stdout);
}

static void print_geojson(const struct cli_rows *r, const struct cli_out *o)
{
    size_t shown = 0;
    fputs("{\"type\": \"FeatureCollection\", \"features\": [", stdout);
    for (size_t i = 0; i < r->nrows && !ferror(stdout); i++) {
        if (!(row_in(r, i) & IN_CSV))
            continue;
        fputs(shown++ ? ",\n{\"type\": \"Feature\", \"geometry\": "
                      : "\n{\"type\": \"Feature\", \"geometry\": ",
              stdout);
        if (r->geometry)
            r->geometry(stdout, i, r->geometry_data);
        else
            fputs("null", stdout);
        fputs(", \"properties\": ", stdout);
        json_object(r, i, o, IN_CSV);
        fputc('}', stdout);
    }
    fputs(shown ? "\n]}\n" : "]}\n", stdout);
}

void cli_rows_print(const struct cli_rows *r, const struct cli_out *o, unsigned flags, int indent)
{
    switch (o->format) {
    case FORMAT_TABLE:
        print_table(r, o, flags);
        break;
    case FORMAT_CSV:
        print_csv(r, o, flags);
        break;
    case FORMAT_JSON:
        print_json(r, o, indent);
        break;
    case FORMAT_GEOJSON:
        print_geojson(r, o);
        break;
    }
}
