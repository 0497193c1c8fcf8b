/*
 * bordermap: reading map recipes (YAML, libfyaml) into struct bm_map.
 *
 * Every section is read through its table in schema.c by one walker
 * (walk): a key's row says its kind, where its value goes and whether it
 * is required. Only keys with a syntax of their own have a reader here:
 * dash, when, source, page, extent, graticule.
 */
#include "bordermap/map.h"
#include "bordermap/raster.h"
#include "core/buf.h"
#include "core/internal.h"
#include "data/filter.h"
#include "data/source.h"
#include "map/map.h"
#include "map/schema.h"
#include "map/yaml.h"

#include <glib.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the reading state ------------------------------------------------- */

struct bm__parse {
    struct bm__yaml y; /* the document, and where messages go */
    struct bm_ctx *ctx;
    const char *path;
    struct bm_map *map;
    struct bm_gazetteer *gz; /* loaded at the first place name */
    struct bm__buf pending;  /* struct fy_node *: buffer layers, checked once all layers are read */
    struct bm__buf clips;    /* struct fy_node *: rasters' clip layers, checked likewise */
};

/* One section being read: its table, the object its keys fill, and where it is. */
struct bm__scope {
    const struct bm__section *sec;
    char what[160];                     /* for messages: "layer 'countries'" */
    char who[160];                      /* for a missing key: "layer 2 ('countries')" */
    const char *key;                    /* the key being read */
    struct fy_node *node[BM__MAX_KEYS]; /* the value of each key of the table, or NULL */
    size_t index;                       /* list item number, 0-based */
    void *obj;                          /* what the keys fill */
    struct bm_style *style;             /* what style keys fill, or NULL */
    const struct bm__scope *up;         /* the enclosing section, or NULL at the top */
};

/* Short names inside this file, for the reading state and the YAML layer's helpers. */
#define parse bm__parse
#define scope bm__scope
#define fail_at(p, ...) bm__yaml_fail(&(p)->y, __VA_ARGS__)
#define nomem(p) bm__yaml_nomem(&(p)->y)
#define show(p, text) bm__yaml_show(&(p)->y, text)
#define need(p, ...) bm__yaml_need(&(p)->y, __VA_ARGS__)
#define text_of(p, ...) bm__yaml_text(&(p)->y, __VA_ARGS__)
#define read_text(p, ...) bm__yaml_read_text(&(p)->y, __VA_ARGS__)
#define read_word(p, ...) bm__yaml_read_word(&(p)->y, __VA_ARGS__)
#define read_number(p, ...) bm__yaml_read_number(&(p)->y, __VA_ARGS__)
#define read_bool(p, ...) bm__yaml_read_bool(&(p)->y, __VA_ARGS__)
#define is_scalar bm__yaml_is_scalar
#define is_null bm__yaml_is_null
#define kind_of bm__yaml_kind

/* One of the choices (case-insensitive); *out gets its value. noun names it in messages. */
static enum bm_status read_choice(struct parse *p, struct fy_node *v, const char *key,
                                  const char *noun, const struct bm__choice *choices, int *out)
{
    struct bm__buf list = {0};
    size_t n = 0;
    while (choices[n].name)
        n++;
    bm__choice_list(&list, choices);
    if (!list.data)
        return nomem(p);
    const char *t;
    enum bm_status st = text_of(p, v, key, list.data, &t);
    for (size_t i = 0; st == BM_OK && i < n; i++)
        if (strcasecmp(t, choices[i].name) == 0) {
            *out = choices[i].value;
            bm__buf_free(&list);
            return BM_OK;
        }
    if (st == BM_OK && strcmp(noun, key) == 0)
        st = fail_at(p, v, "bad %s '%s'; expected %s", noun, show(p, t), list.data);
    else if (st == BM_OK)
        st = fail_at(p, v, "bad %s '%s' for '%s'; expected %s", noun, show(p, t), key, list.data);
    bm__buf_free(&list);
    return st;
}

static enum bm_status read_colour(struct parse *p, struct fy_node *v, const char *key,
                                  struct bm_color *out)
{
    static const char expected[] = "#rgb, #rrggbb, #rrggbbaa or a colour name such as white";
    if (is_null(v))
        /* The usual cause: fill: #efefe8 unquoted, where # starts a comment. */
        return fail_at(p, v,
                       "'%s' has no value; expected a colour in quotes such as \"#efefe8\" (an "
                       "unquoted # starts a YAML comment)",
                       key);
    const char *t;
    enum bm_status st = text_of(p, v, key, expected, &t);
    if (st != BM_OK)
        return st;
    if (bm__parse_colour(t, out) != 0)
        return fail_at(p, v, "bad colour '%s'; expected %s", show(p, t), expected);
    return BM_OK;
}

static enum bm_status read_date(struct parse *p, struct fy_node *v, const char *key, char **out)
{
    enum bm_status st = read_text(p, v, key, out);
    if (st == BM_OK && *out && !bm__is_iso_date(*out))
        return fail_at(p, v, "bad date '%s' for '%s'; expected YYYY-MM-DD, e.g. 2023-11-16",
                       show(p, *out), key);
    return st;
}

