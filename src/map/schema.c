/*
 * bordermap: the recipe's schema, one table per section (see schema.h),
 * and `bordermap help recipe`, written from the same tables with each
 * key's default read off the defaults the reader and drawing start from.
 */
#include "bordermap/map.h"
#include "core/buf.h"
#include "core/internal.h"
#include "map/schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NKEYS(t) (sizeof(t) / sizeof((t)[0]))
#define STR_(x) #x
#define STR(x) STR_(x)

/* Rows, by kind. T is the section's struct; style keys are within struct bm_style. */
#define NUMBER(n, T, f, lo_, hi_, doc_)                                                            \
    {                                                                                              \
        .name = n, .kind = BM__NUMBER, .offset = offsetof(T, f), .lo = lo_, .hi = hi_, .doc = doc_ \
    }
#define TEXT(n, T, f, doc_)                                                                        \
    {                                                                                              \
        .name = n, .kind = BM__TEXT, .offset = offsetof(T, f), .doc = doc_                         \
    }
#define WORD(n, T, f, expected_, doc_)                                                             \
    {                                                                                              \
        .name = n, .kind = BM__WORD, .offset = offsetof(T, f), .expected = expected_, .doc = doc_  \
    }
#define COLOUR(n, T, f, doc_)                                                                      \
    {                                                                                              \
        .name = n, .kind = BM__COLOUR, .offset = offsetof(T, f), .doc = doc_                       \
    }
#define S_COLOUR(n, f, bit, doc_)                                                                  \
    {                                                                                              \
        .name = n, .kind = BM__COLOUR, .flags = BM__STYLE, .offset = offsetof(struct bm_style, f), \
        .set = bit, .doc = doc_                                                                    \
    }
#define S_NUMBER(n, f, bit, lo_, hi_, doc_)                                                        \
    {                                                                                              \
        .name = n, .kind = BM__NUMBER, .flags = BM__STYLE, .offset = offsetof(struct bm_style, f), \
        .lo = lo_, .hi = hi_, .set = bit, .doc = doc_                                              \
    }
/* A style's dashes, for help: "solid", or "[4, 2.5]". */
static void dash_text(struct bm__buf *b, const void *at)
{
    const struct bm_style *s = at;
    if (s->ndash == 0)
        bm__buf_puts(b, "solid");
    for (int i = 0; i < s->ndash; i++)
        bm__buf_printf(b, "%s%g%s", i ? ", " : "[", s->dash[i], i + 1 == s->ndash ? "]" : "");
}

#define DASH(doc_)                                                                                 \
    {                                                                                              \
        .name = "dash", .kind = BM__CUSTOM, .flags = BM__STYLE, .read = bm__read_dash,             \
        .expected = "1 to 4 lengths in pt such as [4, 2]", .show = dash_text, .doc = doc_          \
    }

/* ---- choices --------------------------------------------------------------- */

static const struct bm__choice MARKERS[] = {{"circle", BM_MARKER_CIRCLE, 0},
                                            {"square", BM_MARKER_SQUARE, 0},
                                            {"triangle", BM_MARKER_TRIANGLE, 0},
                                            {"star", BM_MARKER_STAR, 0},
                                            {"capital", BM_MARKER_CAPITAL, 0},
                                            {"none", BM_MARKER_NONE, 0},
                                            {NULL, 0, 0}};

static const struct bm__choice PLACEMENTS[] = {
    {"auto", BM_PLACE_AUTO, 0}, {"point", BM_PLACE_POINT, 0},   {"line", BM_PLACE_LINE, 0},
    {"area", BM_PLACE_AREA, 0}, {"curved", BM_PLACE_CURVED, 0}, {NULL, 0, 0}};

/* false is YAML's way of saying none. */
static const struct bm__choice CORNERS[] = {{"top-left", BM_CORNER_TOP_LEFT, 0},
                                            {"top-right", BM_CORNER_TOP_RIGHT, 0},
                                            {"bottom-left", BM_CORNER_BOTTOM_LEFT, 0},
                                            {"bottom-right", BM_CORNER_BOTTOM_RIGHT, 0},
                                            {"none", BM_CORNER_NONE, 0},
                                            {"false", BM_CORNER_NONE, 1},
                                            {NULL, 0, 0}};

static const struct bm__choice ORIENTATIONS[] = {
    {"portrait", 0, 0}, {"landscape", 1, 0}, {NULL, 0, 0}};

_Static_assert(sizeof(enum bm_marker) == sizeof(int) && sizeof(enum bm_corner) == sizeof(int) &&
                   sizeof(enum bm_placement) == sizeof(int) &&
                   sizeof(enum bm_annotation_kind) == sizeof(int),
               "choices are stored as int");

#define CORNER(n, f, doc_)                                                                         \
    {                                                                                              \
        .name = n, .kind = BM__CHOICE, .offset = offsetof(struct bm_furniture, f),                 \
        .choices = CORNERS, .noun = "position", .doc = doc_                                        \
    }

/* ---- styles: stroke, casing, marker ---------------------------------------- */

static const struct bm__key CASING_KEYS[] = {
    S_COLOUR("color", casing, BM_SET_CASING, "the casing's colour"),
    S_NUMBER("width", casing_width, BM_SET_CASING, 0, 50,
             "the casing's whole width, pt (it shows either side of the line)"),
};

static const struct bm__section CASING = {
    .name = "casing",
    .path = "layers[].stroke.casing",
    .keys = CASING_KEYS,
    .nkeys = NKEYS(CASING_KEYS),
    .shorthand = "color",
    .expected = "a mapping such as {color: white, width: 4}",
};

