/*
 * bordermap internal: the canvas, the floor every drawing pass stands on.
 *
 * It holds what a page is drawn with: the cairo context, the page transform
 * (where the map's extent lands, through its projection), text (the one
 * place a Pango layout is made and shown), colour, the claims that keep
 * labels and furniture apart, and the scratch that simplifies paths to the
 * output's resolution. The passes (draw.c: layers, label.c, furniture.c,
 * annotate.c) call down into it and never into each other or render.c.
 *
 * Page measures are points (1/72 in), origin top-left; a raster surface is
 * scaled so that nothing here sees pixels.
 */
#ifndef BM_CANVAS_H
#define BM_CANVAS_H

#include <cairo.h>
#include <pthread.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <proj.h>

#include "bordermap/layer.h"
#include "bordermap/map.h"
#include "core/buf.h"
#include "map/map.h"

/*
 * fmin and fmax for the loops over every point of a layer, where the calls
 * into libm (never inlined: NaN rules) were a few percent of a map: the
 * least (greatest) of a bound so far and v; a NaN v leaves the bound, as
 * fmin/fmax do. The bound itself must not be NaN (start at +-INFINITY).
 */
static inline double bm__lo(double bound, double v)
{
    return v < bound ? v : bound;
}

static inline double bm__hi(double bound, double v)
{
    return v > bound ? v : bound;
}

/* A rectangle on the page, pt. */
struct bm__rect {
    double x, y, w, h;
};

/* What a claim is, beside its rectangle. */
struct bm__claim_note {
    enum bm_box_kind kind;
    size_t id;
    size_t text; /* offset + 1 of its text in the canvas's names, 0 for none */
};

/* The map frame: where the extent lands on the page, and how. */
struct bm__frame {
    struct bm__rect page;  /* the whole page */
    struct bm__rect map;   /* the map frame inside the margins */
    double res;            /* pt per device pixel: simplify below this */
    int pixels;            /* the page is pixels (PNG, GeoTIFF), res pt each; else vectors */
    PJ *pj;                /* lon/lat -> projected metres (east, north); owned */
    PJ *step;              /* pj's projection alone, from radians, when that is all pj does
                              after converting degrees; owned, or NULL (see bm__to_page) */
    double x0, y0;         /* projected coordinates of the frame's top-left corner */
    double k;              /* pt per projected metre */
    struct bm_bbox extent; /* the map's extent, degrees */
    struct bm_bbox view;   /* the frame's extent, degrees (>= extent when shapes differ) */
    char crs[512];         /* the map's CRS: a PROJ string or code */
};

/*
 * SVG with real text (out/svg.c): a text is recorded as an SVG <text> element
 * and drawn as a marker, a rectangle over its box whose colour numbers it,
 * at this opacity, which cairo writes as BM__SVG_MARK_STYLE and nothing else
 * bordermap draws uses.
 */
#define BM__SVG_MARK_ALPHA (1.0 / 128)
#define BM__SVG_MARK_STYLE "fill-opacity:0.0078125;\""

/* The claims by cell of the page, for bm__claims_hit() (canvas.c). */
struct bm__claim_grid {
    double x0, y0, cell;   /* the page's top-left corner and the cells' side, pt */
    int nx, ny;            /* cells across and down */
    struct bm__buf *cells; /* nx * ny lists of claim numbers (size_t); NULL: no grid */
    struct bm__buf odd;    /* claims whose box is not finite, looked at always */
    int failed;            /* out of memory once: no grid again, every claim scanned */
};

/* One page being drawn. Zero-initialise, set ctx and cr; free with bm__canvas_free(). */
struct bm__canvas {
    struct bm_ctx *ctx;
    cairo_t *cr;           /* borrowed */
    struct bm__frame f;    /* set by bm__frame_fit(); a page without a map has none */
    struct bm__buf claims; /* struct bm__rect: what labels and furniture took */
    struct bm__buf notes;  /* struct bm__claim_note: what each claim is */
    struct bm__buf names;  /* the claims' texts, NUL-terminated one after another */
    size_t next_id;        /* the last id bm__claims_id() gave */
    struct bm__claim_grid claim_grid;
    GPtrArray *strings;       /* texts made while drawing (bm__canvas_keep), freed with it */
    GHashTable *lengths;      /* layer -> its features' geodesic lengths and their sum
                                 (double *), for {length} and {layer_length} */
    GHashTable *fonts_warned; /* families not installed, warned of once a drawing */
    double *scratch;          /* simplification scratch: points, flags, stack */
    unsigned char *keep;
    size_t *stack;
    size_t scratch_cap; /* points the scratch holds */
    /* SVG with real text: each text's <text> element (char *, freed by the array, which
     * the caller owns), in the order drawn; NULL: texts are drawn as glyphs. */
    GPtrArray *svg_texts;
    GString *svg_text; /* the element being written (a group's, or one text's) */
    int svg_grouping;  /* between bm__text_group_begin() and _end() */
    struct bm_color piece_color, piece_halo; /* bm__text_piece()'s fill and halo */
    double piece_halo_width;
    double svg_box[4]; /* the element's box on the device: x0, y0, x1, y1 */
    /* A PNG is played back a band of rows at a time (png.c). band_rows: the rows of a
     * band (0: the page is drawn whole); page_rows: the page's. */
    int band_rows, page_rows;
    int hold;            /* bm__canvas_part() keeps its parts in held instead of drawing */
    int failed;          /* out of memory holding a part (the message is on ctx) */
    struct bm__buf held; /* doubles: per part, its count, closed or not, its top and
                            bottom (page y), then its points */
};

