/* bordermap: reading map recipes (YAML, libfyaml) into struct bm_map. */
#include "bordermap/gazetteer.h"
#include "bordermap/map.h"
#include "bordermap/measure.h"
#include "core/buf.h"
#include "core/internal.h"
#include "data/filter.h"
#include "map/map.h"

#include <errno.h>
#include <glib.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Limits that keep a hostile or mistaken recipe from costing much. */
enum {
    MAX_FILE = 1 << 20,    /* bytes */
    MAX_DEPTH = 32,        /* nested mappings and sequences */
    MAX_SCALAR = 64 << 10, /* bytes of one value */
    MAX_LAYERS = 256,
    MAX_KEYS = 24, /* keys of one table below */
    SHOWN = 4      /* user texts quoted in one message */
};

/* ---- the reading state ------------------------------------------------- */

struct parse {
    struct bm_ctx *ctx;
    const char *path;     /* as given, for messages */
    struct fy_diag *diag; /* collects libfyaml's messages instead of printing them */
    struct fy_node *key;  /* key of the value being read: where an empty value is */
    struct bm_map *map;
    struct bm_gazetteer *gz; /* loaded at the first place name */
    struct bm__buf pending;  /* struct fy_node *: buffer layers, checked once all layers are read */
    char shown[SHOWN][100];  /* user text quoted in messages, trimmed to one short line */
    int nshown;
};

/* What the readers of one mapping fill; the members a table does not use stay NULL. */
struct scope {
    char what[160];                 /* where we are, for messages: "layer 'countries'" */
    const char *key;                /* the key being read */
    struct fy_node *node[MAX_KEYS]; /* value of each key of the table, or NULL */
    size_t index;                   /* layer, rule or annotation number, 0-based */
    struct bm_map_layer *layer;
    struct bm_style *style;
    char **legend;
    struct bm_rule *rule;
    struct bm_label *label;
    struct bm_annotation *ann;
    /* page and extent: read key by key, combined at the end */
    double w, h, lat, lon, radius;
    int orientation, named; /* orientation -1: not given, 0 portrait, 1 landscape */
    struct bm_bbox box;
};

struct key {
    const char *name;
    enum bm_status (*read)(struct parse *p, struct fy_node *v, struct scope *s);
};

struct pos {
    int line, col; /* 1-based */
};

/* ---- positions and messages -------------------------------------------- */

static size_t diag_count(struct fy_diag *diag)
{
    void *it = NULL;
    size_t n = 0;
    while (fy_diag_errors_iterate(diag, &it))
        n++;
    return n;
}

/*
 * libfyaml 0.7 has no public start mark for mappings and sequences: report
 * on the node into our collecting diag and read back where it said (1-based).
 */
static int reported_pos(struct parse *p, struct fy_node *n, struct pos *at)
{
    size_t before = diag_count(p->diag);
    fy_node_report(n, FYET_ERROR, "%s", "position");
    void *it = NULL;
    struct fy_diag_error *e, *last = NULL;
    size_t count = 0;
    while ((e = fy_diag_errors_iterate(p->diag, &it))) {
        last = e;
        count++;
    }
    if (count <= before || !last || last->line <= 0 || last->column <= 0)
        return -1;
    at->line = last->line;
    at->col = last->column;
    return 0;
}

static struct pos node_pos(struct parse *p, struct fy_node *n)
{
    struct pos at = {1, 1};
    if (!n)
        n = p->key; /* "fill:" with nothing after it: point at the key */
    if (!n)
        return at;
    if (fy_node_get_type(n) == FYNT_SCALAR) {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        if (m) {
            /* The mark is at the text; a quoted value starts at its quote, an alias at '*'. */
            enum fy_node_style style = fy_node_get_style(n);
            int quoted =
                style == FYNS_SINGLE_QUOTED || style == FYNS_DOUBLE_QUOTED || style == FYNS_ALIAS;
            at.line = m->line + 1;
            at.col = m->column + 1 - (quoted && m->column > 0);
            return at;
        }
        if (p->key && n != p->key)
            return node_pos(p, p->key);
        return at;
    }
    if (reported_pos(p, n, &at) != 0) {
        at.line = 1;
        at.col = 1;
    }
    return at;
}