static const struct bm__key STROKE_KEYS[] = {
    {.name = "color",
     .kind = BM__COLOUR,
     .flags = BM__STYLE,
     .offset = offsetof(struct bm_style, stroke),
     .set = BM_SET_STROKE,
     .def = "#333333; none around areas",
     .doc = "the colour of lines and of area outlines"},
    S_NUMBER("width", width, BM_SET_WIDTH, 0, 50, "line width, pt"),
    DASH("dashes: on and off lengths, pt"),
    {.name = "casing",
     .kind = BM__SECTION,
     .flags = BM__STYLE,
     .set = BM_SET_CASING,
     .sub = &CASING,
     .def = "none",
     .doc = "a wider line under the line: a colour, or color and width"},
};

static const struct bm__section STROKE = {
    .name = "stroke",
    .path = "layers[].stroke",
    .keys = STROKE_KEYS,
    .nkeys = NKEYS(STROKE_KEYS),
    .shorthand = "color",
    .expected = "a colour, or a mapping such as {color: \"#9a9a9a\", width: 0.4}",
};

static const struct bm__key MARKER_KEYS[] = {
    {.name = "shape",
     .kind = BM__CHOICE,
     .flags = BM__STYLE,
     .offset = offsetof(struct bm_style, marker),
     .set = BM_SET_MARKER,
     .choices = MARKERS,
     .noun = "marker",
     .def = "circle on points; none on lines and areas",
     .doc = "the marker's shape (capital: a dot in a ring)"},
    S_NUMBER("size", marker_size, BM_SET_MARKER_SIZE, 0.5, 100, "the marker's diameter, pt"),
    S_COLOUR("fill", marker_fill, BM_SET_MARKER_FILL, "the marker's colour"),
    {.name = "stroke",
     .kind = BM__COLOUR,
     .flags = BM__STYLE,
     .offset = offsetof(struct bm_style, stroke),
     .set = BM_SET_STROKE,
     .def = "white",
     .doc = "the marker's outline, 0.6 pt (the same key as stroke: COLOUR)"},
};

static const struct bm__section MARKER = {
    .name = "marker",
    .path = "layers[].marker",
    .keys = MARKER_KEYS,
    .nkeys = NKEYS(MARKER_KEYS),
    .shorthand = "shape",
    .expected = "a shape, or a mapping such as {shape: circle, size: 5}",
};

/* The keys of a style, shared by layers and rules. */
#define STYLE_KEYS                                                                                 \
    S_COLOUR("fill", fill, BM_SET_FILL, "the fill of areas"),                                      \
        {.name = "stroke",                                                                         \
         .kind = BM__SECTION,                                                                      \
         .flags = BM__STYLE,                                                                       \
         .sub = &STROKE,                                                                           \
         .doc = "lines and outlines: a colour, or color, width, dash, casing"},                    \
        S_NUMBER("width", width, BM_SET_WIDTH, 0, 50, "line width, pt (as stroke: {width})"),      \
        S_NUMBER("opacity", opacity, BM_SET_OPACITY, 0, 1,                                         \
                 "the opacity of fills, lines and markers, 0 to 1"),                               \
    {                                                                                              \
        .name = "marker", .kind = BM__SECTION, .flags = BM__STYLE, .sub = &MARKER,                 \
        .doc = "point markers: a shape, or shape, size, fill, stroke"                              \
    }

/* ---- rules ------------------------------------------------------------------ */

static int rule_init(void *obj)
{
    bm__style_blank(&((struct bm_rule *)obj)->style);
    return 0;
}

static const struct bm__key RULE_KEYS[] = {
    {.name = "when",
     .kind = BM__CUSTOM,
     .flags = BM__REQUIRED,
     .read = bm__read_when,
     .expected = "one field and its values such as {iso_a3: MMR}",
     .missing = "when: {field: value}",
     .doc = "the features it restyles: a field and a value, or a list of values"},
    STYLE_KEYS,
    TEXT("legend", struct bm_rule, legend, "the legend entry of these features"),
};

static const struct bm__section RULE = {
    .name = "rule",
    .path = "layers[].rules[]",
    .keys = RULE_KEYS,
    .nkeys = NKEYS(RULE_KEYS),
    .flags = BM__HAS_STYLE,
    .expected = "a mapping such as {when: {iso_a3: MMR}, fill: \"#f7f0dd\"}",
    .size = sizeof(struct bm_rule),
    .style_at = offsetof(struct bm_rule, style),
    .item = "rule",
    .init = rule_init,
};

/* ---- labels ------------------------------------------------------------------ */

