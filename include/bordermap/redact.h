/*
 * bordermap: credentials are never printed.
 *
 * Every message the library makes (errors and warnings on the context) goes
 * through bm_redact(), and so does every source name it hands out for
 * printing (bm_layer_path()). A program that prints text of its own that may
 * hold a connection string (its arguments, a recipe's source) passes it
 * through bm_redact() first.
 */
#ifndef BORDERMAP_REDACT_H
#define BORDERMAP_REDACT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a hidden credential is shown as. */
#define BM_REDACTED "***"

/**
 * A copy of text with every credential in it replaced by "***":
 *  - the value of a key whose name is `pwd` or ends in `password` or `passwd`
 *    (any case: password, PGPASSWORD, sslpassword, PWD), written key=value with
 *    optional spaces around '=', as in libpq and GDAL connection strings
 *    ("PG:dbname=gis password=s3cret" -> "PG:dbname=gis password=***") and URI
 *    queries ("?user=u&password=s" -> "?user=u&password=***"). A quoted value
 *    ('a b' or "a b", with backslash escapes) is hidden whole, quotes and all;
 *    an unquoted one runs to the next space, or to a quote closing a quoted
 *    name around it, or (in a URI query) to '&';
 *  - the password of a URI's user information: "postgresql://u:s@host/db" ->
 *    "postgresql://u:***@host/db";
 *  - wherever it appears, the value of the environment variable PGPASSWORD,
 *    when it is set and at least 4 bytes long (shorter values are hidden
 *    where they stand as a key's value, as above, but not inside other words).
 * text: UTF-8 or any bytes, NUL-terminated; NULL gives NULL.
 * Returns a new string (the caller frees it with free()), or NULL when out
 * of memory.
 */
char *bm_redact(const char *text);

/**
 * bm_redact() into a buffer: writes the redacted text into buf (size bytes,
 * NUL-terminated, cut at a character boundary with "..." when it does not
 * fit; never a part of a credential) and returns buf. For messages built in
 * place, e.g. a progress line. size >= 8.
 */
const char *bm_redact_to(const char *text, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