/* User text for a message: at most ~80 bytes on one line, cut at a character boundary. */
static const char *show(struct parse *p, const char *s)
{
    char *out = p->shown[p->nshown++ % SHOWN];
    size_t cap = sizeof p->shown[0], n = 0;
    if (!s)
        s = "";
    while (*s && n < 80) {
        const char *next = g_utf8_next_char(s);
        size_t len = (size_t)(next - s), ok = 1;
        /* A cut or broken sequence must not carry the reading past its NUL. */
        while (ok < len && ok < 4 && ((unsigned char)s[ok] & 0xc0) == 0x80)
            ok++;
        if ((unsigned char)*s < 0x20 || *s == 0x7f || len > 4 || ok < len) {
            out[n++] = '?';
            s++;
            continue;
        }
        if (n + len >= cap - 4)
            break;
        memcpy(out + n, s, len);
        n += len;
        s = next;
    }
    if (*s) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

/* Fail with BM_ERR_RECIPE: "PATH:LINE:COL: message". */
static enum bm_status fail_at(struct parse *p, struct fy_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum bm_status fail_at(struct parse *p, struct fy_node *n, const char *fmt, ...)
{
    struct pos at = node_pos(p, n);
    struct bm__buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    int r = bm__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    enum bm_status st;
    if (r != 0)
        st = bm__fail(p->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", p->path);
    else
        st = bm__fail(p->ctx, BM_ERR_RECIPE, "%s:%d:%d: %s", p->path, at.line, at.col, b.data);
    bm__buf_free(&b);
    return st;
}

static enum bm_status nomem(struct parse *p)
{
    return bm__fail(p->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", p->path);
}

/* ---- nodes ------------------------------------------------------------- */

static int is_scalar(struct fy_node *n)
{
    return n && fy_node_get_type(n) == FYNT_SCALAR;
}

/* A plain empty, "~" or "null" value: YAML's null. A quoted "null" is text. */
static int is_null(struct fy_node *n)
{
    if (!n)
        return 1;
    if (!is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
        return 0;
    const char *t = fy_node_get_scalar0(n);
    return !t || !t[0] || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

static const char *kind_of(struct fy_node *n)
{
    if (is_null(n))
        return "empty";
    switch (fy_node_get_type(n)) {
    case FYNT_MAPPING:
        return "a mapping";
    case FYNT_SEQUENCE:
        return "a sequence";
    default:
        return "text";
    }
}

/* A value of the wrong kind: "'page' is a sequence; expected a mapping such as ...". */
static enum bm_status fail_kind(struct parse *p, struct fy_node *n, const char *key,
                                const char *expected)
{
    if (is_null(n))
        return fail_at(p, n, "'%s' has no value; expected %s", key, expected);
    return fail_at(p, n, "'%s' is %s; expected %s", key, kind_of(n), expected);
}

static enum bm_status need(struct parse *p, struct fy_node *n, enum fy_node_type type,
                           const char *key, const char *expected)
{
    if (is_null(n) || fy_node_get_type(n) != type)
        return fail_kind(p, n, key, expected);
    return BM_OK;
}

/* The text of a non-empty scalar. */
static enum bm_status text_of(struct parse *p, struct fy_node *n, const char *key,
                              const char *expected, const char **out)
{
    enum bm_status st = need(p, n, FYNT_SCALAR, key, expected);
    if (st != BM_OK)
        return st;
    *out = fy_node_get_scalar0(n);
    return *out ? BM_OK : nomem(p);
}

/* Replace *out by a copy of the value; an empty value leaves NULL. */
static enum bm_status read_text(struct parse *p, struct fy_node *v, const char *key, char **out)
{
    free(*out);
    *out = NULL;
    if (is_null(v))
        return BM_OK;
    const char *t;
    enum bm_status st = text_of(p, v, key, "text", &t);
    if (st != BM_OK)
        return st;
    *out = bm__strdup(t);
    return *out ? BM_OK : nomem(p);
}

/* Like read_text, but the value must be there: a name, a field, a path. */
static enum bm_status read_word(struct parse *p, struct fy_node *v, const char *key,
                                const char *expected, char **out)
{
    const char *t;
    enum bm_status st = text_of(p, v, key, expected, &t);
    if (st != BM_OK)
        return st;
    free(*out);
    *out = bm__strdup(t);
    return *out ? BM_OK : nomem(p);
}

static void range_text(char *buf, size_t size, double lo, double hi)
{
    if (isinf(hi))
        snprintf(buf, size, "a number of at least %g", lo);
    else
        snprintf(buf, size, "a number from %g to %g", lo, hi);
}

/* A number within lo..hi. g_ascii_strtod: a recipe means the same in every locale. */
static enum bm_status read_number(struct parse *p, struct fy_node *v, const char *key, double lo,
                                  double hi, double *out)
{
    char expected[96];
    range_text(expected, sizeof expected, lo, hi);
    const char *t;
    enum bm_status st = text_of(p, v, key, expected, &t);
    if (st != BM_OK)
        return st;
    char *end;
    errno = 0;
    double x = g_ascii_strtod(t, &end);
    while (end != t && *end == ' ')
        end++;
    if (end == t || *end || errno == ERANGE || !isfinite(x) || x < lo || x > hi)
        return fail_at(p, v, "bad number '%s' for '%s'; expected %s", show(p, t), key, expected);
    *out = x;
    return BM_OK;
}

static enum bm_status read_bool(struct parse *p, struct fy_node *v, const char *key, int *out)
{
    const char *t;
    enum bm_status st = text_of(p, v, key, "true or false", &t);
    if (st != BM_OK)
        return st;
    if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
        *out = strcasecmp(t, "true") == 0;
        return BM_OK;
    }
    return fail_at(p, v, "bad value '%s' for '%s'; expected true or false", show(p, t), key);
}

/* One of names[] (case-insensitive); *out gets its index. noun names the value in messages. */
static enum bm_status read_choice(struct parse *p, struct fy_node *v, const char *key,
                                  const char *noun, const char *const *names, const char *expected,
                                  int *out)
{
    const char *t;
    enum bm_status st = text_of(p, v, key, expected, &t);
    if (st != BM_OK)
        return st;
    for (int i = 0; names[i]; i++)
        if (strcasecmp(t, names[i]) == 0) {
            *out = i;
            return BM_OK;
        }
    if (strcmp(noun, key) == 0)
        return fail_at(p, v, "bad %s '%s'; expected %s", noun, show(p, t), expected);
    return fail_at(p, v, "bad %s '%s' for '%s'; expected %s", noun, show(p, t), key, expected);
}

/* ---- colours ----------------------------------------------------------- */

struct named_colour {
    const char *name;
    unsigned rgb;
};

static const struct named_colour COLOURS[] = {{"white", 0xffffff},
                                              {"black", 0x000000},
                                              {"red", 0xff0000},
                                              {"green", 0x008000},
                                              {"blue", 0x0000ff},
                                              {"grey", 0x808080},
                                              {"gray", 0x808080},
                                              {"silver", 0xc0c0c0},
                                              {"lightgrey", 0xd3d3d3},
                                              {"lightgray", 0xd3d3d3},
                                              {"darkgrey", 0xa9a9a9},
                                              {"darkgray", 0xa9a9a9},
                                              {"yellow", 0xffff00},
                                              {"orange", 0xffa500},
                                              {"purple", 0x800080},
                                              {"brown", 0xa52a2a},
                                              {"pink", 0xffc0cb},
                                              {"maroon", 0x800000},
                                              {"navy", 0x000080},
                                              {"teal", 0x008080},
                                              {"olive", 0x808000},
                                              {"lime", 0x00ff00},
                                              {"aqua", 0x00ffff},
                                              {"cyan", 0x00ffff},
                                              {"fuchsia", 0xff00ff},
                                              {"magenta", 0xff00ff},
                                              {"gold", 0xffd700},
                                              {"beige", 0xf5f5dc},
                                              {"ivory", 0xfffff0},
                                              {"khaki", 0xf0e68c},
                                              {"tan", 0xd2b48c},
                                              {"salmon", 0xfa8072},
                                              {"crimson", 0xdc143c},
                                              {"coral", 0xff7f50},
                                              {"indigo", 0x4b0082},
                                              {"darkred", 0x8b0000},
                                              {"darkblue", 0x00008b},
                                              {"darkgreen", 0x006400},
                                              {"steelblue", 0x4682b4},
                                              {"wheat", 0xf5deb3},
                                              {NULL, 0}};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "rgb", "rrggbb" or "rrggbbaa", without the '#'. */
static int parse_hex(const char *h, struct bm_color *c)
{
    size_t n = strlen(h);
    if (n != 3 && n != 6 && n != 8)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (hex_digit(h[i]) < 0)
            return -1;
    double v[4] = {0, 0, 0, 255};
    for (size_t i = 0; i < (n == 3 ? 3 : n / 2); i++)
        v[i] = n == 3 ? hex_digit(h[i]) * 17 : hex_digit(h[2 * i]) * 16 + hex_digit(h[2 * i + 1]);
    c->r = v[0] / 255;
    c->g = v[1] / 255;
    c->b = v[2] / 255;
    c->a = v[3] / 255;
    return 0;
}

static int parse_colour(const char *s, struct bm_color *c)
{
    if (s[0] == '#')
        return parse_hex(s + 1, c);
    if (strcasecmp(s, "none") == 0 || strcasecmp(s, "transparent") == 0) {
        *c = (struct bm_color){0, 0, 0, 0};
        return 0;
    }
    for (const struct named_colour *k = COLOURS; k->name; k++)
        if (strcasecmp(s, k->name) == 0) {
            c->r = ((k->rgb >> 16) & 0xff) / 255.0;
            c->g = ((k->rgb >> 8) & 0xff) / 255.0;
            c->b = (k->rgb & 0xff) / 255.0;
            c->a = 1;
            return 0;
        }
    return -1;
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
    if (parse_colour(t, out) != 0)
        return fail_at(p, v, "bad colour '%s'; expected %s", show(p, t), expected);
    return BM_OK;
}

/* ---- mappings of known keys -------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t nb = strlen(b), row[32];
    if (nb >= 32)
        return (size_t)-1;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; a[i - 1]; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The key a typo most likely meant: within two edits, and not a wholly different word. */
static const char *closest_key(const char *word, const struct key *keys, size_t n)
{
    size_t len = strlen(word), best = 3;
    const char *found = NULL;
    if (len > 40)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, keys[i].name);
        if (d < best && d < len) {
            best = d;
            found = keys[i].name;
        }
    }
    return found;
}

static enum bm_status unknown_key(struct parse *p, struct fy_node *k, const char *word,
                                  const struct key *keys, size_t n, const char *what)
{
    struct bm__buf list = {0};
    for (size_t i = 0; i < n; i++)
        bm__buf_printf(&list, "%s%s", i ? ", " : "", keys[i].name);
    const char *near = closest_key(word, keys, n);
    char hint[64] = "";
    if (near)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    enum bm_status st = list.data ? fail_at(p, k, "unknown key '%s' in %s; expected one of: %s%s",
                                            show(p, word), what, list.data, hint)
                                  : nomem(p);
    bm__buf_free(&list);
    return st;
}

/* Read mapping m key by key with keys[]; every key must be one of them. */
static enum bm_status walk(struct parse *p, struct fy_node *m, const struct key *keys, size_t n,
                           struct scope *s)
{
    void *it = NULL;
    struct fy_node_pair *pair;
    struct fy_node *outer = p->key;
    while ((pair = fy_node_mapping_iterate(m, &it))) {
        struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
        if (!is_scalar(k) || is_null(k))
            return fail_at(p, k ? k : m, "a key in %s is %s; expected a plain key such as %s",
                           s->what, kind_of(k), keys[0].name);
        const char *word = fy_node_get_scalar0(k);
        if (!word)
            return nomem(p);
        size_t i = 0;
        while (i < n && strcmp(word, keys[i].name) != 0)
            i++;
        if (i == n)
            return unknown_key(p, k, word, keys, n, s->what);
        s->key = keys[i].name;
        s->node[i] = v ? v : k;
        p->key = k;
        enum bm_status st = keys[i].read(p, v, s);
        p->key = outer;
        if (st != BM_OK)
            return st;
    }
    return BM_OK;
}

/* A part of the recipe read with its own table: scope c inherits what s fills. */
static struct scope sub_scope(const struct scope *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static struct scope sub_scope(const struct scope *s, const char *fmt, ...)
{
    struct scope c = *s;
    memset(c.node, 0, sizeof c.node);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c.what, sizeof c.what, fmt, ap);
    va_end(ap);
    return c;
}

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))

/* ---- places ------------------------------------------------------------ */

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

/* ---- styles (layers, rules, annotations) ------------------------------- */

static enum bm_status r_fill(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_FILL;
    return read_colour(p, v, s->key, &s->style->fill);
}

static enum bm_status r_stroke_colour(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_STROKE;
    return read_colour(p, v, s->key, &s->style->stroke);
}

static enum bm_status r_width(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_WIDTH;
    return read_number(p, v, s->key, 0, 50, &s->style->width);
}

static enum bm_status r_opacity(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_OPACITY;
    return read_number(p, v, s->key, 0, 1, &s->style->opacity);
}

static enum bm_status r_legend(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_text(p, v, s->key, s->legend);
}

static enum bm_status r_dash(struct parse *p, struct fy_node *v, struct scope *s)
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

static enum bm_status r_casing_colour(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_CASING;
    return read_colour(p, v, s->key, &s->style->casing);
}

static enum bm_status r_casing_width(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_CASING;
    return read_number(p, v, s->key, 0, 50, &s->style->casing_width);
}

static const struct key CASING_KEYS[] = {{"color", r_casing_colour}, {"width", r_casing_width}};

static enum bm_status r_casing(struct parse *p, struct fy_node *v, struct scope *s)
{
    if (is_scalar(v) && !is_null(v))
        return r_casing_colour(p, v, s);
    enum bm_status st =
        need(p, v, FYNT_MAPPING, s->key, "a mapping such as {color: white, width: 4}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'casing' of %s", s->what);
    s->style->set |= BM_SET_CASING;
    return walk(p, v, CASING_KEYS, NKEYS(CASING_KEYS), &c);
}

static const struct key STROKE_KEYS[] = {
    {"color", r_stroke_colour}, {"width", r_width}, {"dash", r_dash}, {"casing", r_casing}};

/* stroke: "#9a9a9a", or {color, width, dash, casing}. */
static enum bm_status r_stroke(struct parse *p, struct fy_node *v, struct scope *s)
{
    if (is_scalar(v) || !v)
        return r_stroke_colour(p, v, s);
    enum bm_status st = need(p, v, FYNT_MAPPING, s->key,
                             "a colour, or a mapping such as {color: \"#9a9a9a\", width: 0.4}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'stroke' of %s", s->what);
    return walk(p, v, STROKE_KEYS, NKEYS(STROKE_KEYS), &c);
}

static enum bm_status r_marker_shape(struct parse *p, struct fy_node *v, struct scope *s)
{
    /* In the order of enum bm_marker. */
    static const char *const shapes[] = {"none", "circle",  "square", "triangle",
                                         "star", "capital", NULL};
    int i = 0;
    enum bm_status st = read_choice(p, v, s->key, "marker", shapes,
                                    "circle, square, triangle, star, capital or none", &i);
    if (st != BM_OK)
        return st;
    s->style->marker = (enum bm_marker)i;
    s->style->set |= BM_SET_MARKER;
    return BM_OK;
}

static enum bm_status r_marker_size(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_MARKER_SIZE;
    return read_number(p, v, s->key, 0.5, 100, &s->style->marker_size);
}

static enum bm_status r_marker_fill(struct parse *p, struct fy_node *v, struct scope *s)
{
    s->style->set |= BM_SET_MARKER_FILL;
    return read_colour(p, v, s->key, &s->style->marker_fill);
}

static const struct key MARKER_KEYS[] = {{"shape", r_marker_shape},
                                         {"size", r_marker_size},
                                         {"fill", r_marker_fill},
                                         {"stroke", r_stroke_colour}};

/* marker: circle, or {shape, size, fill, stroke}. */
static enum bm_status r_marker(struct parse *p, struct fy_node *v, struct scope *s)
{
    if (is_scalar(v) || !v)
        return r_marker_shape(p, v, s);
    enum bm_status st =
        need(p, v, FYNT_MAPPING, s->key, "a shape, or a mapping such as {shape: circle, size: 5}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'marker' of %s", s->what);
    return walk(p, v, MARKER_KEYS, NKEYS(MARKER_KEYS), &c);
}

/* ---- rules ------------------------------------------------------------- */

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
static enum bm_status r_when(struct parse *p, struct fy_node *v, struct scope *s)
{
    static const char expected[] = "one field and its values such as {iso_a3: MMR}";
    enum bm_status st = need(p, v, FYNT_MAPPING, "when", expected);
    if (st != BM_OK)
        return st;
    int n = fy_node_mapping_item_count(v);
    if (n != 1)
        return fail_at(p, v, "'when' has %d fields; expected %s", n, expected);
    struct fy_node_pair *pair = fy_node_mapping_get_by_index(v, 0);
    struct fy_node *k = fy_node_pair_key(pair);
    st = read_word(p, k, "when", "a field name", &s->rule->field);
    if (st != BM_OK)
        return st;
    return read_values(p, fy_node_pair_value(pair), s->rule->field, s->rule);
}

static const struct key RULE_KEYS[] = {
    {"when", r_when},       {"fill", r_fill},     {"stroke", r_stroke}, {"width", r_width},
    {"opacity", r_opacity}, {"marker", r_marker}, {"legend", r_legend}};

static enum bm_status read_rule(struct parse *p, struct fy_node *v, struct scope *s, size_t i)
{
    struct bm_rule *rule = &s->layer->rules[i];
    bm__style_blank(&rule->style);
    struct scope c = sub_scope(s, "rule %zu of %s", i + 1, s->what);
    c.rule = rule;
    c.style = &rule->style;
    c.legend = &rule->legend;
    enum bm_status st = need(p, v, FYNT_MAPPING, "rules",
                             "a mapping such as {when: {iso_a3: MMR}, fill: \"#f7f0dd\"}");
    if (st == BM_OK)
        st = walk(p, v, RULE_KEYS, NKEYS(RULE_KEYS), &c);
    if (st == BM_OK && !c.node[0])
        st = fail_at(p, v, "rule %zu of %s has no 'when'; expected when: {field: value}", i + 1,
                     s->what);
    return st;
}

static enum bm_status r_rules(struct parse *p, struct fy_node *v, struct scope *s)
{
    enum bm_status st = need(p, v, FYNT_SEQUENCE, "rules", "a sequence of rules (- when: ...)");
    if (st != BM_OK)
        return st;
    size_t n = (size_t)fy_node_sequence_item_count(v);
    s->layer->rules = calloc(n ? n : 1, sizeof *s->layer->rules);
    if (!s->layer->rules)
        return nomem(p);
    s->layer->nrules = n;
    void *it = NULL;
    for (size_t i = 0; i < n && st == BM_OK; i++)
        st = read_rule(p, fy_node_sequence_iterate(v, &it), s, i);
    return st;
}

/* ---- labels ------------------------------------------------------------ */

static enum bm_status r_label_field(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_word(p, v, s->key, "a field name such as name", &s->label->field);
}

static enum bm_status r_label_zh(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_word(p, v, s->key, "a field name such as name_zh", &s->label->field_zh);
}

static enum bm_status r_label_my(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_word(p, v, s->key, "a field name such as name_my", &s->label->field_my);
}

static enum bm_status r_label_font(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_word(p, v, s->key, "a font such as Noto Sans Bold", &s->label->font);
}

static enum bm_status r_label_size(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, 3, 72, &s->label->size);
}