static const struct bm__key LABEL_KEYS[] = {
    WORD("field", struct bm_label, field, "a field name such as name",
         "the field whose text labels each feature"),
    WORD("zh", struct bm_label, field_zh, "a field name such as name_zh",
         "a second line, in Chinese, from this field"),
    WORD("my", struct bm_label, field_my, "a field name such as name_my",
         "a third line, in Burmese, from this field"),
    WORD("font", struct bm_label, font, "a font such as Noto Sans Bold",
         "the font family and style of the first line"),
    NUMBER("size", struct bm_label, size, 3, 72, "text size, pt"),
    COLOUR("color", struct bm_label, color, "the text's colour"),
    COLOUR("halo", struct bm_label, halo, "the halo's colour around the text"),
    NUMBER("halo_width", struct bm_label, halo_width, 0, 20, "the halo's width, pt"),
    {.name = "priority",
     .kind = BM__WHOLE,
     .offset = offsetof(struct bm_label, priority),
     .lo = 0,
     .hi = 100,
     .doc = "lower is placed first; priorities 1 and 2 may take a leader line"},
    WORD("rank_field", struct bm_label, rank_field, "a numeric field name such as rank",
         "a numeric field that orders the features within the layer"),
    {.name = "max_rank",
     .kind = BM__NUMBER,
     .offset = offsetof(struct bm_label, max_rank),
     .lo = 0,
     .hi = INFINITY,
     .def = "0: all",
     .doc = "label (and, for points, draw) only features whose rank_field is at most this"},
    {.name = "placement",
     .kind = BM__CHOICE,
     .offset = offsetof(struct bm_label, placement),
     .choices = PLACEMENTS,
     .noun = "placement",
     .def = "auto: by geometry (beside a point, along a line, inside an area)",
     .doc = "point: level, beside a line's middle or an area's inside point; line: along "
            "the line or an area's outline; area: centred on the point, the line's middle "
            "or inside the area; curved: glyph by glyph along the line, the label's lines joined "
            "on one line (its first line alone where they do not fit)"},
    WORD("text", struct bm_label, text, "text",
         "fixed text instead of a field; {length}, {layer_length} and {FIELD} are filled in"),
};

static const struct bm__section LABEL = {
    .name = "label",
    .path = "layers[].label",
    .keys = LABEL_KEYS,
    .nkeys = NKEYS(LABEL_KEYS),
    .shorthand = "field",
    .expected = "a field name, or a mapping such as {field: name, size: 9}",
    .check = bm__check_label,
};

/* ---- rasters ------------------------------------------------------------------ */

static const struct bm__choice BLENDS[] = {
    {"normal", BM_BLEND_NORMAL, 0}, {"multiply", BM_BLEND_MULTIPLY, 0}, {NULL, 0, 0}};

_Static_assert(sizeof(enum bm_blend) == sizeof(int), "choices are stored as int");

static const struct bm__key STOP_KEYS[] = {
    {.name = "value",
     .kind = BM__NUMBER,
     .flags = BM__REQUIRED,
     .offset = offsetof(struct bm_ramp_stop, value),
     .lo = -1e30,
     .hi = 1e30,
     .missing = "value: a pixel value such as 1000",
     .doc = "a pixel value (in the raster's units, e.g. metres)"},
    {.name = "color",
     .kind = BM__COLOUR,
     .flags = BM__REQUIRED,
     .offset = offsetof(struct bm_ramp_stop, color),
     .missing = "color: the colour of that value",
     .doc = "the colour of pixels of that value; between stops the colours blend"},
};

static const struct bm__section STOP = {
    .name = "stop",
    .path = "layers[].raster.ramp[]",
    .keys = STOP_KEYS,
    .nkeys = NKEYS(STOP_KEYS),
    .expected = "a mapping such as {value: 1000, color: \"#e0c890\"}",
    .size = sizeof(struct bm_ramp_stop),
    .item = "stop",
    .max_items = 64,
    .min_items = 2,
};

static int raster_init(void *obj)
{
    struct bm_raster_style *r = obj;
    r->band = 1;
    r->blend = BM_BLEND_NORMAL;
    return 0;
}

static const struct bm__key RASTER_KEYS[] = {
    {.name = "band",
     .kind = BM__WHOLE,
     .offset = offsetof(struct bm_raster_style, band),
     .lo = 1,
     .hi = 65535,
     .doc = "the band drawn, 1 for the first"},
    {.name = "ramp",
     .kind = BM__LIST,
     .offset = offsetof(struct bm_raster_style, ramp),
     .aux = offsetof(struct bm_raster_style, nramp),
     .sub = &STOP,
     .expected = "a sequence of stops (- {value: 0, color: ...})",
     .def = "a grey: the band's lowest value black, its highest white",
     .doc = "colours by value, values ascending (hypsometric tints); outside, the end colours"},
    {.name = "blend",
     .kind = BM__CHOICE,
     .offset = offsetof(struct bm_raster_style, blend),
     .choices = BLENDS,
     .noun = "blend",
     .doc = "how its colours meet those beneath: multiply darkens them (a shaded relief)"},
    WORD("clip", struct bm_raster_style, clip, "the name of a polygon layer of this map",
         "drawn only inside that layer's polygons, e.g. land only"),
};

static const struct bm__section RASTER = {
    .name = "raster",
    .path = "layers[].raster",
    .keys = RASTER_KEYS,
    .nkeys = NKEYS(RASTER_KEYS),
    .expected = "a mapping such as {ramp: [...], blend: multiply, clip: countries}",
    .init = raster_init,
    .check = bm__check_raster,
};

/* ---- layers ------------------------------------------------------------------ */

static int layer_init(void *obj)
{
    struct bm_map_layer *L = obj;
    bm__style_blank(&L->style);
    raster_init(&L->raster);
    return bm__label_defaults(&L->label);
}

static void layer_clear(void *obj)
{
    free(((struct bm_map_layer *)obj)->label.font);
}

