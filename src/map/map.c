/*
 * bordermap: the map object: its defaults, its limits, its setters, and
 * what turns a recipe's words into values (places, page sizes, paths),
 * shared by the recipe reader (recipe.c) and the program.
 */
#include "bordermap/gazetteer.h"
#include "bordermap/map.h"
#include "bordermap/measure.h"
#include "core/internal.h"
#include "map/map.h"

#include <geodesic.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

const struct bm_bbox BM__DEFAULT_EXTENT = {91.5, 9.5, 106.5, 29.5};

/* ---- create and free ----------------------------------------------------- */

struct bm_map *bm__map_new(const char *path)
{
    struct bm_map *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->path = bm__strdup(path);
    m->projection = bm__strdup("auto");
    m->page_w_mm = 297; /* A4 landscape */
    m->page_h_mm = 210;
    m->dpi = BM_DPI_DEFAULT;
    m->background = (struct bm_color){0xdf / 255.0, 0xe9 / 255.0, 0xf2 / 255.0, 1};
    m->extent = BM__DEFAULT_EXTENT;
    m->furniture.legend = BM_CORNER_BOTTOM_LEFT;
    m->furniture.scalebar = BM_CORNER_BOTTOM_RIGHT;
    m->furniture.north_arrow = BM_CORNER_TOP_RIGHT;
    m->furniture.inset = BM_CORNER_NONE;
    m->furniture.graticule_labels = 1;
    m->output.frame_only = -1;
    m->output.svg_text = BM_SVG_TEXT;
    if (!m->path || !m->projection) {
        bm_map_free(m);
        return NULL;
    }
    return m;
}

static void free_label(struct bm_label *l)
{
    free(l->field);
    free(l->field_zh);
    free(l->field_my);
    free(l->font);
    free(l->rank_field);
    free(l->text);
}

static void free_layer(struct bm_map_layer *L)
{
    free(L->name);
    free(L->source);
    free(L->layer);
    free(L->where);
    free(L->date_field);
    free(L->date_from);
    free(L->date_to);
    free(L->size_field);
    free(L->credit);
    free(L->raster.ramp);
    free(L->raster.clip);
    for (size_t i = 0; i < L->nrules; i++) {
        struct bm_rule *r = &L->rules[i];
        free(r->field);
        for (size_t j = 0; j < r->nvalues; j++)
            free(r->values[j]);
        free(r->values);
        free(r->legend);
    }
    free(L->rules);
    free_label(&L->label);
    free(L->legend);
}

void bm_map_free(struct bm_map *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->nlayers; i++)
        free_layer(&map->layers[i]);
    free(map->layers);
    for (size_t i = 0; i < map->nannotations; i++) {
        struct bm_annotation *a = &map->annotations[i];
        free(a->text);
        free(a->label);
        free(a->label2);
        free(a->layer);
    }
    free(map->annotations);
    free(map->furniture.credits);
    free(map->path);
    free(map->title);
    free(map->subtitle);
    free(map->date);
    free(map->projection);
    free(map);
}

/* ---- extent --------------------------------------------------------------- */

int bm__box_ok(const struct bm_bbox *b)
{
    return isfinite(b->west) && isfinite(b->east) && isfinite(b->south) && isfinite(b->north) &&
           b->west >= -180 && b->east <= 180 && b->south >= -90 && b->north <= 90 &&
           b->west < b->east && b->south < b->north;
}

/*
 * The box around the geodesic circle of radius_km on WGS84: the circle is
 * walked in 1-degree steps of azimuth (the direct problem, longitudes
 * unrolled so a circle across the antimeridian stays in one piece before
 * the box is clamped to -180..180). The widest longitude falls between two
 * steps by at most r (1 - cos 0.5 deg), under 4e-5 of the radius. A circle
 * over a pole reaches that pole and spans every longitude.
 */
