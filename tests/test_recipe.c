/* bordermap tests: reading map recipes, good and bad, and the map setters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <geodesic.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bordermap/bordermap.h"
#include "map/map.h" /* src/map/map.h: the struct the parser fills */
#include "support.h"

#ifndef RECIPES_DIR
#error "RECIPES_DIR must name tests/recipes"
#endif

static struct bm_map *load(const char *path)
{
    struct bm_map *m = NULL;
    if (bm_map_load(ctx, path, &m) != BM_OK)
        fail_msg("load '%s': %s", path, bm_ctx_error(ctx));
    return m;
}

/* A recipe written to the temporary folder; returns its path. */
static const char *recipe(const char *name, const char *text)
{
    const char *path = tmp_path(name);
    assert_int_equal(write_text(path, text), 0);
    return path;
}

static void near(double got, double want, double tolerance)
{
    if (!(fabs(got - want) <= tolerance))
        fail_msg("got %.12g, want %.12g (within %g)", got, want, tolerance);
}

static void assert_colour(struct bm_color c, unsigned rgb, unsigned alpha)
{
    near(c.r, ((rgb >> 16) & 0xff) / 255.0, 1e-12);
    near(c.g, ((rgb >> 8) & 0xff) / 255.0, 1e-12);
    near(c.b, (rgb & 0xff) / 255.0, 1e-12);
    near(c.a, alpha / 255.0, 1e-12);
}

/* Where a shipped file is, found without the library: the data root the tests run with. */
static const char *shipped(const char *dir, const char *file)
{
    static char out[2][PATH_MAX + 64];
    static int next;
    char rel[PATH_MAX], real[PATH_MAX];
    const char *root = getenv("BORDERMAP_DATA"); /* ctest sets it */
    if (!root)
        root = bm_ctx_data_root(ctx);
    snprintf(rel, sizeof rel, "%s/%s", root, dir);
    assert_non_null(realpath(rel, real));
    char *o = out[next++ % 2];
    snprintf(o, sizeof out[0], "%s/%s", real, file);
    return o;
}

/* ---- the good recipe, every value --------------------------------------- */

static void good_top_level(const struct bm_map *m)
{
    assert_string_equal(m->path, RECIPES_DIR "/good.yaml");
    assert_string_equal(m->title, "China–Myanmar border region");
    assert_string_equal(m->subtitle, "Situation as reported on 16 November 2023");
    assert_string_equal(m->date, "2023-11-16"); /* text, as written */
    assert_true(m->page_w_mm == 297 && m->page_h_mm == 210);
    assert_true(m->dpi == 150);
    assert_colour(m->background, 0xdfe9f2, 255);
    assert_true(m->extent.west == 91.5 && m->extent.south == 9.5 && m->extent.east == 106.5 &&
                m->extent.north == 29.5);
    assert_string_equal(m->projection, "+proj=laea +lat_0=20 +lon_0=98");
    assert_int_equal(m->nlayers, 3);
    assert_int_equal(m->nannotations, 3);
}

static void good_countries(const struct bm_map_layer *L)
{
    assert_string_equal(L->name, "countries");
    /* ../../shapes/... relative to the recipe, made absolute without the ".." */
    assert_string_equal(L->source, shipped("shapes/boundaries", "countries.shp"));
    assert_string_equal(L->where, "iso_a3 <> 'IND'");
    assert_int_equal(L->style.set, BM_SET_FILL | BM_SET_STROKE | BM_SET_WIDTH);
    assert_colour(L->style.fill, 0xefefe8, 255);
    assert_colour(L->style.stroke, 0x9a9a9a, 255);
    assert_true(L->style.width == 0.4);
    assert_true(L->style.opacity == 1);
    assert_null(L->legend);
    assert_int_equal(L->nrules, 2);
    const struct bm_rule *r = &L->rules[0];
    assert_string_equal(r->field, "iso_a3");
    assert_int_equal(r->nvalues, 1);
    assert_string_equal(r->values[0], "MMR");
    assert_int_equal(r->style.set, BM_SET_FILL);
    assert_colour(r->style.fill, 0xf7f0dd, 255);
    assert_string_equal(r->legend, "Myanmar");
    r = &L->rules[1];
    assert_int_equal(r->nvalues, 2);
    assert_string_equal(r->values[0], "CHN");
    assert_string_equal(r->values[1], "LAO");
    assert_int_equal(r->style.set, BM_SET_OPACITY);
    assert_true(r->style.opacity == 0.5);
    assert_null(r->legend);
    const struct bm_label *l = &L->label;
    assert_true(l->enabled);
    assert_string_equal(l->field, "name");
    assert_string_equal(l->field_zh, "name_zh");
    assert_string_equal(l->field_my, "name_my");
    assert_string_equal(l->font, "Noto Sans Bold");
    assert_true(l->size == 9);
    assert_colour(l->color, 0x333333, 255);
    assert_colour(l->halo, 0xffffff, 255);
    assert_true(l->halo_width == 2);
    assert_int_equal(l->priority, 1);
    assert_string_equal(l->rank_field, "rank");
    assert_true(l->max_rank == 3);
    assert_int_equal(l->placement, BM_PLACE_AREA);
    assert_null(l->text);
}