static const struct bm__key LAYER_KEYS[] = {
    {.name = "name",
     .kind = BM__WORD,
     .flags = BM__REQUIRED | BM__NAMES,
     .offset = offsetof(struct bm_map_layer, name),
     .after = bm__check_name,
     .expected = "a unique name such as countries",
     .missing = "a unique name such as countries",
     .doc = "the layer's name, unique in the map; buffers and atlas --layer use it"},
    {.name = "source",
     .kind = BM__CUSTOM,
     .flags = BM__REQUIRED,
     .read = bm__read_source,
     .expected = "a file path or a connection string",
     .missing = "a file path such as shapes/boundaries/countries.shp",
     .doc = "a vector source, or a raster (GeoTIFF, ...): a path (beside the recipe, else under "
            "the data root) or a connection"},
    TEXT("layer", struct bm_map_layer, layer,
         "the layer or table inside the source, e.g. border_cn_mm, or ops.border (a PostGIS "
         "schema); needed when the source has several"),
    {.name = "where",
     .kind = BM__TEXT,
     .offset = offsetof(struct bm_map_layer, where),
     .after = bm__check_where,
     .doc = "only the features this filter matches, e.g. iso_a3 <> 'IND'"},
    STYLE_KEYS,
    TEXT("legend", struct bm_map_layer, legend,
         "the layer's legend entry ({layer_length}: the layer's length)"),
    NUMBER("min_scale", struct bm_map_layer, min_scale, 0, INFINITY,
           "drawn only at this scale denominator or more; 0: no limit"),
    NUMBER("max_scale", struct bm_map_layer, max_scale, 0, INFINITY,
           "drawn only at this scale denominator or less; 0: no limit"),
    {.name = "rules",
     .kind = BM__LIST,
     .offset = offsetof(struct bm_map_layer, rules),
     .aux = offsetof(struct bm_map_layer, nrules),
     .sub = &RULE,
     .expected = "a sequence of rules (- when: ...)",
     .doc = "styles for the features whose field has given values, over the layer's"},
    {.name = "label",
     .kind = BM__SECTION,
     .flags = BM__NULL_OK,
     .offset = offsetof(struct bm_map_layer, label),
     .sub = &LABEL,
     .def = "none",
     .doc = "labels: a field name, or field, text, font, size, colours, priority, ..."},
    TEXT("date_field", struct bm_map_layer, date_field,
         "events: the field with each row's date (YYYY-MM-DD); rows with bad dates are skipped"),
    {.name = "from",
     .kind = BM__DATE,
     .offset = offsetof(struct bm_map_layer, date_from),
     .doc = "events: only those dated on or after this day (YYYY-MM-DD)"},
    {.name = "to",
     .kind = BM__DATE,
     .offset = offsetof(struct bm_map_layer, date_to),
     .doc = "events: only those dated on or before this day (YYYY-MM-DD)"},
    TEXT("size_field", struct bm_map_layer, size_field,
         "events: a numeric field that scales the markers (e.g. fatalities)"),
    {.name = "raster",
     .kind = BM__SECTION,
     .offset = offsetof(struct bm_map_layer, raster),
     .sub = &RASTER,
     .def = "a grey shade of band 1",
     .doc = "a raster source: its band, colour ramp, blend and clip (with opacity, legend)"},
    TEXT("credit", struct bm_map_layer, credit,
         "the data's source and licence, in the credits line when the layer draws"),
};

static const struct bm__section LAYER = {
    .name = "layer",
    .path = "layers[]",
    .keys = LAYER_KEYS,
    .nkeys = NKEYS(LAYER_KEYS),
    .flags = BM__HAS_STYLE,
    .expected = "a layer mapping such as {name: countries, source: shapes/...}",
    .size = sizeof(struct bm_map_layer),
    .style_at = offsetof(struct bm_map_layer, style),
    .item = "layer",
    .max_items = 256,
    .min_items = 1,
    .init = layer_init,
    .clear = layer_clear,
    .check = bm__check_layer,
};

/* ---- annotations -------------------------------------------------------------- */

_Static_assert(offsetof(struct bm_annotation, lon) ==
                       offsetof(struct bm_annotation, lat) + sizeof(double) &&
                   offsetof(struct bm_annotation, lon2) ==
                       offsetof(struct bm_annotation, lat2) + sizeof(double),
               "a place's longitude follows its latitude");

#define PLACE(n, lat_, label_, doc_)                                                               \
    {                                                                                              \
        .name = n, .kind = BM__PLACE, .flags = BM__REQUIRED,                                       \
        .offset = offsetof(struct bm_annotation, lat_),                                            \
        .aux = offsetof(struct bm_annotation, label_), .doc = doc_                                 \
    }

static int ann_init(void *obj)
{
    bm__style_blank(&((struct bm_annotation *)obj)->style);
    return 0;
}

static int callout_init(void *obj)
{
    ((struct bm_annotation *)obj)->style = bm__annotation_defaults(BM_ANN_CALLOUT);
    return 0;
}

static int distance_init(void *obj)
{
    ((struct bm_annotation *)obj)->style = bm__annotation_defaults(BM_ANN_DISTANCE);
    return 0;
}

static int buffer_init(void *obj)
{
    ((struct bm_annotation *)obj)->style = bm__annotation_defaults(BM_ANN_BUFFER);
    return 0;
}

static const struct bm__key CALLOUT_KEYS[] = {
    PLACE("at", lat, label,
          "the place pointed at: a gazetteer name in any script, or lat,lon; outside the map, an "
          "arrow at its edge points there, the note saying how far from the map's centre"),
    {.name = "text",
     .kind = BM__WORD,
     .flags = BM__REQUIRED,
     .offset = offsetof(struct bm_annotation, text),
     .expected = "text",
     .doc = "the note in the box"},
    S_COLOUR("fill", fill, BM_SET_FILL, "the box's background"),
    S_COLOUR("stroke", stroke, BM_SET_STROKE, "the box's outline, the leader and the dot"),
    S_NUMBER("width", width, BM_SET_WIDTH, 0, 50, "the width of the outline and the leader, pt"),
};

