/*
 * bordermap internal: a map as a recipe describes it (styles/NAME.yaml).
 *
 * recipe.c fills it from YAML (every value checked, places resolved, paths
 * made absolute); render.c draws it. Sizes on the page are in points
 * (1/72 inch) unless the name says otherwise; colours are sRGB 0..1.
 */
#ifndef BM_MAP_H
#define BM_MAP_H

#include <stddef.h>

#include "bordermap/context.h"
#include "bordermap/gazetteer.h"
#include "bordermap/layer.h"

struct bm_color {
    double r, g, b, a; /* 0..1; a = 0 means "none" */
};

enum bm_marker {
    BM_MARKER_NONE = 0,
    BM_MARKER_CIRCLE,
    BM_MARKER_SQUARE,
    BM_MARKER_TRIANGLE,
    BM_MARKER_STAR,
    BM_MARKER_CAPITAL /* a circle in a ring: a national capital */
};

/* A style; the `set` bits say which members a recipe gave (rules override only those). */
enum {
    BM_SET_FILL = 1 << 0,
    BM_SET_STROKE = 1 << 1,
    BM_SET_WIDTH = 1 << 2,
    BM_SET_DASH = 1 << 3,
    BM_SET_CASING = 1 << 4,
    BM_SET_OPACITY = 1 << 5,
    BM_SET_MARKER = 1 << 6,
    BM_SET_MARKER_SIZE = 1 << 7,
    BM_SET_MARKER_FILL = 1 << 8
};

struct bm_style {
    unsigned set;
    struct bm_color fill;   /* polygons */
    struct bm_color stroke; /* lines, outlines, marker outline */
    double width;           /* stroke width, pt */
    double dash[4];         /* on/off lengths, pt */
    int ndash;              /* 0: solid */
    struct bm_color casing; /* drawn under the stroke */
    double casing_width;    /* pt, total width of the casing */
    double opacity;         /* 0..1 for the whole layer */
    enum bm_marker marker;  /* points */
    double marker_size;     /* pt, diameter */
    struct bm_color marker_fill;
};

/* A rule: features whose `field` equals one of `values` get `style` on top of the layer's. */
struct bm_rule {
    char *field;
    char **values; /* nvalues strings */
    size_t nvalues;
    struct bm_style style;
    char *legend; /* legend entry for this rule, or NULL */
};

/* Where a feature's label goes. AUTO: by its geometry (beside a point, along a line, inside
 * an area); POINT: beside one point of it (a line's middle, an area's inside point), level;
 * LINE: along it (an area: along its outline); AREA: centred on that point, over it;
 * CURVED: along it glyph by glyph (label.c). */
enum bm_placement {
    BM_PLACE_AUTO = 0,
    BM_PLACE_POINT,
    BM_PLACE_LINE,
    BM_PLACE_AREA,
    BM_PLACE_CURVED
};

struct bm_label {
    int enabled;
    char *field;    /* English text, e.g. "name" */
    char *field_zh; /* Chinese line beneath, or NULL */
    char *field_my; /* Burmese line beneath, or NULL */
    char *font;     /* Pango family and style, e.g. "Noto Sans Bold" */
    double size;    /* pt */
    struct bm_color color, halo;
    double halo_width; /* pt */
    int priority;      /* lower is placed first; features may refine it with `rank_field` */
    char *rank_field;  /* numeric field: feature priority within the layer (e.g. "rank") */
    double max_rank;   /* label only features whose rank_field <= max_rank; 0: all */
    enum bm_placement placement;
    char *text; /* fixed text instead of a field (e.g. the border's length), or NULL */
};

/* A stop of a raster's colour ramp: pixels of this value get this colour; between stops, blended.
 */
struct bm_ramp_stop {
    double value;
    struct bm_color color;
};

enum bm_blend { BM_BLEND_NORMAL = 0, BM_BLEND_MULTIPLY };

/* How a raster layer is drawn. */
struct bm_raster_style {
    int band;                  /* 1.. */
    struct bm_ramp_stop *ramp; /* nramp stops, values ascending; NULL: grey, lowest value black */
    size_t nramp;
    enum bm_blend blend; /* how its colours meet those beneath */
    char *clip;          /* a polygon layer of the map (its name): drawn only inside it; NULL */
};

struct bm_map_layer {
    char *name;
    char *source; /* absolute or as given when it names a connection */
    char *layer;  /* the layer or table inside the source ("ops.border"); NULL: its only one */
    char *where;  /* attribute filter (data/filter.h grammar, checked), or NULL */
    struct bm_style style;
    struct bm_rule *rules;
    size_t nrules;
    struct bm_label label;
    char *legend; /* legend entry for the layer's own style, or NULL */
    /* Draw only when the map's scale denominator is within; 0: no limit. */
    double min_scale, max_scale;
    /* Events (ACLED-style): a date field in ISO form (YYYY-MM-DD) and the range to
     * show, inclusive (NULL: open); rows whose date is malformed are skipped with
     * their line number. size_field scales the markers (e.g. fatalities). */
    char *date_field, *date_from, *date_to;
    char *size_field;
    char *credit;  /* the source, for the credits line when the layer draws; NULL: none */
    int is_raster; /* the source is a raster (bm_source_is_raster): drawn with `raster` */
    struct bm_raster_style raster;
};

enum bm_annotation_kind { BM_ANN_CALLOUT = 1, BM_ANN_DISTANCE, BM_ANN_BUFFER };