static void good_border(const struct bm_map_layer *L)
{
    assert_string_equal(L->name, "border");
    /* shapes/... is not beside the recipe: the data root's */
    assert_string_equal(L->source, shipped("shapes/boundaries", "border_cn_mm.shp"));
    assert_null(L->where);
    assert_int_equal(L->style.set, BM_SET_STROKE | BM_SET_WIDTH | BM_SET_DASH | BM_SET_CASING);
    assert_colour(L->style.stroke, 0xb2182b, 255);
    assert_true(L->style.width == 2.2);
    assert_int_equal(L->style.ndash, 2);
    assert_true(L->style.dash[0] == 4 && L->style.dash[1] == 2);
    assert_colour(L->style.casing, 0xffffff, 255);
    assert_true(L->style.casing_width == 4);
    assert_colour(L->style.fill, 0, 0);
    assert_string_equal(L->legend, "China–Myanmar border");
    assert_int_equal(L->nrules, 0);
    /* label: only text and placement given; the rest are the defaults */
    const struct bm_label *l = &L->label;
    assert_true(l->enabled);
    assert_null(l->field);
    assert_string_equal(l->text, "fixed text");
    assert_int_equal(l->placement, BM_PLACE_LINE);
    assert_string_equal(l->font, "Noto Sans");
    assert_true(l->size == 8 && l->halo_width == 1.5 && l->max_rank == 0);
    assert_int_equal(l->priority, 5);
    assert_colour(l->color, 0x222222, 255);
}

static void good_places(const struct bm_map_layer *L)
{
    assert_string_equal(L->source, shipped("shapes/places", "places.shp"));
    assert_int_equal(L->style.set,
                     BM_SET_MARKER | BM_SET_MARKER_SIZE | BM_SET_MARKER_FILL | BM_SET_STROKE);
    assert_int_equal(L->style.marker, BM_MARKER_CIRCLE);
    assert_true(L->style.marker_size == 5);
    assert_colour(L->style.marker_fill, 0x333333, 0xcc);
    assert_colour(L->style.stroke, 0xffffff, 255);
    assert_true(L->style.width == 0.5); /* the default under a given stroke */
    assert_true(L->min_scale == 0 && L->max_scale == 5000000);
    assert_true(L->label.enabled);
    assert_string_equal(L->label.field, "name");
    assert_int_equal(L->label.placement, BM_PLACE_AUTO);
}

static void good_annotations(const struct bm_annotation *a)
{
    /* Ruili per shapes/reference/places.tsv: 24.013, 97.851 */
    assert_int_equal(a[0].kind, BM_ANN_CALLOUT);
    assert_true(a[0].lat == 24.013 && a[0].lon == 97.851);
    assert_string_equal(a[0].label, "Ruili");
    assert_string_equal(a[0].text, "Reports of shelling damage (unverified)");
    assert_int_equal(a[0].style.set, 0);

    assert_int_equal(a[1].kind, BM_ANN_DISTANCE);
    assert_true(a[1].lat == 24.013 && a[1].lon == 97.851); /* 瑞丽 is Ruili */
    assert_true(a[1].lat2 == 19.745 && a[1].lon2 == 96.12972);
    assert_string_equal(a[1].label, "瑞丽");
    assert_string_equal(a[1].label2, "19.745,96.12972");
    assert_null(a[1].text);
    /* Drawn: tests/test_schema.c draws each of these keys set and unset. */
    assert_int_equal(a[1].style.set, BM_SET_STROKE | BM_SET_WIDTH | BM_SET_DASH);
    assert_colour(a[1].style.stroke, 0, 255);
    assert_true(a[1].style.width == 1);
    assert_int_equal(a[1].style.ndash, 1);
    assert_true(a[1].style.dash[0] == 2);

    assert_int_equal(a[2].kind, BM_ANN_BUFFER);
    assert_string_equal(a[2].layer, "border");
    assert_true(a[2].km == 50);
    assert_int_equal(a[2].style.set, BM_SET_FILL | BM_SET_OPACITY);
    assert_colour(a[2].style.fill, 0xb2182b, 255);
    assert_true(a[2].style.opacity == 0.15);
}

static void good_recipe(void **state)
{
    (void)state;
    struct bm_map *m = load(RECIPES_DIR "/good.yaml");
    good_top_level(m);
    good_countries(&m->layers[0]);
    good_border(&m->layers[1]);
    good_places(&m->layers[2]);
    good_annotations(m->annotations);
    const struct bm_furniture *f = &m->furniture;
    assert_int_equal(f->legend, BM_CORNER_BOTTOM_LEFT);
    assert_int_equal(f->scalebar, BM_CORNER_BOTTOM_RIGHT);
    assert_int_equal(f->north_arrow, BM_CORNER_NONE);
    assert_int_equal(f->inset, BM_CORNER_TOP_LEFT);
    assert_true(f->graticule_step == 2);
    assert_int_equal(f->graticule_labels, 0);
    assert_string_equal(f->credits,
                        "Boundaries © OpenStreetMap contributors (ODbL); Natural Earth; GeoNames");
    bm_map_free(m);
}