/* The gazetteer's (or the position parser's) message, placed at the node. */
static enum bm_status fail_place(struct parse *p, struct fy_node *v)
{
    char *msg = bm__strdup(bm_ctx_error(p->ctx));
    if (!msg)
        return nomem(p);
    bm_ctx_clear_error(p->ctx);
    enum bm_status st = fail_at(p, v, "%s", msg);
    free(msg);
    return st;
}

/* A gazetteer name in any script, or "lat,lon". *label gets the text as written. */
static enum bm_status read_place(struct parse *p, struct fy_node *v, const char *key, double *lat,
                                 double *lon, char **label)
{
    const char *t;
    enum bm_status st = text_of(p, v, key, "a place name such as Ruili, or lat,lon", &t);
    if (st != BM_OK)
        return st;
    int r = bm__place(p->ctx, &p->gz, t, lat, lon);
    if (r < 0)
        return bm_ctx_status(p->ctx); /* the data, not the recipe, is at fault */
    if (r > 0)
        return fail_place(p, v);
    free(*label);
    *label = bm__strdup(t);
    return *label ? BM_OK : nomem(p);
}

/* ---- the walker: a section through its table ---------------------------- */

static enum bm_status unknown_key(struct parse *p, struct fy_node *k, const char *word,
                                  const struct bm__section *sec, const char *what)
{
    struct bm__buf list = {0};
    for (size_t i = 0; i < sec->nkeys; i++)
        bm__buf_printf(&list, "%s%s", i ? ", " : "", sec->keys[i].name);
    const char *near = bm__closest_key(sec, word);
    char hint[64] = "";
    if (near)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    enum bm_status st = list.data ? fail_at(p, k, "unknown key '%s' in %s; expected one of: %s%s",
                                            show(p, word), what, list.data, hint)
                                  : nomem(p);
    bm__buf_free(&list);
    return st;
}

/* A section's scope: its object and style, named for messages by fmt. */
static struct scope sub_scope(const struct scope *up, const struct bm__section *sec, void *obj,
                              struct bm_style *style, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static struct scope sub_scope(const struct scope *up, const struct bm__section *sec, void *obj,
                              struct bm_style *style, const char *fmt, ...)
{
    struct scope c = {.sec = sec, .obj = obj, .style = style, .up = up};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c.what, sizeof c.what, fmt, ap);
    va_end(ap);
    memcpy(c.who, c.what, sizeof c.who);
    return c;
}

/* The value given for a key of the section, or NULL. */
static struct fy_node *node_of(const struct scope *s, const char *name)
{
    for (size_t i = 0; i < s->sec->nkeys; i++)
        if (strcmp(s->sec->keys[i].name, name) == 0)
            return s->node[i];
    return NULL;
}

static const struct bm__key *key_of(const struct bm__section *sec, const char *name)
{
    for (size_t i = 0; i < sec->nkeys; i++)
        if (strcmp(sec->keys[i].name, name) == 0)
            return &sec->keys[i];
    return NULL;
}

static enum bm_status read_key(struct parse *p, struct fy_node *v, const struct bm__key *k,
                               struct scope *s, const char *key);
static enum bm_status walk(struct parse *p, struct fy_node *m, struct scope *s);

/* A section's value: a scalar standing for its shorthand key, or a mapping of its keys. */
static enum bm_status read_body(struct parse *p, struct fy_node *v, struct scope *c,
                                const char *key)
{
    const struct bm__section *sec = c->sec;
    enum bm_status st;
    if (sec->shorthand && (!v || is_scalar(v))) {
        st = read_key(p, v, key_of(sec, sec->shorthand), c, key);
    } else {
        st = need(p, v, FYNT_MAPPING, key, sec->expected);
        if (st == BM_OK)
            st = walk(p, v, c);
    }
    if (st == BM_OK && sec->check)
        st = sec->check(p, v, c);
    return st;
}

static enum bm_status read_section(struct parse *p, struct fy_node *v, const struct bm__key *k,
                                   struct scope *s, const char *key)
{
    if ((k->flags & BM__NULL_OK) && is_null(v))
        return BM_OK;
    void *obj = (k->flags & BM__STYLE) ? s->obj : (char *)s->obj + k->offset;
    struct scope c = s->up ? sub_scope(s, k->sub, obj, s->style, "'%s' of %s", k->name, s->what)
                           : sub_scope(s, k->sub, obj, s->style, "'%s'", k->name);
    return read_body(p, v, &c, key);
}

