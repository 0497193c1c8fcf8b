/*
 * bordermap: output formats of maps and reports, from one table.
 *
 * Each format is one row: its name, the file name endings that mean it,
 * whether it is raster (pixels at the map's dpi) or vector (points, text
 * kept as text), whether the file carries its CRS and geotransform, whether
 * it holds several pages, and (inside the library) how its file is written.
 * Rendering, the report, the atlas and the program all choose from it, by
 * name or by a file's extension.
 */
#ifndef BORDERMAP_FORMAT_H
#define BORDERMAP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * An output format: the index of its row in the table. The named values are
 * the formats of this version; bm_format_from_name() and bm_format_at()
 * reach every row.
 */
enum bm_format {
    BM_FORMAT_PNG = 0,
    BM_FORMAT_PDF = 1,
    BM_FORMAT_SVG = 2,
    BM_FORMAT_GEOTIFF = 3 /**< RGB GeoTIFF with the map's CRS and geotransform (GDAL) */
};

/** One row of the table. All of it is static: never freed. */
struct bm_format_info {
    enum bm_format format; /**< what bm_map_render() takes */
    /** The short name ("png", "tif"): what --format takes and lists show, and the
     *  extension a file gets when only the format is known. */
    const char *name;
    const char *const *extensions; /**< endings that mean it, no dot, NULL-terminated */
    const char *const *aliases;    /**< other names it is known by, NULL-terminated */
    const char *title;             /**< for people: "PNG image", "GeoTIFF (georeferenced)" */
    bool raster;                   /**< pixels at the map's dpi; else vector, in points */
    bool georeferenced;            /**< the file carries the map's CRS and geotransform */
    bool pages;                    /**< can hold several pages (a report) */
};

/** Number of formats in the table (>= 1). */
size_t bm_format_count(void);

/** Row i of the table (i < bm_format_count()), in the order lists show; NULL past the end. */
const struct bm_format_info *bm_format_at(size_t i);

/** The row of format f, or NULL when f is not one. */
const struct bm_format_info *bm_format_get(enum bm_format f);

/**
 * The format a name means: its name, one of its extensions or aliases, in
 * any case ("PNG", "tiff", "geotiff"). NULL when none does (or name is NULL).
 */
const struct bm_format_info *bm_format_from_name(const char *name);

/**
 * The format a file name means, by its extension ("maps/ruili.TIF" is a
 * GeoTIFF). NULL when it has no extension or one no format has.
 */
const struct bm_format_info *bm_format_from_path(const char *path);

/**
 * The names of the formats, for messages: "png, pdf, svg or tif", each
 * after prefix (e.g. "." for ".png, .pdf, ..."; NULL: none); only raster
 * ones when raster_only is set. Written into buf (size bytes; when it is
 * too small, cut after the last name that fits; always terminated when
 * size > 0); returns buf.
 */
char *bm_format_list(char *buf, size_t size, const char *prefix, bool raster_only);

/**
 * Remove every temporary file this process is writing right now (a map, a
 * report, a world file or a layer being written goes to a private temporary
 * file beside its target, renamed over the target when whole). For a handler
 * of SIGINT or SIGTERM, so that a stopped run leaves nothing behind: it is
 * async-signal-safe (it calls unlink() only). The targets are untouched.
 */
void bm_output_remove_temporaries(void);

#ifdef __cplusplus
}
#endif
#endif
