/*
 * bordermap internal: the output format table (formats.c) and its writers.
 *
 * A format is one row: what bordermap/format.h shows, and three functions.
 * `surface` makes the cairo surface to draw on (a vector format draws
 * straight into its file; a raster one into pixels); `page_size` changes
 * the size of the next page of a format that has pages; `write` writes the
 * drawn pixels to the file (vector formats: NULL, cairo writes them as it
 * draws). Adding a format is adding a row and its writer.
 */
#ifndef BM_FORMATS_H
#define BM_FORMATS_H

#include <cairo.h>
#include <glib.h>

#include "bordermap/context.h"
#include "bordermap/format.h"
#include "core/buf.h"
#include "core/internal.h"

/* What a format's functions get: the file and what goes in it. */
struct bm__output {
    struct bm_ctx *ctx;
    const char *path;         /* the target's name, for messages */
    struct bm__outfile *file; /* where to write: a private temporary file (output.c) */
    const char *title;        /* document title for the file's metadata, or NULL */
    double w_pt, h_pt;        /* page size, points (vector formats) */
    int w_px, h_px;           /* image size, pixels (raster formats) */
    double dpi;               /* raster resolution */
    double geotransform[6];   /* raster: GDAL's, in the map's CRS (georeferenced formats) */
    const char *crs;          /* the map's CRS (georeferenced formats) */
    int alpha;                /* raster: transparent where nothing was drawn (the frame alone) */
    GPtrArray *svg_texts;     /* SVG with real text: the canvas's <text> elements; NULL: outlines */
    struct bm__buf *svg_stream; /* ... and what cairo writes, in memory until they go in */
};

struct bm__format {
    struct bm_format_info info;
    /* A surface to draw on, or NULL; its status tells failures. */
    cairo_surface_t *(*surface)(const struct bm__output *o);
    /* Formats with pages: the size of the page that comes next, points. */
    void (*page_size)(cairo_surface_t *s, double w_pt, double h_pt);
    /* After drawing: write the file. Returns 0, or -1 (a message on o->ctx, or none for the
     * caller's "cannot write"). NULL: cairo writes it. */
    int (*write)(const struct bm__output *o, cairo_surface_t *s);
};

/* The row of format f, or NULL. */
const struct bm__format *bm__format(enum bm_format f);

/* cairo's write function for a *_create_for_stream surface: closure is a struct bm__outfile. */
cairo_status_t bm__cairo_write(void *closure, const unsigned char *data, unsigned int length);

/* The writers of the raster formats (png.c, georef.c). */
int bm__write_png(const struct bm__output *o, cairo_surface_t *s);
/* The rows of a band a PNG of this width is played back in (png.c). */
int bm__png_band_rows(int w_px, int alpha);
int bm__write_geotiff(const struct bm__output *o, cairo_surface_t *s);

/* SVG (svg.c): the surface (into memory when o->svg_texts is set, else the file), and the
 * writer that puts the <text> elements in where their markers are. */
cairo_surface_t *bm__svg_surface(const struct bm__output *o);
int bm__write_svg(const struct bm__output *o, cairo_surface_t *s);

#endif