/* One item of a list of variants: "- callout: {...}", its kind the one key. */
static enum bm_status read_variant(struct parse *p, struct fy_node *v, struct scope *c)
{
    const struct bm__section *sec = c->sec;
    int n = fy_node_mapping_item_count(v);
    if (n != 1) {
        struct bm__buf list = {0};
        for (size_t i = 0; i < sec->nkeys; i++)
            bm__buf_printf(&list, "%s%s", i == 0 ? "" : (i + 1 == sec->nkeys ? " or " : ", "),
                           sec->keys[i].name);
        enum bm_status st =
            list.data ? fail_at(p, v, "%s has %d keys; expected one of %s per item (- %s: {...})",
                                c->what, n, list.data, sec->keys[0].name)
                      : nomem(p);
        bm__buf_free(&list);
        return st;
    }
    struct fy_node_pair *pair = fy_node_mapping_get_by_index(v, 0);
    struct fy_node *k = fy_node_pair_key(pair);
    const char *word = is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
    size_t kind = 0;
    while (kind < sec->nkeys && strcmp(word ? word : "", sec->keys[kind].name) != 0)
        kind++;
    if (kind == sec->nkeys)
        return unknown_key(p, k, word ? word : "", sec, c->what);
    const struct bm__section *body = sec->keys[kind].sub;
    *(int *)(void *)((char *)c->obj + sec->kind_at) = (int)kind + 1;
    if (body->init && body->init(c->obj) != 0)
        return nomem(p);
    struct scope b = sub_scope(c->up, body, c->obj, c->style, "%s (%s)", word, c->what);
    struct fy_node *outer = p->y.key;
    p->y.key = k;
    enum bm_status st = read_body(p, fy_node_pair_value(pair), &b, word);
    p->y.key = outer;
    return st;
}

/* Write a name for messages into dst; a long one is cut (it only names a place in the recipe). */
static void name_to(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void name_to(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, size, fmt, ap);
    va_end(ap);
}

/* Name a list item for messages: by its naming key ("layer 'border'"), else by number. */
static void name_item(struct parse *p, struct fy_node *v, struct scope *c, size_t i)
{
    const struct bm__section *sec = c->sec;
    for (size_t k = 0; k < sec->nkeys; k++) {
        if (!(sec->keys[k].flags & BM__NAMES))
            continue;
        struct fy_node *name = fy_node_mapping_lookup_by_string(v, sec->keys[k].name, FY_NT);
        if (is_scalar(name) && !is_null(name)) {
            const char *shown = show(p, fy_node_get_scalar0(name));
            name_to(c->what, sizeof c->what, "%s '%s'", sec->item, shown);
            name_to(c->who, sizeof c->who, "%s %zu ('%s')", sec->item, i + 1, shown);
        }
        return;
    }
    /* Inside a section other than the top, an item is named as a part of it. */
    if (!(sec->flags & BM__VARIANTS) && c->up && c->up->up) {
        name_to(c->what, sizeof c->what, "%s %zu of %s", sec->item, i + 1, c->up->what);
        memcpy(c->who, c->what, sizeof c->who);
    }
}

static enum bm_status read_item(struct parse *p, struct fy_node *v, const struct bm__key *k,
                                struct scope *s, char *obj, size_t i)
{
    const struct bm__section *sec = k->sub;
    if (sec->init && sec->init(obj) != 0)
        return nomem(p);
    enum bm_status st = need(p, v, FYNT_MAPPING, k->name, sec->expected);
    if (st != BM_OK)
        return st;
    struct bm_style *style =
        (sec->flags & BM__HAS_STYLE) ? (struct bm_style *)(void *)(obj + sec->style_at) : NULL;
    struct scope c = sub_scope(s, sec, obj, style, "%s %zu", sec->item, i + 1);
    c.index = i;
    name_item(p, v, &c, i);
    if (sec->flags & BM__VARIANTS)
        return read_variant(p, v, &c);
    st = walk(p, v, &c);
    return st == BM_OK && sec->check ? sec->check(p, v, &c) : st;
}

/* A sequence of items, each a section: the array and its count go in the object. */
static enum bm_status read_list(struct parse *p, struct fy_node *v, const struct bm__key *k,
                                struct scope *s)
{
    const struct bm__section *sec = k->sub;
    if ((k->flags & BM__NULL_OK) && is_null(v))
        return BM_OK;
    enum bm_status st = need(p, v, FYNT_SEQUENCE, k->name, k->expected);
    if (st != BM_OK)
        return st;
    size_t n = (size_t)fy_node_sequence_item_count(v);
    void *it = NULL;
    if (n < (size_t)sec->min_items && sec->min_items == 1)
        return fail_at(p, v, "'%s' is empty; expected at least one %s", k->name, sec->item);
    if (n < (size_t)sec->min_items)
        return fail_at(p, v, "'%s' has %zu %s%s; expected at least %d", k->name, n, sec->item,
                       n == 1 ? "" : "s", sec->min_items);
    if (sec->max_items && n > sec->max_items) {
        for (size_t i = 0; i < sec->max_items; i++)
            fy_node_sequence_iterate(v, &it);
        return fail_at(p, fy_node_sequence_iterate(v, &it),
                       "more than %zu %ss (%zu); expected at most %zu", sec->max_items, sec->item,
                       n, sec->max_items);
    }
    char *items = calloc(n ? n : 1, sec->size);
    if (!items)
        return nomem(p);
    *(void **)(void *)((char *)s->obj + k->offset) = items;
    *(size_t *)(void *)((char *)s->obj + k->aux) = n;
    for (size_t i = 0; i < n && st == BM_OK; i++)
        st = read_item(p, fy_node_sequence_iterate(v, &it), k, s, items + i * sec->size, i);
    return st;
}