static enum bm_status r_label_color(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_colour(p, v, s->key, &s->label->color);
}

static enum bm_status r_label_halo(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_colour(p, v, s->key, &s->label->halo);
}

static enum bm_status r_label_halo_width(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, 0, 20, &s->label->halo_width);
}

static enum bm_status r_label_priority(struct parse *p, struct fy_node *v, struct scope *s)
{
    double x;
    enum bm_status st = read_number(p, v, s->key, 0, 100, &x);
    if (st == BM_OK && x != floor(x))
        return fail_at(p, v,
                       "bad number '%g' for 'priority'; expected a whole number from 0 to 100", x);
    s->label->priority = (int)x;
    return st;
}

static enum bm_status r_label_rank_field(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_word(p, v, s->key, "a numeric field name such as rank", &s->label->rank_field);
}

static enum bm_status r_label_max_rank(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, 0, INFINITY, &s->label->max_rank);
}

static enum bm_status r_label_placement(struct parse *p, struct fy_node *v, struct scope *s)
{
    /* In the order of enum bm_placement. */
    static const char *const names[] = {"point", "line", "area", NULL};
    int i = 0;
    enum bm_status st = read_choice(p, v, s->key, "placement", names, "point, line or area", &i);
    s->label->placement = (enum bm_placement)i;
    return st;
}

