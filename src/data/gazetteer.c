/* bordermap: the gazetteer and name matching in three scripts. */
#include "bordermap/gazetteer.h"
#include "bordermap/layer.h"
#include "core/buf.h"
#include "core/internal.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

enum { NNAMES = 3 }; /* English, Chinese, Burmese */

struct entry {
    struct bm_place place;
    char *key[NNAMES]; /* match keys (see make_key), NULL for an empty name */
};

struct bm_gazetteer {
    struct bm_layer *layer; /* owns the strings the places point to */
    struct entry *entries;
    size_t count;
};

static const char *const FIELDS[] = {"name",   "name_zh", "name_my",    "kind",   "country",
                                     "admin1", "rank",    "in_article", "source", NULL};

/* Characters a user may type or leave out at will: spaces, hyphens, dashes, apostrophes, dots. */
static int is_ignorable(gunichar c)
{
    return c == ' ' || c == '-' || c == '\'' || c == '.' || c == 0x2013 || c == 0x2014 ||
           c == 0x2019 || c == 0x00A0 || c == 0x200B;
}

/*
 * The key a name is matched by: compatibility-decomposed (Burmese and CJK
 * text arrives composed in different ways; full-width Latin becomes plain),
 * accents dropped from Latin letters only (Burmese vowel signs are marks
 * too, and carry meaning), recomposed, case-folded, without ignorable
 * characters. NULL for an empty key or invalid UTF-8. Free with g_free().
 */
static char *make_key(const char *s)
{
    if (!s || !g_utf8_validate(s, -1, NULL))
        return NULL;
    char *nfkd = g_utf8_normalize(s, -1, G_NORMALIZE_NFKD);
    if (!nfkd)
        return NULL;
    GString *kept = g_string_sized_new(strlen(nfkd));
    GUnicodeScript base = G_UNICODE_SCRIPT_COMMON;
    for (const char *r = nfkd; *r; r = g_utf8_next_char(r)) {
        gunichar c = g_utf8_get_char(r);
        if (is_ignorable(c))
            continue;
        if (g_unichar_type(c) == G_UNICODE_NON_SPACING_MARK && base == G_UNICODE_SCRIPT_LATIN)
            continue; /* Kēng Tung matches Keng Tung */
        if (g_unichar_type(c) != G_UNICODE_NON_SPACING_MARK)
            base = g_unichar_get_script(c);
        g_string_append_unichar(kept, c);
    }
    g_free(nfkd);
    char *nfc = g_utf8_normalize(kept->str, -1, G_NORMALIZE_NFC);
    g_string_free(kept, TRUE);
    char *fold = nfc ? g_utf8_casefold(nfc, -1) : NULL;
    g_free(nfc);
    if (fold && !fold[0]) {
        g_free(fold);
        fold = NULL;
    }
    return fold;
}

static const char *text_or_empty(const struct bm_layer *L, size_t feat, int field)
{
    const char *s = field >= 0 ? bm_layer_attr(L, feat, (size_t)field) : NULL;
    /* The reference data marks a name no source confirmed; show it as unknown. */
    return (s && strcmp(s, "unconfirmed") != 0) ? s : "";
}

static int by_priority(const void *a, const void *b)
{
    const struct bm_place *p = &((const struct entry *)a)->place;
    const struct bm_place *q = &((const struct entry *)b)->place;
    if (p->rank != q->rank)
        return p->rank < q->rank ? -1 : 1;
    return strcmp(p->name, q->name);
}

static void fill_entry(struct entry *e, const struct bm_layer *L, size_t i, const int *idx)
{
    const struct bm_feature *f = bm_layer_feature(L, i);
    const double *xy = bm_layer_xy(L) + 2 * bm_layer_parts(L)[f->first_part].first;
    struct bm_place *p = &e->place;
    p->name = text_or_empty(L, i, idx[0]);
    p->name_zh = text_or_empty(L, i, idx[1]);
    p->name_my = text_or_empty(L, i, idx[2]);
    p->kind = text_or_empty(L, i, idx[3]);
    p->country = text_or_empty(L, i, idx[4]);
    p->admin1 = text_or_empty(L, i, idx[5]);
    p->source = text_or_empty(L, i, idx[8]);
    p->lon = xy[0];
    p->lat = xy[1];
    double v = 9;
    p->rank = bm_layer_attr_double(L, i, (size_t)idx[6], &v) ? (int)v : 9;
    v = 0;
    p->in_article = bm_layer_attr_double(L, i, (size_t)idx[7], &v) && v != 0;
    const char *names[NNAMES] = {p->name, p->name_zh, p->name_my};
    for (int k = 0; k < NNAMES; k++)
        e->key[k] = make_key(names[k]);
}