/* A whole number lo..hi, such as a priority. */
static enum bm_status read_whole(struct parse *p, struct fy_node *v, const char *key, double lo,
                                 double hi, int *out)
{
    double x = 0;
    enum bm_status st = read_number(p, v, key, lo, hi, &x);
    if (st == BM_OK && x != floor(x))
        return fail_at(p, v, "bad number '%g' for '%s'; expected a whole number from %g to %g", x,
                       key, lo, hi);
    *out = (int)x;
    return st;
}

/* Read the value of key k (named key in messages) into its field. */
static enum bm_status read_key(struct parse *p, struct fy_node *v, const struct bm__key *k,
                               struct scope *s, const char *key)
{
    char *base = (k->flags & BM__STYLE) ? (char *)s->style : (char *)s->obj;
    void *at = base + k->offset;
    enum bm_status st = BM_OK;
    s->key = key;
    if (k->set)
        s->style->set |= k->set;
    switch (k->kind) {
    case BM__NUMBER:
        st = read_number(p, v, key, k->lo, k->hi, at);
        break;
    case BM__WHOLE:
        st = read_whole(p, v, key, k->lo, k->hi, at);
        break;
    case BM__COLOUR:
        st = read_colour(p, v, key, at);
        break;
    case BM__CHOICE:
        st = read_choice(p, v, key, k->noun, k->choices, at);
        break;
    case BM__BOOL:
        st = read_bool(p, v, key, at);
        break;
    case BM__TEXT:
        st = read_text(p, v, key, at);
        break;
    case BM__WORD:
        st = read_word(p, v, key, k->expected, at);
        break;
    case BM__DATE:
        st = read_date(p, v, key, at);
        break;
    case BM__PLACE:
        st = read_place(p, v, key, at, (double *)at + 1, (char **)(void *)(base + k->aux));
        break;
    case BM__SECTION:
        st = read_section(p, v, k, s, key);
        break;
    case BM__LIST:
        st = read_list(p, v, k, s);
        break;
    case BM__CUSTOM:
        st = k->read(p, v, s);
        break;
    }
    return st == BM_OK && k->after ? k->after(p, v, s) : st;
}

/* Read mapping m key by key through its section's table; then its required keys. */
static enum bm_status walk(struct parse *p, struct fy_node *m, struct scope *s)
{
    const struct bm__section *sec = s->sec;
    void *it = NULL;
    struct fy_node_pair *pair;
    struct fy_node *outer = p->y.key;
    while ((pair = fy_node_mapping_iterate(m, &it))) {
        struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
        if (!is_scalar(k) || is_null(k))
            return fail_at(p, k ? k : m, "a key in %s is %s; expected a plain key such as %s",
                           s->what, kind_of(k), sec->keys[0].name);
        const char *word = fy_node_get_scalar0(k);
        if (!word)
            return nomem(p);
        size_t i = 0;
        while (i < sec->nkeys && strcmp(word, sec->keys[i].name) != 0)
            i++;
        if (i == sec->nkeys)
            return unknown_key(p, k, word, sec, s->what);
        s->node[i] = v ? v : k;
        p->y.key = k;
        enum bm_status st = read_key(p, v, &sec->keys[i], s, sec->keys[i].name);
        p->y.key = outer;
        if (st != BM_OK)
            return st;
    }
    for (size_t i = 0; i < sec->nkeys; i++)
        if ((sec->keys[i].flags & BM__REQUIRED) && !s->node[i])
            return fail_at(p, m, "%s has no '%s'; expected %s", s->who, sec->keys[i].name,
                           sec->keys[i].missing ? sec->keys[i].missing : sec->expected);
    return BM_OK;
}

/* ---- keys with a syntax of their own ------------------------------------- */

/* dash: [on, off, ...]: 1 to 4 lengths in pt, not all 0. */
enum bm_status bm__read_dash(struct parse *p, struct fy_node *v, struct scope *s)
{
    static const char expected[] = "1 to 4 lengths in pt such as [4, 2]";
    enum bm_status st = need(p, v, FYNT_SEQUENCE, s->key, expected);
    if (st != BM_OK)
        return st;
    int n = fy_node_sequence_item_count(v);
    if (n < 1 || n > 4)
        return fail_at(p, v, "'dash' has %d lengths; expected %s", n, expected);
    void *it = NULL;
    struct fy_node *item;
    double total = 0;
    for (int i = 0; (item = fy_node_sequence_iterate(v, &it)); i++) {
        st = read_number(p, item, "dash", 0, 100, &s->style->dash[i]);
        if (st != BM_OK)
            return st;
        total += s->style->dash[i];
    }
    if (total <= 0)
        return fail_at(p, v, "'dash' lengths are all 0; expected %s", expected);
    s->style->ndash = n;
    s->style->set |= BM_SET_DASH;
    return BM_OK;
}