static enum bm_status r_label_text(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_word(p, v, s->key, "text", &s->label->text);
}

static const struct key LABEL_KEYS[] = {{"field", r_label_field},
                                        {"zh", r_label_zh},
                                        {"my", r_label_my},
                                        {"font", r_label_font},
                                        {"size", r_label_size},
                                        {"color", r_label_color},
                                        {"halo", r_label_halo},
                                        {"halo_width", r_label_halo_width},
                                        {"priority", r_label_priority},
                                        {"rank_field", r_label_rank_field},
                                        {"max_rank", r_label_max_rank},
                                        {"placement", r_label_placement},
                                        {"text", r_label_text}};

/* label: name (a field), or a mapping with field or text. */
static enum bm_status r_label(struct parse *p, struct fy_node *v, struct scope *s)
{
    struct bm_label *l = &s->layer->label;
    if (is_null(v))
        return BM_OK;
    l->enabled = 1;
    if (is_scalar(v))
        return read_word(p, v, "label", "a field name", &l->field);
    enum bm_status st = need(p, v, FYNT_MAPPING, "label",
                             "a field name, or a mapping such as {field: name, size: 9}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'label' of %s", s->what);
    c.label = l;
    st = walk(p, v, LABEL_KEYS, NKEYS(LABEL_KEYS), &c);
    if (st == BM_OK && !l->field && !l->text)
        st = fail_at(p, v, "'label' of %s has no 'field' or 'text'; expected field: name", s->what);
    return st;
}

/* ---- layers ------------------------------------------------------------ */

/* source: relative to the recipe's folder if the file is there, else to the data root. */
static enum bm_status r_source(struct parse *p, struct fy_node *v, struct scope *s)
{
    const char *t;
    enum bm_status st = text_of(p, v, "source", "a file path or a connection string", &t);
    if (st != BM_OK)
        return st;
    char *path = NULL;
    int r = bm__source_path(p->ctx, p->path, t, &path);
    if (r < 0)
        return nomem(p);
    if (r == 0) {
        free(s->layer->source);
        s->layer->source = path;
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

static enum bm_status r_name(struct parse *p, struct fy_node *v, struct scope *s)
{
    enum bm_status st = read_word(p, v, "name", "a unique name such as countries", &s->layer->name);
    if (st != BM_OK)
        return st;
    for (size_t i = 0; i < s->index; i++)
        if (strcmp(p->map->layers[i].name, s->layer->name) == 0)
            return fail_at(p, v,
                           "duplicate layer name '%s' (layer %zu has it too); expected a "
                           "unique name",
                           show(p, s->layer->name), i + 1);
    return BM_OK;
}

/* A filter is data: checked against bordermap's grammar here, its fields when loading. */
static enum bm_status r_where(struct parse *p, struct fy_node *v, struct scope *s)
{
    enum bm_status st = read_text(p, v, "where", &s->layer->where);
    if (st != BM_OK || !s->layer->where)
        return st;
    char msg[1024];
    struct bm__filter *f = bm__filter_parse(s->layer->where, msg, sizeof msg);
    bm__filter_free(f);
    return f ? BM_OK : fail_at(p, v, "%s", msg);
}

static enum bm_status read_date(struct parse *p, struct fy_node *v, const char *key, char **out)
{
    enum bm_status st = read_text(p, v, key, out);
    if (st == BM_OK && !bm__is_iso_date(*out))
        return fail_at(p, v, "bad date '%s' for '%s'; expected YYYY-MM-DD, e.g. 2023-11-16", *out,
                       key);
    return st;
}

static enum bm_status r_date_field(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_text(p, v, "date_field", &s->layer->date_field);
}

static enum bm_status r_date_from(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_date(p, v, "from", &s->layer->date_from);
}

static enum bm_status r_date_to(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_date(p, v, "to", &s->layer->date_to);
}

static enum bm_status r_size_field(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_text(p, v, "size_field", &s->layer->size_field);
}

static enum bm_status r_min_scale(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, 0, INFINITY, &s->layer->min_scale);
}

static enum bm_status r_max_scale(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, 0, INFINITY, &s->layer->max_scale);
}