/* ---- defaults and the other forms of values ----------------------------- */

static void defaults(void **state)
{
    (void)state;
    struct bm_map *m = load(recipe("min.yaml", "layers:\n"
                                               "  - name: c\n"
                                               "    source: shapes/boundaries/countries.shp\n"));
    assert_null(m->title);
    assert_null(m->subtitle);
    assert_null(m->date);
    assert_true(m->page_w_mm == 297 && m->page_h_mm == 210 && m->dpi == 300);
    assert_colour(m->background, 0xdfe9f2, 255);
    assert_true(m->extent.west == 91.5 && m->extent.south == 9.5 && m->extent.east == 106.5 &&
                m->extent.north == 29.5);
    assert_string_equal(m->projection, "auto");
    assert_int_equal(m->nannotations, 0);
    assert_int_equal(m->furniture.legend, BM_CORNER_BOTTOM_LEFT);
    assert_int_equal(m->furniture.scalebar, BM_CORNER_BOTTOM_RIGHT);
    assert_int_equal(m->furniture.north_arrow, BM_CORNER_TOP_RIGHT);
    assert_int_equal(m->furniture.inset, BM_CORNER_NONE);
    assert_true(m->furniture.graticule_step == 0);
    assert_null(m->furniture.credits);
    const struct bm_map_layer *L = &m->layers[0];
    assert_int_equal(L->style.set, 0);
    assert_true(L->style.width == 0.5 && L->style.opacity == 1 && L->style.ndash == 0);
    assert_int_equal(L->style.marker, BM_MARKER_NONE);
    assert_false(L->label.enabled);
    assert_string_equal(L->label.font, "Noto Sans");
    assert_true(L->min_scale == 0 && L->max_scale == 0);
    bm_map_free(m);
}

static void other_forms(void **state)
{
    (void)state;
    /* A folder of its own, so that "x.geojson" is found beside the recipe. */
    assert_int_equal(write_text(tmp_path("x.geojson"), "{\"type\": \"FeatureCollection\", "
                                                       "\"features\": []}"),
                     0);
    struct bm_map *m = load(recipe("forms.yaml", "page: {size: 200x300mm, dpi: 72}\n"
                                                 "projection: EPSG:32647\n"
                                                 "background: none\n"
                                                 "layers:\n"
                                                 "  - name: here\n"
                                                 "    source: x.geojson\n"
                                                 "    stroke: red\n"
                                                 "    marker: star\n"
                                                 "  - name: db\n"
                                                 "    source: 'PG:dbname=gis'\n"
                                                 "    stroke: {casing: black}\n"
                                                 "furniture: {graticule: 0.5, legend: none}\n"));
    assert_true(m->page_w_mm == 200 && m->page_h_mm == 300); /* WxHmm: as written */
    assert_true(m->dpi == 72);
    assert_string_equal(m->projection, "EPSG:32647");
    assert_colour(m->background, 0, 0);
    char expect[PATH_MAX + 32], real[PATH_MAX];
    assert_non_null(realpath(tmp_path("."), real));
    snprintf(expect, sizeof expect, "%s/x.geojson", real);
    assert_string_equal(m->layers[0].source, expect);
    assert_int_equal(m->layers[0].style.set, BM_SET_STROKE | BM_SET_MARKER);
    assert_colour(m->layers[0].style.stroke, 0xff0000, 255);
    assert_int_equal(m->layers[0].style.marker, BM_MARKER_STAR);
    assert_string_equal(m->layers[1].source, "PG:dbname=gis"); /* a connection: as written */
    assert_int_equal(m->layers[1].style.set, BM_SET_CASING);
    assert_colour(m->layers[1].style.casing, 0, 255);
    assert_true(m->furniture.graticule_step == 0.5 && m->furniture.graticule_labels == 1);
    assert_int_equal(m->furniture.legend, BM_CORNER_NONE);
    bm_map_free(m);

    m = load(recipe("portrait.yaml", "page: {size: Letter, orientation: portrait}\n"
                                     "layers: [{name: c, source: shapes/places/places.shp}]\n"));
    assert_true(m->page_w_mm == 215.9 && m->page_h_mm == 279.4);
    bm_map_free(m);
    m = load(recipe("turned.yaml", "page: {size: 200x300mm, orientation: landscape}\n"
                                   "layers: [{name: c, source: shapes/places/places.shp}]\n"));
    assert_true(m->page_w_mm == 300 && m->page_h_mm == 200);
    bm_map_free(m);
}

