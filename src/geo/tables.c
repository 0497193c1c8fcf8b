/*
 * bordermap: the measure tables. The report's tables and 'bordermap measure'
 * print these rows; nothing else computes them.
 */
#include "bordermap/measure.h"
#include "core/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *bm_format_number(char *buf, size_t size, double value, int decimals)
{
    if (size == 0)
        return buf;
    decimals = decimals < 0 ? 0 : decimals > 9 ? 9 : decimals;
    double scale = pow(10, decimals), r = round(fabs(value) * scale);
    if (!(r < 1e18)) { /* NaN, infinities and numbers past 64-bit digits: plain */
        snprintf(buf, size, "%.*f", decimals, value);
        return buf;
    }
    unsigned long long all = (unsigned long long)r, unit = (unsigned long long)scale;
    unsigned long long whole = all / unit, frac = all % unit;
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", whole);
    size_t o = 0;
    /* A value that rounds to zero prints without a sign. */
    if (value < 0 && all > 0 && o + 1 < size)
        buf[o++] = '-';
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            if (o + 2 >= size)
                break;
            buf[o++] = ',';
        }
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    if (decimals > 0)
        snprintf(buf + o, size - o, ".%0*llu", decimals, frac);
    return buf;
}

/* ---- loading and text -------------------------------------------------------- */

static char *dup_or_empty(const char *s)
{
    return bm__strdup(s ? s : "");
}

/* Field `field` of feature i as text, "" when absent or null: copied, or NULL out of memory. */
static char *attr_dup(const struct bm_layer *L, size_t i, const char *field)
{
    int k = bm_layer_field_index(L, field);
    return dup_or_empty(k >= 0 ? bm_layer_attr(L, i, (size_t)k) : NULL);
}

static enum bm_status load_shipped(struct bm_ctx *ctx, const char *rel, struct bm_layer **L)
{
    char path[4096];
    /* The shipped layers were checked valid when they were built. */
    struct bm_load_opts o = {.invalid = BM_INVALID_UNCHECKED};
    *L = NULL;
    if (bm_ctx_data_path(ctx, rel, path, sizeof path) != BM_OK)
        return bm_ctx_status(ctx);
    return bm_layer_load(ctx, path, &o, L);
}

static enum bm_status no_memory(struct bm_ctx *ctx, const char *what)
{
    return bm__fail(ctx, BM_ERR_NOMEM, "out of memory measuring %s", what);
}

/* ---- the border and the corridor ----------------------------------------------- */

/*
 * The "as published" rule: a published length is quoted as precisely as it
 * was published, in kilometres, with at least one decimal (the tables'
 * precision): 133.66 -> 2, 1727 -> 1. Field values carry at most two.
 */
static int published_decimals(double km)
{
    return fabs(km * 10 - round(km * 10)) > 1e-9 ? 2 : 1;
}

static int add_stretches(struct bm_corridor_table *t, const struct bm_layer *B)
{
    size_t n = bm_layer_feature_count(B);
    t->stretches = calloc(n ? n : 1, sizeof *t->stretches);
    if (!t->stretches)
        return -1;
    t->border_path = dup_or_empty(bm_layer_path(B));
    t->border_source = n ? attr_dup(B, 0, "source") : dup_or_empty(NULL);
    t->border_name = dup_or_empty("China–Myanmar border");
    for (size_t i = 0; i < n; i++, t->nstretches++) {
        struct bm_stretch *s = &t->stretches[i];
        s->seq = attr_dup(B, i, "seq");
        s->name = attr_dup(B, i, "name");
        s->length_m = bm_feature_length(B, i);
        t->border_m += s->length_m;
        if (!s->seq || !s->name) {
            t->nstretches++;
            return -1;
        }
    }
    return t->border_path && t->border_source && t->border_name ? 0 : -1;
}