static enum bm_status read_values(struct parse *p, struct fy_node *v, const char *field,
                                  struct bm_rule *rule)
{
    static const char expected[] = "a value, or a sequence of values such as [MMR, CHN]";
    int n = 1;
    if (!is_scalar(v) || is_null(v)) {
        enum bm_status st = need(p, v, FYNT_SEQUENCE, field, expected);
        if (st != BM_OK)
            return st;
        n = fy_node_sequence_item_count(v);
        if (n < 1)
            return fail_at(p, v, "'%s' has no values; expected %s", field, expected);
    }
    rule->values = calloc((size_t)n, sizeof *rule->values);
    if (!rule->values)
        return nomem(p);
    void *it = NULL;
    for (int i = 0; i < n; i++) {
        struct fy_node *item = is_scalar(v) ? v : fy_node_sequence_iterate(v, &it);
        enum bm_status st = read_word(p, item, field, "a value", &rule->values[i]);
        rule->nvalues = (size_t)i + (rule->values[i] != NULL);
        if (st != BM_OK)
            return st;
    }
    return BM_OK;
}

/* when: {field: value} or {field: [values]}: exactly one field. */
enum bm_status bm__read_when(struct parse *p, struct fy_node *v, struct scope *s)
{
    static const char expected[] = "one field and its values such as {iso_a3: MMR}";
    struct bm_rule *rule = s->obj;
    enum bm_status st = need(p, v, FYNT_MAPPING, "when", expected);
    if (st != BM_OK)
        return st;
    int n = fy_node_mapping_item_count(v);
    if (n != 1)
        return fail_at(p, v, "'when' has %d fields; expected %s", n, expected);
    struct fy_node_pair *pair = fy_node_mapping_get_by_index(v, 0);
    struct fy_node *k = fy_node_pair_key(pair);
    st = read_word(p, k, "when", "a field name", &rule->field);
    if (st != BM_OK)
        return st;
    return read_values(p, fy_node_pair_value(pair), rule->field, rule);
}

/* source: relative to the recipe's folder if the file is there, else to the data root. */
enum bm_status bm__read_source(struct parse *p, struct fy_node *v, struct scope *s)
{
    struct bm_map_layer *L = s->obj;
    const char *t;
    enum bm_status st = text_of(p, v, "source", "a file path or a connection string", &t);
    if (st != BM_OK)
        return st;
    /* A recipe is untrusted: its connections, references and GDAL paths are checked here. */
    char *resolved = NULL, msg[1024];
    int kind = bm__recipe_source(p->ctx, t, &resolved, msg, sizeof msg);
    if (kind < 0)
        return fail_at(p, v, "%s", msg);
    if (kind > 0) {
        free(L->source);
        L->source = resolved;
        return BM_OK;
    }
    char *path = NULL;
    int r = bm__source_path(p->ctx, p->path, t, &path);
    if (r < 0)
        return nomem(p);
    if (r == 0) {
        free(L->source);
        L->source = path;
        return BM_OK;
    }
    if (t[0] == '/')
        return fail_at(p, v, "source '%s' not found; check the path", show(p, t));
    char *dir = bm__folder_of(p->path);
    if (!dir)
        return nomem(p);
    st = fail_at(p, v, "source '%s' not found (looked in %s%s and the data root); check the path",
                 show(p, t), show(p, dir), strcmp(dir, "/") ? "/" : "");
    g_free(dir);
    return st;
}

/* page: {size, orientation, dpi}, combined once all are read (the orientation turns the size). */
enum bm_status bm__read_page(struct parse *p, struct fy_node *v, struct scope *s)
{
    const struct bm__section *sec = key_of(s->sec, "page")->sub;
    enum bm_status st = need(p, v, FYNT_MAPPING, "page", sec->expected);
    if (st != BM_OK)
        return st;
    struct bm__page_in in;
    sec->init(&in);
    in.dpi = p->map->dpi;
    struct scope c = sub_scope(s, sec, &in, NULL, "'page'");
    st = walk(p, v, &c);
    if (st != BM_OK)
        return st;
    bm__page_orient(&in.w, &in.h, in.named, in.orientation);
    p->map->page_w_mm = in.w;
    p->map->page_h_mm = in.h;
    p->map->dpi = in.dpi;
    return BM_OK;
}

enum bm_status bm__read_page_size(struct parse *p, struct fy_node *v, struct scope *s)
{
    static const char expected[] = "A4, A3, Letter or WxHmm such as 300x200mm";
    struct bm__page_in *in = s->obj;
    const char *t;
    enum bm_status st = text_of(p, v, "size", expected, &t);
    if (st != BM_OK)
        return st;
    int r = bm__page_size(t, &in->w, &in->h, &in->named);
    if (r == -2)
        return fail_at(p, v, "page size '%s' is out of range; expected each side from %d to %d mm",
                       show(p, t), BM_PAGE_MM_MIN, BM_PAGE_MM_MAX);
    if (r != 0)
        return fail_at(p, v, "bad page size '%s'; expected %s", show(p, t), expected);
    return BM_OK;
}

static const char *const EDGES[] = {"west", "south", "east", "north"};

