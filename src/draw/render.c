/* bordermap: drawing a map: the page, the projection, the output file. */
#include "bordermap/map.h"
#include "core/internal.h"
#include "map/map.h"
#include "draw/render.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MM (72.0 / 25.4)  /* points per millimetre */
#define MAX_SIDE_PX 20000 /* a PNG side beyond this is refused before any allocation */
#define MAX_PIXELS 250e6  /* 1 GB of pixels */

/* ---- shared helpers -------------------------------------------------- */

void bm__to_page(const struct bm__frame *f, double *xy, size_t n)
{
    proj_trans_generic(f->pj, PJ_FWD, xy, 2 * sizeof(double), n, xy + 1, 2 * sizeof(double), n,
                       NULL, 0, 0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y) || x == HUGE_VAL) {
            xy[2 * i] = xy[2 * i + 1] = NAN;
            continue;
        }
        xy[2 * i] = f->map.x + (x - f->x0) * f->k;
        xy[2 * i + 1] = f->map.y + (f->y0 - y) * f->k;
    }
}

int bm__point_to_page(const struct bm__frame *f, double lon, double lat, double *x, double *y)
{
    double xy[2] = {lon, lat};
    bm__to_page(f, xy, 1);
    *x = xy[0];
    *y = xy[1];
    return isfinite(*x) && isfinite(*y) ? 0 : -1;
}

void bm__set_color(cairo_t *cr, struct bm_color c, double opacity)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a * opacity);
}

