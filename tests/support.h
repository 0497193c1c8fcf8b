/* bordermap tests: making real (and broken) vector files with GDAL. */
#ifndef BM_TEST_SUPPORT_H
#define BM_TEST_SUPPORT_H

#include <stddef.h>

struct bm_ctx;
struct bm_map;

/* The context every test of a file uses, made by test_setup(). */
extern struct bm_ctx *ctx;

/* cmocka group set-up and tear-down: the context and a temporary folder. */
int test_setup(void **state);
int test_teardown(void **state);

/* The shipped recipe styles/NAME.yaml, loaded; the test fails with the context's error if it
 * cannot be. The caller frees it (bm_map_free). */
struct bm_map *load_style(const char *name);

/* A fresh temporary folder (static storage); removed by tmp_remove(). */
const char *tmp_make(void);
void tmp_remove(void);

/* tmp_path("x.shp"): a path in the temporary folder (static ring of buffers). */
const char *tmp_path(const char *name);

/*
 * Write a one-layer vector file with GDAL: driver e.g. "ESRI Shapefile",
 * "GPKG", "GeoJSON"; epsg 0 for no CRS; wkt[i] the geometries ("" for a
 * feature without geometry), each with a "name" field "f<i>".
 * Returns 0, or -1 (with a message on stderr).
 */
int write_layer(const char *path, const char *driver, int epsg, const char *layer,
                const char *const *wkt, size_t n);

/* Write a line shapefile of one line from (97, 24) to (98, 23). */
int write_line(const char *path, int epsg);

/* Overwrite the 8 bytes at offset with a double (to plant a NaN GDAL will not write). */
int patch_double(const char *path, long offset, double value);

int write_text(const char *path, const char *text);
int copy_file(const char *from, const char *to);
int truncate_to(const char *path, long size);
long file_size(const char *path);

#endif