enum bm_status bm_gazetteer_load(struct bm_ctx *ctx, const char *path, struct bm_gazetteer **out)
{
    char shipped[4096];
    *out = NULL;
    if (!path) {
        bm__begin(ctx);
        if (bm_ctx_data_path(ctx, "shapes/places/places.shp", shipped, sizeof shipped) != BM_OK)
            return bm_ctx_status(ctx);
        path = shipped;
    }
    struct bm_load_opts opts = {.fields = FIELDS};
    struct bm_layer *L;
    enum bm_status st = bm_layer_load(ctx, path, &opts, &L);
    if (st != BM_OK)
        return st;
    if (bm_layer_feature_count(L) > 0 && bm_layer_geom_type(L) != BM_GEOM_POINT) {
        bm_layer_free(L);
        return bm__fail(ctx, BM_ERR_GEOMETRY, "'%s' is not a point layer; a gazetteer needs points",
                        path);
    }
    struct bm_gazetteer *gz = calloc(1, sizeof *gz);
    size_t n = bm_layer_feature_count(L);
    if (!gz || !(gz->entries = calloc(n ? n : 1, sizeof *gz->entries))) {
        free(gz);
        bm_layer_free(L);
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory loading '%s'", path);
    }
    gz->layer = L;
    int idx[9];
    for (int k = 0; k < 9; k++)
        idx[k] = bm_layer_field_index(L, FIELDS[k]);
    for (size_t i = 0; i < n; i++)
        if (bm_layer_feature(L, i)->type == BM_GEOM_POINT)
            fill_entry(&gz->entries[gz->count++], L, i, idx);
    qsort(gz->entries, gz->count, sizeof *gz->entries, by_priority);
    *out = gz;
    return BM_OK;
}

void bm_gazetteer_free(struct bm_gazetteer *gz)
{
    if (!gz)
        return;
    for (size_t i = 0; i < gz->count; i++)
        for (int k = 0; k < NNAMES; k++)
            g_free(gz->entries[i].key[k]);
    free(gz->entries);
    bm_layer_free(gz->layer);
    free(gz);
}

size_t bm_gazetteer_count(const struct bm_gazetteer *gz)
{
    return gz->count;
}

const struct bm_place *bm_gazetteer_place(const struct bm_gazetteer *gz, size_t i)
{
    return i < gz->count ? &gz->entries[i].place : NULL;
}

/* ---- matching ---------------------------------------------------------- */

static int match_of(const struct entry *e, const char *key)
{
    size_t n = strlen(key);
    int best = 0;
    for (int k = 0; k < NNAMES; k++) {
        if (!e->key[k])
            continue;
        if (strcmp(e->key[k], key) == 0)
            return BM_MATCH_EXACT;
        if (strncmp(e->key[k], key, n) == 0)
            best = BM_MATCH_PREFIX;
    }
    return best;
}

/* Edit distance between two keys, in code points. */
static size_t edit_distance(const char *a, const char *b)
{
    glong na, nb;
    gunichar *ua = g_utf8_to_ucs4_fast(a, -1, &na);
    gunichar *ub = g_utf8_to_ucs4_fast(b, -1, &nb);
    size_t *row = g_new(size_t, (gsize)nb + 1);
    for (glong j = 0; j <= nb; j++)
        row[j] = (size_t)j;
    for (glong i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = (size_t)i;
        for (glong j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t cost = diag + (ua[i - 1] != ub[j - 1]);
            size_t del = up + 1, ins = row[j - 1] + 1;
            row[j] = cost < del ? (cost < ins ? cost : ins) : (del < ins ? del : ins);
            diag = up;
        }
    }
    size_t d = row[nb];
    g_free(row);
    g_free(ua);
    g_free(ub);
    return d;
}