/* Order matters: the index of name, source and max_scale is used below. */
static const struct key LAYER_KEYS[] = {
    {"name", r_name},           {"source", r_source},         {"where", r_where},
    {"fill", r_fill},           {"stroke", r_stroke},         {"width", r_width},
    {"opacity", r_opacity},     {"marker", r_marker},         {"legend", r_legend},
    {"min_scale", r_min_scale}, {"max_scale", r_max_scale},   {"rules", r_rules},
    {"label", r_label},         {"date_field", r_date_field}, {"from", r_date_from},
    {"to", r_date_to},          {"size_field", r_size_field}};
enum { LAYER_NAME = 0, LAYER_SOURCE = 1, LAYER_MAX_SCALE = 10 };
_Static_assert(NKEYS(LAYER_KEYS) <= MAX_KEYS && NKEYS(LABEL_KEYS) <= MAX_KEYS,
               "struct scope records one value per key");

static enum bm_status layer_checks(struct parse *p, struct fy_node *v, const struct scope *c)
{
    const struct bm_map_layer *L = c->layer;
    if (!c->node[LAYER_NAME])
        return fail_at(p, v, "layer %zu has no 'name'; expected a unique name such as countries",
                       c->index + 1);
    if (!c->node[LAYER_SOURCE])
        return fail_at(p, v,
                       "layer %zu ('%s') has no 'source'; expected a file path such as "
                       "shapes/boundaries/countries.shp",
                       c->index + 1, show(p, L->name));
    if (L->min_scale > 0 && L->max_scale > 0 && L->min_scale > L->max_scale)
        return fail_at(p, c->node[LAYER_MAX_SCALE],
                       "'max_scale' %g is below 'min_scale' %g in %s; expected min_scale <= "
                       "max_scale",
                       L->max_scale, L->min_scale, c->what);
    return BM_OK;
}

static enum bm_status read_layer(struct parse *p, struct fy_node *v, struct scope *top, size_t i)
{
    struct bm_map_layer *L = &p->map->layers[i];
    bm__style_blank(&L->style);
    if (bm__label_defaults(&L->label) != 0)
        return nomem(p);
    enum bm_status st = need(p, v, FYNT_MAPPING, "layers",
                             "a layer mapping such as {name: countries, source: shapes/...}");
    if (st != BM_OK)
        return st;
    /* The name first, so that every message about this layer can say which it is. */
    struct fy_node *name = fy_node_mapping_lookup_by_string(v, "name", FY_NT);
    struct scope c;
    if (is_scalar(name) && !is_null(name))
        c = sub_scope(top, "layer '%s'", show(p, fy_node_get_scalar0(name)));
    else
        c = sub_scope(top, "layer %zu", i + 1);
    c.index = i;
    c.layer = L;
    c.style = &L->style;
    c.legend = &L->legend;
    st = walk(p, v, LAYER_KEYS, NKEYS(LAYER_KEYS), &c);
    return st == BM_OK ? layer_checks(p, v, &c) : st;
}

static enum bm_status r_layers(struct parse *p, struct fy_node *v, struct scope *s)
{
    enum bm_status st = need(p, v, FYNT_SEQUENCE, "layers", "a sequence of layers (- name: ...)");
    if (st != BM_OK)
        return st;
    size_t n = (size_t)fy_node_sequence_item_count(v);
    if (n == 0)
        return fail_at(p, v, "'layers' is empty; expected at least one layer");
    void *it = NULL;
    if (n > MAX_LAYERS) {
        for (size_t i = 0; i < MAX_LAYERS; i++)
            fy_node_sequence_iterate(v, &it);
        return fail_at(p, fy_node_sequence_iterate(v, &it),
                       "more than %d layers (%zu); expected at most %d", MAX_LAYERS, n, MAX_LAYERS);
    }
    p->map->layers = calloc(n, sizeof *p->map->layers);
    if (!p->map->layers)
        return nomem(p);
    p->map->nlayers = n;
    for (size_t i = 0; i < n && st == BM_OK; i++)
        st = read_layer(p, fy_node_sequence_iterate(v, &it), s, i);
    return st;
}

/* ---- annotations ------------------------------------------------------- */

static enum bm_status r_at(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_place(p, v, s->key, &s->ann->lat, &s->ann->lon, &s->ann->label);
}

static enum bm_status r_to(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_place(p, v, s->key, &s->ann->lat2, &s->ann->lon2, &s->ann->label2);
}

static enum bm_status r_ann_text(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_word(p, v, s->key, "text", &s->ann->text);
}

static enum bm_status r_buffer_layer(struct parse *p, struct fy_node *v, struct scope *s)
{
    enum bm_status st = read_word(p, v, s->key, "the name of a layer of this map", &s->ann->layer);
    if (st != BM_OK)
        return st;
    /* Checked once every layer is read: layers may come after annotations. */
    return bm__buf_append(&p->pending, &v, sizeof v) == 0 ? BM_OK : nomem(p);
}

static enum bm_status r_km(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, 0.1, 1000, &s->ann->km);
}

/* Each kind's first keys are required: at and text, from and to, layer and km. */
static const struct key CALLOUT_KEYS[] = {
    {"at", r_at}, {"text", r_ann_text}, {"fill", r_fill}, {"stroke", r_stroke}, {"width", r_width}};
static const struct key DISTANCE_KEYS[] = {
    {"from", r_at}, {"to", r_to}, {"stroke", r_stroke}, {"width", r_width}, {"dash", r_dash}};
static const struct key BUFFER_KEYS[] = {{"layer", r_buffer_layer}, {"km", r_km},
                                         {"fill", r_fill},          {"stroke", r_stroke},
                                         {"width", r_width},        {"opacity", r_opacity}};

struct ann_kind {
    const char *name;
    const struct key *keys;
    size_t nkeys;
    const char *example;
};

/* In the order of enum bm_annotation_kind, from 1. */
static const struct ann_kind ANN_KINDS[] = {
    {"callout", CALLOUT_KEYS, NKEYS(CALLOUT_KEYS), "{at: Ruili, text: ...}"},
    {"distance", DISTANCE_KEYS, NKEYS(DISTANCE_KEYS), "{from: Ruili, to: Naypyidaw}"},
    {"buffer", BUFFER_KEYS, NKEYS(BUFFER_KEYS), "{layer: border, km: 50}"}};
static const struct key ANN_NAMES[] = {{"callout", NULL}, {"distance", NULL}, {"buffer", NULL}};

static enum bm_status read_ann_body(struct parse *p, struct fy_node *k, struct fy_node *v,
                                    struct scope *c, const struct ann_kind *kind)
{
    char expected[96];
    snprintf(expected, sizeof expected, "a mapping such as %s", kind->example);
    enum bm_status st = need(p, v, FYNT_MAPPING, kind->name, expected);
    if (st == BM_OK)
        st = walk(p, v, kind->keys, kind->nkeys, c);
    for (size_t i = 0; i < 2 && st == BM_OK; i++)
        if (!c->node[i])
            st = fail_at(p, is_null(v) ? k : v, "%s has no '%s'; expected %s", c->what,
                         kind->keys[i].name, expected);
    return st;
}