static int overlaps(struct bm__rect a, struct bm__rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

int bm__claims_hit(const struct bm__claims *c, struct bm__rect r)
{
    for (size_t i = 0; i < BM__BUF_COUNT(&c->rects, struct bm__rect); i++)
        if (overlaps(BM__BUF_AT(&c->rects, struct bm__rect, i), r))
            return 1;
    return 0;
}

int bm__rect_free(const struct bm__render *r, struct bm__rect b, double margin)
{
    const struct bm__rect *f = &r->f.map;
    return b.x >= f->x + margin && b.y >= f->y + margin && b.x + b.w <= f->x + f->w - margin &&
           b.y + b.h <= f->y + f->h - margin && !bm__claims_hit(&r->claims, b);
}

int bm__claims_add(struct bm__claims *c, struct bm__rect r)
{
    return bm__buf_append(&c->rects, &r, sizeof r);
}

PangoLayout *bm__text_layout(cairo_t *cr, const char *text, const char *font, double size)
{
    PangoLayout *lay = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(font ? font : "Noto Sans");
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(lay, text, -1);
    return lay;
}

void bm__draw_text(cairo_t *cr, PangoLayout *lay, double x, double y, struct bm_color color,
                   struct bm_color halo, double halo_width)
{
    cairo_save(cr);
    cairo_move_to(cr, x, y);
    if (halo.a > 0 && halo_width > 0) {
        pango_cairo_layout_path(cr, lay);
        bm__set_color(cr, halo, 1);
        cairo_set_line_width(cr, 2 * halo_width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_move_to(cr, x, y);
    }
    bm__set_color(cr, color, 1);
    pango_cairo_show_layout(cr, lay);
    cairo_restore(cr);
}

/* ---- projection and frame -------------------------------------------- */

static PJ *make_projection(struct bm_ctx *ctx, const struct bm_map *m, char *def, size_t size)
{
    const struct bm_bbox *e = &m->extent;
    if (!m->projection || strcmp(m->projection, "auto") == 0) {
        /* Lambert conformal conic, standard parallels at 1/6 and 5/6 of the
         * extent: scale error under 1 % over 20 degrees of latitude, and
         * conformal, so the scale bar and the north arrow hold locally. */
        double dlat = e->north - e->south;
        snprintf(def, size,
                 "+proj=lcc +lat_1=%.6f +lat_2=%.6f +lat_0=%.6f +lon_0=%.6f +datum=WGS84 "
                 "+units=m +type=crs",
                 e->south + dlat / 6, e->north - dlat / 6, (e->south + e->north) / 2,
                 (e->west + e->east) / 2);
    } else {
        snprintf(def, size, "%s", m->projection);
    }
    PJ_CONTEXT *pc = bm__proj(ctx);
    PJ *raw = proj_create_crs_to_crs(pc, "EPSG:4326", def, NULL);
    PJ *pj = raw ? proj_normalize_for_visualization(pc, raw) : NULL;
    proj_destroy(raw);
    if (!pj)
        bm__fail(ctx, BM_ERR_RENDER, "cannot set up the projection '%s' for '%s'", def, m->path);
    return pj;
}

/* Fit the extent, projected, into the map frame: the frame's shape wins, centred. */
static int fit_extent(struct bm__frame *f)
{
    const struct bm_bbox *e = &f->extent;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (int i = 0; i <= 64; i++) {
        double t = i / 64.0;
        double pts[8] = {e->west + t * (e->east - e->west),
                         e->south,
                         e->west + t * (e->east - e->west),
                         e->north,
                         e->west,
                         e->south + t * (e->north - e->south),
                         e->east,
                         e->south + t * (e->north - e->south)};
        proj_trans_generic(f->pj, PJ_FWD, pts, 2 * sizeof(double), 4, pts + 1, 2 * sizeof(double),
                           4, NULL, 0, 0, NULL, 0, 0);
        for (int k = 0; k < 4; k++) {
            if (!isfinite(pts[2 * k]) || !isfinite(pts[2 * k + 1]) || pts[2 * k] == HUGE_VAL)
                continue;
            xmin = fmin(xmin, pts[2 * k]);
            xmax = fmax(xmax, pts[2 * k]);
            ymin = fmin(ymin, pts[2 * k + 1]);
            ymax = fmax(ymax, pts[2 * k + 1]);
        }
    }
    if (!(xmax > xmin && ymax > ymin))
        return -1;
    f->k = fmin(f->map.w / (xmax - xmin), f->map.h / (ymax - ymin));
    f->x0 = (xmin + xmax) / 2 - f->map.w / (2 * f->k);
    f->y0 = (ymin + ymax) / 2 + f->map.h / (2 * f->k);
    return 0;
}

static double title_block_height(const struct bm_map *m)
{
    double h = 0;
    if (m->title)
        h += 22;
    if (m->subtitle || m->date)
        h += 14;
    return h > 0 ? h + 6 : 0;
}

static int setup_frame(struct bm__render *r, double dpi, int raster)
{
    const struct bm_map *m = r->map;
    struct bm__frame *f = &r->f;
    double margin = 8 * MM;
    f->page = (struct bm__rect){0, 0, m->page_w_mm * MM, m->page_h_mm * MM};
    double top = margin + title_block_height(m), bottom = margin + (m->furniture.credits ? 12 : 0);
    /* Room outside the frame for the graticule's degree labels. */
    double gl = m->furniture.graticule_step > 0 && m->furniture.graticule_labels ? 12 : 0;
    f->map = (struct bm__rect){margin + gl, top + gl, f->page.w - 2 * margin - 2 * gl,
                               f->page.h - top - bottom - 2 * gl};
    /* Simplify to a device pixel; for vector output to 0.5 pt (0.18 mm), with the
     * Douglas-Peucker tolerance half that: finer than print shows. */
    f->res = raster ? 72.0 / dpi : 0.5;
    f->extent = m->extent;
    f->pj = make_projection(r->ctx, m, f->crs, sizeof f->crs);
    if (!f->pj)
        return -1;
    if (fit_extent(f) != 0) {
        bm__fail(r->ctx, BM_ERR_RENDER,
                 "the extent of '%s' cannot be drawn in its projection; choose another "
                 "projection or extent",
                 m->path);
        return -1;
    }
    return 0;
}

/* ---- output ----------------------------------------------------------- */

static enum bm_status check_not_an_input(struct bm_ctx *ctx, const struct bm_map *m,
                                         const char *path)
{
    if (bm__same_file(path, m->path))
        return bm__fail(ctx, BM_ERR_IO,
                        "will not write '%s': it is the recipe; choose another "
                        "output name",
                        path);
    for (size_t i = 0; i < m->nlayers; i++)
        if (m->layers[i].source && bm__same_file(path, m->layers[i].source))
            return bm__fail(ctx, BM_ERR_IO,
                            "will not write '%s': it is the source of layer '%s'; choose another "
                            "output name",
                            path, m->layers[i].name);
    return BM_OK;
}

static enum bm_status check_size(struct bm_ctx *ctx, const struct bm_map *m, enum bm_format format,
                                 int *w, int *h)
{
    int raster = format == BM_FORMAT_PNG || format == BM_FORMAT_GEOTIFF;
    double wpx = m->page_w_mm / 25.4 * (raster ? m->dpi : 72);
    double hpx = m->page_h_mm / 25.4 * (raster ? m->dpi : 72);
    if (!(wpx >= 1 && hpx >= 1) || wpx > MAX_SIDE_PX || hpx > MAX_SIDE_PX || wpx * hpx > MAX_PIXELS)
        return bm__fail(ctx, BM_ERR_RENDER,
                        "a page of %.0f x %.0f mm at %.0f dpi is %.0f x %.0f pixels, more than "
                        "bordermap draws (%d per side, %.0f million in all); lower the dpi or "
                        "the page size",
                        m->page_w_mm, m->page_h_mm, m->dpi, wpx, hpx, MAX_SIDE_PX,
                        MAX_PIXELS / 1e6);
    *w = (int)ceil(wpx);
    *h = (int)ceil(hpx);
    return BM_OK;
}

static cairo_surface_t *make_surface(enum bm_format format, const char *tmp, int w, int h,
                                     const struct bm_map *m)
{
    double wpt = m->page_w_mm * MM, hpt = m->page_h_mm * MM;
    if (format == BM_FORMAT_PDF) {
        cairo_surface_t *s = cairo_pdf_surface_create(tmp, wpt, hpt);
        if (m->title)
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, m->title);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "bordermap");
        return s;
    }
    if (format == BM_FORMAT_SVG)
        return cairo_svg_surface_create(tmp, wpt, hpt);
    return cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h); /* PNG, GeoTIFF */
}