struct suggestion {
    size_t distance;
    size_t order; /* priority order, to break ties (qsort is not stable) */
    const char *name;
};

static int by_distance(const void *a, const void *b)
{
    const struct suggestion *p = a, *q = b;
    if (p->distance != q->distance)
        return p->distance < q->distance ? -1 : 1;
    return p->order < q->order ? -1 : p->order > q->order;
}

/* "no place named ...; closest: A, B, C": the unknown-name message. */
static enum bm_status fail_unknown(struct bm_ctx *ctx, const struct bm_gazetteer *gz,
                                   const char *query, const char *key)
{
    struct suggestion *s = calloc(gz->count ? gz->count : 1, sizeof *s);
    if (!s)
        return bm__fail(ctx, BM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < gz->count; i++) {
        const struct entry *e = &gz->entries[i];
        const char *names[NNAMES] = {e->place.name, e->place.name_zh, e->place.name_my};
        s[i].distance = (size_t)-1;
        s[i].order = i;
        s[i].name = e->place.name;
        for (int k = 0; k < NNAMES; k++) {
            if (!e->key[k])
                continue;
            size_t d = edit_distance(key, e->key[k]);
            if (d < s[i].distance) {
                s[i].distance = d;
                s[i].name = names[k];
            }
        }
    }
    qsort(s, gz->count, sizeof *s, by_distance);
    struct bm__buf list = {0};
    for (size_t i = 0; i < gz->count && i < 3; i++)
        bm__buf_printf(&list, "%s%s", i ? ", " : "", s[i].name);
    char clip[96];
    enum bm_status st = bm__fail(
        ctx, BM_ERR_PLACE_UNKNOWN,
        "no place named '%s' in the gazetteer; closest: %s; 'bordermap places' lists all",
        bm__clip(query, clip, sizeof clip), list.data ? list.data : "(the gazetteer is empty)");
    bm__buf_free(&list);
    free(s);
    return st;
}

enum bm_status bm_gazetteer_find(struct bm_ctx *ctx, const struct bm_gazetteer *gz,
                                 const char *query, struct bm_place_match *out, size_t max,
                                 size_t *count)
{
    bm__begin(ctx);
    *count = 0;
    if (!query || !g_utf8_validate(query, -1, NULL))
        return bm__fail(ctx, BM_ERR_ARG, "the place name is not valid UTF-8 text");
    char *key = make_key(query);
    if (!key)
        return bm__fail(ctx, BM_ERR_ARG, "empty place name; give a name such as Ruili or 瑞丽");
    size_t n = 0;
    for (int want = BM_MATCH_EXACT; want <= BM_MATCH_PREFIX; want++)
        for (size_t i = 0; i < gz->count && n < max; i++)
            if (match_of(&gz->entries[i], key) == want) {
                out[n].place = &gz->entries[i].place;
                out[n].match = (enum bm_match)want;
                n++;
            }
    enum bm_status st = BM_OK;
    if (n == 0) {
        /* max may be 0 for a pure existence test: look once more without a limit. */
        int any = 0;
        for (size_t i = 0; i < gz->count && !any; i++)
            any = match_of(&gz->entries[i], key) != 0;
        if (!any)
            st = fail_unknown(ctx, gz, query, key);
    }
    g_free(key);
    *count = n;
    return st;
}

enum bm_status bm_gazetteer_lookup(struct bm_ctx *ctx, const struct bm_gazetteer *gz,
                                   const char *name, const struct bm_place **out)
{
    struct bm_place_match m[4];
    size_t n;
    *out = NULL;
    enum bm_status st = bm_gazetteer_find(ctx, gz, name, m, 4, &n);
    if (st != BM_OK)
        return st;
    if (n == 1 || m[0].match == BM_MATCH_EXACT) {
        *out = m[0].place;
        return BM_OK;
    }
    struct bm__buf list = {0};
    for (size_t i = 0; i < n && i < 3; i++)
        bm__buf_printf(&list, "%s%s", i ? ", " : "", m[i].place->name);
    st = bm__fail(ctx, BM_ERR_PLACE_UNKNOWN,
                  "'%s' could be several places (%s%s); give the full name", name,
                  list.data ? list.data : "", n > 3 ? ", ..." : "");
    bm__buf_free(&list);
    return st;
}
