/*
 * bordermap: situation maps from recipes (styles/NAME.yaml), drawn to PNG, PDF
 * and SVG with cairo and Pango.
 */
#ifndef BORDERMAP_MAP_H
#define BORDERMAP_MAP_H

#include "bordermap/context.h"
#include "bordermap/format.h"
#include "bordermap/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Limits and defaults of a map, the same for a recipe, the library's
 * setters and the program's options. Plain integers, so that they can be
 * compared with doubles, printed with %d and pasted into help texts.
 */
#define BM_DPI_MIN 72       /**< PNG resolution, dots per inch */
#define BM_DPI_MAX 1200     /**< PNG resolution, dots per inch */
#define BM_DPI_DEFAULT 300  /**< when a recipe gives none */
#define BM_PAGE_MM_MIN 50   /**< each side of the page, millimetres */
#define BM_PAGE_MM_MAX 2000 /**< each side of the page, millimetres */
#define BM_RADIUS_KM_MIN 1  /**< the radius of a map around a point, km */
#define BM_RADIUS_KM_MAX 5000
#define BM_RADIUS_KM_DEFAULT 50 /**< the program's radius when none is given, km */
#define BM_ANNOTATIONS_MAX 1000 /**< annotations (callouts, distances, buffers) of one map */
/** Vertices all of a map's buffer bands may walk together (each vertex of the buffered
 *  layers, once per band): the work of a band grows with them. */
#define BM_BUFFER_VERTICES_MAX 5000000

/** Opaque: a map as its recipe describes it. */
struct bm_map;

/**
 * Load a recipe (YAML). Every value is checked: a bad recipe fails with
 * BM_ERR_RECIPE and a message "FILE:LINE:COLUMN: what is wrong; what was
 * expected" (unknown key, bad colour, bad number, unknown place, missing
 * source). Source paths are relative to the recipe's folder, else to the
 * data root. Places are gazetteer names in any script, or "lat,lon".
 * out: receives the map (owned by the caller; free with bm_map_free()).
 */
enum bm_status bm_map_load(struct bm_ctx *ctx, const char *path, struct bm_map **out);

/**
 * Load a recipe from len bytes of YAML text (not NUL-terminated; copied), as
 * a program reads one from stdin. The same checks and messages as
 * bm_map_load(), with name (e.g. "<stdin>": a plain name, no '/') in place
 * of the file's path. Relative source paths resolve against the working
 * folder, else the data root. Fails with BM_ERR_ARG (no out, a name with a
 * '/'), BM_ERR_RECIPE (over 1 MiB, a bad recipe) or BM_ERR_NOMEM.
 */
enum bm_status bm_map_load_text(struct bm_ctx *ctx, const char *text, size_t len, const char *name,
                                struct bm_map **out);

/**
 * The reference of recipes: every key of every section, with its kind,
 * range or choices, default and what it does, written from the same tables
 * the reader reads recipes with (what `bordermap help recipe` prints).
 * Returns UTF-8 text the caller frees with free(), or NULL when out of memory.
 */
char *bm_recipe_help(void);

/** Free a map. NULL is allowed. */
void bm_map_free(struct bm_map *map);

/** Replace the extent: degrees, west < east, south < north, within the globe. */
enum bm_status bm_map_set_extent(struct bm_ctx *ctx, struct bm_map *map, const struct bm_bbox *box);

/**
 * Replace the extent by the box around the geodesic circle of radius_km
 * (BM_RADIUS_KM_MIN..BM_RADIUS_KM_MAX) about a point (degrees). Fails with BM_ERR_ARG.
 */
enum bm_status bm_map_set_around(struct bm_ctx *ctx, struct bm_map *map, double lat, double lon,
                                 double radius_km);

/** Replace the page size: millimetres, each BM_PAGE_MM_MIN..BM_PAGE_MM_MAX. */
enum bm_status bm_map_set_page(struct bm_ctx *ctx, struct bm_map *map, double width_mm,
                               double height_mm);

