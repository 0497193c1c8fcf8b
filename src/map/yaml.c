/*
 * bordermap: a recipe's YAML, read as untrusted input: the whole file (at
 * most 1 MiB of UTF-8), one document, no aliases, bounded nesting and
 * values; then where each node is (line and column), messages placed
 * there, and the plain values (text, numbers, true/false) with their checks.
 */
#include "core/buf.h"
#include "core/internal.h"
#include "map/yaml.h"

#include <errno.h>
#include <glib.h>
#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Limits that keep a hostile or mistaken recipe from costing much. */
enum {
    MAX_FILE = 1 << 20,   /* bytes */
    MAX_DEPTH = 32,       /* nested mappings and sequences */
    MAX_SCALAR = 64 << 10 /* bytes of one value */
};

struct pos {
    int line, col; /* 1-based */
};

/* ---- positions and messages -------------------------------------------- */

static size_t diag_count(struct fy_diag *diag)
{
    void *it = NULL;
    size_t n = 0;
    while (fy_diag_errors_iterate(diag, &it))
        n++;
    return n;
}

/*
 * libfyaml 0.7 has no public start mark for mappings and sequences: report
 * on the node into our collecting diag and read back where it said (1-based).
 */
static int reported_pos(struct bm__yaml *y, struct fy_node *n, struct pos *at)
{
    size_t before = diag_count(y->diag);
    fy_node_report(n, FYET_ERROR, "%s", "position");
    void *it = NULL;
    struct fy_diag_error *e, *last = NULL;
    size_t count = 0;
    while ((e = fy_diag_errors_iterate(y->diag, &it))) {
        last = e;
        count++;
    }
    if (count <= before || !last || last->line <= 0 || last->column <= 0)
        return -1;
    at->line = last->line;
    at->col = last->column;
    return 0;
}

static struct pos node_pos(struct bm__yaml *y, struct fy_node *n)
{
    struct pos at = {1, 1};
    if (!n)
        n = y->key; /* "fill:" with nothing after it: point at the key */
    if (!n)
        return at;
    if (fy_node_get_type(n) == FYNT_SCALAR) {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        if (m) {
            /* The mark is at the text; a quoted value starts at its quote, an alias at '*'. */
            enum fy_node_style style = fy_node_get_style(n);
            int quoted =
                style == FYNS_SINGLE_QUOTED || style == FYNS_DOUBLE_QUOTED || style == FYNS_ALIAS;
            at.line = m->line + 1;
            at.col = m->column + 1 - (quoted && m->column > 0);
            return at;
        }
        if (y->key && n != y->key)
            return node_pos(y, y->key);
        return at;
    }
    if (reported_pos(y, n, &at) != 0) {
        at.line = 1;
        at.col = 1;
    }
    return at;
}