static enum bm_status read_annotation(struct parse *p, struct fy_node *v, struct scope *top,
                                      size_t i)
{
    struct bm_annotation *a = &p->map->annotations[i];
    bm__style_blank(&a->style);
    enum bm_status st = need(p, v, FYNT_MAPPING, "annotations",
                             "a mapping of one kind: callout, distance or buffer");
    if (st != BM_OK)
        return st;
    if (fy_node_mapping_item_count(v) != 1)
        return fail_at(p, v,
                       "annotation %zu has %d keys; expected one of callout, distance or "
                       "buffer per item (- callout: {...})",
                       i + 1, fy_node_mapping_item_count(v));
    struct fy_node_pair *pair = fy_node_mapping_get_by_index(v, 0);
    struct fy_node *k = fy_node_pair_key(pair);
    const char *word = is_scalar(k) ? fy_node_get_scalar0(k) : "";
    size_t kind = 0;
    while (kind < NKEYS(ANN_NAMES) && strcmp(word ? word : "", ANN_NAMES[kind].name) != 0)
        kind++;
    struct scope c = sub_scope(top, "annotation %zu", i + 1);
    if (kind == NKEYS(ANN_NAMES))
        return unknown_key(p, k, word ? word : "", ANN_NAMES, NKEYS(ANN_NAMES), c.what);
    c = sub_scope(top, "%s (annotation %zu)", word, i + 1);
    a->kind = (enum bm_annotation_kind)(kind + 1);
    c.ann = a;
    c.style = &a->style;
    struct fy_node *outer = p->key;
    p->key = k;
    st = read_ann_body(p, k, fy_node_pair_value(pair), &c, &ANN_KINDS[kind]);
    p->key = outer;
    return st;
}

static enum bm_status r_annotations(struct parse *p, struct fy_node *v, struct scope *s)
{
    if (is_null(v))
        return BM_OK;
    enum bm_status st = need(p, v, FYNT_SEQUENCE, "annotations",
                             "a sequence such as - callout: {at: Ruili, text: ...}");
    if (st != BM_OK)
        return st;
    size_t n = (size_t)fy_node_sequence_item_count(v);
    p->map->annotations = calloc(n ? n : 1, sizeof *p->map->annotations);
    if (!p->map->annotations)
        return nomem(p);
    p->map->nannotations = n;
    void *it = NULL;
    for (size_t i = 0; i < n && st == BM_OK; i++)
        st = read_annotation(p, fy_node_sequence_iterate(v, &it), s, i);
    return st;
}

/* Buffers name layers of this map; checked when all are known. */
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

/* ---- furniture --------------------------------------------------------- */

static enum bm_status read_corner(struct parse *p, struct fy_node *v, const char *key,
                                  enum bm_corner *out)
{
    /* In the order of enum bm_corner; false is YAML's way of saying none. */
    static const char *const names[] = {"none",         "top-left", "top-right", "bottom-left",
                                        "bottom-right", "false",    NULL};
    int i = 0;
    enum bm_status st = read_choice(p, v, key, "position", names,
                                    "top-left, top-right, bottom-left, bottom-right or none", &i);
    *out = i == 5 ? BM_CORNER_NONE : (enum bm_corner)i;
    return st;
}

static enum bm_status r_f_legend(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_corner(p, v, s->key, &p->map->furniture.legend);
}

static enum bm_status r_f_scalebar(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_corner(p, v, s->key, &p->map->furniture.scalebar);
}

static enum bm_status r_f_north_arrow(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_corner(p, v, s->key, &p->map->furniture.north_arrow);
}

static enum bm_status r_f_inset(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_corner(p, v, s->key, &p->map->furniture.inset);
}

static enum bm_status r_g_step(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, 0.1, 30, &p->map->furniture.graticule_step);
}

static enum bm_status r_g_labels(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_bool(p, v, s->key, &p->map->furniture.graticule_labels);
}

static const struct key GRATICULE_KEYS[] = {{"step", r_g_step}, {"labels", r_g_labels}};

/* graticule: {step, labels}, or a step, or none/false. */
static enum bm_status r_f_graticule(struct parse *p, struct fy_node *v, struct scope *s)
{
    struct bm_furniture *f = &p->map->furniture;
    f->graticule_step = 0;
    f->graticule_labels = 1;
    if (is_null(v))
        return BM_OK;
    if (is_scalar(v)) {
        const char *t = fy_node_get_scalar0(v);
        if (t && (strcasecmp(t, "none") == 0 || strcasecmp(t, "false") == 0))
            return BM_OK;
        return r_g_step(p, v, s);
    }
    enum bm_status st =
        need(p, v, FYNT_MAPPING, "graticule",
             "a step in degrees, none, or a mapping such as {step: 2, labels: true}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'graticule'");
    st = walk(p, v, GRATICULE_KEYS, NKEYS(GRATICULE_KEYS), &c);
    if (st == BM_OK && !c.node[0])
        st = fail_at(p, v, "'graticule' has no 'step'; expected step: 0.1 to 30 degrees");
    return st;
}

static enum bm_status r_f_credits(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_text(p, v, s->key, &p->map->furniture.credits);
}

static const struct key FURNITURE_KEYS[] = {
    {"legend", r_f_legend}, {"scalebar", r_f_scalebar},   {"north_arrow", r_f_north_arrow},
    {"inset", r_f_inset},   {"graticule", r_f_graticule}, {"credits", r_f_credits}};

static enum bm_status r_furniture(struct parse *p, struct fy_node *v, struct scope *s)
{
    if (is_null(v))
        return BM_OK;
    enum bm_status st = need(p, v, FYNT_MAPPING, "furniture",
                             "a mapping such as {legend: bottom-left, scalebar: bottom-right}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'furniture'");
    return walk(p, v, FURNITURE_KEYS, NKEYS(FURNITURE_KEYS), &c);
}

/* ---- page -------------------------------------------------------------- */

static enum bm_status r_size(struct parse *p, struct fy_node *v, struct scope *s)
{
    static const char expected[] = "A4, A3, Letter or WxHmm such as 300x200mm";
    const char *t;
    enum bm_status st = text_of(p, v, "size", expected, &t);
    if (st != BM_OK)
        return st;
    int r = bm__page_size(t, &s->w, &s->h, &s->named);
    if (r == -2)
        return fail_at(p, v, "page size '%s' is out of range; expected each side from %d to %d mm",
                       show(p, t), BM_PAGE_MM_MIN, BM_PAGE_MM_MAX);
    if (r != 0)
        return fail_at(p, v, "bad page size '%s'; expected %s", show(p, t), expected);
    return BM_OK;
}

static enum bm_status r_orientation(struct parse *p, struct fy_node *v, struct scope *s)
{
    static const char *const names[] = {"portrait", "landscape", NULL};
    return read_choice(p, v, s->key, "orientation", names, "portrait or landscape",
                       &s->orientation);
}

static enum bm_status r_dpi(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, BM_DPI_MIN, BM_DPI_MAX, &p->map->dpi);
}

