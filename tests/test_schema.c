/*
 * bordermap tests: the recipe's schema (src/map/schema.c). Every key of
 * every section is documented by `help recipe`, and every key draws: a
 * small map is rendered with the key set and unset (or set to two values)
 * and the two PNGs must differ. The list of keys comes from the tables, so
 * a key added without a case here fails this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "map/schema.h" /* src/map/schema.h: the tables */
#include "support.h"

#ifndef EVENTS_CSV
#error "EVENTS_CSV must name tests/events/malformed.csv"
#endif

static const struct bm__section *SECTIONS[64];
static size_t NSECTIONS;

static void all_sections(void)
{
    NSECTIONS = bm__schema_sections(&BM__RECIPE, SECTIONS, 64);
    assert_true(NSECTIONS >= 15 && NSECTIONS < 64);
}

/* ---- the tables themselves ---------------------------------------------- */

/* Each row says what the walker and the help need: no key without a doc, a range, a sub-table. */
static void rows_are_whole(void **state)
{
    (void)state;
    all_sections();
    size_t keys = 0;
    for (size_t i = 0; i < NSECTIONS; i++) {
        const struct bm__section *s = SECTIONS[i];
        assert_non_null(s->name);
        assert_non_null(s->path);
        assert_non_null(s->expected);
        assert_true(s->nkeys >= 1 && s->nkeys <= BM__MAX_KEYS);
        if (s->shorthand) {
            size_t k = 0;
            while (k < s->nkeys && strcmp(s->keys[k].name, s->shorthand) != 0)
                k++;
            if (k == s->nkeys)
                fail_msg("%s: shorthand '%s' is not one of its keys", s->path, s->shorthand);
        }
        for (size_t k = 0; k < s->nkeys; k++) {
            const struct bm__key *r = &s->keys[k];
            keys++;
            if (!r->doc || !r->doc[0])
                fail_msg("%s.%s has no doc", s->path, r->name);
            for (size_t j = 0; j < k; j++)
                if (strcmp(s->keys[j].name, r->name) == 0)
                    fail_msg("%s.%s twice", s->path, r->name);
            switch (r->kind) {
            case BM__NUMBER:
            case BM__WHOLE:
                assert_true(r->lo <= r->hi);
                break;
            case BM__CHOICE:
                assert_non_null(r->choices);
                assert_non_null(r->noun);
                break;
            case BM__WORD:
                assert_non_null(r->expected);
                break;
            case BM__SECTION:
            case BM__LIST:
                assert_non_null(r->sub);
                break;
            case BM__CUSTOM:
                assert_non_null(r->read);
                assert_non_null(r->expected);
                break;
            default:
                break;
            }
            if ((r->flags & BM__STYLE) && r->kind != BM__SECTION && r->kind != BM__CUSTOM &&
                !r->set)
                fail_msg("%s.%s: a style key that marks nothing as given", s->path, r->name);
        }
    }
    assert_true(keys >= 90);
}

/* `help recipe` lists every key of every section under its section's heading. */
static void help_lists_every_key(void **state)
{
    (void)state;
    all_sections();
    char *help = bm_recipe_help();
    assert_non_null(help);
    for (size_t i = 0; i < NSECTIONS; i++) {
        const struct bm__section *s = SECTIONS[i];
        char head[256];
        snprintf(head, sizeof head, "\n%s: %s\n", s->path, s->expected);
        const char *at = strstr(help, head);
        if (!at)
            fail_msg("help recipe has no heading '%s'", head + 1);
        at += strlen(head);
        const char *end = strstr(at, "\n\n");
        size_t len = end ? (size_t)(end - at) : strlen(at);
        for (size_t k = 0; k < s->nkeys; k++) {
            char line[64];
            snprintf(line, sizeof line, "  %-12s ", s->keys[k].name);
            const char *found = strstr(at, line);
            if (!found || (size_t)(found - at) > len)
                fail_msg("help recipe does not list %s.%s", s->path, s->keys[k].name);
            if (strstr(found, s->keys[k].doc) == NULL)
                fail_msg("help recipe does not give the doc of %s.%s", s->path, s->keys[k].name);
        }
    }
    free(help);
}

/* ---- every key draws ------------------------------------------------------ */

/*
 * The small map every case starts from: the four geometry kinds, each
 * annotation kind, furniture. @NAME@ is a slot; slots may hold slots.
 */