/* Geodesic distance in km on WGS84 (PROJ's geodesic, not the code under test). */
static double geodesic_km(double lat1, double lon1, double lat2, double lon2)
{
    struct geod_geodesic g;
    double s12;
    geod_init(&g, 6378137, 1 / 298.257223563);
    geod_inverse(&g, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12 / 1000;
}

static void assert_around(const struct bm_bbox *b, double lat, double lon, double km)
{
    /* North and south edges touch the circle where it crosses the centre's meridian. */
    near(geodesic_km(lat, lon, b->north, lon), km, 1e-6);
    near(geodesic_km(lat, lon, b->south, lon), km, 1e-6);
    /* East and west edges touch it a little poleward of the centre's parallel: on that
       parallel they are just outside the circle, and the circle's midpoints inside the box. */
    for (int side = 0; side < 2; side++) {
        double d = geodesic_km(lat, lon, lat, side ? b->east : b->west);
        if (!(d >= km * (1 - 4e-5) && d <= km * 1.01))
            fail_msg("edge %d at %.6f km for a radius of %g km", side, d, km);
    }
}

static void extent_around(void **state)
{
    (void)state;
    struct bm_map *m = load(recipe("around.yaml", "extent: {around: Ruili, radius_km: 40}\n"
                                                  "layers:\n"
                                                  "  - name: c\n"
                                                  "    source: shapes/places/places.shp\n"));
    assert_around(&m->extent, 24.013, 97.851, 40);
    bm_map_free(m);
    m = load(recipe("around2.yaml", "extent: {around: '10.5,100', radius_km: 1000}\n"
                                    "layers: [{name: c, source: shapes/places/places.shp}]\n"));
    assert_around(&m->extent, 10.5, 100, 1000);
    bm_map_free(m);
}

/* ---- bad recipes: the exact message, at the exact place ----------------- */

struct bad {
    const char *file;    /* in tests/recipes */
    const char *message; /* after "PATH:" */
};

static const struct bad BAD[] = {
    {"bad_unknown_top.yaml",
     "1:1: unknown key 'titel' in the recipe; expected one of: title, subtitle, date, page, "
     "extent, projection, background, layers, annotations, furniture, output (did you mean "
     "'title'?)"},
    {"bad_unknown_layer_key.yaml",
     "5:5: unknown key 'fil' in layer 'countries'; expected one of: name, source, layer, where, "
     "fill, "
     "stroke, width, opacity, marker, legend, min_scale, max_scale, rules, label, date_field, "
     "from, to, size_field, raster, credit (did you mean "
     "'fill'?)"},
    {"bad_stroke_key.yaml", "4:14: unknown key 'colour' in 'stroke' of layer 'border'; expected "
                            "one of: color, width, dash, casing (did you mean 'color'?)"},
    {"bad_colour.yaml", "4:21: bad colour '#12345g'; expected #rgb, #rrggbb, #rrggbbaa or a "
                        "colour name such as white"},
    {"bad_unquoted_colour.yaml",
     "4:5: 'fill' has no value; expected a colour in quotes such as \"#efefe8\" (an unquoted # "
     "starts a YAML comment)"},
    {"bad_number.yaml", "3:8: bad number 'abc' for 'dpi'; expected a number from 72 to 1200"},
    {"bad_dpi_range.yaml", "1:23: bad number '2000' for 'dpi'; expected a number from 72 to 1200"},
    {"bad_page_size.yaml",
     "1:14: bad page size 'B5'; expected A4, A3, Letter or WxHmm such as 300x200mm"},
    {"bad_orientation.yaml", "1:31: bad orientation 'sideways'; expected portrait or landscape"},
    {"bad_latlon.yaml", "5:33: '124.0,97' is out of range: latitude must be within -90..90 and "
                        "longitude within -180..180"},
    {"bad_no_source.yaml", "4:5: layer 2 ('border') has no 'source'; expected a file path such "
                           "as shapes/boundaries/countries.shp"},
    {"bad_layer_no_name.yaml",
     "2:5: layer 1 has no 'name'; expected a unique name such as countries"},
    {"bad_duplicate_layer.yaml",
     "4:11: duplicate layer name 'countries' (layer 1 has it too); expected a unique name"},
    {"bad_projection.yaml",
     "1:13: bad projection '+proj=nope +lat_0=20' (PROJ: Invalid value for an argument); "
     "expected auto, EPSG:n or a PROJ string such as +proj=laea +lat_0=20 +lon_0=98"},
    {"bad_syntax.yaml", "3:3: YAML syntax: did not find expected node content"},
    {"bad_wrong_type.yaml",
     "1:7: 'page' is a sequence; expected a mapping such as {size: A4, orientation: landscape}"},
    {"bad_text_mapping.yaml", "1:8: 'title' is a mapping; expected text"},
    {"bad_buffer_layer.yaml", "5:21: buffer names layer 'borders', which this map does not "
                              "have; expected one of: countries"},
    {"bad_deep.yaml", "5:60: nesting deeper than 32 levels; expected a flatter recipe"},
    {"bad_empty_layers.yaml", "2:9: 'layers' is empty; expected at least one layer"},
    {"bad_no_layers.yaml",
     "1:1: the recipe has no 'layers'; expected a sequence of at least one layer"},
    {"bad_two_documents.yaml", "3:1: a second YAML document; expected one recipe per file "
                               "(remove the '---' or '...' before this line)"},
    {"bad_empty.yaml", "1:1: the recipe is empty; expected a mapping with at least 'layers'"},
    {"bad_when_fields.yaml", "5:15: 'when' has 2 fields; expected one field and its values such "
                             "as {iso_a3: MMR}"},
    {"bad_annotation_kind.yaml", "5:5: unknown key 'calout' in annotation 1; expected one of: "
                                 "callout, distance, buffer (did you mean 'callout'?)"},
    {"bad_alias.yaml", "2:11: alias '*t' is not supported; expected the value written out"},
    {"bad_graticule.yaml", "5:21: bad number '45' for 'step'; expected a number from 0.1 to 30"},
    {"bad_label_size.yaml", "4:32: bad number '100' for 'size'; expected a number from 3 to 72"},
    {"bad_extent_order.yaml",
     "1:41: 'east' 91.5 is not east of 'west' 106.5; expected west < east"},
    {"bad_marker.yaml",
     "4:13: bad marker 'hexagon'; expected circle, square, triangle, star, capital or none"},
    {"bad_corner.yaml", "5:11: bad position 'middle' for 'legend'; expected top-left, top-right, "
                        "bottom-left, bottom-right or none"},
    {"bad_dash.yaml", "4:32: 'dash' has 5 lengths; expected 1 to 4 lengths in pt such as [4, 2]"},
    {"bad_raster_on_vector.yaml",
     "4:13: 'raster' in layer 'border' is for raster sources, and "
     "'shapes/boundaries/border_cn_mm.shp' is not one; remove it, or give a GeoTIFF or another "
     "raster GDAL reads"},
    {"bad_vector_key_on_raster.yaml",
     "4:13: 'stroke' in layer 'relief' draws vector data, and 'shapes/relief/shade.tif' is a "
     "raster; expected raster keys: raster, opacity, legend, credit, min_scale, max_scale"},
    {"bad_raster_clip.yaml", "4:20: clip names layer 'land', which this map does not have; "
                             "expected a layer of polygons such as countries"},
    {"bad_raster_clip_raster.yaml",
     "6:20: clip names layer 'heights', a raster; expected a layer of polygons such as countries"},
    {"bad_ramp_order.yaml", "8:11: ramp value 1000 follows 2000 in 'raster' of layer 'heights'; "
                            "expected values in ascending order"},
    {"bad_ramp_one.yaml", "4:20: 'ramp' has 1 stop; expected at least 2"},
    {"bad_ramp_stop.yaml", "4:21: stop 1 of 'raster' of layer 'heights' has no 'color'; expected "
                           "color: the colour of that value"},
};

/* Fails with BM_ERR_RECIPE and "path:message" (one line); no map is handed out. */
static void assert_bad(const char *path, enum bm_status want, const char *message, int prefix)
{
    struct bm_map *m = (struct bm_map *)&m; /* must become NULL */
    enum bm_status st = bm_map_load(ctx, path, &m);
    const char *got = bm_ctx_error(ctx);
    char expect[2048];
    snprintf(expect, sizeof expect, "%s:%s", path, message);
    if (st != want || (prefix ? strncmp(got, expect, strlen(expect)) : strcmp(got, expect)))
        fail_msg("%s\n  status %d, want %d\n  got:  %s\n  want: %s", path, st, want, got, expect);
    assert_null(m);
    assert_null(strchr(got, '\n'));
}

static void bad_recipes(void **state)
{
    (void)state;
    char path[1024];
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", RECIPES_DIR, BAD[i].file);
        assert_bad(path, BM_ERR_RECIPE, BAD[i].message, 0);
    }
}

