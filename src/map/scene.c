/* bordermap: the scene: layers loaded once, keyed by what was loaded, shared by drawings. */
#include "bordermap/scene.h"
#include "core/buf.h"
#include "core/internal.h"
#include "data/raster.h"
#include "map/map.h"
#include "map/scene.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One loaded thing and the key it answers. */
struct entry {
    enum bm__scene_kind kind;
    char *source, *layer, *where, *fields; /* fields: each followed by '\n'; NULL: none */
    int whole;                             /* no bbox */
    struct bm_bbox bbox;
    enum bm_invalid_policy invalid;
    int band;      /* rasters */
    double detail; /* rasters */
    union {
        struct bm_layer *vector;   /* BM__SCENE_VECTOR */
        struct bm__raster *raster; /* BM__SCENE_RASTER */
    } data;
};

struct bm_scene {
    enum bm_scene_extent extent;
    struct bm__buf entries; /* struct entry * */
    size_t reads;
};

struct bm_scene *bm_scene_new(enum bm_scene_extent extent)
{
    struct bm_scene *s = calloc(1, sizeof *s);
    if (s)
        s->extent = extent == BM_SCENE_WHOLE ? BM_SCENE_WHOLE : BM_SCENE_VIEW;
    return s;
}

static void free_entry(struct entry *e)
{
    if (!e)
        return;
    if (e->kind == BM__SCENE_VECTOR)
        bm_layer_free(e->data.vector);
    else if (e->kind == BM__SCENE_RASTER)
        bm__raster_free(e->data.raster);
    free(e->source);
    free(e->layer);
    free(e->where);
    free(e->fields);
    free(e);
}

void bm_scene_free(struct bm_scene *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < BM__BUF_COUNT(&s->entries, struct entry *); i++)
        free_entry(BM__BUF_AT(&s->entries, struct entry *, i));
    bm__buf_free(&s->entries);
    free(s);
}

struct bm_scene *bm__scene_sibling(const struct bm_scene *s)
{
    return bm_scene_new(s->extent);
}

enum bm_status bm__scene_take(struct bm_ctx *ctx, struct bm_scene *s, struct bm_scene *from)
{
    if (bm__buf_append(&s->entries, from->entries.data, from->entries.len) != 0)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory gathering a map's layers");
    s->reads += from->reads;
    bm__buf_free(&from->entries);
    from->reads = 0;
    return BM_OK;
}

size_t bm_scene_count(const struct bm_scene *s)
{
    return BM__BUF_COUNT(&s->entries, struct entry *);
}

size_t bm_scene_reads(const struct bm_scene *s)
{
    return s->reads;
}

enum bm_scene_extent bm__scene_extent(const struct bm_scene *s)
{
    return s->extent;
}

/* ---- keys ------------------------------------------------------------------ */