static int add_routes(struct bm_corridor_table *t, const struct bm_layer *L)
{
    size_t n = bm_layer_feature_count(L);
    struct bm_route *r = realloc(t->routes, (t->nroutes + n + 1) * sizeof *r);
    if (!r)
        return -1;
    t->routes = r;
    int pk = bm_layer_field_index(L, "publish_km");
    if (!t->routes_accuracy && n > 0 && !(t->routes_accuracy = attr_dup(L, 0, "accuracy")))
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct bm_route *x = &t->routes[t->nroutes++];
        double km = NAN;
        int has = pk >= 0 && bm_layer_attr_double(L, i, (size_t)pk, &km) && km > 0;
        *x = (struct bm_route){.name = attr_dup(L, i, "name"),
                               .kind = attr_dup(L, i, "kind"),
                               .status = attr_dup(L, i, "status"),
                               .source = attr_dup(L, i, "source"),
                               .length_m = bm_feature_length(L, i),
                               .published_m = has ? km * 1000 : NAN,
                               .published_decimals = has ? published_decimals(km) : 1};
        x->ratio = has ? x->length_m / x->published_m : NAN;
        if (!x->name || !x->kind || !x->status || !x->source)
            return -1;
    }
    return 0;
}

enum bm_status bm_corridor_table_make(struct bm_ctx *ctx, const struct bm_layer *border,
                                      const struct bm_layer *const *routes, size_t nroutes,
                                      struct bm_corridor_table **out)
{
    bm__begin(ctx);
    struct bm_corridor_table *t = calloc(1, sizeof *t);
    int bad = !t || add_stretches(t, border) != 0;
    for (size_t i = 0; !bad && i < nroutes; i++)
        bad = add_routes(t, routes[i]) != 0;
    if (!bad && !t->routes_accuracy)
        bad = !(t->routes_accuracy = dup_or_empty(NULL));
    if (bad) {
        bm_corridor_table_free(t);
        *out = NULL;
        return no_memory(ctx, "the corridor");
    }
    *out = t;
    return BM_OK;
}

enum bm_status bm_measure_corridor(struct bm_ctx *ctx, struct bm_corridor_table **out)
{
    bm__begin(ctx);
    *out = NULL;
    struct bm_layer *L[3] = {NULL, NULL, NULL};
    static const char *const rel[3] = {BM_DATA_BORDER, BM_DATA_PIPELINES, BM_DATA_RAIL};
    enum bm_status st = BM_OK;
    for (int i = 0; st == BM_OK && i < 3; i++)
        st = load_shipped(ctx, rel[i], &L[i]);
    if (st == BM_OK)
        st = bm_corridor_table_make(ctx, L[0], (const struct bm_layer *const *)L + 1, 2, out);
    for (int i = 0; i < 3; i++)
        bm_layer_free(L[i]);
    return st;
}

void bm_corridor_table_free(struct bm_corridor_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nstretches; i++) {
        free(t->stretches[i].seq);
        free(t->stretches[i].name);
    }
    for (size_t i = 0; i < t->nroutes; i++) {
        free(t->routes[i].name);
        free(t->routes[i].kind);
        free(t->routes[i].status);
        free(t->routes[i].source);
    }
    free(t->stretches);
    free(t->routes);
    free(t->border_name);
    free(t->border_path);
    free(t->border_source);
    free(t->routes_accuracy);
    free(t);
}

/* ---- the border of two countries ------------------------------------------------ */

static const char *const CODE_FIELDS[] = {"iso_a3", "adm0_a3", "a3", "iso3", NULL};