/* User text for a message: at most ~80 bytes on one line, cut at a character boundary. */
const char *bm__yaml_show(struct bm__yaml *y, const char *s)
{
    char *out = y->shown[y->nshown++ % BM__YAML_SHOWN];
    size_t cap = sizeof y->shown[0], n = 0;
    if (!s)
        s = "";
    while (*s && n < 80) {
        const char *next = g_utf8_next_char(s);
        size_t len = (size_t)(next - s), ok = 1;
        /* A cut or broken sequence must not carry the reading past its NUL. */
        while (ok < len && ok < 4 && ((unsigned char)s[ok] & 0xc0) == 0x80)
            ok++;
        if ((unsigned char)*s < 0x20 || *s == 0x7f || len > 4 || ok < len) {
            out[n++] = '?';
            s++;
            continue;
        }
        if (n + len >= cap - 4)
            break;
        memcpy(out + n, s, len);
        n += len;
        s = next;
    }
    if (*s) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

/* Fail with BM_ERR_RECIPE: "PATH:LINE:COL: message". */
enum bm_status bm__yaml_fail(struct bm__yaml *y, struct fy_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

enum bm_status bm__yaml_fail(struct bm__yaml *y, struct fy_node *n, const char *fmt, ...)
{
    struct pos at = node_pos(y, n);
    struct bm__buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    int r = bm__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    enum bm_status st;
    if (r != 0)
        st = bm__fail(y->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", y->path);
    else
        st = bm__fail(y->ctx, BM_ERR_RECIPE, "%s:%d:%d: %s", y->path, at.line, at.col, b.data);
    bm__buf_free(&b);
    return st;
}

enum bm_status bm__yaml_nomem(struct bm__yaml *y)
{
    return bm__fail(y->ctx, BM_ERR_NOMEM, "out of memory reading '%s'", y->path);
}

/* ---- nodes ------------------------------------------------------------- */

int bm__yaml_is_scalar(struct fy_node *n)
{
    return n && fy_node_get_type(n) == FYNT_SCALAR;
}

/* A plain empty, "~" or "null" value: YAML's null. A quoted "null" is text. */
int bm__yaml_is_null(struct fy_node *n)
{
    if (!n)
        return 1;
    if (!bm__yaml_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
        return 0;
    const char *t = fy_node_get_scalar0(n);
    return !t || !t[0] || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

const char *bm__yaml_kind(struct fy_node *n)
{
    if (bm__yaml_is_null(n))
        return "empty";
    switch (fy_node_get_type(n)) {
    case FYNT_MAPPING:
        return "a mapping";
    case FYNT_SEQUENCE:
        return "a sequence";
    default:
        return "text";
    }
}

/* A value of the wrong kind: "'page' is a sequence; expected a mapping such as ...". */
static enum bm_status fail_kind(struct bm__yaml *y, struct fy_node *n, const char *key,
                                const char *expected)
{
    if (bm__yaml_is_null(n))
        return bm__yaml_fail(y, n, "'%s' has no value; expected %s", key, expected);
    return bm__yaml_fail(y, n, "'%s' is %s; expected %s", key, bm__yaml_kind(n), expected);
}

enum bm_status bm__yaml_need(struct bm__yaml *y, struct fy_node *n, enum fy_node_type type,
                             const char *key, const char *expected)
{
    if (bm__yaml_is_null(n) || fy_node_get_type(n) != type)
        return fail_kind(y, n, key, expected);
    return BM_OK;
}

/* The text of a non-empty scalar. */
enum bm_status bm__yaml_text(struct bm__yaml *y, struct fy_node *n, const char *key,
                             const char *expected, const char **out)
{
    enum bm_status st = bm__yaml_need(y, n, FYNT_SCALAR, key, expected);
    if (st != BM_OK)
        return st;
    *out = fy_node_get_scalar0(n);
    return *out ? BM_OK : bm__yaml_nomem(y);
}

/* Replace *out by a copy of the value; an empty value leaves NULL. */
enum bm_status bm__yaml_read_text(struct bm__yaml *y, struct fy_node *v, const char *key,
                                  char **out)
{
    free(*out);
    *out = NULL;
    if (bm__yaml_is_null(v))
        return BM_OK;
    const char *t;
    enum bm_status st = bm__yaml_text(y, v, key, "text", &t);
    if (st != BM_OK)
        return st;
    *out = bm__strdup(t);
    return *out ? BM_OK : bm__yaml_nomem(y);
}

/* Like read_text, but the value must be there: a name, a field, a path. */
enum bm_status bm__yaml_read_word(struct bm__yaml *y, struct fy_node *v, const char *key,
                                  const char *expected, char **out)
{
    const char *t;
    enum bm_status st = bm__yaml_text(y, v, key, expected, &t);
    if (st != BM_OK)
        return st;
    free(*out);
    *out = bm__strdup(t);
    return *out ? BM_OK : bm__yaml_nomem(y);
}

static void range_text(char *buf, size_t size, double lo, double hi)
{
    if (isinf(hi))
        snprintf(buf, size, "a number of at least %g", lo);
    else
        snprintf(buf, size, "a number from %g to %g", lo, hi);
}

/* A number within lo..hi. g_ascii_strtod: a recipe means the same in every locale. */
enum bm_status bm__yaml_read_number(struct bm__yaml *y, struct fy_node *v, const char *key,
                                    double lo, double hi, double *out)
{
    char expected[96];
    range_text(expected, sizeof expected, lo, hi);
    const char *t;
    enum bm_status st = bm__yaml_text(y, v, key, expected, &t);
    if (st != BM_OK)
        return st;
    char *end;
    errno = 0;
    double x = g_ascii_strtod(t, &end);
    while (end != t && *end == ' ')
        end++;
    if (end == t || *end || errno == ERANGE || !isfinite(x) || x < lo || x > hi)
        return bm__yaml_fail(y, v, "bad number '%s' for '%s'; expected %s", bm__yaml_show(y, t),
                             key, expected);
    *out = x;
    return BM_OK;
}

enum bm_status bm__yaml_read_bool(struct bm__yaml *y, struct fy_node *v, const char *key, int *out)
{
    const char *t;
    enum bm_status st = bm__yaml_text(y, v, key, "true or false", &t);
    if (st != BM_OK)
        return st;
    if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
        *out = strcasecmp(t, "true") == 0;
        return BM_OK;
    }
    return bm__yaml_fail(y, v, "bad value '%s' for '%s'; expected true or false",
                         bm__yaml_show(y, t), key);
}

/* Refuse aliases (a few lines of them can stand for gigabytes), deep nesting, huge values. */
static enum bm_status check_limits(struct bm__yaml *y, struct fy_node *n, int depth)
{
    if (!n)
        return BM_OK;
    if (fy_node_is_alias(n)) {
        /* By its length: libfyaml 0.7.12 may give an alias's name unterminated (found
         * by fuzzing: tests/fuzz/regressions/recipe/). */
        size_t len = 0;
        const char *name = fy_node_get_scalar(n, &len);
        char copy[96];
        snprintf(copy, sizeof copy, "%.*s", name ? (int)(len < 95 ? len : 95) : 0,
                 name ? name : "");
        return bm__yaml_fail(y, n, "alias '*%s' is not supported; expected the value written out",
                             bm__yaml_show(y, copy));
    }
    if (fy_node_get_type(n) == FYNT_SCALAR) {
        size_t len = 0;
        fy_node_get_scalar(n, &len);
        if (len > MAX_SCALAR)
            return bm__yaml_fail(y, n, "a value of %zu bytes; expected at most %d bytes (64 KiB)",
                                 len, MAX_SCALAR);
        return BM_OK;
    }
    if (depth > MAX_DEPTH)
        return bm__yaml_fail(y, n, "nesting deeper than %d levels; expected a flatter recipe",
                             MAX_DEPTH);
    void *it = NULL;
    enum bm_status st = BM_OK;
    if (fy_node_get_type(n) == FYNT_SEQUENCE) {
        struct fy_node *item;
        while (st == BM_OK && (item = fy_node_sequence_iterate(n, &it)))
            st = check_limits(y, item, depth + 1);
        return st;
    }
    struct fy_node_pair *pair;
    while (st == BM_OK && (pair = fy_node_mapping_iterate(n, &it))) {
        st = check_limits(y, fy_node_pair_key(pair), depth + 1);
        if (st == BM_OK)
            st = check_limits(y, fy_node_pair_value(pair), depth + 1);
    }
    return st;
}

static void quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

/* The parser's first error, with its own position. */
static enum bm_status syntax_error(struct bm__yaml *y)
{
    void *it = NULL;
    struct fy_diag_error *e;
    while ((e = fy_diag_errors_iterate(y->diag, &it)))
        if (e->type >= FYET_ERROR)
            return bm__fail(y->ctx, BM_ERR_RECIPE, "%s:%d:%d: YAML syntax: %s", y->path,
                            e->line > 0 ? e->line : 1, e->column > 0 ? e->column : 1,
                            e->msg ? e->msg : "cannot parse");
    return bm__fail(y->ctx, BM_ERR_RECIPE,
                    "%s:1:1: the recipe is empty; expected a mapping with "
                    "at least 'layers'",
                    y->path);
}

/*
 * The recipe is the stream's one document. A second one (after "---" or
 * "...") is refused rather than dropped; empty ones are harmless.
 */
static enum bm_status read_stream(struct bm__yaml *y)
{
    struct fy_document *next;
    y->doc = fy_parse_load_document(y->parser);
    if (!y->doc)
        return syntax_error(y);
    enum bm_status st = BM_OK;
    while (st == BM_OK && (next = fy_parse_load_document(y->parser))) {
        if (!bm__yaml_is_null(fy_document_root(next)))
            st = bm__yaml_fail(y, fy_document_root(next),
                               "a second YAML document; expected one recipe per file (remove the "
                               "'---' or '...' before this line)");
        fy_parse_document_destroy(y->parser, next);
    }
    if (st == BM_OK && fy_parser_get_stream_error(y->parser))
        st = syntax_error(y);
    return st;
}

static enum bm_status parse_text(struct bm__yaml *y)
{
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = quiet;
    y->diag = fy_diag_create(&dc);
    if (!y->diag)
        return bm__yaml_nomem(y);
    fy_diag_set_collect_errors(y->diag, true);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2, .diag = y->diag};
    y->parser = fy_parser_create(&cfg);
    if (!y->parser || fy_parser_set_string(y->parser, y->text, y->len) != 0)
        return bm__yaml_nomem(y);
    return read_stream(y);
}

/* libfyaml reads invalid UTF-8 without complaint; say where it is. */
static enum bm_status check_utf8(struct bm__yaml *y, const char *text, size_t len)
{
    const char *end;
    if (g_utf8_validate(text, (gssize)len, &end))
        return BM_OK;
    int line = 1, col = 1;
    for (const char *c = text; c < end; c = g_utf8_next_char(c)) {
        col++;
        if (*c == '\n') {
            line++;
            col = 1;
        }
    }
    return bm__fail(y->ctx, BM_ERR_RECIPE,
                    "%s:%d:%d: the text is not valid UTF-8; expected a "
                    "UTF-8 file",
                    y->path, line, col);
}

/* The whole file, refused when over MAX_FILE bytes. */
static enum bm_status read_file(struct bm__yaml *y, char **out, size_t *len)
{
    FILE *f = fopen(y->path, "rb");
    if (!f && errno == ENOENT)
        return bm__fail(y->ctx, BM_ERR_SOURCE_MISSING,
                        "cannot open recipe '%s': no such file; check the path", y->path);
    if (!f)
        return bm__fail(y->ctx, BM_ERR_RECIPE, "cannot open recipe '%s': %s", y->path,
                        bm__strerror(errno));
    struct bm__buf b = {0};
    char chunk[8192];
    size_t n;
    int oom = 0;
    /* Read one chunk past the limit at most: enough to know it is exceeded. */
    while (!oom && b.len <= MAX_FILE && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        oom = bm__buf_append(&b, chunk, n) != 0;
    int bad = ferror(f), err = errno;
    fclose(f);
    enum bm_status st = BM_OK;
    if (oom)
        st = bm__yaml_nomem(y);
    else if (bad && err == EISDIR)
        st = bm__fail(y->ctx, BM_ERR_RECIPE,
                      "cannot read recipe '%s': it is a folder; give a recipe file (.yaml)",
                      y->path);
    else if (bad)
        st = bm__fail(y->ctx, BM_ERR_RECIPE, "cannot read recipe '%s': %s; check the file", y->path,
                      bm__strerror(err));
    else if (b.len > MAX_FILE)
        st = bm__fail(y->ctx, BM_ERR_RECIPE,
                      "%s: the recipe is over 1 MiB; expected at most %d bytes", y->path, MAX_FILE);
    if (st != BM_OK) {
        bm__buf_free(&b);
        return st;
    }
    *len = b.len;
    *out = b.data ? bm__buf_take(&b) : bm__strdup("");
    return *out ? BM_OK : bm__yaml_nomem(y);
}

/* The checks and the parse, once y->text holds the recipe. */
static enum bm_status open_text(struct bm__yaml *y, struct fy_node **root)
{
    enum bm_status st = check_utf8(y, y->text, y->len);
    if (st == BM_OK)
        st = parse_text(y);
    if (st == BM_OK)
        st = check_limits(y, fy_document_root(y->doc), 1);
    if (st == BM_OK)
        *root = fy_document_root(y->doc);
    return st;
}

enum bm_status bm__yaml_open(struct bm__yaml *y, struct bm_ctx *ctx, const char *path,
                             struct fy_node **root)
{
    memset(y, 0, sizeof *y);
    y->ctx = ctx;
    y->path = path;
    *root = NULL;
    enum bm_status st = read_file(y, &y->text, &y->len);
    return st == BM_OK ? open_text(y, root) : st;
}

enum bm_status bm__yaml_open_text(struct bm__yaml *y, struct bm_ctx *ctx, const char *name,
                                  const char *text, size_t len, struct fy_node **root)
{
    memset(y, 0, sizeof *y);
    y->ctx = ctx;
    y->path = name;
    *root = NULL;
    if (len > MAX_FILE)
        return bm__fail(ctx, BM_ERR_RECIPE,
                        "%s: the recipe is over 1 MiB; expected at most %d bytes", name, MAX_FILE);
    y->text = malloc(len + 1);
    if (!y->text)
        return bm__yaml_nomem(y);
    if (len)
        memcpy(y->text, text, len);
    y->text[len] = '\0';
    y->len = len;
    return open_text(y, root);
}

void bm__yaml_close(struct bm__yaml *y)
{
    if (y->doc)
        fy_parse_document_destroy(y->parser, y->doc);
    if (y->parser)
        fy_parser_destroy(y->parser);
    if (y->diag)
        fy_diag_destroy(y->diag);
    free(y->text);
    memset(y, 0, sizeof *y);
}
