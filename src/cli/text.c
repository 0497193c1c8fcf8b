/* bordermap program: aligned tables, CSV and JSON output. */
#include "cli.h"

#include <getopt.h>
#include <glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const struct bm_ctx *ctx)
{
    const char *msg = bm_ctx_error(ctx);
    fprintf(stderr, "bordermap: %s\n", msg[0] ? msg : "failed (no message)");
    return EXIT_FAIL;
}

int cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    fputs("bordermap: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (command)
        fprintf(stderr, "; see 'bordermap help %s'\n", command);
    else
        fputs("; see 'bordermap --help'\n", stderr);
    return EXIT_USAGE;
}

void cli_warnings(struct bm_ctx *ctx)
{
    for (size_t i = 0; i < bm_ctx_warning_count(ctx); i++)
        fprintf(stderr, "bordermap: warning: %s\n", bm_ctx_warning(ctx, i));
    bm_ctx_clear_warnings(ctx);
}

int cli_parse_format(const char *s, enum cli_format *out)
{
    static const char *const names[] = {"table", "csv", "json"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum cli_format)i;
            return 0;
        }
    return -1;
}

size_t display_width(const char *s)
{
    size_t w = 0;
    if (!s || !g_utf8_validate(s, -1, NULL))
        return s ? strlen(s) : 0;
    for (; *s; s = g_utf8_next_char(s)) {
        gunichar c = g_utf8_get_char(s);
        GUnicodeType t = g_unichar_type(c);
        /* As wcwidth(): non-spacing and enclosing marks take no cell; a spacing
         * mark (Burmese vowel sign E, U+1031) takes one. */
        if (g_unichar_iszerowidth(c) || t == G_UNICODE_NON_SPACING_MARK ||
            t == G_UNICODE_ENCLOSING_MARK)
            continue;
        w += g_unichar_iswide(c) ? 2 : 1;
    }
    return w;
}

void table_init(struct cli_table *t, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->right = calloc(ncols, sizeof *t->right);
}

int table_add(struct cli_table *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        char **p = realloc(t->cells, cap * t->ncols * sizeof *p);
        if (!p)
            return -1;
        t->cells = p;
        t->cap = cap;
    }
    char **row = t->cells + t->nrows * t->ncols;
    for (size_t j = 0; j < t->ncols; j++)
        row[j] = g_strdup(cells[j] ? cells[j] : "");
    t->nrows++;
    return 0;
}

void table_print(const struct cli_table *t, FILE *out)
{
    size_t *width = calloc(t->ncols, sizeof *width);
    if (!width)
        return;
    for (size_t i = 0; i < t->nrows; i++)
        for (size_t j = 0; j < t->ncols; j++) {
            size_t w = display_width(t->cells[i * t->ncols + j]);
            if (w > width[j])
                width[j] = w;
        }
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t j = 0; j < t->ncols; j++) {
            const char *c = t->cells[i * t->ncols + j];
            size_t pad = width[j] - display_width(c);
            int last = j + 1 == t->ncols;
            if (t->right && t->right[j])
                fprintf(out, "%*s%s", (int)pad, "", c);
            else if (last)
                fputs(c, out);
            else
                fprintf(out, "%s%*s", c, (int)pad, "");
            fputs(last ? "\n" : "  ", out);
        }
    }
    free(width);
}

void table_free(struct cli_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        g_free(t->cells[i]);
    free(t->cells);
    free(t->right);
    memset(t, 0, sizeof *t);
}

void csv_field(FILE *out, const char *s, int last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
    fputc(last ? '\n' : ',', out);
}

void json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void group_digits(char *buf, size_t size, unsigned long long n)
{
    char raw[32];
    int len = snprintf(raw, sizeof raw, "%llu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
}

int cli_bad_option(const char *command, int c, char **argv)
{
    const char *option = argv[optind - 1];
    if (c == ':')
        return cli_usage(command, "option '%s' needs a value", option);
    return cli_usage(command, "unknown option '%s'", option);
}