/* The shared border of q's countries in one source, into row; lines to export_path if set. */
static enum bm_status border_row(struct bm_ctx *ctx, const struct bm_border_table *t,
                                 const char *source, const char *layer, int shipped,
                                 enum bm_invalid_policy invalid, const char *export_path,
                                 struct bm_border_row *row)
{
    struct bm_layer *L, *S = NULL;
    /* Read unchecked: only the two countries need valid polygons, and GEOS's check costs
     * seconds on a detailed countries layer. */
    struct bm_load_opts lo = {.layer = layer, .invalid = BM_INVALID_UNCHECKED};
    if (bm_layer_load(ctx, source, &lo, &L) != BM_OK)
        return bm_ctx_status(ctx);
    enum bm_status st = BM_OK;
    const char *field = NULL;
    for (const char *const *f = CODE_FIELDS; !field && *f; f++)
        if (bm_layer_field_index(L, *f) >= 0)
            field = bm_layer_field_name(L, (size_t)bm_layer_field_index(L, *f));
    long fa = field ? bm_layer_find(L, field, t->a) : -1;
    long fb = field ? bm_layer_find(L, field, t->b) : -1;
    if (field && fa >= 0 && fb >= 0 && fa != fb && !shipped && invalid != BM_INVALID_UNCHECKED) {
        /* The two countries again, checked (and repaired or skipped) by the policy. The codes
         * are three letters (country_code), the field one of the layer's. */
        size_t fi = (size_t)bm_layer_field_index(L, field);
        char where[160];
        snprintf(where, sizeof where, "\"%s\" IN ('%s', '%s')", field,
                 bm_layer_attr(L, (size_t)fa, fi), bm_layer_attr(L, (size_t)fb, fi));
        struct bm_load_opts two = {.layer = layer, .where = where, .invalid = invalid};
        struct bm_layer *L2;
        if (bm_layer_load(ctx, source, &two, &L2) != BM_OK) {
            bm_layer_free(L);
            return bm_ctx_status(ctx);
        }
        int f2 = bm_layer_field_index(L2, field);
        bm_layer_free(L);
        L = L2;
        field = f2 >= 0 ? bm_layer_field_name(L, (size_t)f2) : NULL;
        fa = bm_layer_find(L, field, t->a);
        fb = bm_layer_find(L, field, t->b);
        if (fa < 0 || fb < 0) {
            bm_layer_free(L);
            return bm__fail(ctx, BM_ERR_GEOMETRY,
                            "the polygon of %s in '%s' is not valid and was skipped; use "
                            "--invalid repair",
                            fa < 0 ? t->a : t->b, source);
        }
    }
    if (!field)
        st = bm__fail(ctx, BM_ERR_FIELD,
                      "'%s' has no country code field (iso_a3, adm0_a3, a3 or iso3); give a "
                      "countries layer with ISO 3166 alpha-3 codes",
                      source);
    else if (fa < 0 || fb < 0)
        st = bm__fail(ctx, BM_ERR_ARG,
                      "no country '%s' in '%s' (field %s); use ISO 3166 alpha-3 codes such as "
                      "CHN, MMR, THA",
                      fa < 0 ? t->a : t->b, source, field);
    else if (fa == fb)
        st = bm__fail(ctx, BM_ERR_ARG, "give two different countries (got %s twice)", t->a);
    struct bm_boundary_opts bo = {t->tolerance_m, 10000, 3500};
    if (st == BM_OK)
        st = bm_shared_boundary(ctx, L, (size_t)fa, (size_t)fb, &bo, &S);
    if (st == BM_OK && bm_layer_feature_count(S) == 0)
        st = bm__fail(ctx, BM_ERR_GEOMETRY,
                      "%s and %s share no border in '%s' (no edges within %g m); check the "
                      "codes, or raise --tolerance",
                      t->a, t->b, source, t->tolerance_m);
    if (st == BM_OK) {
        row->lines = bm_layer_feature_count(S);
        for (size_t i = 0; i < row->lines; i++)
            row->length_m += bm_feature_length(S, i);
        row->path = dup_or_empty(source);
        row->code_field = dup_or_empty(field);
        if (!row->path || !row->code_field)
            st = no_memory(ctx, "a border");
    }
    if (st == BM_OK && export_path)
        st = bm_layer_write(ctx, S, export_path);
    bm_layer_free(S);
    bm_layer_free(L);
    return st;
}