static const struct key PAGE_KEYS[] = {
    {"size", r_size}, {"orientation", r_orientation}, {"dpi", r_dpi}};

/*
 * Named sizes are portrait and turn landscape unless told otherwise; a
 * "WxHmm" size is taken as written unless an orientation is given.
 */
static enum bm_status r_page(struct parse *p, struct fy_node *v, struct scope *s)
{
    enum bm_status st =
        need(p, v, FYNT_MAPPING, "page", "a mapping such as {size: A4, orientation: landscape}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'page'");
    c.w = 210;
    c.h = 297;
    c.named = 1;
    c.orientation = -1;
    st = walk(p, v, PAGE_KEYS, NKEYS(PAGE_KEYS), &c);
    if (st != BM_OK)
        return st;
    bm__page_orient(&c.w, &c.h, c.named, c.orientation);
    p->map->page_w_mm = c.w;
    p->map->page_h_mm = c.h;
    return BM_OK;
}

/* ---- extent ------------------------------------------------------------ */

static enum bm_status r_west(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, -180, 180, &s->box.west);
}

static enum bm_status r_south(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, -90, 90, &s->box.south);
}

static enum bm_status r_east(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, -180, 180, &s->box.east);
}

static enum bm_status r_north(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, -90, 90, &s->box.north);
}

static enum bm_status r_around(struct parse *p, struct fy_node *v, struct scope *s)
{
    char *label = NULL;
    enum bm_status st = read_place(p, v, s->key, &s->lat, &s->lon, &label);
    free(label);
    return st;
}

static enum bm_status r_radius(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_number(p, v, s->key, BM_RADIUS_KM_MIN, BM_RADIUS_KM_MAX, &s->radius);
}

static const struct key EXTENT_KEYS[] = {{"west", r_west},     {"south", r_south},
                                         {"east", r_east},     {"north", r_north},
                                         {"around", r_around}, {"radius_km", r_radius}};
enum { EXT_AROUND = 4, EXT_RADIUS = 5 };

static enum bm_status extent_around(struct parse *p, struct fy_node *v, const struct scope *c)
{
    for (size_t i = 0; i < EXT_AROUND; i++)
        if (c->node[i])
            return fail_at(p, c->node[i],
                           "'%s' cannot go with 'around' in 'extent'; expected "
                           "west, south, east and north, or around and radius_km",
                           EXTENT_KEYS[i].name);
    if (!c->node[EXT_RADIUS])
        return fail_at(p, v,
                       "'extent' has 'around' but no 'radius_km'; expected radius_km: %d "
                       "to %d",
                       BM_RADIUS_KM_MIN, BM_RADIUS_KM_MAX);
    p->map->extent = bm__around_box(c->lat, c->lon, c->radius);
    return BM_OK;
}

static enum bm_status r_extent(struct parse *p, struct fy_node *v, struct scope *s)
{
    enum bm_status st = need(p, v, FYNT_MAPPING, "extent",
                             "a mapping such as {west: 91.5, south: 9.5, east: 106.5, north: "
                             "29.5} or {around: Ruili, radius_km: 40}");
    if (st != BM_OK)
        return st;
    struct scope c = sub_scope(s, "'extent'");
    st = walk(p, v, EXTENT_KEYS, NKEYS(EXTENT_KEYS), &c);
    if (st != BM_OK)
        return st;
    if (c.node[EXT_AROUND])
        return extent_around(p, v, &c);
    for (size_t i = 0; i < EXT_AROUND; i++)
        if (!c.node[i])
            return fail_at(p, c.node[EXT_RADIUS] ? c.node[EXT_RADIUS] : v,
                           "'extent' has no '%s'; expected west, south, east and north in "
                           "degrees, or around and radius_km",
                           EXTENT_KEYS[i].name);
    if (c.box.west >= c.box.east)
        return fail_at(p, c.node[2], "'east' %g is not east of 'west' %g; expected west < east",
                       c.box.east, c.box.west);
    if (c.box.south >= c.box.north)
        return fail_at(p, c.node[3],
                       "'north' %g is not north of 'south' %g; expected south < north", c.box.north,
                       c.box.south);
    p->map->extent = c.box;
    return BM_OK;
}

/* ---- the top level ----------------------------------------------------- */

static enum bm_status r_title(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_text(p, v, s->key, &p->map->title);
}

static enum bm_status r_subtitle(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_text(p, v, s->key, &p->map->subtitle);
}

static enum bm_status r_date(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_text(p, v, s->key, &p->map->date);
}

static enum bm_status r_background(struct parse *p, struct fy_node *v, struct scope *s)
{
    return read_colour(p, v, s->key, &p->map->background);
}

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

static enum bm_status r_projection(struct parse *p, struct fy_node *v, struct scope *s)
{
    const char *t;
    enum bm_status st = text_of(p, v, s->key, "auto, EPSG:n or a PROJ string", &t);
    if (st != BM_OK)
        return st;
    if (strcasecmp(t, "auto") != 0) {
        st = check_projection(p, v, t);
        if (st != BM_OK)
            return st;
    }
    free(p->map->projection);
    p->map->projection = bm__strdup(strcasecmp(t, "auto") == 0 ? "auto" : t);
    return p->map->projection ? BM_OK : nomem(p);
}

static const struct key TOP_KEYS[] = {{"title", r_title},
                                      {"subtitle", r_subtitle},
                                      {"date", r_date},
                                      {"page", r_page},
                                      {"extent", r_extent},
                                      {"projection", r_projection},
                                      {"background", r_background},
                                      {"layers", r_layers},
                                      {"annotations", r_annotations},
                                      {"furniture", r_furniture}};
enum { TOP_LAYERS = 7 };

/* ---- limits, then the whole recipe ------------------------------------- */

/* Refuse aliases (a few lines of them can stand for gigabytes), deep nesting, huge values. */
static enum bm_status check_limits(struct parse *p, struct fy_node *n, int depth)
{
    if (!n)
        return BM_OK;
    if (fy_node_is_alias(n)) {
        /* By its length: libfyaml 0.7.12 may give an alias's name unterminated (found
         * by fuzzing: tests/fuzz/regressions/recipe/). */
        size_t len = 0;
        const char *name = fy_node_get_scalar(n, &len);
        char copy[96];
        snprintf(copy, sizeof copy, "%.*s", name ? (int)(len < 95 ? len : 95) : 0,
                 name ? name : "");
        return fail_at(p, n, "alias '*%s' is not supported; expected the value written out",
                       show(p, copy));
    }
    if (fy_node_get_type(n) == FYNT_SCALAR) {
        size_t len = 0;
        fy_node_get_scalar(n, &len);
        if (len > MAX_SCALAR)
            return fail_at(p, n, "a value of %zu bytes; expected at most %d bytes (64 KiB)", len,
                           MAX_SCALAR);
        return BM_OK;
    }
    if (depth > MAX_DEPTH)
        return fail_at(p, n, "nesting deeper than %d levels; expected a flatter recipe", MAX_DEPTH);
    void *it = NULL;
    enum bm_status st = BM_OK;
    if (fy_node_get_type(n) == FYNT_SEQUENCE) {
        struct fy_node *item;
        while (st == BM_OK && (item = fy_node_sequence_iterate(n, &it)))
            st = check_limits(p, item, depth + 1);
        return st;
    }
    struct fy_node_pair *pair;
    while (st == BM_OK && (pair = fy_node_mapping_iterate(n, &it))) {
        st = check_limits(p, fy_node_pair_key(pair), depth + 1);
        if (st == BM_OK)
            st = check_limits(p, fy_node_pair_value(pair), depth + 1);
    }
    return st;
}

