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
/* A new context for another thread, with ctx's data root and allowed sources. */
struct bm_ctx *bm__ctx_sibling(const struct bm_ctx *ctx);
/* s itself when it fits in size bytes, else its start cut at a character boundary
 * with "..." in buf: user text quoted in a message. */
const char *bm__clip(const char *s, char *buf, size_t size);

/* bytes as "512 bytes", "3.2 MB", "1.0 TB" (binary multiples). */
void bm__format_bytes(char *out, size_t size, unsigned long long bytes);

/* Remove the warnings from number since on and return them joined by "; " (or NULL). */
char *bm__take_warnings(struct bm_ctx *ctx, size_t since);

/* Register the GDAL drivers bordermap opens and writes, once per process, safely from any
 * thread. */
void bm__gdal_init(void);

/* Register all of GDAL's drivers too (to name the one that would read a file bordermap does
 * not open), once per process, safely from any thread. */
void bm__gdal_init_all(void);

/* strerror(err), safe to call from several threads at once (a per-thread buffer). */
const char *bm__strerror(int err);

/* Start a public call: forget the previous call's error. */
void bm__begin(struct bm_ctx *ctx);

/* The context's PROJ context. */
PJ_CONTEXT *bm__proj(struct bm_ctx *ctx);

struct bm__buf;
/*
 * Keep what a render placed (boxes: an array of struct bm_placed_box; names:
 * their texts) on the context until its next render or its end, for
 * bm_render_info. Takes both buffers, which are left empty. Returns the kept
 * boxes' data and sets *names_data to the kept texts'.
 */
char *bm__ctx_keep_boxes(struct bm_ctx *ctx, struct bm__buf *boxes, struct bm__buf *names,
                         char **names_data);

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
 * A file being written (src/out/output.c): a private temporary file beside the
 * target, renamed over it when whole. Made with an unguessable name by
 * O_CREAT|O_EXCL (no symbolic link followed, no file someone made first
 * used), mode 0600 until it is renamed; written only through fd.
 */
struct bm__outfile {
    const char *path; /* the target, as given (for messages and the rename) */
    char tmp[4096];   /* the temporary file's name: DIR/.bordermap-XXXXXX-NAME */
    int fd;           /* open for writing, or -1 */
    int err;          /* the first errno a write met, or 0 */
    int slot;         /* in the list bm_output_remove_temporaries() walks, or -1 */
};

/*
 * Start writing path: check its folder exists and is writable, and make the
 * temporary file (f->fd). Fails with BM_ERR_IO and a message; f->fd is then -1.
 */
enum bm_status bm__output_open(struct bm_ctx *ctx, const char *path, struct bm__outfile *f);

/* Write all of data (len bytes) to f. 0, or -1 with f->err set (and kept: later writes fail). */
int bm__output_write(struct bm__outfile *f, const void *data, size_t len);

/* A new folder name in GDAL's in-memory file system ("/vsimem/bordermap-PID-N"), for a
 * GDAL driver to write a file in before it is copied to a bm__outfile; remove it with
 * VSIRmdirRecursive(). size >= 64. */
void bm__vsi_folder(char *buf, size_t size);

/* Write the whole of GDAL's in-memory file vsi_path ("/vsimem/...") to f. 0 or -1. */
int bm__output_copy_vsi(struct bm__outfile *f, const char *vsi_path);

/*
 * Finish: when ok (and no write failed), give the file the mode a new file gets
 * (0666 less the umask) and rename it over the target; else remove it. Returns
 * BM_OK, or the error on ctx (the one already there, else "cannot write PATH: why").
 */
enum bm_status bm__output_close(struct bm_ctx *ctx, struct bm__outfile *f, int ok);

/* The WGS84 ellipsoid (EPSG:7030) for PROJ's geod_* routines. geod_init is cheap,
 * so each caller makes its own: no shared state. */
struct geod_geodesic bm__wgs84(void);

/* Does the segment (x0, y0)-(x1, y1) meet the box b (edges included)? Plane
 * coordinates: b's west/south/east/north are its x and y bounds. */
int bm__segment_meets_box(double x0, double y0, double x1, double y1, const struct bm_bbox *b);

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