/**
 * Replace the page size by its name as a recipe writes it: "A4", "A3",
 * "Letter"... turn landscape (as a recipe's named size does when no
 * orientation is given); "WxHmm" such as "300x200mm" is taken as written.
 * Fails with BM_ERR_ARG naming the text.
 */
enum bm_status bm_map_set_page_size(struct bm_ctx *ctx, struct bm_map *map, const char *text);

/** Replace the PNG resolution: BM_DPI_MIN..BM_DPI_MAX dots per inch. */
enum bm_status bm_map_set_dpi(struct bm_ctx *ctx, struct bm_map *map, double dpi);

/**
 * Show only events dated from..to (YYYY-MM-DD, inclusive; NULL keeps the
 * recipe's bound) on every layer with a date_field. Fails with BM_ERR_ARG.
 */
enum bm_status bm_map_set_dates(struct bm_ctx *ctx, struct bm_map *map, const char *from,
                                const char *to);

/** How an SVG output carries its text (bm_map_set_svg_text(); a recipe's output.svg_text). */
enum bm_svg_text {
    /** Each label, title, legend entry and furniture text a <text> element (UTF-8, font
     *  family, size, weight, fill, halo), where Pango placed it: found, selected and edited
     *  as text; it looks the same where the Noto fonts are installed. */
    BM_SVG_TEXT = 0,
    /** Each glyph an outline, as cairo draws it: the same everywhere without the fonts,
     *  but no text to find or edit. */
    BM_SVG_OUTLINES = 1
};

/** Choose how an SVG carries its text. Fails with BM_ERR_ARG for another value. */
enum bm_status bm_map_set_svg_text(struct bm_ctx *ctx, struct bm_map *map, enum bm_svg_text how);

/**
 * Draw the map frame alone, or the whole page. The frame alone is the map
 * without its margins, title, legend, scale bar, north arrow, inset,
 * graticule labels and credits (the data, annotations and labels inside the
 * frame, at the same scale and place as on the page), on no background:
 * transparent where nothing was drawn (PNG and GeoTIFF with alpha), for a
 * GIS to lay over other layers. frame_only: 1 the frame alone, 0 or -1 (the
 * default) the whole page, in every format. Fails with BM_ERR_ARG for
 * another value.
 */
enum bm_status bm_map_set_frame_only(struct bm_ctx *ctx, struct bm_map *map, int frame_only);

/** The map's title, or NULL. Borrowed from the map. */
const char *bm_map_title(const struct bm_map *map);

/**
 * The source and filter of the map's layer named name (borrowed from the
 * map; *where may be NULL). Returns 0, or -1 when there is no such layer.
 */
/**
 * The layer or table inside the source of the map's layer named name (its
 * recipe key layer:, e.g. "border_cn_mm" or "ops.border"), or NULL when the
 * recipe names none (the source's only layer) or there is no such map layer.
 * Borrowed from the map.
 */
const char *bm_map_layer_in_source(const struct bm_map *map, const char *name);

int bm_map_layer_source(const struct bm_map *map, const char *name, const char **source,
                        const char **where);

/** Replace the title (UTF-8, copied). */
enum bm_status bm_map_set_title(struct bm_ctx *ctx, struct bm_map *map, const char *title);

/**
 * Parse a page size: "A4", "A3", "Letter" (portrait), or "WxHmm" such as
 * "300x200mm". Writes millimetres. Fails with BM_ERR_ARG naming the text.
 */
enum bm_status bm_parse_page_size(struct bm_ctx *ctx, const char *text, double *width_mm,
                                  double *height_mm);

/**
 * Draw the map to path in the given format. Written to a temporary file
 * beside path and renamed, so a failure leaves no partial file and an
 * existing file is replaced only by a complete one; a path that names one
 * of the map's inputs is refused. format: a row of the format table
 * (bordermap/format.h); raster formats are drawn at the map's dpi. Fails with
 * BM_ERR_ARG (no such format), BM_ERR_IO, BM_ERR_RENDER, or the errors of
 * loading the layers.
 */
