/*
 * bordermap internal: the recipe's schema. One table per section of a
 * recipe (the top level, page, extent, a layer, its stroke, casing, marker,
 * label and rules, each annotation kind, the furniture, the graticule), one
 * row per key: its name, its kind, where its value goes (offsetof), its
 * range or choices, whether it is required, and a line of documentation.
 *
 * recipe.c reads every section through its table with one walker;
 * schema.c holds the tables and writes `bordermap help recipe` from them;
 * tests/test_schema.c draws every key set and unset. A new key is one row
 * here (and, if it draws, the line of drawing code that reads it).
 */
#ifndef BM_SCHEMA_H
#define BM_SCHEMA_H

#include <stddef.h>

#include "bordermap/context.h"
#include "map/map.h"

struct fy_node;
struct bm__buf;
struct bm__parse; /* the reading state (recipe.c) */
struct bm__scope; /* one section being read (recipe.c) */

/* What a key's value is, and how the walker reads it into the field at its offset. */
enum bm__kind {
    BM__NUMBER,  /* double, lo..hi */
    BM__WHOLE,   /* int, a whole number lo..hi */
    BM__COLOUR,  /* struct bm_color: #rgb, #rrggbb, #rrggbbaa, a name, none */
    BM__CHOICE,  /* int (an enum): one of choices */
    BM__BOOL,    /* int: true or false */
    BM__TEXT,    /* char *: any text; empty leaves NULL */
    BM__WORD,    /* char *: a text that must be there (a name, a field) */
    BM__DATE,    /* char *: YYYY-MM-DD; empty leaves NULL */
    BM__PLACE,   /* double lat, lon at offset (adjacent); char * as written at aux */
    BM__SECTION, /* a mapping read with sub's table (or a scalar standing for its shorthand) */
    BM__LIST,    /* a sequence of sub's: the array at offset, its count (size_t) at aux */
    BM__CUSTOM   /* special syntax, read by `read` */
};

/* Flags of a key. */
enum {
    BM__REQUIRED = 1 << 0, /* the section is refused without it */
    BM__STYLE = 1 << 1,    /* offset is within the section's style, not the object */
    BM__NULL_OK = 1 << 2,  /* SECTION, LIST: an empty value means "none" */
    BM__NAMES = 1 << 3     /* the key names its list item in messages ("layer 'border'") */
};

/* A choice: a word and the value it stands for. A hidden one is accepted, not listed. */
struct bm__choice {
    const char *name;
    int value;
    int hidden;
};

typedef enum bm_status (*bm__reader)(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);

struct bm__section;

/* One key of a section. */
struct bm__key {
    const char *name;
    enum bm__kind kind;
    unsigned flags;
    size_t offset; /* of the field in the section's object (or style: BM__STYLE) */
    size_t aux;    /* PLACE: offset of the text as written; LIST: offset of the count */
    double lo, hi; /* NUMBER, WHOLE: the range (hi may be INFINITY) */
    unsigned set;  /* BM_SET_* bits a style key marks as given */
    const struct bm__choice *choices; /* CHOICE, NULL-terminated */
    const char *noun;                 /* CHOICE: the value's name in messages ("position") */
    const struct bm__section *sub;    /* SECTION, LIST; CUSTOM: the table it reads, for help */
    bm__reader read;                  /* CUSTOM */
    bm__reader after;                 /* run once the value is read: a further check */
    const char *expected;             /* WORD, CUSTOM: what a value looks like, for messages */
    const char *missing;              /* REQUIRED: what its absence asks for */
    const char *def;                  /* help: the default, when not read off the defaults */
    void (*show)(struct bm__buf *b, const void *at); /* help, CUSTOM: write the default at at */
    const char *doc;                                 /* help: one line */
};

/* Flags of a section. */
enum {
    BM__HAS_STYLE = 1 << 0, /* style_at is the offset of its struct bm_style */
    BM__VARIANTS = 1 << 1   /* a list item that is one of keys, each a SECTION ("- callout: ...") */
};

/* A section: a table of keys, and what a value of it looks like. */
struct bm__section {
    const char *name; /* "layer", "stroke", ... */
    const char *path; /* where it sits in a recipe, for help: "layers[].stroke" */
    const struct bm__key *keys;
    size_t nkeys;
    unsigned flags;
    const char *shorthand;    /* a scalar value stands for this key ("stroke: red") */
    const char *expected;     /* what a value looks like, for messages */
    size_t size;              /* LIST items: the size of one */
    size_t style_at;          /* BM__HAS_STYLE: where the style is */
    size_t kind_at;           /* BM__VARIANTS: where the chosen key's number (1, 2, ...) goes */
    const char *item;         /* LIST items: "layer", "rule", "annotation" */
    size_t max_items;         /* LIST items: at most this many (0: no limit) */
    int min_items;            /* LIST items: at least this many */
    int (*init)(void *obj);   /* a new object's defaults; 0, or -1 when out of memory */
    void (*clear)(void *obj); /* help: free what init allocated */
    bm__reader check;         /* run once the keys are read: checks across keys */
};

/* At most this many keys in one section (the walker records where each was). */
enum { BM__MAX_KEYS = 24 };

/* The top of a recipe; every other section hangs from it. */
extern const struct bm__section BM__RECIPE;

/* Custom readers, checks and hooks the tables name (recipe.c). */
enum bm_status bm__read_dash(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__read_when(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__read_source(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__read_page(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__read_page_size(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__read_extent(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__read_graticule(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__check_name(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__check_where(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__check_projection(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__check_buffer_layer(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__check_layer(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__check_label(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);
enum bm_status bm__check_raster(struct bm__parse *p, struct fy_node *v, struct bm__scope *s);

/* The page and the extent are read key by key into these, then combined (recipe.c). */
struct bm__page_in {
    double w, h, dpi; /* mm as named, before orientation */
    int named;        /* a named size (A4): turns landscape unless told */
    int orientation;  /* -1 not given, 0 portrait, 1 landscape */
};

struct bm__extent_in {
    struct bm_bbox box;
    double lat, lon; /* around */
    char *label;
    double radius;
};

/* The sections reached from `top`, each once, in the order help lists them; returns how many
 * (at most max). */
size_t bm__schema_sections(const struct bm__section *top, const struct bm__section **out,
                           size_t max);

/* Append "a, b or c": the choices that are not hidden. */
void bm__choice_list(struct bm__buf *b, const struct bm__choice *choices);

/* A colour word: "#rgb", "#rrggbb", "#rrggbbaa", a name such as white, none. 0, or -1. */
int bm__parse_colour(const char *s, struct bm_color *c);

/* The key of sec a typo (word) most likely meant: within two edits, and not a wholly
 * different word; NULL when none is. */
const char *bm__closest_key(const struct bm__section *sec, const char *word);

#endif