/* A code as given, upper-cased into out[4]; -1 when it is not three letters. */
static int country_code(const char *in, char out[4])
{
    if (strlen(in) != 3)
        return -1;
    for (int i = 0; i < 3; i++) {
        char c = in[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return -1;
        out[i] = (char)(c >= 'a' ? c - 'a' + 'A' : c);
    }
    out[3] = '\0';
    return 0;
}

enum bm_status bm_measure_border(struct bm_ctx *ctx, const struct bm_border_query *q,
                                 struct bm_border_table **out)
{
    bm__begin(ctx);
    *out = NULL;
    const char *a = q->a ? q->a : "CHN", *b = q->b ? q->b : "MMR";
    char osm[4096], ne[4096], clip[96];
    struct bm_border_table *t = calloc(1, sizeof *t);
    if (!t)
        return no_memory(ctx, "a border");
    enum bm_status st = BM_OK;
    if (country_code(a, t->a) != 0 || country_code(b, t->b) != 0)
        st = bm__fail(ctx, BM_ERR_ARG,
                      "'%s' is not a country code; use ISO 3166 alpha-3 codes such as CHN, MMR, "
                      "THA",
                      bm__clip(country_code(a, t->a) != 0 ? a : b, clip, sizeof clip));
    t->tolerance_m = q->tolerance_m > 0 ? q->tolerance_m : 100;
    if (st == BM_OK &&
        (bm_ctx_data_path(ctx, "shapes/boundaries/countries.shp", osm, sizeof osm) != BM_OK ||
         bm_ctx_data_path(ctx, "shapes/boundaries/countries_ne10.shp", ne, sizeof ne) != BM_OK))
        st = bm_ctx_status(ctx);
    const char *sources[2] = {q->source ? q->source : osm, ne};
    const char *labels[2] = {q->source ? q->source : "OpenStreetMap (shapes/boundaries/countries)",
                             "Natural Earth 1:10m (shapes/boundaries/countries_ne10)"};
    size_t count = q->compare ? 2 : 1;
    if (st == BM_OK && !(t->rows = calloc(count, sizeof *t->rows)))
        st = no_memory(ctx, "a border");
    for (size_t i = 0; st == BM_OK && i < count; i++, t->nrows++) {
        if (!(t->rows[i].label = dup_or_empty(labels[i])))
            st = no_memory(ctx, "a border");
        else
            st = border_row(ctx, t, sources[i], i == 0 && q->source ? q->layer : NULL,
                            i > 0 || !q->source, q->invalid, i == 0 ? q->export_path : NULL,
                            &t->rows[i]);
    }
    if (st != BM_OK) {
        bm_border_table_free(t);
        return st;
    }
    *out = t;
    return BM_OK;
}

void bm_border_table_free(struct bm_border_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows; i++) {
        free(t->rows[i].label);
        free(t->rows[i].path);
        free(t->rows[i].code_field);
    }
    free(t->rows);
    free(t);
}

/* ---- legs between places ------------------------------------------------------- */

static enum bm_status add_leg(struct bm_ctx *ctx, struct bm_leg_table *t,
                              const struct bm_waypoint *p, const struct bm_waypoint *q)
{
    struct bm_geodesic g;
    if (bm_geod_inverse(ctx, p->lat, p->lon, q->lat, q->lon, &g) != BM_OK)
        return bm_ctx_status(ctx);
    struct bm_leg *l = &t->legs[t->nlegs++];
    *l = (struct bm_leg){dup_or_empty(p->name),
                         dup_or_empty(q->name),
                         p->lat,
                         p->lon,
                         q->lat,
                         q->lon,
                         g.distance,
                         g.azi1,
                         g.azi2};
    t->total_m += g.distance;
    return l->from && l->to ? BM_OK : no_memory(ctx, "distances");
}

