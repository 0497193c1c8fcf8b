/*
 * bordermap: SVG with real text. cairo's SVG surface writes every glyph as
 * an outline (a <use> of a glyph path), so a label can be neither found nor
 * edited. Here cairo still draws everything else, into memory; the canvas
 * (draw/canvas.c) records each text as an SVG <text> element and draws, in
 * its place, a marker: a rectangle over the text's box, filled with a
 * colour that numbers the text and an opacity nothing else uses
 * (BM__SVG_MARK_ALPHA). cairo writes the marker where the text was drawn,
 * in drawing order and inside the same clip, so swapping each marker for
 * its element puts the text in z-order: above what was drawn before it and
 * under what came after. A marker cairo did not write (its box wholly
 * clipped away) is a text nobody would have seen.
 */
#include "draw/canvas.h"
#include "out/formats.h"

#include <cairo-svg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static cairo_status_t to_memory(void *closure, const unsigned char *data, unsigned int length)
{
    return bm__buf_append(closure, data, length) == 0 ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_NO_MEMORY;
}

cairo_surface_t *bm__svg_surface(const struct bm__output *o)
{
    if (!o->svg_texts) /* outlines: cairo writes the file as it draws */
        return cairo_svg_surface_create_for_stream(bm__cairo_write, o->file, o->w_pt, o->h_pt);
    return cairo_svg_surface_create_for_stream(to_memory, o->svg_stream, o->w_pt, o->h_pt);
}

/* One byte of a colour as cairo writes it, "39.215686%": 0..255, or -1. */
static int percent_byte(const char *s, const char **end)
{
    char *e;
    double v = strtod(s, &e);
    if (e == s || *e != '%' || !(v >= 0 && v <= 100))
        return -1;
    *end = e + 1;
    return (int)lround(v * 2.55);
}

/*
 * The text a marker at [from, to) of the SVG numbers: its index among the
 * recorded texts, or -1 when the element is no marker of ours.
 */
static long marker_index(const char *from, const char *to, size_t ntexts)
{
    const char *rgb = strstr(from, "fill:rgb(");
    if (!rgb || rgb > to)
        return -1;
    const char *p = rgb + strlen("fill:rgb(");
    long index = 0;
    for (int i = 0; i < 3; i++) {
        int v = percent_byte(p, &p);
        if (v < 0 || (i < 2 && *p++ != ','))
            return -1;
        index = index << 8 | v;
    }
    return (size_t)index < ntexts ? index : -1;
}

int bm__write_svg(const struct bm__output *o, cairo_surface_t *s)
{
    if (!o->svg_texts)
        return 0;
    /* cairo writes the document when the surface is finished. */
    cairo_surface_finish(s);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS || bm__buf_puts(o->svg_stream, "") != 0)
        return -1;
    const char *svg = o->svg_stream->data, *at = svg;
    size_t n = o->svg_texts->len;
    char *used = calloc(n + 1, 1);
    if (!used)
        return -1;
    int bad = 0;
    const char *mark;
    while (!bad && (mark = strstr(at, BM__SVG_MARK_STYLE)) != NULL) {
        /* The <path .../> element around the marker's style. */
        const char *start = mark;
        while (start > at && strncmp(start, "<path", 5) != 0)
            start--;
        const char *end = strstr(mark, "/>");
        long i = strncmp(start, "<path", 5) == 0 && end ? marker_index(start, end, n) : -1;
        if (i < 0 || used[i]) {
            size_t len = (size_t)(mark - at) + strlen(BM__SVG_MARK_STYLE);
            bad = bm__output_write(o->file, at, len) != 0;
            at += len;
            continue;
        }
        used[i] = 1;
        const char *text = g_ptr_array_index(o->svg_texts, (guint)i);
        bad = bm__output_write(o->file, at, (size_t)(start - at)) != 0 ||
              bm__output_write(o->file, text, strlen(text)) != 0;
        at = end + 2;
    }
    bad = bad || bm__output_write(o->file, at, strlen(at)) != 0;
    free(used);
    return bad ? -1 : 0;
}