/* One line of the title block, cut with an ellipsis (and a warning) where it is wider
 * than the map frame, so that it never runs off the page. */
static void title_line(struct bm__render *r, const char *text, const char *font, double size,
                       double y, struct bm_color ink)
{
    PangoLayout *t = bm__text_layout(r->cr, text, font, size);
    double x = 8 * MM;
    pango_layout_set_width(t, (int)((r->f.map.x + r->f.map.w - x) * PANGO_SCALE));
    pango_layout_set_ellipsize(t, PANGO_ELLIPSIZE_END);
    char clip[64];
    if (pango_layout_is_ellipsized(t))
        bm__warn(r->ctx, "the line '%s' is wider than the map and was cut; shorten it",
                 bm__clip(text, clip, sizeof clip));
    bm__draw_text(r->cr, t, x, y, ink, (struct bm_color){0, 0, 0, 0}, 0);
    g_object_unref(t);
}

static void title_block(struct bm__render *r)
{
    const struct bm_map *m = r->map;
    double y = 8 * MM;
    if (m->title) {
        title_line(r, m->title, "Noto Sans Bold", 16, y, (struct bm_color){0.1, 0.1, 0.1, 1});
        y += 22;
    }
    if (m->subtitle || m->date) {
        char *line = g_strdup_printf("%s%s%s", m->subtitle ? m->subtitle : "",
                                     m->subtitle && m->date ? " · " : "", m->date ? m->date : "");
        title_line(r, line, "Noto Sans", 10, y, (struct bm_color){0.3, 0.3, 0.3, 1});
        g_free(line);
    }
}

static int draw_map(struct bm__render *r)
{
    cairo_t *cr = r->cr;
    const struct bm__frame *f = &r->f;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    title_block(r);
    /* Everything geographic is clipped to the frame. */
    cairo_save(cr);
    cairo_rectangle(cr, f->map.x, f->map.y, f->map.w, f->map.h);
    cairo_clip(cr);
    bm__set_color(cr, r->map->background, 1);
    cairo_paint(cr);
    int bad = bm__draw_layers(r) != 0 || bm__draw_annotations_under(r) != 0;
    if (!bad)
        bm__draw_graticule(r);
    cairo_restore(cr);
    if (bad)
        return -1;
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, f->map.x, f->map.y, f->map.w, f->map.h);
    cairo_stroke(cr);
    /* Furniture first, so that labels keep clear of it; then the main labels, the
     * callouts around them, and the other labels around both. */
    bm__draw_furniture(r);
    bm__draw_labels(r, 1);
    bm__draw_annotations_over(r);
    return bm__draw_labels(r, 0);
}