static const struct bm__key DISTANCE_KEYS[] = {
    PLACE("from", lat, label, "one end: a gazetteer name in any script, or lat,lon"),
    PLACE("to", lat2, label2, "the other end"),
    S_COLOUR("stroke", stroke, BM_SET_STROKE, "the line's colour"),
    S_NUMBER("width", width, BM_SET_WIDTH, 0, 50,
             "the line's width, pt (on a white halo 0.9 pt wider each side)"),
    DASH("the line's dashes: on and off lengths, pt"),
};

static const struct bm__key BUFFER_KEYS[] = {
    {.name = "layer",
     .kind = BM__WORD,
     .flags = BM__REQUIRED,
     .offset = offsetof(struct bm_annotation, layer),
     .after = bm__check_buffer_layer,
     .expected = "the name of a layer of this map",
     .doc = "the map layer whose lines the band follows"},
    {.name = "km",
     .kind = BM__NUMBER,
     .flags = BM__REQUIRED,
     .offset = offsetof(struct bm_annotation, km),
     .lo = 0.1,
     .hi = 1000,
     .doc = "the band's half-width: geodesic kilometres either side"},
    S_COLOUR("fill", fill, BM_SET_FILL, "the band's colour"),
    S_COLOUR("stroke", stroke, BM_SET_STROKE, "the band's outline"),
    S_NUMBER("width", width, BM_SET_WIDTH, 0, 50, "the outline's width, pt"),
    S_NUMBER("opacity", opacity, BM_SET_OPACITY, 0, 1, "the opacity of the band's fill, 0 to 1"),
};

static const struct bm__section CALLOUT = {
    .name = "callout",
    .path = "annotations[].callout",
    .keys = CALLOUT_KEYS,
    .nkeys = NKEYS(CALLOUT_KEYS),
    .expected = "a mapping such as {at: Ruili, text: ...}",
    .init = callout_init,
};

static const struct bm__section DISTANCE = {
    .name = "distance",
    .path = "annotations[].distance",
    .keys = DISTANCE_KEYS,
    .nkeys = NKEYS(DISTANCE_KEYS),
    .expected = "a mapping such as {from: Ruili, to: Naypyidaw}",
    .init = distance_init,
};

static const struct bm__section BUFFER = {
    .name = "buffer",
    .path = "annotations[].buffer",
    .keys = BUFFER_KEYS,
    .nkeys = NKEYS(BUFFER_KEYS),
    .expected = "a mapping such as {layer: border, km: 50}",
    .init = buffer_init,
};

/* In the order of enum bm_annotation_kind, from 1. */
static const struct bm__key ANNOTATION_KEYS[] = {
    {.name = "callout",
     .kind = BM__SECTION,
     .sub = &CALLOUT,
     .doc = "a boxed note with a leader to a place"},
    {.name = "distance",
     .kind = BM__SECTION,
     .sub = &DISTANCE,
     .doc = "the geodesic between two places, labelled with its length"},
    {.name = "buffer",
     .kind = BM__SECTION,
     .sub = &BUFFER,
     .doc = "a band of a given width either side of a layer's lines"},
};
_Static_assert(BM_ANN_CALLOUT == 1 && BM_ANN_DISTANCE == 2 && BM_ANN_BUFFER == 3,
               "annotation kinds follow ANNOTATION_KEYS");

static const struct bm__section ANNOTATION = {
    .name = "annotation",
    .path = "annotations[]",
    .keys = ANNOTATION_KEYS,
    .nkeys = NKEYS(ANNOTATION_KEYS),
    .flags = BM__HAS_STYLE | BM__VARIANTS,
    .expected = "a mapping of one kind: callout, distance or buffer",
    .size = sizeof(struct bm_annotation),
    .style_at = offsetof(struct bm_annotation, style),
    .kind_at = offsetof(struct bm_annotation, kind),
    .item = "annotation",
    .max_items = BM_ANNOTATIONS_MAX, /* a recipe from a stranger is bounded (issue 13) */
    .init = ann_init,
};

/* ---- furniture ----------------------------------------------------------------- */

static const struct bm__key GRATICULE_KEYS[] = {
    {.name = "step",
     .kind = BM__NUMBER,
     .flags = BM__REQUIRED,
     .offset = offsetof(struct bm_furniture, graticule_step),
     .lo = 0.1,
     .hi = 30,
     .missing = "step: 0.1 to 30 degrees",
     .doc = "degrees between the lines"},
    {.name = "labels",
     .kind = BM__BOOL,
     .offset = offsetof(struct bm_furniture, graticule_labels),
     .doc = "the lines' degrees along the frame"},
};

static const struct bm__section GRATICULE = {
    .name = "graticule",
    .path = "furniture.graticule",
    .keys = GRATICULE_KEYS,
    .nkeys = NKEYS(GRATICULE_KEYS),
    .shorthand = "step",
    .expected = "a step in degrees, none, or a mapping such as {step: 2, labels: true}",
};

static const struct bm__key FURNITURE_KEYS[] = {
    CORNER("legend", legend, "the legend's corner: an entry per layer or rule drawn"),
    CORNER("scalebar", scalebar, "the scale bar's corner: geodesically true at the centre"),
    CORNER("north_arrow", north_arrow, "the north arrow's corner: true north at the centre"),
    CORNER("inset", inset, "the corner of a locator map of the region"),
    {.name = "graticule",
     .kind = BM__CUSTOM,
     .read = bm__read_graticule,
     .sub = &GRATICULE,
     .expected = "a step in degrees, none, or a mapping such as {step: 2, labels: true}",
     .def = "none",
     .doc = "lines of latitude and longitude: a step, or step and labels"},
    TEXT("credits", struct bm_furniture, credits,
         "credits under the map, after those of the layers drawn (their credit keys)"),
};

