/*
 * bordermap: the context (error state, warnings, PROJ context, data root).
 *
 * Every function of the library that can fail takes a context, returns an
 * enum bm_status and leaves one message on the context: what failed, where,
 * and what to do. The first error of a call is kept (it is the cause); later
 * ones are symptoms and are dropped.
 */
#ifndef BORDERMAP_CONTEXT_H
#define BORDERMAP_CONTEXT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes, grouped by area. BM_OK is 0; everything else is a failure. */
enum bm_status {
    BM_OK = 0,
    /* 1-9: general */
    BM_ERR_NOMEM = 1,    /**< out of memory */
    BM_ERR_ARG = 2,      /**< a bad argument from the caller */
    BM_ERR_INTERNAL = 3, /**< a bug in bordermap or its libraries */
    /* 10-19: vector sources */
    BM_ERR_SOURCE_MISSING = 10,   /**< no such file, or a sidecar is missing */
    BM_ERR_SOURCE_CORRUPT = 11,   /**< the file is truncated or damaged */
    BM_ERR_SOURCE_FORMAT = 12,    /**< no driver can read it as vectors */
    BM_ERR_CRS = 13,              /**< no CRS, or one that cannot be used */
    BM_ERR_LAYER = 14,            /**< no such layer in the source */
    BM_ERR_FIELD = 15,            /**< no such field in the layer */
    BM_ERR_FILTER = 16,           /**< the attribute filter is not valid */
    BM_ERR_GEOMETRY = 17,         /**< no usable geometry in the layer */
    BM_ERR_SOURCE_TOO_LARGE = 18, /**< more than the memory bordermap may use (see below) */
    BM_ERR_SOURCE_REFUSED = 19,   /**< not opened: VRT, network or a driver bordermap does not
                                       use, or a connection a recipe may not give (bm_ctx_allow) */
    /* 20-29: places */
    BM_ERR_PLACE_UNKNOWN = 20, /**< no place of that name in the gazetteer */
    BM_ERR_PLACE_SYNTAX = 21,  /**< a malformed "lat,lon" */
    /* 30-39: files written */
    BM_ERR_IO = 30, /**< an output cannot be written */
    /* 40-49: maps */
    BM_ERR_RECIPE = 40, /**< the recipe is not valid: the message gives file:line:column */
    BM_ERR_RENDER = 41  /**< the map cannot be drawn (e.g. a page too large) */
};

/** Opaque: error state, warnings, the PROJ context and the data root. */
struct bm_ctx;

/**
 * Create a context. Reads the data root from $BORDERMAP_DATA when it is set,
 * else uses the source tree the library was built from, else the installed
 * data folder. Returns NULL when out of memory. Free with bm_ctx_free().
 * A context is not thread-safe: use one per thread. With one context each,
 * threads may load, measure and draw at once (what is made with a context
 * belongs to its thread); bm_library_cleanup() alone is not for threads.
 */
struct bm_ctx *bm_ctx_new(void);

/** Free a context and everything it owns. NULL is allowed. */
void bm_ctx_free(struct bm_ctx *ctx);

/** Status of the last failed call, or BM_OK. */
enum bm_status bm_ctx_status(const struct bm_ctx *ctx);

/**
 * Message of the last failed call: one line, no trailing newline, "" when
 * there is none. Borrowed: valid until the next call on this context.
 */
const char *bm_ctx_error(const struct bm_ctx *ctx);

/** Forget the last error (the warnings stay). */
void bm_ctx_clear_error(struct bm_ctx *ctx);

/** Number of warnings collected since the last bm_ctx_clear_warnings(). */
size_t bm_ctx_warning_count(const struct bm_ctx *ctx);

/** Warning i (0-based, i < count), one line. Borrowed from the context. */
const char *bm_ctx_warning(const struct bm_ctx *ctx, size_t i);

/** Drop all collected warnings. */
void bm_ctx_clear_warnings(struct bm_ctx *ctx);

/**
 * Folder that holds shapes/ and styles/. Borrowed from the context; never
 * NULL (it may name a folder that does not exist).
 */
const char *bm_ctx_data_root(const struct bm_ctx *ctx);

/**
 * Set the data root (copied). Returns BM_ERR_NOMEM or BM_OK.
 */
enum bm_status bm_ctx_set_data_root(struct bm_ctx *ctx, const char *dir);

/**
 * Path of a file under the data root, e.g. "shapes/places/places.shp",
 * written to out (size bytes, NUL-terminated). Returns BM_ERR_ARG with a
 * message when it does not fit.
 */
enum bm_status bm_ctx_data_path(struct bm_ctx *ctx, const char *rel, char *out, size_t size);

/**
 * The most memory one source may take, in bytes. bm_layer_load() refuses a
 * source bigger than this before reading it (by its size on disk), and stops
 * with BM_ERR_SOURCE_TOO_LARGE if the layer outgrows it while loading.
 * By default it is the memory available now (Linux's MemAvailable), or less
 * under a ulimit; $BORDERMAP_MEMORY_LIMIT (bytes, or with K, M, G or T, e.g.
 * "512M") sets it. Returns BM_ERR_ARG with a message when that variable is
 * not a size. what says where the figure comes from, e.g. "available".
 */
enum bm_status bm_ctx_memory_limit(struct bm_ctx *ctx, unsigned long long *bytes,
                                   const char **what);

/**
 * What a source may reach besides local files and local databases. Neither
 * is allowed unless the user says so: a recipe can never allow them itself.
 */
enum bm_allow {
    /** GDAL virtual datasets (.vrt): they can run SQL on a database and open other sources */
    BM_ALLOW_VRT = 1 << 0,
    /** the network: http(s)://, ftp://, /vsicurl/, /vsis3/ and the other cloud paths, WFS */
    BM_ALLOW_NETWORK = 1 << 1
};

/**
 * Allow what list names, for every source opened with this context:
 * "vrt", "network", both as "vrt,network", or "none" (or ""). Replaces what
 * $BORDERMAP_ALLOW said. Fails with BM_ERR_ARG naming an unknown word.
 */
enum bm_status bm_ctx_set_allow(struct bm_ctx *ctx, const char *list);

/**
 * What is allowed: bits of enum bm_allow in *allow. Unless bm_ctx_set_allow()
 * was called, $BORDERMAP_ALLOW says (same words); unset, nothing. Fails with
 * BM_ERR_ARG when that variable holds an unknown word.
 */
enum bm_status bm_ctx_allow(struct bm_ctx *ctx, unsigned *allow);

#ifdef __cplusplus
}
#endif
#endif
