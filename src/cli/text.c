/* bordermap program: aligned text tables and CSV fields. */
#include "cli.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    for (size_t j = 0; j < t->ncols; j++) {
        /* No credential is shown, and data's terminal escapes show as \x1b. */
        char *shown = bm_redact(cells[j] ? cells[j] : "");
        char *safe = shown ? bm_escape(shown) : NULL;
        row[j] = g_strdup(safe ? safe : shown ? "?" : BM_REDACTED);
        free(safe);
        free(shown);
    }
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

void csv_field(FILE *out, const char *text, int last)
{
    /* No credential is shown. CSV has no escapes: a field with control characters is
     * quoted and kept as it is, except on a terminal, where they are shown escaped
     * (\x1b) rather than obeyed. */
    char *shown = bm_redact(text ? text : "");
    const char *r = shown ? shown : BM_REDACTED;
    int control = bm_has_control(r);
    char *safe = control && cli_is_terminal(out) ? bm_escape(r) : NULL;
    const char *s = safe ? safe : r;
    if (control || strpbrk(s, ",\"\n\r")) {
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
    free(safe);
    free(shown);
}