static const struct bm__section FURNITURE = {
    .name = "furniture",
    .path = "furniture",
    .keys = FURNITURE_KEYS,
    .nkeys = NKEYS(FURNITURE_KEYS),
    .expected = "a mapping such as {legend: bottom-left, scalebar: bottom-right}",
};

/* ---- page and extent ------------------------------------------------------------ */

static int page_init(void *obj)
{
    /* A4 as named: turned landscape unless an orientation is given. */
    *(struct bm__page_in *)obj = (struct bm__page_in){210, 297, BM_DPI_DEFAULT, 1, -1};
    return 0;
}

static const struct bm__key PAGE_KEYS[] = {
    {.name = "size",
     .kind = BM__CUSTOM,
     .read = bm__read_page_size,
     .expected = "A4, A3, Letter or WxHmm such as 300x200mm",
     .def = "A4",
     .doc = "A0 to A5, Letter, Legal, Tabloid, or WxHmm with each side " STR(
         BM_PAGE_MM_MIN) " to " STR(BM_PAGE_MM_MAX) " mm"},
    {.name = "orientation",
     .kind = BM__CHOICE,
     .offset = offsetof(struct bm__page_in, orientation),
     .choices = ORIENTATIONS,
     .noun = "orientation",
     .def = "landscape for a named size; WxHmm as written",
     .doc = "which way the page is turned"},
    NUMBER("dpi", struct bm__page_in, dpi, BM_DPI_MIN, BM_DPI_MAX,
           "resolution of PNG and GeoTIFF outputs, dots per inch"),
};

static const struct bm__section PAGE = {
    .name = "page",
    .path = "page",
    .keys = PAGE_KEYS,
    .nkeys = NKEYS(PAGE_KEYS),
    .expected = "a mapping such as {size: A4, orientation: landscape}",
    .size = sizeof(struct bm__page_in),
    .init = page_init,
};

static int extent_init(void *obj)
{
    struct bm__extent_in *e = obj;
    memset(e, 0, sizeof *e);
    e->box = BM__DEFAULT_EXTENT;
    return 0;
}

static const struct bm__key EXTENT_KEYS[] = {
    NUMBER("west", struct bm__extent_in, box.west, -180, 180, "the western edge, degrees"),
    NUMBER("south", struct bm__extent_in, box.south, -90, 90, "the southern edge, degrees"),
    NUMBER("east", struct bm__extent_in, box.east, -180, 180, "the eastern edge, degrees"),
    NUMBER("north", struct bm__extent_in, box.north, -90, 90, "the northern edge, degrees"),
    {.name = "around",
     .kind = BM__PLACE,
     .offset = offsetof(struct bm__extent_in, lat),
     .aux = offsetof(struct bm__extent_in, label),
     .doc = "instead of the edges: the map around a place (a name or lat,lon), with radius_km"},
    {.name = "radius_km",
     .kind = BM__NUMBER,
     .offset = offsetof(struct bm__extent_in, radius),
     .lo = BM_RADIUS_KM_MIN,
     .hi = BM_RADIUS_KM_MAX,
     .def = "none; needed with around",
     .doc = "how far around the place, geodesic km"},
};

static const struct bm__section EXTENT = {
    .name = "extent",
    .path = "extent",
    .keys = EXTENT_KEYS,
    .nkeys = NKEYS(EXTENT_KEYS),
    .expected = "a mapping such as {west: 91.5, south: 9.5, east: 106.5, north: 29.5} or "
                "{around: Ruili, radius_km: 40}",
    .size = sizeof(struct bm__extent_in),
    .init = extent_init,
};

/* ---- what the output files carry ----------------------------------------------------- */

static const struct bm__choice SVG_TEXTS[] = {
    {"text", BM_SVG_TEXT, 0}, {"outlines", BM_SVG_OUTLINES, 0}, {NULL, 0, 0}};

static const struct bm__key OUTPUT_KEYS[] = {
    {.name = "frame_only",
     .kind = BM__BOOL,
     .offset = offsetof(struct bm_output_opts, frame_only),
     .def = "false: the whole page (true for a GIS overlay)",
     .doc = "the map frame alone: no margins, title, legend, scale bar or credits, and "
            "transparent where nothing was drawn"},
    {.name = "svg_text",
     .kind = BM__CHOICE,
     .offset = offsetof(struct bm_output_opts, svg_text),
     .choices = SVG_TEXTS,
     .noun = "SVG text",
     .doc = "an SVG's text: <text> elements (found and edited as text), or glyph outlines "
            "(the same without the fonts)"},
};

static const struct bm__section OUTPUT = {
    .name = "output",
    .path = "output",
    .keys = OUTPUT_KEYS,
    .nkeys = NKEYS(OUTPUT_KEYS),
    .expected = "a mapping such as {frame_only: true, svg_text: outlines}",
};

/* ---- the top level ----------------------------------------------------------------- */