struct bm_annotation {
    enum bm_annotation_kind kind;
    char *text;           /* callout text; NULL for the others */
    double lat, lon;      /* callout: the place pointed at; distance: from */
    double lat2, lon2;    /* distance: to */
    char *label, *label2; /* place names as written in the recipe */
    char *layer;          /* buffer: the map layer's name */
    double km;            /* buffer: half-width, km */
    struct bm_style style;
};

enum bm_corner {
    BM_CORNER_NONE = 0,
    BM_CORNER_TOP_LEFT,
    BM_CORNER_TOP_RIGHT,
    BM_CORNER_BOTTOM_LEFT,
    BM_CORNER_BOTTOM_RIGHT
};

struct bm_furniture {
    enum bm_corner legend, scalebar, north_arrow, inset;
    double graticule_step; /* degrees; 0: none */
    int graticule_labels;
    char *credits; /* NULL: none */
};

/* What the output files carry (the recipe's output section). */
struct bm_output_opts {
    int frame_only; /* 1 the frame alone, 0 the page, -1 not given (the page) */
    int svg_text;   /* enum bm_svg_text */
};

struct bm_map {
    char *path; /* the recipe file */
    char *title, *subtitle, *date;
    double page_w_mm, page_h_mm; /* after orientation */
    double dpi;                  /* PNG resolution, 72..1200 */
    struct bm_color background;  /* the sea and everything not covered */
    struct bm_bbox extent;       /* degrees */
    char *projection;            /* "auto", a PROJ string or "EPSG:n" */
    struct bm_map_layer *layers;
    size_t nlayers;
    struct bm_annotation *annotations;
    size_t nannotations;
    struct bm_furniture furniture;
    struct bm_output_opts output;
};

/* ---- the map object (map.c) ---- */

/* The region of the 16 November 2023 report: the map when a recipe gives no extent. */
extern const struct bm_bbox BM__DEFAULT_EXTENT;

/* A map with every default and no layers, read from path (copied). NULL when out of memory. */
struct bm_map *bm__map_new(const char *path);

/* Is b a box in degrees: finite, -180 <= west < east <= 180, -90 <= south < north <= 90? */
int bm__box_ok(const struct bm_bbox *b);

/* The box around the geodesic circle of radius_km (> 0) on WGS84 about lat, lon (degrees). */
struct bm_bbox bm__around_box(double lat, double lon, double radius_km);

/* A page size by name (A0-A5, Letter, Legal, Tabloid: portrait; *named = 1) or "WxHmm"
 * (*named = 0), in mm. Returns 0; -1 when text is neither; -2 when a side is out of
 * BM_PAGE_MM_MIN..BM_PAGE_MM_MAX. */
int bm__page_size(const char *text, double *w, double *h, int *named);

/* Turn a page (mm) for an orientation: 1 landscape, 0 portrait, -1 not given (a named
 * size turns landscape, a WxHmm size stays as written). The one place of that rule. */
void bm__page_orient(double *w, double *h, int named, int orientation);

/* A place: a gazetteer name in any script (the gazetteer is loaded into *gz at the first
 * name; the caller frees it) or "lat,lon". Returns 0; 1 when the text names no place (the
 * message is on ctx); -1 when the gazetteer cannot be read (the status is on ctx). */
int bm__place(struct bm_ctx *ctx, struct bm_gazetteer **gz, const char *text, double *lat,
              double *lon);

/* Is s a connection or a GDAL virtual path ("PG:...", "/vsizip/..."), passed on as written? */
int bm__is_connection(const char *s);

/* The folder of a path as given: "styles" for styles/x.yaml, "." for x.yaml. g_free() it. */
char *bm__folder_of(const char *path);

/* A layer's source as a recipe at `recipe` names it: a connection as written; a path made
 * absolute, looked for beside the recipe, then under the data root. *out is malloc'd.
 * Returns 0; 1 when no such file exists; -1 when out of memory. */
int bm__source_path(struct bm_ctx *ctx, const char *recipe, const char *text, char **out);

/* ---- styles: the one place for defaults (style.c) ---- */

/* The style of a feature of geometry type `type` that no key touched: the base that a layer's
 * and its rules' styles are merged onto, for drawing and for the legend alike. */
struct bm_style bm__style_defaults(enum bm_geom_type type);

/* What a recipe's style starts from before its keys are read: the defaults, with a white,
 * 3 pt casing, so that a casing given by only its colour or only its width is whole. */
void bm__style_blank(struct bm_style *s);

/* Copy onto d the members that s sets (its `set` bits), and add those bits to d's. */
void bm__style_merge(struct bm_style *d, const struct bm_style *s);

/* The style feature feat of layer L (loaded for map layer ml) is drawn with: the defaults of its
 * geometry type, the layer's style, then each matching rule's on top. *legend: the legend
 * text of the last matching rule that has one, else the layer's (borrowed from ml; NULL). */
void bm__feature_style(const struct bm_map_layer *ml, const struct bm_layer *L, size_t feat,
                       struct bm_style *out, const char **legend);

/* The style an annotation of this kind draws with when none of its keys is given. */
struct bm_style bm__annotation_defaults(enum bm_annotation_kind kind);

/* An annotation's style as drawn: its kind's defaults with its own keys on top. */
struct bm_style bm__annotation_style(const struct bm_annotation *a);

/* A label's defaults (font "Noto Sans", 8 pt, ...). Returns 0, or -1 when out of memory. */
int bm__label_defaults(struct bm_label *l);

#endif