static const char TEMPLATE[] =
    "@TOP@\n"
    "page: {@PAGE@}\n"
    "extent: {@EXTENT@}\n"
    "layers:\n"
    "  - {name: countries, source: shapes/boundaries/countries_ne10.shp@AREA@}\n"
    "  - {name: relief, source: tests/rasters/two_bands.tif, opacity: 0.6@RASTER@}\n"
    "  - {name: @LNAME@, source: shapes/boundaries/border_cn_mm.shp@LSTROKE@@LLEGEND@@LINE@}\n"
    "  - {name: places, @PLACES@@POINT@, label: {@LABEL@}}\n"
    "  - {name: events, source: " EVENTS_CSV "@EVENTS@}@MORE@\n"
    "annotations:@ANNOTATIONS@\n"
    "@FURNITURE@\n";

struct slot {
    const char *name, *text;
};

static const struct slot SLOTS[] = {
    {"TOP", "title: Keys"},
    {"PAGE", "size: 100x75mm, dpi: 72"},
    {"EXTENT", "west: 97.3, south: 23.5, east: 98.9, north: 24.5"},
    {"AREA", ", fill: \"#eeeeee\""},
    {"RASTER", ""},
    {"LNAME", "border"},
    {"LSTROKE", ", stroke: {color: \"#b2182b\", width: 1.5@STROKE@}"},
    {"STROKE", ""},
    {"LLEGEND", ", legend: Border"},
    {"LINE", ""},
    {"PLACES", "source: shapes/places/places.shp"},
    {"POINT", ""},
    {"LABEL", "field: name@LAB@"},
    {"LAB", ""},
    {"EVENTS", ""},
    {"MORE", ""},
    {"ANNOTATIONS", "\n  - callout: {at: Ruili, text: Note@CALLOUT@}"
                    "\n  - distance: {from: Muse, to: Laukkai@DISTANCE@}"
                    "\n  - buffer: {layer: @LNAME@, km: 5@BUFFER@}"},
    {"CALLOUT", ""},
    {"DISTANCE", ""},
    {"BUFFER", ""},
    {"FURNITURE", "furniture: {legend: bottom-left@FURN@}"},
    {"FURN", ""},
};

/*
 * A key of a section, drawn with slot holding a, then b (a NULL: the
 * slot's own text). reason: why the key draws nothing (then the two maps
 * must be the same, and check() shows what the key does instead).
 */
struct key_case {
    const char *section, *key, *slot, *a, *b;
    const char *reason;
};

/* A ramp of two stops: the first of value v and colour c, then 2,500 m white. */
#define RAMP(v, c) "[{value: " v ", color: " c "}, {value: 2500, color: white}]"
#define RULE_ON(x) ", fill: \"#eeeeee\", rules: [{when: {iso_a3: MMR}" x "}]"
#define CASING(x) ", stroke: {color: \"#b2182b\", width: 1.5, casing: {" x "}}"

