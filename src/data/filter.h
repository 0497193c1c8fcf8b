/*
 * bordermap internal: attribute filters that are data, not SQL.
 *
 * A filter (a recipe's `where:`, `--where`) is parsed and checked by bordermap
 * itself and evaluated in C on each feature, whatever the source: no text of
 * it reaches a database as SQL. The grammar:
 *
 *   expr    := or
 *   or      := and { OR and }
 *   and     := not { AND not }
 *   not     := NOT not | primary
 *   primary := '(' expr ')' | operand rest
 *   rest    := cmp operand                 cmp: = != <> < <= > >=
 *            | [NOT] IN '(' literal { ',' literal } ')'
 *            | [NOT] LIKE string | [NOT] ILIKE string
 *            | IS [NOT] NULL
 *   operand := field | literal
 *   field   := name | "quoted name"        a field of the layer (any case), or OGR_GEOMETRY
 *   literal := 'string' ('' for a quote) | number (-12, 3.5, 1e3)
 *
 * Keywords are case-insensitive. Semantics (SQL's, the same for every driver):
 * a null value makes a comparison unknown, and NOT of unknown is unknown; only
 * features for which the filter is true are kept. A number compared with a
 * field compares numerically (a value that is not a number makes it unknown);
 * otherwise values compare as UTF-8 text, byte by byte. LIKE is case-sensitive
 * with % (any run) and _ (one character); ILIKE ignores case.
 *
 * A conservative part of the filter may be handed to the driver as well, to
 * read less (bm__filter_pushdown); the C evaluation stays the judge.
 */
#ifndef BM_FILTER_H
#define BM_FILTER_H

#include <stddef.h>

#include "bordermap/layer.h"

/* Opaque: a parsed filter. */
struct bm__filter;

/* The most nested parentheses and NOTs a filter may have. */
#define BM__FILTER_MAX_DEPTH 64

/* The pseudo-field naming the feature's geometry type (POINT, LINESTRING, ...), as in OGR SQL. */
#define BM__FILTER_GEOMETRY_FIELD "OGR_GEOMETRY"
#define BM__FILTER_GEOMETRY_INDEX (-2)

/*
 * Parse text. On success returns the filter (free with bm__filter_free). On
 * failure returns NULL and writes into msg (size bytes) one line such as
 * "bad filter at column 12: functions are not allowed ('pg_sleep'); use field
 * names, literals, comparisons, AND/OR/NOT, IN, LIKE, IS NULL"; the column
 * counts characters from 1. An empty text is refused too. Out of memory gives
 * NULL with "out of memory".
 */
struct bm__filter *bm__filter_parse(const char *text, char *msg, size_t size);

void bm__filter_free(struct bm__filter *f);

/*
 * Bind the filter's field names to a layer's fields: names[i] of type
 * types[i], i < n, matched without regard to case. Returns 0, or -1 with
 * "no field 'x' in layer 'L' of 'P'; its fields are: ..." in msg.
 */
int bm__filter_bind(struct bm__filter *f, const char *const *names, const enum bm_field_type *types,
                    size_t n, const char *layer, const char *path, char *msg, size_t size);

/*
 * The value of bound field `field` (an index given to bm__filter_bind, or
 * BM__FILTER_GEOMETRY_INDEX) of the current feature: UTF-8 text, or NULL
 * for a null value.
 */
typedef const char *(*bm__filter_value_fn)(void *arg, int field);

/* Is the filter true for the feature that value() reads? 1 or 0. */
int bm__filter_eval(const struct bm__filter *f, bm__filter_value_fn value, void *arg);

/*
 * A part of a bound filter safe to hand to any driver's attribute filter (OGR
 * SQL, PostgreSQL, SQLite alike), that keeps every feature the whole filter
 * keeps: the top-level conjuncts of the forms field = 'text' and field IN
 * ('text', ...) on text fields, and field = | < | <= | > | >= number on
 * numeric ones. Names are the layer's own, double-quoted; texts hold no quote,
 * backslash or control character; numbers are finite. Returns a string to
 * free(), or NULL when no part qualifies (or out of memory).
 */
char *bm__filter_pushdown(const struct bm__filter *f);

/* Write an identifier double-quoted (" doubled) to a new string (free()), or NULL. */
char *bm__filter_quote_name(const char *name);

#endif
