/*
 * bordermap internal: a recipe's YAML (yaml.c): the document, read as
 * untrusted input; where its nodes are; messages placed there; and plain
 * values with their checks. The recipe reader (recipe.c) stands on it.
 *
 * Messages are "PATH:LINE:COLUMN: what is wrong; what was expected", with
 * BM_ERR_RECIPE. `key` names a value in messages ("bad number 'x' for
 * 'dpi'"); `expected` says what a good one looks like.
 */
#ifndef BM_YAML_H
#define BM_YAML_H

#include <libfyaml.h>
#include <stddef.h>

#include "bordermap/context.h"

enum { BM__YAML_SHOWN = 4 }; /* user texts quoted in one message */

/* One recipe file being read. Zero it, or let bm__yaml_open() do so. */
struct bm__yaml {
    struct bm_ctx *ctx;
    const char *path; /* as given, for messages */
    char *text;       /* the file */
    size_t len;
    struct fy_diag *diag; /* collects libfyaml's messages instead of printing them */
    struct fy_parser *parser;
    struct fy_document *doc;
    struct fy_node *key;             /* the key of the value being read: where an empty value is */
    char shown[BM__YAML_SHOWN][100]; /* user text quoted in messages, cut to one short line */
    int nshown;
};

/*
 * Read path as one YAML document: at most 1 MiB, valid UTF-8, one document
 * (a second is refused), no aliases, at most 32 levels, values of at most
 * 64 KiB. *root: the document's root, NULL or a null scalar when it is
 * empty. Close y whatever this returns.
 */
enum bm_status bm__yaml_open(struct bm__yaml *y, struct bm_ctx *ctx, const char *path,
                             struct fy_node **root);

/* As bm__yaml_open(), over len bytes of text (copied) named name in messages. */
enum bm_status bm__yaml_open_text(struct bm__yaml *y, struct bm_ctx *ctx, const char *name,
                                  const char *text, size_t len, struct fy_node **root);

/* Free what bm__yaml_open() holds (its nodes go with it). */
void bm__yaml_close(struct bm__yaml *y);

/* Fail with BM_ERR_RECIPE: "PATH:LINE:COL: message", at node n (NULL: at y->key). */
enum bm_status bm__yaml_fail(struct bm__yaml *y, struct fy_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fail with BM_ERR_NOMEM, naming the recipe. */
enum bm_status bm__yaml_nomem(struct bm__yaml *y);

/* User text for a message: about 80 bytes on one line, cut at a character boundary. Valid
 * until BM__YAML_SHOWN more calls. */
const char *bm__yaml_show(struct bm__yaml *y, const char *s);

int bm__yaml_is_scalar(struct fy_node *n);

/* A plain empty, "~" or "null" value (or no node): YAML's null. A quoted "null" is text. */
int bm__yaml_is_null(struct fy_node *n);

/* "empty", "a mapping", "a sequence" or "text": what a value is, for messages. */
const char *bm__yaml_kind(struct fy_node *n);

/* n must be a non-empty node of type: else "'KEY' is a sequence; expected EXPECTED". */
enum bm_status bm__yaml_need(struct bm__yaml *y, struct fy_node *n, enum fy_node_type type,
                             const char *key, const char *expected);

/* The text of a non-empty scalar (borrowed from the document). */
enum bm_status bm__yaml_text(struct bm__yaml *y, struct fy_node *n, const char *key,
                             const char *expected, const char **out);

/* Replace *out by a copy of the value; an empty value leaves NULL. */
enum bm_status bm__yaml_read_text(struct bm__yaml *y, struct fy_node *v, const char *key,
                                  char **out);

/* Like bm__yaml_read_text, but the value must be there: a name, a field, a path. */
enum bm_status bm__yaml_read_word(struct bm__yaml *y, struct fy_node *v, const char *key,
                                  const char *expected, char **out);

/* A number within lo..hi (hi may be INFINITY), the same in every locale. */
enum bm_status bm__yaml_read_number(struct bm__yaml *y, struct fy_node *v, const char *key,
                                    double lo, double hi, double *out);

/* true or false, in any case. */
enum bm_status bm__yaml_read_bool(struct bm__yaml *y, struct fy_node *v, const char *key, int *out);

#endif