static const struct key_case CASES[] = {
    /* the top level */
    {"recipe", "title", "TOP", NULL, "title: Other", NULL},
    {"recipe", "subtitle", "TOP", NULL, "title: Keys\nsubtitle: Sub", NULL},
    {"recipe", "date", "TOP", NULL, "title: Keys\ndate: 2023-11-16", NULL},
    {"recipe", "page", "PAGE", NULL, "size: 120x75mm, dpi: 72", NULL},
    {"recipe", "extent", "EXTENT", NULL, "around: Ruili, radius_km: 50", NULL},
    {"recipe", "projection", "TOP", NULL, "title: Keys\nprojection: EPSG:4326", NULL},
    {"recipe", "background", "TOP", NULL, "title: Keys\nbackground: \"#ffeecc\"", NULL},
    {"recipe", "layers", "MORE", NULL,
     "\n  - {name: rail, source: shapes/infrastructure/rail.shp, stroke: black}", NULL},
    {"recipe", "annotations", "ANNOTATIONS", NULL, "", NULL},
    {"recipe", "furniture", "FURNITURE", NULL, "furniture: {scalebar: none}", NULL},
    /* page */
    {"page", "size", "PAGE", NULL, "size: 120x75mm, dpi: 72", NULL},
    {"page", "orientation", "PAGE", NULL, "size: 100x75mm, dpi: 72, orientation: portrait", NULL},
    {"page", "dpi", "PAGE", NULL, "size: 100x75mm, dpi: 90", NULL},
    /* extent */
    {"extent", "west", "EXTENT", NULL, "west: 97.0, south: 23.5, east: 98.9, north: 24.5", NULL},
    {"extent", "south", "EXTENT", NULL, "west: 97.3, south: 23.2, east: 98.9, north: 24.5", NULL},
    {"extent", "east", "EXTENT", NULL, "west: 97.3, south: 23.5, east: 99.2, north: 24.5", NULL},
    {"extent", "north", "EXTENT", NULL, "west: 97.3, south: 23.5, east: 98.9, north: 24.8", NULL},
    {"extent", "around", "EXTENT", NULL, "around: Muse, radius_km: 80", NULL},
    {"extent", "radius_km", "EXTENT", "around: Muse, radius_km: 80", "around: Muse, radius_km: 60",
     NULL},
    /* a layer */
    {"layer", "name", "LNAME", NULL, "frontier",
     "an identifier: buffers and atlas --layer name a layer by it; it draws nothing (check_name)"},
    {"layer", "source", "PLACES", NULL, "source: shapes/infrastructure/rail.shp", NULL},
    /* an OpenStreetMap extract: its points (Lashio, off the map), then its lines (the
     * road up to Muse, on it) */
    {"layer", "layer", "PLACES", "source: tests/data/lashio.osm, layer: points",
     "source: tests/data/lashio.osm, layer: lines", NULL},
    {"layer", "where", "POINT", NULL, ", where: \"kind <> 'city'\"", NULL},
    {"layer", "fill", "AREA", NULL, ", fill: \"#ccddcc\"", NULL},
    {"layer", "stroke", "LSTROKE", NULL, ", stroke: blue", NULL},
    {"layer", "width", "LINE", NULL, ", width: 4", NULL},
    {"layer", "opacity", "AREA", NULL, ", fill: \"#eeeeee\", opacity: 0.3", NULL},
    {"layer", "marker", "POINT", NULL, ", marker: square", NULL},
    {"layer", "legend", "LLEGEND", NULL, "", NULL},
    {"layer", "min_scale", "LINE", NULL, ", min_scale: 100000000", NULL},
    {"layer", "max_scale", "LINE", NULL, ", max_scale: 1000", NULL},
    {"layer", "rules", "AREA", NULL, RULE_ON(", fill: \"#f7f0dd\""), NULL},
    {"layer", "label", "AREA", NULL, ", fill: \"#eeeeee\", label: name", NULL},
    {"layer", "date_field", "EVENTS", NULL, ", date_field: event_date", NULL},
    {"layer", "from", "EVENTS", ", date_field: event_date",
     ", date_field: event_date, from: 2023-11-01", NULL},
    {"layer", "to", "EVENTS", ", date_field: event_date",
     ", date_field: event_date, to: 2023-11-01", NULL},
    {"layer", "size_field", "EVENTS", NULL, ", size_field: fatalities", NULL},
    {"layer", "raster", "RASTER", NULL, ", raster: {blend: multiply}", NULL},
    {"layer", "credit", "RASTER", NULL, ", credit: Heights from somewhere", NULL},
    /* a raster */
    {"raster", "band", "RASTER", NULL, ", raster: {band: 2}", NULL},
    {"raster", "ramp", "RASTER", NULL, ", raster: {ramp: " RAMP("0", "red") "}", NULL},
    {"raster", "blend", "RASTER", ", raster: {ramp: " RAMP("0", "red") "}",
     ", raster: {ramp: " RAMP("0", "red") ", blend: multiply}", NULL},
    {"raster", "clip", "RASTER", NULL, ", raster: {clip: countries}", NULL},
    {"stop", "value", "RASTER", ", raster: {ramp: " RAMP("0", "red") "}",
     ", raster: {ramp: " RAMP("900", "red") "}", NULL},
    {"stop", "color", "RASTER", ", raster: {ramp: " RAMP("0", "red") "}",
     ", raster: {ramp: " RAMP("0", "blue") "}", NULL},
    /* stroke and casing */
    {"stroke", "color", "LSTROKE", NULL, ", stroke: {color: \"#2166ac\", width: 1.5}", NULL},
    {"stroke", "width", "LSTROKE", NULL, ", stroke: {color: \"#b2182b\", width: 3}", NULL},
    {"stroke", "dash", "STROKE", NULL, ", dash: [4, 2]", NULL},
    {"stroke", "casing", "STROKE", NULL, ", casing: black", NULL},
    {"casing", "color", "LSTROKE", CASING("width: 4"), CASING("color: black, width: 4"), NULL},
    {"casing", "width", "LSTROKE", CASING("color: black"), CASING("color: black, width: 6"), NULL},
    /* marker */
    {"marker", "shape", "POINT", NULL, ", marker: {shape: triangle}", NULL},
    {"marker", "size", "POINT", NULL, ", marker: {size: 8}", NULL},
    {"marker", "fill", "POINT", NULL, ", marker: {fill: red}", NULL},
    {"marker", "stroke", "POINT", NULL, ", marker: {stroke: red}", NULL},
    /* a rule */
    {"rule", "when", "AREA", RULE_ON(", fill: red"),
     ", fill: \"#eeeeee\", rules: [{when: {iso_a3: CHN}, fill: red}]", NULL},
    {"rule", "fill", "AREA", RULE_ON(""), RULE_ON(", fill: red"), NULL},
    {"rule", "stroke", "AREA", RULE_ON(""), RULE_ON(", stroke: red"), NULL},
    {"rule", "width", "AREA", RULE_ON(", stroke: red"), RULE_ON(", stroke: red, width: 3"), NULL},
    {"rule", "opacity", "AREA", RULE_ON(", fill: red"), RULE_ON(", fill: red, opacity: 0.3"), NULL},
    {"rule", "marker", "POINT", NULL, ", rules: [{when: {kind: city}, marker: square}]", NULL},
    {"rule", "legend", "AREA", RULE_ON(", fill: red"), RULE_ON(", fill: red, legend: Myanmar"),
     NULL},
    /* a label */
    {"label", "field", "LABEL", NULL, "field: admin1", NULL},
    {"label", "zh", "LAB", NULL, ", zh: name_zh", NULL},
    {"label", "my", "LAB", NULL, ", my: name_my", NULL},
    {"label", "font", "LAB", NULL, ", font: Noto Sans Bold", NULL},
    {"label", "size", "LAB", NULL, ", size: 12", NULL},
    {"label", "color", "LAB", NULL, ", color: red", NULL},
    {"label", "halo", "LAB", NULL, ", halo: yellow", NULL},
    {"label", "halo_width", "LAB", NULL, ", halo_width: 4", NULL},
    {"label", "priority", "LAB", NULL, ", priority: 1", NULL},
    /* rank_field orders the labels within a layer (places.shp is in rank order already, so
     * another field): seen where big labels crowd each other */
    {"label", "rank_field", "LAB", ", size: 16", ", size: 16, rank_field: in_article", NULL},
    {"label", "max_rank", "LAB", ", rank_field: rank", ", rank_field: rank, max_rank: 1", NULL},
    {"label", "placement", "AREA", ", fill: \"#eeeeee\", label: name",
     ", fill: \"#eeeeee\", label: {field: name, placement: line}", NULL},
    {"label", "placement", "AREA", ", fill: \"#eeeeee\", label: name",
     ", fill: \"#eeeeee\", label: {field: name, placement: point}", NULL},
    {"label", "placement", "LINE", ", label: {text: Border}",
     ", label: {text: Border, placement: point}", NULL},
    {"label", "placement", "LINE", ", label: {text: Border}",
     ", label: {text: Border, placement: area}", NULL},
    {"label", "placement", "LAB", NULL, ", placement: area", NULL},
    {"label", "placement", "LINE", ", label: {field: name, size: 6}",
     ", label: {field: name, size: 6, placement: curved}", NULL},
    {"label", "text", "LAB", NULL, ", text: \"{kind}\"", NULL},
    /* annotations */
    {"annotation", "callout", "ANNOTATIONS", NULL,
     "\n  - distance: {from: Muse, to: Laukkai}\n  - buffer: {layer: border, km: 5}", NULL},
    {"annotation", "distance", "ANNOTATIONS", NULL,
     "\n  - callout: {at: Ruili, text: Note}\n  - buffer: {layer: border, km: 5}", NULL},
    {"annotation", "buffer", "ANNOTATIONS", NULL,
     "\n  - callout: {at: Ruili, text: Note}\n  - distance: {from: Muse, to: Laukkai}", NULL},
    {"callout", "at", "ANNOTATIONS", NULL, "\n  - callout: {at: Laukkai, text: Note}", NULL},
    {"callout", "text", "ANNOTATIONS", NULL, "\n  - callout: {at: Ruili, text: A longer note}",
     NULL},
    {"callout", "fill", "CALLOUT", NULL, ", fill: yellow", NULL},
    {"callout", "stroke", "CALLOUT", NULL, ", stroke: red", NULL},
    {"callout", "width", "CALLOUT", NULL, ", width: 3", NULL},
    {"distance", "from", "ANNOTATIONS", NULL, "\n  - distance: {from: Ruili, to: Laukkai}", NULL},
    {"distance", "to", "ANNOTATIONS", NULL, "\n  - distance: {from: Muse, to: Namhkam}", NULL},
    {"distance", "stroke", "DISTANCE", NULL, ", stroke: red", NULL},
    {"distance", "width", "DISTANCE", NULL, ", width: 3", NULL},
    {"distance", "dash", "DISTANCE", NULL, ", dash: [10, 10]", NULL},
    {"buffer", "layer", "ANNOTATIONS", NULL, "\n  - buffer: {layer: countries, km: 5}", NULL},
    {"buffer", "km", "ANNOTATIONS", NULL, "\n  - buffer: {layer: border, km: 12}", NULL},
    {"buffer", "fill", "BUFFER", NULL, ", fill: blue", NULL},
    {"buffer", "stroke", "BUFFER", NULL, ", stroke: blue", NULL},
    {"buffer", "width", "BUFFER", ", stroke: blue", ", stroke: blue, width: 3", NULL},
    {"buffer", "opacity", "BUFFER", NULL, ", opacity: 0.6", NULL},
    /* furniture */
    {"furniture", "legend", "FURNITURE", NULL, "furniture: {legend: top-left}", NULL},
    {"furniture", "scalebar", "FURN", NULL, ", scalebar: top-left", NULL},
    {"furniture", "north_arrow", "FURN", NULL, ", north_arrow: none", NULL},
    {"furniture", "inset", "FURN", NULL, ", inset: top-left", NULL},
    {"furniture", "graticule", "FURN", NULL, ", graticule: 0.5", NULL},
    {"furniture", "credits", "FURN", NULL, ", credits: Data from somewhere", NULL},
    {"graticule", "step", "FURN", ", graticule: {step: 0.5}", ", graticule: {step: 0.25}", NULL},
    {"graticule", "labels", "FURN", ", graticule: {step: 0.5}",
     ", graticule: {step: 0.5, labels: false}", NULL},
    /* output */
    {"recipe", "output", "TOP", NULL, "title: Keys\noutput: {frame_only: true}", NULL},
    {"output", "frame_only", "TOP", NULL, "title: Keys\noutput: {frame_only: true}", NULL},
    {"output", "svg_text", "TOP", NULL, "title: Keys\noutput: {svg_text: outlines}",
     "it changes an SVG's text only: <text> elements or glyph outlines (map_output_case.sh "
     "svg_text)"},
};
#define NCASES (sizeof CASES / sizeof CASES[0])

