/* bordermap: the output formats, one row each (see formats.h and bordermap/format.h). */
#include "bordermap/format.h"
#include "out/formats.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

/* ---- how each format's file is made ---------------------------------------- */

/* The pixels of a raster surface: mapped by us, unmapped with the surface. */
struct pixels {
    void *data;
    size_t len;
};

static void unmap_pixels(void *p)
{
    struct pixels *px = p;
    munmap(px->data, px->len);
    free(px);
}

/*
 * GeoTIFF draws into a whole page of pixels (cairo's xRGB words), written out
 * by its writer (a PNG is played back in bands: png_surface). A page at 300 dpi is 35 MB: in 4 KiB pages the kernel takes 8,500
 * page faults to hand it over (a seventh of a reference map's time), in
 * transparent huge pages (MADV_HUGEPAGE, where the kernel allows it) 17.
 * Fresh anonymous memory reads as zeros, as cairo's own surface would.
 */
static cairo_surface_t *raster_surface(const struct bm__output *o)
{
    /* The frame alone has alpha (transparent where nothing is drawn: zeros, too). */
    cairo_format_t fmt = o->alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24;
    int stride = cairo_format_stride_for_width(fmt, o->w_px);
    struct pixels *px = malloc(sizeof *px);
    size_t len = stride > 0 && o->h_px > 0 ? (size_t)stride * (size_t)o->h_px : 0;
    void *data = px && len >= (2u << 20) && len < SIZE_MAX / 2
                     ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                     : MAP_FAILED;
    if (data == MAP_FAILED) { /* small, or no mapping: cairo's own */
        free(px);
        return cairo_image_surface_create(fmt, o->w_px, o->h_px);
    }
#ifdef MADV_HUGEPAGE
    madvise(data, len, MADV_HUGEPAGE);
#endif
    *px = (struct pixels){data, len};
    static const cairo_user_data_key_t key;
    cairo_surface_t *s = cairo_image_surface_create_for_data(data, fmt, o->w_px, o->h_px, stride);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_set_user_data(s, &key, px, unmap_pixels) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        unmap_pixels(px);
        return cairo_image_surface_create(fmt, o->w_px, o->h_px);
    }
    return s;
}

/*
 * PNG: the map is recorded, and played back into a band of pixels at a time
 * as it is written (png.c), so that a 300 dpi page never needs its 35 MB at
 * once. The bands come out as the page would have: each operation is played
 * into a band clipped to the band's rows (edges at a band's first and last
 * rows may differ by a few levels: cairo clips them there).
 */
static cairo_surface_t *png_surface(const struct bm__output *o)
{
    cairo_rectangle_t page = {0, 0, o->w_px, o->h_px};
    return cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &page);
}

/* Vector formats: cairo writes the file as it draws, through its descriptor (never by name). */
cairo_status_t bm__cairo_write(void *closure, const unsigned char *data, unsigned int length)
{
    /* A failed write is kept on the file (its err, told by bm__output_close), and cairo is
     * told all is well: cairo 1.16's PDF surface, told of a write error while it writes an
     * image, aborts in cairo_surface_finish (an assertion in _cairo_array_index_const; the
     * report with the relief on a full disk). Later writes are dropped. */
    bm__output_write(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *pdf_surface(const struct bm__output *o)
{
    cairo_surface_t *s =
        cairo_pdf_surface_create_for_stream(bm__cairo_write, o->file, o->w_pt, o->h_pt);
    if (o->title)
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, o->title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "bordermap");
    return s;
}

static void pdf_page_size(cairo_surface_t *s, double w_pt, double h_pt)
{
    cairo_pdf_surface_set_size(s, w_pt, h_pt);
}

/* ---- the table --------------------------------------------------------------- */

static const char *const PNG_EXT[] = {"png", NULL}, *const PDF_EXT[] = {"pdf", NULL},
                         *const SVG_EXT[] = {"svg", NULL}, *const TIF_EXT[] = {"tif", "tiff", NULL},
                         *const TIF_ALIAS[] = {"geotiff", NULL}, *const NONE[] = {NULL};

/* Row i is format i (enum bm_format), in the order lists show. */
static const struct bm__format FORMATS[] = {
    {{BM_FORMAT_PNG, "png", PNG_EXT, NONE, "PNG image", true, false, false},
     png_surface,
     NULL,
     bm__write_png},
    {{BM_FORMAT_PDF, "pdf", PDF_EXT, NONE, "PDF document (vector, text kept as text)", false, false,
      true},
     pdf_surface,
     pdf_page_size,
     NULL},
    {{BM_FORMAT_SVG, "svg", SVG_EXT, NONE, "SVG drawing (vector, text as <text>)", false, false,
      false},
     bm__svg_surface,
     NULL,
     bm__write_svg},
    {{BM_FORMAT_GEOTIFF, "tif", TIF_EXT, TIF_ALIAS,
      "GeoTIFF image (with its CRS; RGBA for the frame alone)", true, true, false},
     raster_surface,
     NULL,
     bm__write_geotiff},
};
static const size_t NFORMATS = sizeof FORMATS / sizeof FORMATS[0];

const struct bm__format *bm__format(enum bm_format f)
{
    return (size_t)f < NFORMATS ? &FORMATS[f] : NULL;
}

/* ---- looking formats up ------------------------------------------------------ */

size_t bm_format_count(void)
{
    return NFORMATS;
}

const struct bm_format_info *bm_format_at(size_t i)
{
    return i < NFORMATS ? &FORMATS[i].info : NULL;
}

const struct bm_format_info *bm_format_get(enum bm_format f)
{
    const struct bm__format *row = bm__format(f);
    return row ? &row->info : NULL;
}

static int listed(const char *const *names, const char *name)
{
    for (size_t i = 0; names && names[i]; i++)
        if (strcasecmp(names[i], name) == 0)
            return 1;
    return 0;
}

const struct bm_format_info *bm_format_from_name(const char *name)
{
    for (size_t i = 0; name && i < NFORMATS; i++) {
        const struct bm_format_info *f = &FORMATS[i].info;
        if (strcasecmp(f->name, name) == 0 || listed(f->extensions, name) ||
            listed(f->aliases, name))
            return f;
    }
    return NULL;
}

const struct bm_format_info *bm_format_from_path(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    const char *dot = path ? strrchr(slash ? slash : path, '.') : NULL;
    for (size_t i = 0; dot && i < NFORMATS; i++)
        if (listed(FORMATS[i].info.extensions, dot + 1))
            return &FORMATS[i].info;
    return NULL;
}

char *bm_format_list(char *buf, size_t size, const char *prefix, bool raster_only)
{
    size_t n = 0, total = 0, len = 0;
    for (size_t i = 0; i < NFORMATS; i++)
        total += !raster_only || FORMATS[i].info.raster;
    if (size > 0)
        buf[0] = 0;
    for (size_t i = 0; i < NFORMATS && size > 0; i++) {
        if (raster_only && !FORMATS[i].info.raster)
            continue;
        const char *sep = n == 0 ? "" : n + 1 == total ? " or " : ", ";
        int w = snprintf(buf + len, size - len, "%s%s%s", sep, prefix ? prefix : "",
                         FORMATS[i].info.name);
        if (w < 0 || (size_t)w >= size - len) {
            buf[len] = 0; /* cut after the last name that fits whole */
            break;
        }
        len += (size_t)w;
        n++;
    }
    return buf;
}