enum bm_status bm_map_render(struct bm_ctx *ctx, const struct bm_map *map, enum bm_format format,
                             const char *path);

/**
 * Remove the temporary files that a process (pid) writing outputs into the
 * folder dir left there when it was killed (SIGKILL leaves it no chance to
 * remove them itself; a process that ends any other way removes its own).
 * Finished outputs are never touched. Returns how many files were removed.
 */
int bm_remove_temporary_files(const char *dir, long pid);

/** What a box taken on the page holds (see struct bm_placed_box). */
enum bm_box_kind {
    BM_BOX_LABEL = 0,      /**< a feature's name; a line label is a chain of boxes */
    BM_BOX_CALLOUT = 1,    /**< a callout's text box */
    BM_BOX_ANNOTATION = 2, /**< a distance annotation's length */
    BM_BOX_MARKER = 3,     /**< a labelled place's marker: no label may cover it */
    BM_BOX_FURNITURE = 4   /**< legend, scale bar, north arrow, inset */
};

/**
 * A box the drawing took on the page, so that nothing placed later covers
 * it: page points (1/72 in), origin at the page's top-left corner.
 */
struct bm_placed_box {
    double x, y, w, h;
    enum bm_box_kind kind;
    size_t id;        /**< boxes of one label (a line label's chain) share an id */
    const char *text; /**< a text's first line; a marker's place; furniture's name
                           ("legend", "scale bar", "north arrow", "inset") */
};

/** What a drawing measured, for checking it: see bm_map_render_info(). */
struct bm_render_info {
    double scale_km;     /**< the scale bar's length, km (0: no scale bar) */
    double scale_pt;     /**< its length on the page, points */
    double pt_per_metre; /**< page points per projected metre */
    double centre_lat;   /**< the map frame's centre, degrees */
    double centre_lon;
    /** Raster outputs: GDAL's geotransform of the image, in the map's CRS:
     *  x = g[0] + col * g[1], y = g[3] + row * g[5] (pixel corners). */
    double geotransform[6];
    char crs[512]; /**< the map's CRS as PROJ understands it (PROJ string or EPSG code) */
    /** The map frame on the page: x, y, width, height in points. */
    double frame[4];
    /** Device pixels per page point: dpi / 72 for PNG and GeoTIFF, 1 for PDF and SVG. */
    double px_per_pt;
    /** The boxes labels, markers and furniture took, in the order they were placed:
     *  texts never overlap anything but their own label's boxes, and lie inside the
     *  frame. Borrowed from the context: valid until its next render or its end. */
    const struct bm_placed_box *boxes;
    size_t nboxes;
};

/**
 * Write a world file and a .prj beside a raster map, so that GIS software
 * (QGIS, ArcGIS) places it: IMAGE.png gets IMAGE.pgw and IMAGE.prj
 * (.tif: .tfw), and, where the image's format carries no CRS (PNG), GDAL's
 * own sidecar IMAGE.png.aux.xml with the SRS and geotransform, which is what
 * GDAL (gdalinfo, gdalsrsinfo, QGIS) reads. The CRS is named after what it
 * is: its EPSG code where it is one, else "bordermap LCC 17.82/26.68
 * lon0=98" (the fitted conic's standard parallels and central meridian).
 * info: from bm_map_render_info() of that image. Fails with BM_ERR_IO or
 * BM_ERR_CRS.
 */
enum bm_status bm_write_world_file(struct bm_ctx *ctx, const struct bm_render_info *info,
                                   const char *image_path);

/**
 * As bm_map_render(), also filling *info (may be NULL) with what was drawn.
 */
enum bm_status bm_map_render_info(struct bm_ctx *ctx, const struct bm_map *map,
                                  enum bm_format format, const char *path,
                                  struct bm_render_info *info);

#ifdef __cplusplus
}
#endif
#endif