/*
 * Inputs that once crashed the parser, found by fuzzing: each file in
 * tests/fuzz/regressions/recipe must be refused with one line that names it.
 * (The sanitizer build is what sees a read out of bounds.)
 */
static void fuzz_regressions(void **state)
{
    (void)state;
    DIR *dir = opendir(FUZZ_REGRESSIONS "/recipe");
    assert_non_null(dir);
    size_t replayed = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/recipe/%s", FUZZ_REGRESSIONS, e->d_name);
        struct bm_map *m = NULL;
        enum bm_status st = bm_map_load(ctx, path, &m);
        if (st == BM_OK)
            fail_msg("%s: accepted", path);
        assert_non_null(strstr(bm_ctx_error(ctx), e->d_name));
        assert_null(strchr(bm_ctx_error(ctx), '\n'));
        replayed++;
    }
    closedir(dir);
    assert_true(replayed >= 1);
}

/*
 * An annotation's stroke is a colour: the mapping form a layer's stroke has
 * (dash, casing) is refused, as nothing would draw its dash or casing. An
 * empty casing gets the colour's message (an unquoted # is the usual cause).
 */
static void annotation_stroke_and_casing(void **state)
{
    (void)state;
    assert_bad(recipe("ann_stroke.yaml",
                      "layers: [{name: c, source: shapes/places/places.shp}]\n"
                      "annotations:\n"
                      "  - callout: {at: Ruili, text: x, stroke: {color: red, dash: [2, 2]}}\n"),
               BM_ERR_RECIPE,
               "3:43: 'stroke' is a mapping; expected #rgb, #rrggbb, #rrggbbaa or a colour name "
               "such as white",
               0);
    assert_bad(recipe("casing.yaml", "layers:\n"
                                     "  - name: b\n"
                                     "    source: shapes/boundaries/border_cn_mm.shp\n"
                                     "    stroke:\n"
                                     "      casing: #ffffff\n"),
               BM_ERR_RECIPE,
               "5:7: 'casing' has no value; expected a colour in quotes such as \"#efefe8\" (an "
               "unquoted # starts a YAML comment)",
               0);
}