/* Free what the canvas holds (not cr). */
void bm__canvas_free(struct bm__canvas *cv);

/* ---- the page transform ---- */

/*
 * Set up the projection of f and fit f->extent into f->map: the frame's
 * shape wins, centred; then f->view. projection: "auto" or NULL for a
 * Lambert conformal conic fitted to the extent, else a PROJ string or code.
 * f->map, f->extent and f->res must be set. what names the map in messages.
 * Returns 0, or -1 with BM_ERR_RENDER on ctx.
 */
int bm__frame_fit(struct bm_ctx *ctx, struct bm__frame *f, const char *projection,
                  const char *what);

/* Project n lon/lat points in place to page points. Unprojectable ones become NaN. */
void bm__to_page(const struct bm__frame *f, double *xy, size_t n);

/* One lon/lat point to the page. Returns 0, or -1 when it cannot be projected. */
int bm__point_to_page(const struct bm__frame *f, double lon, double lat, double *x, double *y);

/* The frame's centre in degrees. */
void bm__frame_centre(const struct bm__frame *f, double *lat, double *lon);

/* The map's scale denominator at its centre: ground metres per page metre. */
double bm__frame_scale(const struct bm__frame *f);

/* ---- the page ---- */

/* Paint the whole page white. */
void bm__canvas_blank(struct bm__canvas *cv);

/* Clip to the map frame and paint it with background; bm__canvas_unclip() ends it. */
void bm__canvas_clip_map(struct bm__canvas *cv, struct bm_color background);
void bm__canvas_unclip(struct bm__canvas *cv);

/* ---- colour, paths, symbols ---- */

/* Set the source colour, its alpha multiplied by opacity (0..1). */
void bm__set_color(cairo_t *cr, struct bm_color c, double opacity);

/*
 * Reserve scratch for simplifying parts of up to n points. Returns 0, or -1
 * with BM_ERR_NOMEM on the context (what names the data in the message).
 */
int bm__canvas_reserve(struct bm__canvas *cv, size_t n, const char *what);

/*
 * Add one part of n page points (NaN: unprojectable, skipped) to the current
 * path, simplified to the output resolution; close makes it a ring, and a
 * ring smaller than two device pixels is dropped. n must fit the scratch.
 */
void bm__canvas_part(struct bm__canvas *cv, const double *xy, size_t n, int close);

/*
 * Paint a shape whose parts bm__canvas_part() held (cv->hold): paint(cr, arg)
 * fills or strokes the current path. On a banded page a shape across bands is
 * painted once for each band it reaches, clipped to the band's rows, with only
 * its points within margin (page points: half the widest stroke and more) of
 * them; played back, a band then draws its own stretch of a long border, not
 * all of it. A run of points all beyond the band on one side is cut to its
 * first and last: the cut leaves every edge that crosses the band's rows, so
 * the band's pixels are the same (a dashed stroke would not be: its dashes
 * count along the whole line, so it is painted whole, margin < 0).
 */
void bm__canvas_paint_held(struct bm__canvas *cv, double margin,
                           void (*paint)(cairo_t *cr, void *arg), void *arg);

/* Is the box of n page points wholly outside the map frame? */
int bm__canvas_outside(const struct bm__canvas *cv, const double *xy, size_t n);

/*
 * Paint an image (ARGB32, premultiplied) whose top-left corner is at (x, y)
 * and whose pixels are px pt square, through the current clip, its alpha
 * multiplied by opacity (0..1); multiply: darken what is beneath by its
 * colours (cairo's MULTIPLY operator), else paint over it. An image that is
 * not pixel for pixel on a raster page is filtered bilinearly.
 */
void bm__canvas_image(struct bm__canvas *cv, cairo_surface_t *img, double x, double y, double px,
                      double opacity, int multiply);

/* Add a marker's outline, size pt across, centred at (x, y), to the path. */
void bm__marker_path(cairo_t *cr, enum bm_marker m, double x, double y, double size);