enum bm_status bm_measure_legs(struct bm_ctx *ctx, const struct bm_waypoint *pts, size_t n,
                               enum bm_legs mode, struct bm_leg_table **out)
{
    bm__begin(ctx);
    *out = NULL;
    if (n < 2)
        return bm__fail(ctx, BM_ERR_ARG, "give at least two places to measure between, not %zu", n);
    size_t legs = mode == BM_LEGS_PAIRS ? n * (n - 1) / 2 : n - 1;
    struct bm_leg_table *t = calloc(1, sizeof *t);
    if (!t || !(t->legs = calloc(legs, sizeof *t->legs))) {
        free(t);
        return no_memory(ctx, "distances");
    }
    enum bm_status st = BM_OK;
    for (size_t i = 0; st == BM_OK && i + 1 < n; i++)
        for (size_t j = i + 1; st == BM_OK && j < (mode == BM_LEGS_PAIRS ? n : i + 2); j++)
            st = add_leg(ctx, t, &pts[i], &pts[j]);
    if (st != BM_OK) {
        bm_leg_table_free(t);
        return st;
    }
    *out = t;
    return BM_OK;
}

void bm_leg_table_free(struct bm_leg_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nlegs; i++) {
        free(t->legs[i].from);
        free(t->legs[i].to);
    }
    free(t->legs);
    free(t);
}

/* ---- any layer ------------------------------------------------------------------ */

/* The field that names features: name, name_en, label, title, else the first text field. */
static int label_field(const struct bm_layer *L)
{
    static const char *const names[] = {"name", "name_en", "label", "title", NULL};
    for (const char *const *f = names; *f; f++)
        if (bm_layer_field_index(L, *f) >= 0)
            return bm_layer_field_index(L, *f);
    for (size_t i = 0; i < bm_layer_field_count(L); i++)
        if (bm_layer_field_type(L, i) == BM_FIELD_STRING)
            return (int)i;
    return -1;
}

enum bm_status bm_measure_layer(struct bm_ctx *ctx, const struct bm_layer *L,
                                struct bm_layer_table **out)
{
    bm__begin(ctx);
    *out = NULL;
    enum bm_geom_type type = bm_layer_geom_type(L);
    size_t n = bm_layer_feature_count(L);
    if (type != BM_GEOM_LINE && type != BM_GEOM_POLYGON)
        return bm__fail(ctx, BM_ERR_GEOMETRY,
                        "'%s' has no lines or polygons to measure (%s); give a line or polygon "
                        "layer",
                        bm_layer_path(L), n ? "it holds points" : "it is empty");
    /* A layer that mixes families is measured by its highest one; say what was left out. */
    size_t count[4] = {0};
    for (size_t i = 0; i < n; i++)
        count[bm_layer_feature(L, i)->type & 3]++;
    if (count[BM_GEOM_POINT] + count[BM_GEOM_LINE] + count[BM_GEOM_POLYGON] > count[type])
        bm__warn(ctx,
                 "'%s' mixes geometry types; measured its %zu %s, left out %zu line(s) and %zu "
                 "point(s); pick features with --where, e.g. \"OGR_GEOMETRY='LINESTRING'\"",
                 bm_layer_path(L), count[type], type == BM_GEOM_POLYGON ? "polygon(s)" : "line(s)",
                 type == BM_GEOM_POLYGON ? count[BM_GEOM_LINE] : 0, count[BM_GEOM_POINT]);
    struct bm_layer_table *t = calloc(1, sizeof *t);
    if (!t || !(t->rows = calloc(count[type] ? count[type] : 1, sizeof *t->rows))) {
        free(t);
        return no_memory(ctx, bm_layer_path(L));
    }
    t->area = type == BM_GEOM_POLYGON;
    int lf = label_field(L);
    for (size_t i = 0; i < n; i++) {
        const struct bm_feature *f = bm_layer_feature(L, i);
        if (f->type != type)
            continue;
        struct bm_feature_row *r = &t->rows[t->nrows++];
        r->feature = i;
        r->fid = f->fid;
        r->name = dup_or_empty(lf >= 0 ? bm_layer_attr(L, i, (size_t)lf) : NULL);
        r->value = t->area ? bm_feature_area(L, i) : bm_feature_length(L, i);
        t->total += r->value;
        if (!r->name) {
            bm_layer_table_free(t);
            return no_memory(ctx, bm_layer_path(L));
        }
    }
    *out = t;
    return BM_OK;
}

void bm_layer_table_free(struct bm_layer_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows; i++)
        free(t->rows[i].name);
    free(t->rows);
    free(t);
}