static const struct bm__key RECIPE_KEYS[] = {
    TEXT("title", struct bm_map, title, "the map's title, above the frame"),
    TEXT("subtitle", struct bm_map, subtitle, "a line under the title"),
    TEXT("date", struct bm_map, date, "the date of the situation, after the subtitle, as written"),
    {.name = "page",
     .kind = BM__CUSTOM,
     .read = bm__read_page,
     .sub = &PAGE,
     .expected = "a mapping such as {size: A4, orientation: landscape}",
     .doc = "the page: size, orientation, dpi"},
    {.name = "extent",
     .kind = BM__CUSTOM,
     .read = bm__read_extent,
     .sub = &EXTENT,
     .expected = "west, south, east, north, or around and radius_km",
     .doc = "what the map shows: its edges in degrees, or a radius around a place"},
    {.name = "projection",
     .kind = BM__WORD,
     .offset = offsetof(struct bm_map, projection),
     .after = bm__check_projection,
     .expected = "auto, EPSG:n or a PROJ string",
     .doc = "auto (conformal conic fitted to the extent), EPSG:n or a PROJ string"},
    COLOUR("background", struct bm_map, background, "the sea, and all that no layer covers"),
    {.name = "layers",
     .kind = BM__LIST,
     .flags = BM__REQUIRED,
     .offset = offsetof(struct bm_map, layers),
     .aux = offsetof(struct bm_map, nlayers),
     .sub = &LAYER,
     .expected = "a sequence of layers (- name: ...)",
     .missing = "a sequence of at least one layer",
     .doc = "the layers, drawn in order: the first at the bottom"},
    {.name = "annotations",
     .kind = BM__LIST,
     .flags = BM__NULL_OK,
     .offset = offsetof(struct bm_map, annotations),
     .aux = offsetof(struct bm_map, nannotations),
     .sub = &ANNOTATION,
     .expected = "a sequence such as - callout: {at: Ruili, text: ...}",
     .doc = "callouts, distance lines and buffer bands, each - KIND: {...}"},
    {.name = "furniture",
     .kind = BM__SECTION,
     .flags = BM__NULL_OK,
     .offset = offsetof(struct bm_map, furniture),
     .sub = &FURNITURE,
     .doc = "legend, scale bar, north arrow, inset, graticule, credits"},
    {.name = "output",
     .kind = BM__SECTION,
     .flags = BM__NULL_OK,
     .offset = offsetof(struct bm_map, output),
     .sub = &OUTPUT,
     .doc = "what the output files carry: the frame alone, an SVG's text"},
};

const struct bm__section BM__RECIPE = {
    .name = "recipe",
    .path = "the top level",
    .keys = RECIPE_KEYS,
    .nkeys = NKEYS(RECIPE_KEYS),
    .expected = "a mapping of keys such as title, extent and layers",
};

_Static_assert(NKEYS(LAYER_KEYS) <= BM__MAX_KEYS && NKEYS(LABEL_KEYS) <= BM__MAX_KEYS &&
                   NKEYS(RASTER_KEYS) <= BM__MAX_KEYS && NKEYS(RULE_KEYS) <= BM__MAX_KEYS &&
                   NKEYS(RECIPE_KEYS) <= BM__MAX_KEYS,
               "the walker records at most BM__MAX_KEYS keys of a section");

/* ---- colours ------------------------------------------------------------------------ */

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

int bm__parse_colour(const char *s, struct bm_color *c)
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

/* ---- the sections, and help ----------------------------------------------------------- */

static size_t add_section(const struct bm__section *s, const struct bm__section **out, size_t n,
                          size_t max)
{
    for (size_t i = 0; i < n; i++)
        if (out[i] == s)
            return n;
    if (n < max)
        out[n++] = s;
    for (size_t i = 0; i < s->nkeys; i++)
        if (s->keys[i].sub)
            n = add_section(s->keys[i].sub, out, n, max);
    return n;
}

size_t bm__schema_sections(const struct bm__section *top, const struct bm__section **out,
                           size_t max)
{
    return add_section(top, out, 0, max);
}

void bm__choice_list(struct bm__buf *b, const struct bm__choice *c)
{
    size_t n = 0, k = 0;
    while (c[n].name)
        n++;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++)
        shown += !c[i].hidden;
    for (size_t i = 0; i < n; i++) {
        if (c[i].hidden)
            continue;
        k++;
        bm__buf_printf(b, "%s%s", k == 1 ? "" : (k == shown ? " or " : ", "), c[i].name);
    }
}

static void colour_text(struct bm__buf *b, struct bm_color c)
{
    if (c.a <= 0) {
        bm__buf_puts(b, "none");
        return;
    }
    bm__buf_printf(b, "#%02x%02x%02x", (int)lround(c.r * 255), (int)lround(c.g * 255),
                   (int)lround(c.b * 255));
    if (c.a < 1)
        bm__buf_printf(b, "%02x", (int)lround(c.a * 255));
}

/* What a value of the key looks like: its kind and range. */
static void kind_text(struct bm__buf *b, const struct bm__key *k)
{
    switch (k->kind) {
    case BM__NUMBER:
    case BM__WHOLE:
        bm__buf_puts(b, k->kind == BM__WHOLE ? "whole number " : "number ");
        if (isinf(k->hi))
            bm__buf_printf(b, "of at least %g", k->lo);
        else
            bm__buf_printf(b, "from %g to %g", k->lo, k->hi);
        break;
    case BM__COLOUR:
        bm__buf_puts(b, "colour");
        break;
    case BM__CHOICE:
        bm__choice_list(b, k->choices);
        break;
    case BM__BOOL:
        bm__buf_puts(b, "true or false");
        break;
    case BM__TEXT:
        bm__buf_puts(b, "text");
        break;
    case BM__WORD:
        bm__buf_printf(b, strcmp(k->expected, "text") ? "text: %s" : "%s", k->expected);
        break;
    case BM__DATE:
        bm__buf_puts(b, "date: YYYY-MM-DD");
        break;
    case BM__PLACE:
        bm__buf_puts(b, "place");
        break;
    case BM__SECTION:
        bm__buf_printf(b, "%s (see %s)", k->sub->expected, k->sub->path);
        break;
    case BM__LIST:
        bm__buf_printf(b, "a sequence of %ss (see %s)", k->sub->item, k->sub->path);
        break;
    case BM__CUSTOM:
        bm__buf_puts(b, k->expected);
        if (k->sub)
            bm__buf_printf(b, " (see %s)", k->sub->path);
        break;
    }
}