struct bm_bbox bm__around_box(double lat, double lon, double radius_km)
{
    struct geod_geodesic g = bm__wgs84();
    double s = radius_km * 1000, d;
    struct bm_bbox b = {lon, lat, lon, lat};
    for (int azi = 0; azi < 360; azi++) {
        double lat2, lon2;
        geod_gendirect(&g, lat, lon, azi, GEOD_LONG_UNROLL, s, &lat2, &lon2, NULL, NULL, NULL, NULL,
                       NULL, NULL);
        b.west = fmin(b.west, lon2);
        b.east = fmax(b.east, lon2);
        b.south = fmin(b.south, lat2);
        b.north = fmax(b.north, lat2);
    }
    for (int pole = -90; pole <= 90; pole += 180) {
        geod_inverse(&g, lat, lon, pole, lon, &d, NULL, NULL);
        if (d <= s) {
            b.west = -180;
            b.east = 180;
            *(pole > 0 ? &b.north : &b.south) = pole;
        }
    }
    b.west = fmax(b.west, -180);
    b.east = fmin(b.east, 180);
    return b;
}

/* ---- page ------------------------------------------------------------------ */

struct page_size {
    const char *name;
    double w, h; /* mm, portrait */
};

static const struct page_size PAGE_SIZES[] = {
    {"A0", 841, 1189},         {"A1", 594, 841}, {"A2", 420, 594},         {"A3", 297, 420},
    {"A4", 210, 297},          {"A5", 148, 210}, {"Letter", 215.9, 279.4}, {"Legal", 215.9, 355.6},
    {"Tabloid", 279.4, 431.8}, {NULL, 0, 0}};

static int page_in_range(double w, double h)
{
    return w >= BM_PAGE_MM_MIN && w <= BM_PAGE_MM_MAX && h >= BM_PAGE_MM_MIN && h <= BM_PAGE_MM_MAX;
}

int bm__page_size(const char *text, double *w, double *h, int *named)
{
    *named = 0;
    for (const struct page_size *s = PAGE_SIZES; s->name; s++)
        if (strcasecmp(text, s->name) == 0) {
            *w = s->w;
            *h = s->h;
            *named = 1;
            return 0;
        }
    char *end;
    double a = g_ascii_strtod(text, &end);
    if (end == text || (*end != 'x' && *end != 'X') || !g_ascii_isdigit(end[1]))
        return -1;
    const char *second = end + 1;
    double b = g_ascii_strtod(second, &end);
    if (end == second || strcmp(end, "mm") != 0 || !isfinite(a) || !isfinite(b))
        return -1;
    if (!page_in_range(a, b))
        return -2;
    *w = a;
    *h = b;
    return 0;
}

/*
 * Named sizes are portrait and turn landscape unless told otherwise (a map
 * is wider than tall); a "WxHmm" size is taken as written unless an
 * orientation is given.
 */
void bm__page_orient(double *w, double *h, int named, int orientation)
{
    int landscape = orientation == 1 || (orientation == -1 && named);
    int turn = orientation == -1 && !named ? 0 : (landscape ? *w < *h : *w > *h);
    if (turn) {
        double t = *w;
        *w = *h;
        *h = t;
    }
}

enum bm_status bm_parse_page_size(struct bm_ctx *ctx, const char *text, double *width_mm,
                                  double *height_mm)
{
    bm__begin(ctx);
    double w, h;
    int named;
    int r = text ? bm__page_size(text, &w, &h, &named) : -1;
    if (r == -2)
        return bm__fail(ctx, BM_ERR_ARG,
                        "page size '%s' is out of range; expected each side from %d to %d mm", text,
                        BM_PAGE_MM_MIN, BM_PAGE_MM_MAX);
    if (r != 0)
        return bm__fail(ctx, BM_ERR_ARG,
                        "bad page size '%s'; expected A4, A3, Letter or WxHmm such as 300x200mm",
                        text ? text : "");
    *width_mm = w;
    *height_mm = h;
    return BM_OK;
}

/* ---- setters --------------------------------------------------------------- */

enum bm_status bm_map_set_extent(struct bm_ctx *ctx, struct bm_map *map, const struct bm_bbox *box)
{
    bm__begin(ctx);
    if (!map || !box)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_extent: no map or no box");
    if (!bm__box_ok(box))
        return bm__fail(ctx, BM_ERR_ARG,
                        "bad extent %g,%g,%g,%g; expected west,south,east,north in degrees with "
                        "-180 <= west < east <= 180 and -90 <= south < north <= 90",
                        box->west, box->south, box->east, box->north);
    map->extent = *box;
    return BM_OK;
}