/* Keys that mean something only with another: refused alone, rather than ignored. */
static void keys_that_need_another(void **state)
{
    (void)state;
    assert_bad(recipe("from.yaml", "layers:\n"
                                   "  - name: events\n"
                                   "    source: shapes/places/places.shp\n"
                                   "    from: 2023-11-01\n"),
               BM_ERR_RECIPE,
               "4:11: 'from' in layer 'events' has no 'date_field' to compare; expected "
               "date_field: the field with each row's date, such as event_date",
               0);
    assert_bad(recipe("rank.yaml", "layers:\n"
                                   "  - name: places\n"
                                   "    source: shapes/places/places.shp\n"
                                   "    label: {field: name, max_rank: 2}\n"),
               BM_ERR_RECIPE,
               "4:36: 'max_rank' in 'label' of layer 'places' has no 'rank_field' to compare; "
               "expected rank_field: a numeric field such as rank",
               0);
}

/* The gazetteer's message at the place's position; the closest names come from the data. */
static void unknown_places(void **state)
{
    (void)state;
    assert_bad(RECIPES_DIR "/bad_callout_place.yaml", BM_ERR_RECIPE,
               "6:19: no place named 'Rulli' in the gazetteer; closest: Ruili, ", 1);
    assert_bad(RECIPES_DIR "/bad_around_place.yaml", BM_ERR_RECIPE,
               "1:18: no place named 'Rulli' in the gazetteer; closest: Ruili, ", 1);
}

static void missing_source(void **state)
{
    (void)state;
    char msg[1024];
    snprintf(msg, sizeof msg,
             "3:13: source 'shapes/nothere.shp' not found (looked in %s/ and the data root); "
             "check the path",
             RECIPES_DIR);
    assert_bad(RECIPES_DIR "/bad_missing_source.yaml", BM_ERR_RECIPE, msg, 0);
    /* A relative recipe path: the folder as given. */
    assert_int_equal(write_text(tmp_path("rel.yaml"), "layers:\n"
                                                      "  - name: c\n"
                                                      "    source: nothere.shp\n"),
                     0);
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmp_path(".")), 0);
    assert_bad("rel.yaml", BM_ERR_RECIPE,
               "3:13: source 'nothere.shp' not found (looked in ./ and the data root); check the "
               "path",
               0);
    assert_int_equal(chdir(cwd), 0);
}

/* ---- limits ------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t lh = strlen(head), lu = strlen(unit), lt = strlen(tail);
    char *s = malloc(lh + lu * n + lt + 1);
    assert_non_null(s);
    memcpy(s, head, lh);
    for (size_t i = 0; i < n; i++)
        memcpy(s + lh + i * lu, unit, lu);
    memcpy(s + lh + lu * n, tail, lt + 1);
    return s;
}

static void limits(void **state)
{
    (void)state;
    const char *layer = "layers: [{name: c, source: shapes/places/places.shp}]\n";
    char *text = repeat("title: ", "x", 100 * 1024, "\n");
    char *all = repeat(text, layer, 1, "");
    assert_bad(recipe("scalar.yaml", all), BM_ERR_RECIPE,
               "1:8: a value of 102400 bytes; expected at most 65536 bytes (64 KiB)", 0);
    free(all);
    free(text);

    text = repeat("# ", "0123456789abcdef", 65536, "\n"); /* a comment over 1 MiB */
    const char *path = recipe("big.yaml", text);
    free(text);
    char msg[256];
    snprintf(msg, sizeof msg, "%s: the recipe is over 1 MiB; expected at most 1048576 bytes", path);
    struct bm_map *m = NULL;
    assert_int_equal(bm_map_load(ctx, path, &m), BM_ERR_RECIPE);
    assert_string_equal(bm_ctx_error(ctx), msg);
    assert_null(m);

    text = repeat("layers:\n", "  - {name: c, source: shapes/places/places.shp}\n", 257, "");
    assert_bad(recipe("many.yaml", text), BM_ERR_RECIPE,
               "258:5: more than 256 layers (257); expected at most 256", 0);
    free(text);

    assert_bad(recipe("utf8.yaml", "title: Ru\xffli\nlayers: []\n"), BM_ERR_RECIPE,
               "1:10: the text is not valid UTF-8; expected a UTF-8 file", 0);
}

static void missing_file(void **state)
{
    (void)state;
    struct bm_map *m = NULL;
    assert_int_equal(bm_map_load(ctx, "no/such.yaml", &m), BM_ERR_SOURCE_MISSING);
    assert_string_equal(bm_ctx_error(ctx),
                        "cannot open recipe 'no/such.yaml': no such file; check the path");
    assert_null(m);
}

/* ---- a recipe from text (stdin) ----------------------------------------- */