/* The default: as written in the row, else read off a freshly made object. */
static void default_text(struct bm__buf *b, const struct bm__key *k, const char *obj,
                         const char *style)
{
    if (k->def) {
        bm__buf_puts(b, k->def);
        return;
    }
    const char *at = ((k->flags & BM__STYLE) ? style : obj) + k->offset;
    if (k->show) {
        k->show(b, at);
        return;
    }
    switch (k->kind) {
    case BM__NUMBER:
        bm__buf_printf(b, "%g", *(const double *)(const void *)at);
        break;
    case BM__WHOLE:
        bm__buf_printf(b, "%d", *(const int *)(const void *)at);
        break;
    case BM__COLOUR:
        colour_text(b, *(const struct bm_color *)(const void *)at);
        break;
    case BM__CHOICE:
        for (const struct bm__choice *c = k->choices; c->name; c++)
            if (!c->hidden && c->value == *(const int *)(const void *)at) {
                bm__buf_puts(b, c->name);
                break;
            }
        break;
    case BM__BOOL:
        bm__buf_puts(b, *(const int *)(const void *)at ? "true" : "false");
        break;
    case BM__TEXT:
    case BM__WORD:
    case BM__DATE: {
        const char *s = *(char *const *)(const void *)at;
        bm__buf_puts(b, s ? s : "none");
        break;
    }
    default:
        bm__buf_puts(b, "none");
    }
}

struct help {
    struct bm__buf out;
    const struct bm__section *done[64];
    size_t ndone;
};

static void help_section(struct help *h, const struct bm__section *sec, char *obj, char *style);

/* The objects a key's section is read into, made with their defaults, then its help. */
static void help_sub(struct help *h, const struct bm__key *k, char *obj, char *style)
{
    const struct bm__section *sub = k->sub;
    if (k->kind == BM__LIST || sub->size) {
        char *item = calloc(1, sub->size);
        if (!item)
            return;
        if (sub->init)
            sub->init(item);
        char *st = (sub->flags & BM__HAS_STYLE) ? item + sub->style_at : style;
        help_section(h, sub, item, st);
        if (sub->clear)
            sub->clear(item);
        free(item);
        return;
    }
    char *o = (k->flags & BM__STYLE) ? obj : obj + k->offset;
    if (sub->init)
        sub->init(o);
    help_section(h, sub, o, style);
}

static void help_section(struct help *h, const struct bm__section *sec, char *obj, char *style)
{
    for (size_t i = 0; i < h->ndone; i++)
        if (h->done[i] == sec)
            return;
    if (h->ndone < sizeof h->done / sizeof h->done[0])
        h->done[h->ndone++] = sec;
    struct bm__buf *b = &h->out;
    bm__buf_printf(b, "\n%s: %s\n", sec->path, sec->expected);
    if (sec->flags & BM__VARIANTS)
        bm__buf_printf(b, "  one key per item, its kind:\n");
    for (size_t i = 0; i < sec->nkeys; i++) {
        const struct bm__key *k = &sec->keys[i];
        bm__buf_printf(b, "  %-12s ", k->name);
        kind_text(b, k);
        if (k->flags & BM__REQUIRED) {
            bm__buf_puts(b, "; required");
        } else if (!k->sub || k->def) {
            bm__buf_puts(b, "; default ");
            default_text(b, k, obj, style);
        }
        bm__buf_printf(b, "\n  %-12s %s\n", "", k->doc);
    }
    for (size_t i = 0; i < sec->nkeys; i++)
        if (sec->keys[i].sub)
            help_sub(h, &sec->keys[i], obj, style);
}

char *bm_recipe_help(void)
{
    struct help h = {0};
    struct bm_map *m = bm__map_new("recipe.yaml");
    if (!m)
        return NULL;
    bm__buf_puts(
        &h.out, "A recipe is a YAML file (styles/NAME.yaml) of the sections below; a key that is\n"
                "not listed is refused with its file, line and column. Each key: what its value\n"
                "is, its default, what it does. Sizes on the page are in points (pt); a colour is\n"
                "#rgb, #rrggbb, #rrggbbaa, a name such as white, or none; a place is a name from\n"
                "the gazetteer in any script (bordermap places), or lat,lon in degrees.\n");
    help_section(&h, &BM__RECIPE, (char *)m, NULL);
    bm_map_free(m);
    if (!h.out.data) {
        bm__buf_free(&h.out);
        return NULL;
    }
    return bm__buf_take(&h.out);
}

/* ---- a typo's key ------------------------------------------------------------ */

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

const char *bm__closest_key(const struct bm__section *sec, const char *word)
{
    size_t len = strlen(word), best = 3;
    const char *found = NULL;
    if (len > 40)
        return NULL;
    for (size_t i = 0; i < sec->nkeys; i++) {
        size_t d = edit_distance(word, sec->keys[i].name);
        if (d < best && d < len) {
            best = d;
            found = sec->keys[i].name;
        }
    }
    return found;
}