/* The recipe with each slot holding its own text, or the text of a pair in over (NULL-ended
 * pairs of a slot's name and its text; a NULL text: the slot's own). */
static char *expand_with(const char *const *over)
{
    char *s = strdup(TEMPLATE);
    assert_non_null(s);
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < sizeof SLOTS / sizeof SLOTS[0]; i++) {
            char mark[32];
            snprintf(mark, sizeof mark, "@%s@", SLOTS[i].name);
            char *at = strstr(s, mark);
            if (!at)
                continue;
            const char *with = SLOTS[i].text;
            for (size_t k = 0; over[k]; k += 2)
                if (strcmp(over[k], SLOTS[i].name) == 0 && over[k + 1])
                    with = over[k + 1];
            size_t head = (size_t)(at - s), ml = strlen(mark), wl = strlen(with);
            size_t tail = strlen(at + ml);
            char *t = malloc(head + wl + tail + 1);
            assert_non_null(t);
            memcpy(t, s, head);
            memcpy(t + head, with, wl);
            memcpy(t + head + wl, at + ml, tail + 1);
            free(s);
            s = t;
            changed = 1;
        }
    }
    return s;
}

static char *expand(const char *slot, const char *text)
{
    const char *over[] = {slot, text, NULL};
    return expand_with(over);
}