/* ---- claims: labels and furniture keep clear of each other ---- */

/* Does r overlap any claim? */
int bm__claims_hit(const struct bm__canvas *cv, struct bm__rect r);

/*
 * Claim r for something of the given kind; text (copied, or NULL) names it
 * (see struct bm_placed_box), id groups the boxes of one label (bm__claims_id()).
 * Returns 0, or -1 when out of memory.
 */
int bm__claims_add(struct bm__canvas *cv, struct bm__rect r, enum bm_box_kind kind, size_t id,
                   const char *text);

/* A new id for the boxes of one label or piece of furniture. */
size_t bm__claims_id(struct bm__canvas *cv);

/*
 * Hand the claims, as public boxes, to the context (bm__ctx_keep_boxes()),
 * which keeps them until its next render. Returns the boxes and their count
 * in *n, or NULL (*n = 0) when out of memory.
 */
const struct bm_placed_box *bm__claims_publish(struct bm__canvas *cv, size_t *n);

/* Is b inside the map frame, at least margin from its edges, and unclaimed? */
int bm__rect_free(const struct bm__canvas *cv, struct bm__rect b, double margin);

/*
 * Does the segment (x0,y0)-(x1,y1), pt, meet the rectangle b (its edges included)?
 * Returns 1 or 0. A segment of one point meets b when the point is in it.
 */
int bm__segment_meets_rect(double x0, double y0, double x1, double y1, struct bm__rect b);

/* ---- text ---- */

/*
 * Fontconfig loaded (its configuration and font list: 26 M instructions, 2 %
 * of the reference map) and the installed families listed; once a process.
 * Any thread may call it first (a renderer's second thread does, while the
 * first loads the data); text waits for it.
 */
void bm__fonts_ready(void);

/* A Pango layout of text in font (NULL: Noto Sans) at size pt. The caller unrefs. */
PangoLayout *bm__text_layout(struct bm__canvas *cv, const char *text, const char *font,
                             double size);

/* The height of text in font (NULL: Noto Sans) at size pt, wrapped at width pt; measured
 * before any page exists (no cairo context needed). */
double bm__text_height(const char *text, const char *font, double size, double width);

/* Wrap a layout at width pt, between words. */
void bm__text_wrap(PangoLayout *lay, double width);

/* Cut a layout at width pt with an ellipsis; returns 1 when it was cut. */
int bm__text_cut(PangoLayout *lay, double width);

/* A layout's logical width and height in whole points, as Pango rounds them (either may
 * be NULL); bm__text_size_exact() unrounded. */
void bm__text_size(PangoLayout *lay, double *w, double *h);
void bm__text_size_exact(PangoLayout *lay, double *w, double *h);

/* Draw a layout at (x, y) (its top-left) with a halo of width pt around the glyphs. */
void bm__draw_text(struct bm__canvas *cv, PangoLayout *lay, double x, double y,
                   struct bm_color color, struct bm_color halo, double halo_width);

/*
 * The texts drawn between these two (with the same colour and halo) are one
 * element in an SVG with real text: a label's lines are one <text>. Elsewhere
 * they do nothing.
 */
void bm__text_group_begin(struct bm__canvas *cv);
void bm__text_group_end(struct bm__canvas *cv);

/*
 * A text set piece by piece, each piece (a cluster of glyphs: a letter, a
 * Burmese syllable) at its own place and angle, as a curved label is: in an
 * SVG with real text a <text> per piece, turned to its angle. bm__text_pieces_begin()
 * returns 0 where the canvas writes no such SVG (the caller draws the glyphs).
 * A piece: its text (len bytes), font, the start of its baseline (x, y) and
 * its angle (radians, clockwise on the page), and its width.
 */
int bm__text_pieces_begin(struct bm__canvas *cv, struct bm_color color, struct bm_color halo,
                          double halo_width);
void bm__text_piece(struct bm__canvas *cv, PangoFont *font, const char *text, size_t len, double x,
                    double y, double angle, double width);

/* Keep a text made while drawing (the GString is taken); it lives as long as the canvas. */
const char *bm__canvas_keep(struct bm__canvas *cv, GString *g);

/* Append metres as kilometres with grouped digits and one decimal: "2,188.6" (+ " km"). */
void bm__km_text(GString *out, double metres, int unit);

/*
 * Expand a text template for feature feat of layer L (may be NULL): "{length}"
 * is the feature's geodesic length, "{layer_length}" the layer's, "{FIELD}" a
 * field's value; e.g. "{name} · {length}". The result lives as long as cv.
 */
const char *bm__expand(struct bm__canvas *cv, const char *tmpl, const struct bm_layer *L,
                       size_t feat);

#endif
