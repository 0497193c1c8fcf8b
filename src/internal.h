/*
 * bordermap internal: what the library's files share with each other.
 */
#ifndef BM_INTERNAL_H
#define BM_INTERNAL_H

#include <proj.h>

#include "bordermap/context.h"
#include "bordermap/layer.h"

/*
 * Record a failure on the context and return its status. Only the first
 * failure of a call is kept: it is the cause.
 */
enum bm_status bm__fail(struct bm_ctx *ctx, enum bm_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a warning (one line). Out of memory drops it silently. */
void bm__warn(struct bm_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Start a public call: forget the previous call's error. */
void bm__begin(struct bm_ctx *ctx);

/* The context's PROJ context. */
PJ_CONTEXT *bm__proj(struct bm_ctx *ctx);

/*
 * A layer made in memory, in WGS84 lon/lat, with the given text fields.
 * NULL when out of memory.
 */
struct bm_layer *bm__layer_new(const char *name, const char *path, const char *const *fields,
                               size_t nfields);

/* Add a one-part feature of n points (copied) with nfields attributes (NULL: null). 0 or -1. */
int bm__layer_add(struct bm_layer *L, enum bm_geom_type type, const double *xy, size_t n,
                  const char *const *attrs);

/*
 * Start writing path: check its folder exists and is writable, and write in
 * tmp (size bytes) the temporary name to write to instead. Fails with BM_ERR_IO.
 */
enum bm_status bm__output_begin(struct bm_ctx *ctx, const char *path, char *tmp, size_t size);

/* Finish: ok, rename tmp over path; else remove tmp and keep or set the error. */
enum bm_status bm__output_end(struct bm_ctx *ctx, const char *tmp, const char *path, int ok);

/* strdup that returns NULL on NULL. */
char *bm__strdup(const char *s);

#endif