enum bm_status bm_map_set_around(struct bm_ctx *ctx, struct bm_map *map, double lat, double lon,
                                 double radius_km)
{
    bm__begin(ctx);
    if (!map)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_around: no map");
    if (!(fabs(lat) <= 90 && fabs(lon) <= 180))
        return bm__fail(ctx, BM_ERR_ARG,
                        "bad centre %g,%g; expected latitude -90..90 and longitude -180..180", lat,
                        lon);
    if (!(radius_km >= BM_RADIUS_KM_MIN && radius_km <= BM_RADIUS_KM_MAX))
        return bm__fail(ctx, BM_ERR_ARG, "bad radius %g km; expected %d to %d km", radius_km,
                        BM_RADIUS_KM_MIN, BM_RADIUS_KM_MAX);
    map->extent = bm__around_box(lat, lon, radius_km);
    return BM_OK;
}

enum bm_status bm_map_set_page(struct bm_ctx *ctx, struct bm_map *map, double width_mm,
                               double height_mm)
{
    bm__begin(ctx);
    if (!map)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_page: no map");
    if (!page_in_range(width_mm, height_mm))
        return bm__fail(ctx, BM_ERR_ARG,
                        "bad page size %gx%g mm; expected each side from %d to %d mm", width_mm,
                        height_mm, BM_PAGE_MM_MIN, BM_PAGE_MM_MAX);
    map->page_w_mm = width_mm;
    map->page_h_mm = height_mm;
    return BM_OK;
}

enum bm_status bm_map_set_page_size(struct bm_ctx *ctx, struct bm_map *map, const char *text)
{
    bm__begin(ctx);
    if (!map)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_page_size: no map");
    double w, h;
    int named;
    if (!text || bm__page_size(text, &w, &h, &named) != 0)
        return bm_parse_page_size(ctx, text, &w, &h); /* its message */
    bm__page_orient(&w, &h, named, -1);
    return bm_map_set_page(ctx, map, w, h);
}

enum bm_status bm_map_set_dpi(struct bm_ctx *ctx, struct bm_map *map, double dpi)
{
    bm__begin(ctx);
    if (!map)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_dpi: no map");
    if (!(dpi >= BM_DPI_MIN && dpi <= BM_DPI_MAX))
        return bm__fail(ctx, BM_ERR_ARG, "bad resolution %g dpi; expected %d to %d", dpi,
                        BM_DPI_MIN, BM_DPI_MAX);
    map->dpi = dpi;
    return BM_OK;
}

enum bm_status bm_map_set_svg_text(struct bm_ctx *ctx, struct bm_map *map, enum bm_svg_text how)
{
    bm__begin(ctx);
    if (!map)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_svg_text: no map");
    if (how != BM_SVG_TEXT && how != BM_SVG_OUTLINES)
        return bm__fail(ctx, BM_ERR_ARG, "bad SVG text %d; expected text or outlines", (int)how);
    map->output.svg_text = how;
    return BM_OK;
}

enum bm_status bm_map_set_frame_only(struct bm_ctx *ctx, struct bm_map *map, int frame_only)
{
    bm__begin(ctx);
    if (!map)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_frame_only: no map");
    if (frame_only < -1 || frame_only > 1)
        return bm__fail(ctx, BM_ERR_ARG, "bad frame_only %d; expected 1, 0 or -1", frame_only);
    map->output.frame_only = frame_only;
    return BM_OK;
}

enum bm_status bm_map_set_dates(struct bm_ctx *ctx, struct bm_map *map, const char *from,
                                const char *to)
{
    bm__begin(ctx);
    if ((from && !bm__is_iso_date(from)) || (to && !bm__is_iso_date(to)))
        return bm__fail(ctx, BM_ERR_ARG, "bad date '%s'; expected YYYY-MM-DD, e.g. 2023-11-16",
                        from && !bm__is_iso_date(from) ? from : to);
    if (from && to && strcmp(from, to) > 0)
        return bm__fail(ctx, BM_ERR_ARG,
                        "the dates run backwards: %s is after %s; give the earlier date first",
                        from, to);
    for (size_t i = 0; i < map->nlayers; i++) {
        struct bm_map_layer *L = &map->layers[i];
        if (!L->date_field)
            continue;
        char *f = from ? bm__strdup(from) : NULL, *t = to ? bm__strdup(to) : NULL;
        if ((from && !f) || (to && !t)) {
            free(f);
            free(t);
            return bm__fail(ctx, BM_ERR_NOMEM, "out of memory setting dates");
        }
        if (from) {
            free(L->date_from);
            L->date_from = f;
        }
        if (to) {
            free(L->date_to);
            L->date_to = t;
        }
    }
    return BM_OK;
}