/* Each recipe drawn once: the PNG's bytes, by recipe text. */
struct drawn {
    char *recipe;
    char *png;
    long size;
};
static struct drawn DRAWN[2 * NCASES + 2];
static size_t NDRAWN;

static char *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)*size + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)*size, f), (size_t)*size);
    fclose(f);
    return data;
}

static const struct drawn *draw(const char *recipe, const char *what)
{
    for (size_t i = 0; i < NDRAWN; i++)
        if (strcmp(DRAWN[i].recipe, recipe) == 0)
            return &DRAWN[i];
    char name[64];
    snprintf(name, sizeof name, "key%zu.yaml", NDRAWN);
    const char *path = tmp_path(name);
    assert_int_equal(write_text(path, recipe), 0);
    struct bm_map *m = NULL;
    if (bm_map_load(ctx, path, &m) != BM_OK)
        fail_msg("%s: %s\n%s", what, bm_ctx_error(ctx), recipe);
    snprintf(name, sizeof name, "key%zu.png", NDRAWN);
    const char *png = tmp_path(name);
    if (bm_map_render(ctx, m, BM_FORMAT_PNG, png) != BM_OK)
        fail_msg("%s: %s\n%s", what, bm_ctx_error(ctx), recipe);
    bm_map_free(m);
    struct drawn *d = &DRAWN[NDRAWN++];
    d->recipe = strdup(recipe);
    d->png = slurp(png, &d->size);
    return d;
}