static enum bm_status extent_around(struct parse *p, struct fy_node *v, const struct scope *c,
                                    const struct bm__extent_in *in)
{
    for (size_t i = 0; i < 4; i++)
        if (node_of(c, EDGES[i]))
            return fail_at(p, node_of(c, EDGES[i]),
                           "'%s' cannot go with 'around' in 'extent'; expected "
                           "west, south, east and north, or around and radius_km",
                           EDGES[i]);
    if (!node_of(c, "radius_km"))
        return fail_at(p, v,
                       "'extent' has 'around' but no 'radius_km'; expected radius_km: %d to %d",
                       BM_RADIUS_KM_MIN, BM_RADIUS_KM_MAX);
    p->map->extent = bm__around_box(in->lat, in->lon, in->radius);
    return BM_OK;
}

static enum bm_status extent_edges(struct parse *p, struct fy_node *v, const struct scope *c,
                                   const struct bm__extent_in *in)
{
    for (size_t i = 0; i < 4; i++)
        if (!node_of(c, EDGES[i]))
            return fail_at(p, node_of(c, "radius_km") ? node_of(c, "radius_km") : v,
                           "'extent' has no '%s'; expected west, south, east and north in "
                           "degrees, or around and radius_km",
                           EDGES[i]);
    if (in->box.west >= in->box.east)
        return fail_at(p, node_of(c, "east"),
                       "'east' %g is not east of 'west' %g; expected west < east", in->box.east,
                       in->box.west);
    if (in->box.south >= in->box.north)
        return fail_at(p, node_of(c, "north"),
                       "'north' %g is not north of 'south' %g; expected south < north",
                       in->box.north, in->box.south);
    p->map->extent = in->box;
    return BM_OK;
}

/* extent: the four edges, or around a place with a radius. */
enum bm_status bm__read_extent(struct parse *p, struct fy_node *v, struct scope *s)
{
    const struct bm__section *sec = key_of(s->sec, "extent")->sub;
    enum bm_status st = need(p, v, FYNT_MAPPING, "extent", sec->expected);
    if (st != BM_OK)
        return st;
    struct bm__extent_in in;
    sec->init(&in);
    struct scope c = sub_scope(s, sec, &in, NULL, "'extent'");
    st = walk(p, v, &c);
    free(in.label);
    if (st != BM_OK)
        return st;
    return node_of(&c, "around") ? extent_around(p, v, &c, &in) : extent_edges(p, v, &c, &in);
}

/* graticule: a step, none (or false), or {step, labels}. */
enum bm_status bm__read_graticule(struct parse *p, struct fy_node *v, struct scope *s)
{
    struct bm_furniture *f = s->obj;
    const struct bm__section *sec = key_of(s->sec, "graticule")->sub;
    f->graticule_step = 0;
    f->graticule_labels = 1;
    if (is_null(v))
        return BM_OK;
    const char *t = is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
    if (t && (strcasecmp(t, "none") == 0 || strcasecmp(t, "false") == 0))
        return BM_OK;
    struct scope c = sub_scope(s, sec, f, NULL, "'graticule'");
    return read_body(p, v, &c, "graticule");
}

/* ---- checks that follow a key, or a section ------------------------------ */

/* A layer's name is unique in the map. */
enum bm_status bm__check_name(struct parse *p, struct fy_node *v, struct scope *s)
{
    const struct bm_map_layer *L = s->obj;
    for (size_t i = 0; i < s->index; i++)
        if (strcmp(p->map->layers[i].name, L->name) == 0)
            return fail_at(p, v,
                           "duplicate layer name '%s' (layer %zu has it too); expected a "
                           "unique name",
                           show(p, L->name), i + 1);
    return BM_OK;
}

/* A filter is data: checked against bordermap's grammar here, its fields when loading. */
enum bm_status bm__check_where(struct parse *p, struct fy_node *v, struct scope *s)
{
    const struct bm_map_layer *L = s->obj;
    if (!L->where)
        return BM_OK;
    char msg[1024];
    struct bm__filter *f = bm__filter_parse(L->where, msg, sizeof msg);
    bm__filter_free(f);
    return f ? BM_OK : fail_at(p, v, "%s", msg);
}

/* Buffers name layers of this map; checked once every layer is read (they may come later). */
enum bm_status bm__check_buffer_layer(struct parse *p, struct fy_node *v, struct scope *s)
{
    (void)s;
    return bm__buf_append(&p->pending, &v, sizeof v) == 0 ? BM_OK : nomem(p);
}

/* The keys that draw vector data: refused on a raster layer, which would ignore them. */
static const char *const VECTOR_KEYS[] = {"where",  "fill",  "stroke",    "width",
                                          "marker", "rules", "label",     "date_field",
                                          "from",   "to",    "size_field"};