static void from_text(void **state)
{
    (void)state;
    struct bm_map *m = NULL;
    /* Relative sources from the working folder: a file made there is found there. */
    char here[PATH_MAX], folder[PATH_MAX];
    assert_non_null(getcwd(here, sizeof here));
    snprintf(folder, sizeof folder, "%s", tmp_path("text"));
    assert_int_equal(mkdir(folder, 0777) == 0 || errno == EEXIST, 1);
    assert_int_equal(chdir(folder), 0);
    assert_int_equal(write_text("only-here.geojson", "{\"type\": \"FeatureCollection\", "
                                                     "\"features\": []}\n"),
                     0);
    static const char text[] = "title: From stdin\n"
                               "layers:\n"
                               "  - name: here\n"
                               "    source: only-here.geojson\n"
                               "  - name: shipped\n"
                               "    source: shapes/places/places.shp\n"
                               "trailing: [not read]";
    /* Not NUL-terminated: only len bytes are read (the last line is cut off). */
    size_t len = strlen(text) - strlen("trailing: [not read]");
    assert_int_equal(bm_map_load_text(ctx, text, len, "<stdin>", &m), BM_OK);
    assert_string_equal(m->title, "From stdin");
    assert_int_equal(m->nlayers, 2);
    char want[PATH_MAX + 32];
    char *real = realpath(".", NULL);
    snprintf(want, sizeof want, "%s/only-here.geojson", real);
    free(real);
    assert_string_equal(m->layers[0].source, want);
    assert_string_equal(m->layers[1].source, shipped("shapes/places", "places.shp"));
    bm_map_free(m);
    /* Messages name it as given, with line and column. */
    m = NULL;
    assert_int_equal(
        bm_map_load_text(ctx, "title: x\nlayers:\n  - name: a\n    sorce: b\n", 40, "<stdin>", &m),
        BM_ERR_RECIPE);
    assert_true(strncmp(bm_ctx_error(ctx), "<stdin>:4:5: ", 13) == 0);
    assert_null(m);
    assert_int_equal(chdir(here), 0);
    /* Over 1 MiB, like a file; a name with a folder; nowhere to put the map. */
    size_t big = (1u << 20) + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, '#', big);
    assert_int_equal(bm_map_load_text(ctx, huge, big, "<stdin>", &m), BM_ERR_RECIPE);
    assert_string_equal(bm_ctx_error(ctx),
                        "<stdin>: the recipe is over 1 MiB; expected at most 1048576 bytes");
    free(huge);
    assert_int_equal(bm_map_load_text(ctx, "title: x\n", 9, "a/b", &m), BM_ERR_ARG);
    assert_int_equal(bm_map_load_text(ctx, "title: x\n", 9, "<stdin>", NULL), BM_ERR_ARG);
}

/* ---- page sizes and setters --------------------------------------------- */

static void page_sizes(void **state)
{
    (void)state;
    double w = 0, h = 0;
    assert_int_equal(bm_parse_page_size(ctx, "A4", &w, &h), BM_OK);
    assert_true(w == 210 && h == 297);
    assert_int_equal(bm_parse_page_size(ctx, "a3", &w, &h), BM_OK);
    assert_true(w == 297 && h == 420);
    assert_int_equal(bm_parse_page_size(ctx, "Letter", &w, &h), BM_OK);
    assert_true(w == 215.9 && h == 279.4);
    assert_int_equal(bm_parse_page_size(ctx, "300x200mm", &w, &h), BM_OK);
    assert_true(w == 300 && h == 200);
    assert_int_equal(bm_parse_page_size(ctx, "297.5x210mm", &w, &h), BM_OK);
    assert_true(w == 297.5 && h == 210);
    static const char *const bad[] = {"B5", "300x200",    "300x200cm", "x200mm", "300xmm",
                                      "",   "300x200mmm", "nanx200mm", NULL};
    for (int i = 0; bad[i]; i++) {
        w = h = -1;
        assert_int_equal(bm_parse_page_size(ctx, bad[i], &w, &h), BM_ERR_ARG);
        char msg[256];
        snprintf(msg, sizeof msg,
                 "bad page size '%s'; expected A4, A3, Letter or WxHmm such as 300x200mm", bad[i]);
        assert_string_equal(bm_ctx_error(ctx), msg);
        assert_true(w == -1 && h == -1);
    }
    assert_int_equal(bm_parse_page_size(ctx, "10x200mm", &w, &h), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "page size '10x200mm' is out of range; expected each "
                                           "side from 50 to 2000 mm");
    assert_int_equal(bm_parse_page_size(ctx, "300x2001mm", &w, &h), BM_ERR_ARG);
    assert_int_equal(bm_parse_page_size(ctx, "-300x200mm", &w, &h), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "page size '-300x200mm' is out of range; expected each "
                                           "side from 50 to 2000 mm");
}