enum bm_status bm_map_set_title(struct bm_ctx *ctx, struct bm_map *map, const char *title)
{
    bm__begin(ctx);
    if (!map)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_set_title: no map");
    if (title && !g_utf8_validate(title, -1, NULL))
        return bm__fail(ctx, BM_ERR_ARG, "the title is not valid UTF-8 text");
    char *copy = NULL;
    if (title && !(copy = bm__strdup(title)))
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory setting the title");
    free(map->title);
    map->title = copy;
    return BM_OK;
}

const char *bm_map_title(const struct bm_map *map)
{
    return map->title;
}

int bm_map_layer_source(const struct bm_map *map, const char *name, const char **source,
                        const char **where)
{
    for (size_t i = 0; i < map->nlayers; i++)
        if (strcmp(map->layers[i].name, name) == 0) {
            *source = map->layers[i].source;
            *where = map->layers[i].where;
            return 0;
        }
    return -1;
}

const char *bm_map_layer_in_source(const struct bm_map *map, const char *name)
{
    for (size_t i = 0; i < map->nlayers; i++)
        if (strcmp(map->layers[i].name, name) == 0)
            return map->layers[i].layer;
    return NULL;
}

/* ---- places ---------------------------------------------------------------- */

int bm__place(struct bm_ctx *ctx, struct bm_gazetteer **gz, const char *text, double *lat,
              double *lon)
{
    const char *c = text + strspn(text, " ");
    if ((*c >= '0' && *c <= '9') || *c == '-' || *c == '+' || *c == '.')
        return bm_parse_latlon(ctx, text, lat, lon) == BM_OK ? 0 : 1;
    if (!*gz && bm_gazetteer_load(ctx, NULL, gz) != BM_OK)
        return -1; /* the data, not the text, is at fault */
    const struct bm_place *place;
    if (bm_gazetteer_lookup(ctx, *gz, text, &place) != BM_OK)
        return 1;
    *lat = place->lat;
    *lon = place->lon;
    return 0;
}

/* ---- paths ----------------------------------------------------------------- */

/* "PG:dbname=x", "WFS:http://...", "/vsizip/...": passed to GDAL as written. */
int bm__is_connection(const char *s)
{
    if (strncmp(s, "/vsi", 4) == 0)
        return 1;
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
    /* Two letters at least: "C:" would be a drive, not a driver. */
    return n >= 2 && s[n] == ':' && g_ascii_isalpha(s[0]);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *bm__folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return g_strdup(".");
    if (slash == path)
        return g_strdup("/");
    return g_strndup(path, (size_t)(slash - path));
}

/*
 * An absolute path to a file that exists: its folder resolved (so ".."
 * and a relative recipe path disappear), its own name kept, since a
 * shapefile's sidecars live beside the name given, not beside a link's target.
 */
static char *absolute(const char *file)
{
    char *dir = bm__folder_of(file);
    char *real = dir ? realpath(dir, NULL) : NULL;
    const char *slash = strrchr(file, '/');
    char *out = real ? g_strconcat(real, "/", slash ? slash + 1 : file, NULL) : NULL;
    free(real);
    g_free(dir);
    return out;
}

static int found(const char *file, char **out)
{
    char *abs = absolute(file);
    *out = abs ? bm__strdup(abs) : NULL;
    g_free(abs);
    return *out ? 0 : -1;
}

int bm__source_path(struct bm_ctx *ctx, const char *recipe, const char *text, char **out)
{
    *out = NULL;
    if (bm__is_connection(text)) {
        *out = bm__strdup(text);
        return *out ? 0 : -1;
    }
    if (text[0] == '/')
        return exists(text) ? found(text, out) : 1;
    char *dir = bm__folder_of(recipe);
    char *here = dir ? g_strconcat(dir, "/", text, NULL) : NULL;
    char *root = g_strconcat(bm_ctx_data_root(ctx), "/", text, NULL);
    int r;
    if (!here || !root)
        r = -1;
    else if (exists(here))
        r = found(here, out);
    else if (exists(root))
        r = found(root, out);
    else
        r = 1;
    g_free(here);
    g_free(root);
    g_free(dir);
    return r;
}