static const struct key_case *case_of(const char *section, const char *key)
{
    for (size_t i = 0; i < NCASES; i++)
        if (strcmp(CASES[i].section, section) == 0 && strcmp(CASES[i].key, key) == 0)
            return &CASES[i];
    return NULL;
}

/*
 * A key that draws nothing, shown to do what it does instead: the border
 * layer renamed (and its buffer naming it by the new name) is found by
 * that name, not the old, and the map is drawn the same.
 */
static void check_name(void)
{
    const char *renamed[] = {"LNAME", "frontier", NULL};
    char *a = expand(NULL, NULL), *b = expand_with(renamed);
    const char *path = tmp_path("renamed.yaml");
    assert_int_equal(write_text(path, b), 0);
    struct bm_map *m = NULL;
    assert_int_equal(bm_map_load(ctx, path, &m), BM_OK);
    const char *source = NULL, *where = NULL;
    assert_int_equal(bm_map_layer_source(m, "frontier", &source, &where), 0);
    assert_non_null(strstr(source, "border_cn_mm.shp"));
    assert_int_equal(bm_map_layer_source(m, "border", &source, &where), -1);
    bm_map_free(m);
    const struct drawn *da = draw(a, "name (border)"), *db = draw(b, "name (frontier)");
    assert_true(da->size == db->size && memcmp(da->png, db->png, (size_t)da->size) == 0);
    free(a);
    free(b);
}

static void every_key_draws(void **state)
{
    (void)state;
    all_sections();
    size_t drawn_keys = 0, failures = 0;
    for (size_t i = 0; i < NSECTIONS; i++)
        for (size_t k = 0; k < SECTIONS[i]->nkeys; k++) {
            const char *section = SECTIONS[i]->name, *key = SECTIONS[i]->keys[k].name;
            const struct key_case *c = case_of(section, key);
            if (!c)
                fail_msg("key '%s' of %s (%s) has no case in tests/test_schema.c: add one that "
                         "draws it set and unset",
                         key, section, SECTIONS[i]->path);
            if (c->reason)
                continue;
            char *a = expand(c->slot, c->a), *b = expand(c->slot, c->b);
            char what[96];
            snprintf(what, sizeof what, "%s.%s", section, key);
            if (strcmp(a, b) == 0)
                fail_msg("%s: the case draws the same recipe twice", what);
            const struct drawn *da = draw(a, what), *db = draw(b, what);
            if (da->size == db->size && memcmp(da->png, db->png, (size_t)da->size) == 0) {
                print_error("%s is accepted but draws nothing: the maps with\n%s\nand\n%s\nare "
                            "the same\n",
                            what, a, b);
                failures++;
            }
            drawn_keys++;
            free(a);
            free(b);
        }
    /* Every case is a key of the schema (none left behind by a key removed). */
    for (size_t i = 0; i < NCASES; i++) {
        int found = 0;
        for (size_t s = 0; s < NSECTIONS && !found; s++)
            for (size_t k = 0; k < SECTIONS[s]->nkeys && !found; k++)
                found = strcmp(SECTIONS[s]->name, CASES[i].section) == 0 &&
                        strcmp(SECTIONS[s]->keys[k].name, CASES[i].key) == 0;
        if (!found)
            fail_msg("case %s.%s names no key of the schema", CASES[i].section, CASES[i].key);
    }
    check_name();
    if (failures)
        fail_msg("%zu keys draw nothing (above)", failures);
    assert_true(drawn_keys >= 85);
    for (size_t i = 0; i < NDRAWN; i++) {
        free(DRAWN[i].recipe);
        free(DRAWN[i].png);
    }
    NDRAWN = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_are_whole),
        cmocka_unit_test(help_lists_every_key),
        cmocka_unit_test(every_key_draws),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
