/*
 * bordermap internal: what the drawing files share while one map is drawn.
 * All page measures are points (1/72 in); the PNG surface is scaled so that
 * drawing code never sees pixels.
 */
#ifndef BM_RENDER_H
#define BM_RENDER_H

#include <cairo.h>
#include <pango/pangocairo.h>
#include <proj.h>

#include "bordermap/layer.h"
#include "core/buf.h"
#include "map/map.h"

/* A rectangle on the page, pt. */
struct bm__rect {
    double x, y, w, h;
};

/* The map frame: where the extent lands on the page, and how. */
struct bm__frame {
    struct bm__rect page;  /* the whole page */
    struct bm__rect map;   /* the map frame inside the margins */
    double res;            /* pt per device pixel: simplify below this */
    PJ *pj;                /* lon/lat -> projected metres (east, north) */
    double x0, y0;         /* projected coordinates of the frame's top-left corner */
    double k;              /* pt per projected metre */
    struct bm_bbox extent; /* the map's extent, degrees */
    char crs[512];         /* the map's CRS: a PROJ string or code */
};

/* Labels and furniture claim rectangles; later ones must not overlap them. */
struct bm__claims {
    struct bm__buf rects; /* struct bm__rect */
};

/* What was drawn, for the legend: one entry per layer or rule that showed. */
struct bm__legend_entry {
    const char *text;
    struct bm_style style; /* merged style of that entry */
    enum bm_geom_type type;
};

struct bm__drawn {
    struct bm__legend_entry e[64];
    size_t n;
};

/* The state of one drawing. */
struct bm__render {
    struct bm_ctx *ctx;
    const struct bm_map *map;
    cairo_t *cr;
    struct bm__frame f;
    struct bm__claims claims;
    struct bm__drawn drawn;
    struct bm_layer **layers; /* loaded, one per map layer (NULL when not drawn) */
    double **page_xy;         /* each loaded layer's points on the page */
    unsigned char **skip;     /* per layer: features not drawn (events with bad dates), or NULL */
    struct bm_bbox view;      /* the frame's extent in degrees (>= the map's extent) */
    double scalebar_km, scalebar_pt; /* what the scale bar shows, for checking */
    GPtrArray *strings;              /* texts made while drawing, freed at the end */
    double *scratch;                 /* simplification scratch: points, flags, stack */
    unsigned char *keep;
    size_t *stack;
    size_t scratch_cap;
};

/*
 * Expand a text template for feature feat of loaded layer L: "{length}" is
 * the feature's geodesic length, "{layer_length}" the layer's, "{FIELD}" a
 * field's value; e.g. "{name} · {length}". The result is owned by r.
 */
const char *bm__expand(struct bm__render *r, const char *tmpl, const struct bm_layer *L,
                       size_t feat);

/* Project n lon/lat points in place to page points. Unprojectable ones become NaN. */
void bm__to_page(const struct bm__frame *f, double *xy, size_t n);

/* One lon/lat point to the page. Returns 0, or -1 when it cannot be projected. */
int bm__point_to_page(const struct bm__frame *f, double lon, double lat, double *x, double *y);

/* The style a feature gets: the layer's with each matching rule on top. */
void bm__feature_style(const struct bm_map_layer *ml, const struct bm_layer *L, size_t feat,
                       struct bm_style *out, const char **legend);

void bm__set_color(cairo_t *cr, struct bm_color c, double opacity);

/* Claims: does r overlap any claim? Add one. */
int bm__claims_hit(const struct bm__claims *c, struct bm__rect r);
int bm__claims_add(struct bm__claims *c, struct bm__rect r);

/* Is b inside the map frame, at least margin from its edges, and unclaimed? */
int bm__rect_free(const struct bm__render *r, struct bm__rect b, double margin);

/* A Pango layout of text in font at size pt (caller unrefs). */
PangoLayout *bm__text_layout(cairo_t *cr, const char *text, const char *font, double size);

/* Draw a layout at (x, y) (its top-left) with a halo of width pt around the glyphs. */
void bm__draw_text(cairo_t *cr, PangoLayout *lay, double x, double y, struct bm_color color,
                   struct bm_color halo, double halo_width);

/* Write an RGB24 image surface to path as PNG at dpi. Returns 0, or -1. */
int bm__write_png(cairo_surface_t *s, const char *path, double dpi);

/* Write an RGB24 image surface to path as a GeoTIFF with geotransform g and CRS crs.
 * Returns 0, or -1 with a message on ctx. */
int bm__write_geotiff(struct bm_ctx *ctx, cairo_surface_t *s, const char *path, const double *g,
                      const char *crs);

/* Append metres as kilometres with grouped digits and one decimal: "2,188.6" (+ " km"). */
void bm__km_text(GString *out, double metres, int unit);

/* Draw map m on a vector surface's page through cr (points, origin top-left). 0 or -1. */
int bm__draw_page(struct bm_ctx *ctx, const struct bm_map *m, cairo_t *cr);

/* The page size of a map, points. */
void bm__map_page_size(const struct bm_map *m, double *w, double *h);

/* The parts of drawing, in order. */
int bm__draw_layers(struct bm__render *r);
int bm__draw_annotations_under(struct bm__render *r);
void bm__draw_graticule(struct bm__render *r);
/* Labels of priority 1 and 2 when first is set (and all markers claimed), else the rest. */
int bm__draw_labels(struct bm__render *r, int first);
void bm__draw_annotations_over(struct bm__render *r);
void bm__draw_furniture(struct bm__render *r);

#endif