/* A raster layer takes the raster keys, a vector layer the others; never both. */
static enum bm_status check_kind(struct parse *p, struct scope *s, struct bm_map_layer *L)
{
    L->is_raster = bm_source_is_raster(L->source);
    struct fy_node *raster = node_of(s, "raster");
    /* The source as the recipe wrote it. */
    const char *source = fy_node_get_scalar0(node_of(s, "source"));
    if (!L->is_raster && raster)
        return fail_at(p, raster,
                       "'raster' in %s is for raster sources, and '%s' is not one; remove it, or "
                       "give a GeoTIFF or another raster GDAL reads",
                       s->what, show(p, source ? source : L->source));
    for (size_t i = 0; L->is_raster && i < sizeof VECTOR_KEYS / sizeof VECTOR_KEYS[0]; i++) {
        struct fy_node *n = node_of(s, VECTOR_KEYS[i]);
        if (n)
            return fail_at(p, n,
                           "'%s' in %s draws vector data, and '%s' is a raster; expected raster "
                           "keys: raster, opacity, legend, credit, min_scale, max_scale",
                           VECTOR_KEYS[i], s->what, show(p, source ? source : L->source));
    }
    if (L->is_raster && L->raster.clip)
        return bm__buf_append(&p->clips, &raster, sizeof raster) == 0 ? BM_OK : nomem(p);
    return BM_OK;
}

enum bm_status bm__check_layer(struct parse *p, struct fy_node *v, struct scope *s)
{
    (void)v;
    struct bm_map_layer *L = s->obj;
    if (L->min_scale > 0 && L->max_scale > 0 && L->min_scale > L->max_scale)
        return fail_at(p, node_of(s, "max_scale"),
                       "'max_scale' %g is below 'min_scale' %g in %s; expected min_scale <= "
                       "max_scale",
                       L->max_scale, L->min_scale, s->what);
    /* A date range with no date to compare would be accepted and ignored. */
    const char *range = L->date_from ? "from" : (L->date_to ? "to" : NULL);
    if (range && !L->date_field)
        return fail_at(p, node_of(s, range),
                       "'%s' in %s has no 'date_field' to compare; expected date_field: the field "
                       "with each row's date, such as event_date",
                       range, s->what);
    return check_kind(p, s, L);
}

/* A ramp's values go up: a colour per value, in order. */
enum bm_status bm__check_raster(struct parse *p, struct fy_node *v, struct scope *s)
{
    (void)v;
    const struct bm_raster_style *r = s->obj;
    for (size_t i = 1; i < r->nramp; i++)
        if (!(r->ramp[i].value > r->ramp[i - 1].value)) {
            struct fy_node *ramp = node_of(s, "ramp");
            void *it = NULL;
            struct fy_node *item = NULL;
            for (size_t k = 0; k <= i; k++)
                item = fy_node_sequence_iterate(ramp, &it);
            return fail_at(p, item ? item : ramp,
                           "ramp value %g follows %g in %s; expected values in ascending order",
                           r->ramp[i].value, r->ramp[i - 1].value, s->what);
        }
    return BM_OK;
}

/* A label is drawn once given; as a mapping it needs a field or a text. */
enum bm_status bm__check_label(struct parse *p, struct fy_node *v, struct scope *s)
{
    struct bm_label *l = s->obj;
    l->enabled = 1;
    if (!l->field && !l->text)
        return fail_at(p, v, "%s has no 'field' or 'text'; expected field: name", s->what);
    /* A limit on ranks with no ranks to limit would be accepted and ignored. */
    if (l->max_rank > 0 && !l->rank_field)
        return fail_at(p, node_of(s, "max_rank"),
                       "'max_rank' in %s has no 'rank_field' to compare; expected rank_field: a "
                       "numeric field such as rank",
                       s->what);
    return BM_OK;
}

/* Each raster's clip names another layer of the map, one of vector data. */
static enum bm_status check_clips(struct parse *p)
{
    size_t n = BM__BUF_COUNT(&p->clips, struct fy_node *);
    for (size_t i = 0; i < n; i++) {
        struct fy_node *raster = BM__BUF_AT(&p->clips, struct fy_node *, i);
        struct fy_node *v = fy_node_mapping_lookup_by_string(raster, "clip", FY_NT);
        const char *name = fy_node_get_scalar0(v);
        size_t j = 0;
        while (j < p->map->nlayers && strcmp(p->map->layers[j].name, name) != 0)
            j++;
        if (j < p->map->nlayers && !p->map->layers[j].is_raster)
            continue;
        if (j < p->map->nlayers)
            return fail_at(p, v,
                           "clip names layer '%s', a raster; expected a layer of polygons such as "
                           "countries",
                           show(p, name));
        return fail_at(p, v,
                       "clip names layer '%s', which this map does not have; expected a layer of "
                       "polygons such as countries",
                       show(p, name));
    }
    return BM_OK;
}

static enum bm_status check_buffers(struct parse *p)
{
    size_t n = BM__BUF_COUNT(&p->pending, struct fy_node *);
    for (size_t i = 0; i < n; i++) {
        struct fy_node *v = BM__BUF_AT(&p->pending, struct fy_node *, i);
        const char *name = fy_node_get_scalar0(v);
        size_t j = 0;
        while (j < p->map->nlayers && strcmp(p->map->layers[j].name, name) != 0)
            j++;
        if (j < p->map->nlayers)
            continue;
        struct bm__buf list = {0};
        for (j = 0; j < p->map->nlayers && j < 8; j++)
            bm__buf_printf(&list, "%s%s", j ? ", " : "", show(p, p->map->layers[j].name));
        enum bm_status st =
            fail_at(p, v,
                    "buffer names layer '%s', which this map does not have; "
                    "expected one of: %s%s",
                    show(p, name), list.data ? list.data : "", p->map->nlayers > 8 ? ", ..." : "");
        bm__buf_free(&list);
        return st;
    }
    return BM_OK;
}