/* The required fields as one string, each followed by '\n' (NULL when none). */
static char *join_fields(const char *const *fields)
{
    struct bm__buf b = {0};
    for (size_t i = 0; fields && fields[i]; i++)
        if (bm__buf_puts(&b, fields[i]) != 0 || bm__buf_puts(&b, "\n") != 0) {
            bm__buf_free(&b);
            return NULL;
        }
    return bm__buf_take(&b);
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * A source that names an existing file is keyed by its real path, so that
 * spellings of one file ("styles/../shapes/x.shp") share an entry; anything
 * else (a connection string) as given.
 */
static const char *source_key(const char *source, char *buf)
{
    return realpath(source, buf) ? buf : source;
}

static int matches(const struct entry *e, const struct bm__scene_key *k, const char *source,
                   const char *fields)
{
    const char *where = k->where && k->where[0] ? k->where : NULL;
    return e->kind == k->kind && strcmp(e->source, source) == 0 && same_text(e->layer, k->layer) &&
           same_text(e->where, where) && same_text(e->fields, fields) && e->invalid == k->invalid &&
           e->band == k->band && e->detail == k->detail && e->whole == !k->bbox &&
           (!k->bbox || (e->bbox.west == k->bbox->west && e->bbox.south == k->bbox->south &&
                         e->bbox.east == k->bbox->east && e->bbox.north == k->bbox->north));
}

static struct entry *find(const struct bm_scene *s, const struct bm__scene_key *k,
                          const char *source, const char *fields)
{
    for (size_t i = 0; i < BM__BUF_COUNT(&s->entries, struct entry *); i++) {
        struct entry *e = BM__BUF_AT(&s->entries, struct entry *, i);
        if (matches(e, k, source, fields))
            return e;
    }
    return NULL;
}

/* A new entry for k (its strings copied), data not yet set; NULL when out of memory. */
static struct entry *new_entry(const struct bm__scene_key *k, const char *source,
                               const char *fields)
{
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->kind = k->kind;
    e->source = bm__strdup(source);
    e->layer = bm__strdup(k->layer);
    e->where = k->where && k->where[0] ? bm__strdup(k->where) : NULL;
    e->fields = bm__strdup(fields);
    e->whole = !k->bbox;
    if (k->bbox)
        e->bbox = *k->bbox;
    e->invalid = k->invalid;
    e->band = k->band;
    e->detail = k->detail;
    if (!e->source || (k->layer && !e->layer) || (k->where && k->where[0] && !e->where) ||
        (fields && !e->fields)) {
        free_entry(e);
        return NULL;
    }
    return e;
}

/* ---- vector layers ------------------------------------------------------------- */

enum bm_status bm__scene_vector(struct bm_ctx *ctx, struct bm_scene *s,
                                const struct bm__scene_key *k, const struct bm_layer **out)
{
    char real[PATH_MAX];
    const char *source = source_key(k->source, real);
    char *fields = k->fields ? join_fields(k->fields) : NULL;
    *out = NULL;
    if (k->fields && !fields)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading '%s'", k->source);
    struct entry *e = find(s, k, source, fields);
    if (e) {
        free(fields);
        *out = e->data.vector;
        return BM_OK;
    }
    e = new_entry(k, source, fields);
    free(fields);
    if (!e || bm__buf_reserve(&s->entries, sizeof e) != 0) {
        free_entry(e);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading '%s'", k->source);
    }
    struct bm_load_opts o = {.layer = k->layer,
                             .layer_option = k->layer_option,
                             .where = k->where,
                             .bbox = k->bbox,
                             .fields = k->fields,
                             .invalid = k->invalid};
    s->reads++;
    enum bm_status st = bm_layer_load(ctx, k->source, &o, &e->data.vector);
    if (st != BM_OK) {
        free_entry(e);
        return st;
    }
    bm__buf_append(&s->entries, &e, sizeof e); /* room was reserved */
    *out = e->data.vector;
    return BM_OK;
}

enum bm_status bm_scene_layer(struct bm_ctx *ctx, struct bm_scene *scene, const char *path,
                              const struct bm_load_opts *opts, const struct bm_layer **out)
{
    bm__begin(ctx);
    struct bm_load_opts none = {0};
    const struct bm_load_opts *o = opts ? opts : &none;
    struct bm__scene_key k = {.kind = BM__SCENE_VECTOR,
                              .source = path,
                              .layer = o->layer,
                              .where = o->where,
                              .bbox = o->bbox,
                              .invalid = o->invalid,
                              .fields = o->fields,
                              .layer_option = o->layer_option};
    return bm__scene_vector(ctx, scene, &k, out);
}

/* ---- rasters --------------------------------------------------------------------- */

enum bm_status bm__scene_raster(struct bm_ctx *ctx, struct bm_scene *s,
                                const struct bm__scene_key *k, const struct bm__raster **out)
{
    char real[PATH_MAX];
    const char *source = source_key(k->source, real);
    *out = NULL;
    struct entry *e = find(s, k, source, NULL);
    if (e) {
        *out = e->data.raster;
        return BM_OK;
    }
    e = new_entry(k, source, NULL);
    if (!e || bm__buf_reserve(&s->entries, sizeof e) != 0) {
        free_entry(e);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading '%s'", k->source);
    }
    s->reads++;
    enum bm_status st =
        bm__raster_load(ctx, k->source, k->band, k->bbox, k->detail, &e->data.raster);
    if (st != BM_OK) {
        free_entry(e);
        return st;
    }
    bm__buf_append(&s->entries, &e, sizeof e); /* room was reserved */
    *out = e->data.raster;
    return BM_OK;
}

enum bm_status bm__scene_map_raster(struct bm_ctx *ctx, struct bm_scene *s, const struct bm_map *m,
                                    size_t li, const struct bm_bbox *view, double detail,
                                    const struct bm__raster **out)
{
    const struct bm_map_layer *ml = &m->layers[li];
    int whole = s->extent == BM_SCENE_WHOLE || !view;
    struct bm__scene_key k = {.kind = BM__SCENE_RASTER,
                              .source = ml->source,
                              .bbox = whole ? NULL : view,
                              .band = ml->raster.band,
                              .detail = whole ? 0 : detail};
    return bm__scene_raster(ctx, s, &k, out);
}

/* ---- what a map needs -------------------------------------------------------------- */

/*
 * The filter of a map layer: its own, and its date range for events (ISO
 * dates compare as text). Returns ml->where itself, or a new string in *own.
 */
static const char *map_layer_filter(const struct bm_map_layer *ml, char **own)
{
    *own = NULL;
    if (!ml->date_field || (!ml->date_from && !ml->date_to))
        return ml->where;
    struct bm__buf w = {0};
    int bad = 0;
    if (ml->where)
        bad |= bm__buf_printf(&w, "(%s)", ml->where);
    if (ml->date_from)
        bad |= bm__buf_printf(&w, "%s\"%s\" >= '%s'", w.len ? " AND " : "", ml->date_field,
                              ml->date_from);
    if (ml->date_to)
        /* A date and time on the last day (2023-11-30T08:30:00) sorts after the day. */
        bad |= bm__buf_printf(&w, "%s(\"%s\" <= '%s' OR \"%s\" LIKE '%s%%')", w.len ? " AND " : "",
                              ml->date_field, ml->date_to, ml->date_field, ml->date_to);
    if (bad) {
        bm__buf_free(&w);
        return NULL;
    }
    *own = bm__buf_take(&w);
    return *own;
}

enum bm_status bm__scene_map_layer(struct bm_ctx *ctx, struct bm_scene *s, const struct bm_map *m,
                                   size_t li, const struct bm_bbox *view,
                                   const struct bm_layer **out)
{
    const struct bm_map_layer *ml = &m->layers[li];
    char *own;
    const char *where = map_layer_filter(ml, &own);
    if (ml->date_field && (ml->date_from || ml->date_to) && !where)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading '%s'", ml->source);
    /* Validity is not checked: even-odd filling draws an invalid polygon as its
     * author drew it, and GEOS's check costs seconds on detailed countries.
     * Events are loaded whole, so that rows without coordinates are reported. */
    char how[160], clip[96];
    snprintf(how, sizeof how, "layer: in the recipe's layer '%s'",
             bm__clip(ml->name ? ml->name : "", clip, sizeof clip));
    struct bm__scene_key k = {.kind = BM__SCENE_VECTOR,
                              .source = ml->source,
                              .layer = ml->layer,
                              .where = where,
                              .bbox = ml->date_field || s->extent == BM_SCENE_WHOLE ? NULL : view,
                              .invalid = BM_INVALID_UNCHECKED,
                              .layer_option = how};
    enum bm_status st = bm__scene_vector(ctx, s, &k, out);
    free(own);
    return st;
}

enum bm_status bm__scene_world(struct bm_ctx *ctx, struct bm_scene *s, const struct bm_bbox *window,
                               const struct bm_layer **out)
{
    char path[4096];
    *out = NULL;
    if (bm_ctx_data_path(ctx, "shapes/boundaries/world_110m.shp", path, sizeof path) != BM_OK)
        return bm_ctx_status(ctx);
    struct bm__scene_key k = {.kind = BM__SCENE_VECTOR,
                              .source = path,
                              .bbox = s->extent == BM_SCENE_WHOLE ? NULL : window,
                              .invalid = BM_INVALID_UNCHECKED};
    return bm__scene_vector(ctx, s, &k, out);
}
