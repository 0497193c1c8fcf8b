/*
 * bordermap internal: what the library's files share with each other.
 */
#ifndef BM_INTERNAL_H
#define BM_INTERNAL_H

#include <geodesic.h>
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
/* s itself when it fits in size bytes, else its start cut at a character boundary
 * with "..." in buf: user text quoted in a message. */
const char *bm__clip(const char *s, char *buf, size_t size);

/* bytes as "512 bytes", "3.2 MB", "1.0 TB" (binary multiples). */
void bm__format_bytes(char *out, size_t size, unsigned long long bytes);

/* Remove the warnings from number since on and return them joined by "; " (or NULL). */
char *bm__take_warnings(struct bm_ctx *ctx, size_t since);

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

/* The path or connection string a layer was loaded from, as given (with any
 * password): for opening it again, never for printing (bm_layer_path()). */
const char *bm__layer_source(const struct bm_layer *L);

/* Are a and b the same existing file (through links too)? */
int bm__same_file(const char *a, const char *b);

/*
 * Start writing path: check its folder exists and is writable, and write in
 * tmp (size bytes) the temporary name to write to instead. Fails with BM_ERR_IO.
 */
enum bm_status bm__output_begin(struct bm_ctx *ctx, const char *path, char *tmp, size_t size);

/* Finish: ok, rename tmp over path; else remove tmp and keep or set the error. */
enum bm_status bm__output_end(struct bm_ctx *ctx, const char *tmp, const char *path, int ok);

/* The WGS84 ellipsoid (EPSG:7030) for PROJ's geod_* routines. geod_init is cheap,
 * so each caller makes its own: no shared state. */
struct geod_geodesic bm__wgs84(void);

/* An azimuth from geod_* (-180..180) as a bearing: degrees clockwise from true north, [0, 360). */
double bm__bearing(double azimuth);

/* Is t an ISO date, YYYY-MM-DD (what ACLED's event_date holds)? */
int bm__is_iso_date(const char *t);

/* Does t start with an ISO date, alone or followed by a time (2023-11-16T08:30:00,
 * as bm_layer_load() writes OGR's DateTime fields)? */
int bm__is_iso_datetime(const char *t);

/* The line of a CSV source that holds feature fid, or -1 for other sources. */
long long bm__feature_line(const struct bm_layer *L, long long fid);

/*
 * Where a feature sits in its source, for messages: "line N" for a CSV
 * (features are its rows, numbered from 1 after the header), else "feature N".
 * Writes into buf (size bytes) and returns it.
 */
const char *bm__feature_where(const struct bm_layer *L, long long fid, char *buf, size_t size);

/* strdup that returns NULL on NULL. */
char *bm__strdup(const char *s);

#endif