static void free_render(struct bm__render *r)
{
    for (size_t i = 0; i < r->map->nlayers; i++) {
        if (r->layers)
            bm_layer_free(r->layers[i]);
        if (r->page_xy)
            free(r->page_xy[i]);
        if (r->skip)
            free(r->skip[i]);
    }
    free(r->skip);
    free(r->layers);
    free(r->page_xy);
    if (r->strings)
        g_ptr_array_free(r->strings, TRUE);
    free(r->scratch);
    free(r->keep);
    free(r->stack);
    bm__buf_free(&r->claims.rects);
    proj_destroy(r->f.pj);
}

void bm__map_page_size(const struct bm_map *m, double *w, double *h)
{
    *w = m->page_w_mm * MM;
    *h = m->page_h_mm * MM;
}

int bm__draw_page(struct bm_ctx *ctx, const struct bm_map *m, cairo_t *cr)
{
    struct bm__render r = {.ctx = ctx, .map = m, .cr = cr};
    r.layers = calloc(m->nlayers + 1, sizeof *r.layers);
    int bad = !r.layers || setup_frame(&r, 72, 0) != 0 || draw_map(&r) != 0;
    free_render(&r);
    return bad ? -1 : 0;
}

enum bm_status bm_map_render(struct bm_ctx *ctx, const struct bm_map *m, enum bm_format format,
                             const char *path)
{
    return bm_map_render_info(ctx, m, format, path, NULL);
}

enum bm_status bm_map_render_info(struct bm_ctx *ctx, const struct bm_map *m, enum bm_format format,
                                  const char *path, struct bm_render_info *info)
{
    bm__begin(ctx);
    int w = 0, h = 0, raster = format == BM_FORMAT_PNG || format == BM_FORMAT_GEOTIFF;
    if (check_size(ctx, m, format, &w, &h) != BM_OK || check_not_an_input(ctx, m, path) != BM_OK)
        return bm_ctx_status(ctx);
    char tmp[PATH_MAX];
    if (bm__output_begin(ctx, path, tmp, sizeof tmp) != BM_OK)
        return bm_ctx_status(ctx);
    struct bm__render r = {.ctx = ctx, .map = m};
    r.layers = calloc(m->nlayers + 1, sizeof *r.layers);
    cairo_surface_t *s = make_surface(format, tmp, w, h, m);
    int bad = !r.layers || cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    if (!bad) {
        r.cr = cairo_create(s);
        if (raster)
            cairo_scale(r.cr, m->dpi / 72, m->dpi / 72);
        bad = setup_frame(&r, m->dpi, raster) != 0 || draw_map(&r) != 0;
        cairo_destroy(r.cr);
    }
    double g[6] = {0, 1, 0, 0, 0, -1};
    if (!bad && raster) {
        /* Pixel (col, row) -> page point (col, row) * 72 / dpi -> projected metres. */
        double px = 72 / m->dpi / r.f.k;
        g[0] = r.f.x0 - r.f.map.x / r.f.k;
        g[1] = px;
        g[3] = r.f.y0 + r.f.map.y / r.f.k;
        g[5] = -px;
    }
    if (!bad && format == BM_FORMAT_PNG)
        bad = bm__write_png(s, tmp, m->dpi) != 0;
    else if (!bad && format == BM_FORMAT_GEOTIFF)
        bad = bm__write_geotiff(ctx, s, tmp, g, r.f.crs) != 0;
    cairo_surface_finish(s);
    bad = bad || cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
    if (info && !bad) {
        memset(info, 0, sizeof *info);
        info->scale_km = r.scalebar_km;
        info->scale_pt = r.scalebar_pt;
        info->pt_per_metre = r.f.k;
        PJ_COORD c =
            proj_coord(r.f.x0 + r.f.map.w / (2 * r.f.k), r.f.y0 - r.f.map.h / (2 * r.f.k), 0, 0);
        PJ_COORD gc = proj_trans(r.f.pj, PJ_INV, c);
        info->centre_lon = gc.xy.x;
        info->centre_lat = gc.xy.y;
        memcpy(info->geotransform, g, sizeof g);
        snprintf(info->crs, sizeof info->crs, "%s", r.f.crs);
    }
    cairo_surface_destroy(s);
    free_render(&r);
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        if (bm_ctx_status(ctx) == BM_OK)
            bm__fail(ctx, BM_ERR_IO,
                     "cannot write '%s'; check the disk has room and the folder "
                     "is writable",
                     path);
        return bm_ctx_status(ctx);
    }
    return BM_OK;
}