static void setters(void **state)
{
    (void)state;
    struct bm_map *m = load(RECIPES_DIR "/good.yaml");
    struct bm_bbox box = {96, 22, 100, 26};
    assert_int_equal(bm_map_set_extent(ctx, m, &box), BM_OK);
    assert_true(m->extent.west == 96 && m->extent.north == 26);
    struct bm_bbox bad[] = {{100, 22, 96, 26}, {96, 26, 100, 22}, {-181, 0, 0, 1},
                            {0, -91, 1, 0},    {NAN, 0, 1, 1},    {0, 0, 1, INFINITY}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(bm_map_set_extent(ctx, m, &bad[i]), BM_ERR_ARG);
        assert_true(m->extent.west == 96 && m->extent.north == 26); /* unchanged */
    }
    assert_string_equal(bm_ctx_error(ctx),
                        "bad extent 0,0,1,inf; expected west,south,east,north in degrees with "
                        "-180 <= west < east <= 180 and -90 <= south < north <= 90");

    assert_int_equal(bm_map_set_around(ctx, m, 24.013, 97.851, 40), BM_OK);
    assert_around(&m->extent, 24.013, 97.851, 40);
    assert_int_equal(bm_map_set_around(ctx, m, 24, 97, 0.5), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "bad radius 0.5 km; expected 1 to 5000 km");
    assert_int_equal(bm_map_set_around(ctx, m, 24, 97, 5001), BM_ERR_ARG);
    assert_int_equal(bm_map_set_around(ctx, m, 91, 97, 40), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx),
                        "bad centre 91,97; expected latitude -90..90 and longitude -180..180");
    /* A circle over the pole spans every longitude. */
    assert_int_equal(bm_map_set_around(ctx, m, 88, 0, 500), BM_OK);
    assert_true(m->extent.west == -180 && m->extent.east == 180 && m->extent.north == 90);

    assert_int_equal(bm_map_set_page(ctx, m, 420, 297), BM_OK);
    assert_true(m->page_w_mm == 420 && m->page_h_mm == 297);
    assert_int_equal(bm_map_set_page(ctx, m, 49, 297), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx),
                        "bad page size 49x297 mm; expected each side from 50 to 2000 mm");
    assert_int_equal(bm_map_set_page(ctx, m, 420, 2001), BM_ERR_ARG);
    assert_int_equal(bm_map_set_page(ctx, m, NAN, 300), BM_ERR_ARG);
    assert_true(m->page_w_mm == 420 && m->page_h_mm == 297);

    /* By name, as a recipe writes it: named sizes turn landscape, WxHmm stays as written. */
    assert_int_equal(bm_map_set_page_size(ctx, m, "A3"), BM_OK);
    assert_true(m->page_w_mm == 420 && m->page_h_mm == 297);
    assert_int_equal(bm_map_set_page_size(ctx, m, "letter"), BM_OK);
    assert_true(m->page_w_mm == 279.4 && m->page_h_mm == 215.9);
    assert_int_equal(bm_map_set_page_size(ctx, m, "200x300mm"), BM_OK);
    assert_true(m->page_w_mm == 200 && m->page_h_mm == 300);
    assert_int_equal(bm_map_set_page_size(ctx, m, "B5"), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx),
                        "bad page size 'B5'; expected A4, A3, Letter or WxHmm such as 300x200mm");
    assert_int_equal(bm_map_set_page_size(ctx, m, "3000x200mm"), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "page size '3000x200mm' is out of range; expected "
                                           "each side from 50 to 2000 mm");
    assert_true(m->page_w_mm == 200 && m->page_h_mm == 300);
    /* The limits are the public constants. */
    assert_int_equal(bm_map_set_page(ctx, m, BM_PAGE_MM_MIN, BM_PAGE_MM_MAX), BM_OK);
    assert_int_equal(bm_map_set_dpi(ctx, m, BM_DPI_MIN), BM_OK);
    assert_int_equal(bm_map_set_dpi(ctx, m, BM_DPI_MAX), BM_OK);
    assert_int_equal(bm_map_set_around(ctx, m, 24, 97, BM_RADIUS_KM_MAX), BM_OK);

    assert_int_equal(bm_map_set_dpi(ctx, m, 600), BM_OK);
    assert_true(m->dpi == 600);
    assert_int_equal(bm_map_set_dpi(ctx, m, 71), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "bad resolution 71 dpi; expected 72 to 1200");
    assert_int_equal(bm_map_set_dpi(ctx, m, 1201), BM_ERR_ARG);
    assert_int_equal(bm_map_set_dpi(ctx, m, NAN), BM_ERR_ARG);
    assert_true(m->dpi == 600);

    assert_int_equal(bm_map_set_title(ctx, m, "瑞丽 and Muse"), BM_OK);
    assert_string_equal(m->title, "瑞丽 and Muse");
    assert_int_equal(bm_map_set_title(ctx, m, "bad \xff"), BM_ERR_ARG);
    assert_string_equal(bm_ctx_error(ctx), "the title is not valid UTF-8 text");
    assert_string_equal(m->title, "瑞丽 and Muse");
    assert_int_equal(bm_map_set_title(ctx, m, NULL), BM_OK);
    assert_null(m->title);
    bm_map_free(m);
    bm_map_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_recipe),
        cmocka_unit_test(defaults),
        cmocka_unit_test(other_forms),
        cmocka_unit_test(extent_around),
        cmocka_unit_test(bad_recipes),
        cmocka_unit_test(unknown_places),
        cmocka_unit_test(fuzz_regressions),
        cmocka_unit_test(annotation_stroke_and_casing),
        cmocka_unit_test(keys_that_need_another),
        cmocka_unit_test(missing_source),
        cmocka_unit_test(limits),
        cmocka_unit_test(missing_file),
        cmocka_unit_test(from_text),
        cmocka_unit_test(page_sizes),
        cmocka_unit_test(setters),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