static enum bm_status read_root(struct parse *p, struct fy_node *root)
{
    if (!root || is_null(root))
        return bm__fail(p->ctx, BM_ERR_RECIPE,
                        "%s:1:1: the recipe is empty; expected a mapping with at least 'layers'",
                        p->path);
    enum bm_status st = check_limits(p, root, 1);
    if (st != BM_OK)
        return st;
    if (fy_node_get_type(root) != FYNT_MAPPING)
        return fail_at(p, root,
                       "the recipe is %s; expected a mapping of keys such as title, "
                       "extent and layers",
                       kind_of(root));
    struct scope s = {.what = "the recipe"};
    st = walk(p, root, TOP_KEYS, NKEYS(TOP_KEYS), &s);
    if (st == BM_OK && !s.node[TOP_LAYERS])
        st = fail_at(p, root,
                     "the recipe has no 'layers'; expected a sequence of at least one "
                     "layer");
    if (st == BM_OK)
        st = check_buffers(p);
    return st;
}

static void quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

/* The parser's first error, with its own position. */
static enum bm_status syntax_error(struct parse *p)
{
    void *it = NULL;
    struct fy_diag_error *e;
    while ((e = fy_diag_errors_iterate(p->diag, &it)))
        if (e->type >= FYET_ERROR)
            return bm__fail(p->ctx, BM_ERR_RECIPE, "%s:%d:%d: YAML syntax: %s", p->path,
                            e->line > 0 ? e->line : 1, e->column > 0 ? e->column : 1,
                            e->msg ? e->msg : "cannot parse");
    return bm__fail(p->ctx, BM_ERR_RECIPE,
                    "%s:1:1: the recipe is empty; expected a mapping with "
                    "at least 'layers'",
                    p->path);
}

/*
 * The recipe is the stream's one document. A second one (after "---" or
 * "...") is refused rather than dropped; empty ones are harmless.
 */
static enum bm_status read_stream(struct parse *p, struct fy_parser *fyp)
{
    struct fy_document *doc = fy_parse_load_document(fyp), *next;
    if (!doc)
        return syntax_error(p);
    enum bm_status st = BM_OK;
    while (st == BM_OK && (next = fy_parse_load_document(fyp))) {
        if (!is_null(fy_document_root(next)))
            st = fail_at(p, fy_document_root(next),
                         "a second YAML document; expected one recipe per file (remove the "
                         "'---' or '...' before this line)");
        fy_parse_document_destroy(fyp, next);
    }
    if (st == BM_OK && fy_parser_get_stream_error(fyp))
        st = syntax_error(p);
    if (st == BM_OK)
        st = read_root(p, fy_document_root(doc));
    fy_parse_document_destroy(fyp, doc);
    return st;
}

static enum bm_status parse_text(struct parse *p, const char *text, size_t len)
{
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = quiet;
    p->diag = fy_diag_create(&dc);
    if (!p->diag)
        return nomem(p);
    fy_diag_set_collect_errors(p->diag, true);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2, .diag = p->diag};
    struct fy_parser *fyp = fy_parser_create(&cfg);
    enum bm_status st;
    if (!fyp || fy_parser_set_string(fyp, text, len) != 0)
        st = nomem(p);
    else
        st = read_stream(p, fyp);
    if (fyp)
        fy_parser_destroy(fyp);
    fy_diag_destroy(p->diag);
    p->diag = NULL;
    return st;
}

/* libfyaml reads invalid UTF-8 without complaint; say where it is. */
static enum bm_status check_utf8(struct parse *p, const char *text, size_t len)
{
    const char *end;
    if (g_utf8_validate(text, (gssize)len, &end))
        return BM_OK;
    int line = 1, col = 1;
    for (const char *c = text; c < end; c = g_utf8_next_char(c)) {
        col++;
        if (*c == '\n') {
            line++;
            col = 1;
        }
    }
    return bm__fail(p->ctx, BM_ERR_RECIPE,
                    "%s:%d:%d: the text is not valid UTF-8; expected a "
                    "UTF-8 file",
                    p->path, line, col);
}

/* The whole file, refused when over MAX_FILE bytes. */
static enum bm_status read_file(struct parse *p, char **out, size_t *len)
{
    FILE *f = fopen(p->path, "rb");
    if (!f && errno == ENOENT)
        return bm__fail(p->ctx, BM_ERR_SOURCE_MISSING,
                        "cannot open recipe '%s': no such file; check the path", p->path);
    if (!f)
        return bm__fail(p->ctx, BM_ERR_RECIPE, "cannot open recipe '%s': %s", p->path,
                        strerror(errno));
    struct bm__buf b = {0};
    char chunk[8192];
    size_t n;
    int oom = 0;
    /* Read one chunk past the limit at most: enough to know it is exceeded. */
    while (!oom && b.len <= MAX_FILE && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        oom = bm__buf_append(&b, chunk, n) != 0;
    int bad = ferror(f), err = errno;
    fclose(f);
    enum bm_status st = BM_OK;
    if (oom)
        st = nomem(p);
    else if (bad && err == EISDIR)
        st = bm__fail(p->ctx, BM_ERR_RECIPE,
                      "cannot read recipe '%s': it is a folder; give a recipe file (.yaml)",
                      p->path);
    else if (bad)
        st = bm__fail(p->ctx, BM_ERR_RECIPE, "cannot read recipe '%s': %s; check the file", p->path,
                      strerror(err));
    else if (b.len > MAX_FILE)
        st = bm__fail(p->ctx, BM_ERR_RECIPE,
                      "%s: the recipe is over 1 MiB; expected at most %d bytes", p->path, MAX_FILE);
    if (st != BM_OK) {
        bm__buf_free(&b);
        return st;
    }
    *len = b.len;
    *out = b.data ? bm__buf_take(&b) : bm__strdup("");
    return *out ? BM_OK : nomem(p);
}

enum bm_status bm_map_load(struct bm_ctx *ctx, const char *path, struct bm_map **out)
{
    bm__begin(ctx);
    if (!out)
        return bm__fail(ctx, BM_ERR_ARG, "bm_map_load: no place for the map");
    *out = NULL;
    if (!path || !path[0])
        return bm__fail(ctx, BM_ERR_ARG, "no recipe given; give a path such as styles/x.yaml");
    struct parse p = {.ctx = ctx, .path = path};
    char *text = NULL;
    size_t len = 0;
    enum bm_status st = read_file(&p, &text, &len);
    if (st == BM_OK)
        st = check_utf8(&p, text, len);
    if (st == BM_OK && !(p.map = bm__map_new(path)))
        st = nomem(&p);
    if (st == BM_OK)
        st = parse_text(&p, text, len);
    free(text);
    bm__buf_free(&p.pending);
    bm_gazetteer_free(p.gz);
    if (st != BM_OK) {
        bm_map_free(p.map);
        return st;
    }
    *out = p.map;
    return BM_OK;
}