/* ---- the top level ----------------------------------------------------- */

/* A name PROJ matched loosely ("foo" finds Amersfoort) is refused: it is not what was meant. */
static int loose_name(const char *text, PJ *pj)
{
    if (text[0] == '+' || strchr(text, ':') || strchr(text, '[') || strchr(text, '{'))
        return 0;
    const char *name = proj_get_name(pj);
    return !name || strcasecmp(name, text) != 0;
}

static enum bm_status check_projection(struct parse *p, struct fy_node *v, const char *text)
{
    PJ_CONTEXT *pc = bm__proj(p->ctx);
    /* PROJ prints its errors unless told not to; we report them ourselves. */
    PJ_LOG_LEVEL level = proj_log_level(pc, PJ_LOG_TELL);
    proj_log_level(pc, PJ_LOG_NONE);
    PJ *pj = proj_create(pc, text);
    const char *why = pj ? NULL : proj_context_errno_string(pc, proj_context_errno(pc));
    char reason[160];
    snprintf(reason, sizeof reason, "PROJ: %s", why ? why : "cannot use it");
    int loose = pj && loose_name(text, pj);
    if (loose)
        snprintf(reason, sizeof reason, "PROJ found only '%s'", proj_get_name(pj));
    proj_destroy(pj);
    proj_log_level(pc, level);
    if (pj && !loose)
        return BM_OK;
    return fail_at(p, v,
                   "bad projection '%s' (%s); expected auto, EPSG:n or a PROJ string such "
                   "as +proj=laea +lat_0=20 +lon_0=98",
                   show(p, text), reason);
}

/* auto, or a projection PROJ knows by that text. */
enum bm_status bm__check_projection(struct parse *p, struct fy_node *v, struct scope *s)
{
    (void)s;
    char *t = p->map->projection;
    if (strcasecmp(t, "auto") == 0) {
        memcpy(t, "auto", 5);
        return BM_OK;
    }
    return check_projection(p, v, t);
}

static enum bm_status read_root(struct parse *p, struct fy_node *root)
{
    if (!root || is_null(root))
        return bm__fail(p->ctx, BM_ERR_RECIPE,
                        "%s:1:1: the recipe is empty; expected a mapping with at least 'layers'",
                        p->path);
    if (fy_node_get_type(root) != FYNT_MAPPING)
        return fail_at(p, root,
                       "the recipe is %s; expected a mapping of keys such as title, "
                       "extent and layers",
                       kind_of(root));
    struct scope s = {.sec = &BM__RECIPE, .what = "the recipe", .who = "the recipe", .obj = p->map};
    enum bm_status st = walk(p, root, &s);
    if (st == BM_OK)
        st = check_buffers(p);
    return st == BM_OK ? check_clips(p) : st;
}

/* A recipe from a file (text NULL) or from text, named path. */
static enum bm_status load(struct bm_ctx *ctx, const char *path, const char *text, size_t len,
                           struct bm_map **out)
{
    struct parse p = {.ctx = ctx, .path = path};
    struct fy_node *root = NULL;
    enum bm_status st = text ? bm__yaml_open_text(&p.y, ctx, path, text, len, &root)
                             : bm__yaml_open(&p.y, ctx, path, &root);
    if (st == BM_OK && !(p.map = bm__map_new(path)))
        st = nomem(&p);
    if (st == BM_OK)
        st = read_root(&p, root);
    bm__yaml_close(&p.y);
    bm__buf_free(&p.pending);
    bm__buf_free(&p.clips);
    bm_gazetteer_free(p.gz);
    if (st != BM_OK) {
        bm_map_free(p.map);
        return st;
    }
    *out = p.map;
    return BM_OK;
}

enum bm_status bm_map_load(struct bm_ctx *ctx, const char *path, struct bm_map **out)
{
    bm__begin(ctx);
    if (!out)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_load: no place for the map");
    *out = NULL;
    if (!path || !path[0])
        return bm__fail(ctx, BM_ERR_ARG, "no recipe given; give a path such as styles/x.yaml");
    return load(ctx, path, NULL, 0, out);
}

enum bm_status bm_map_load_text(struct bm_ctx *ctx, const char *text, size_t len, const char *name,
                                struct bm_map **out)
{
    bm__begin(ctx);
    if (!out)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_load_text: no place for the map");
    *out = NULL;
    if (!text && len)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_load_text: no text");
    if (!name || !name[0] || strchr(name, '/'))
        return bm__fail(ctx, BM_ERR_ARG,
                        "bm_map_load_text: the recipe's name must be a plain name such as "
                        "<stdin>, not a path");
    return load(ctx, name, text ? text : "", len, out);
}
