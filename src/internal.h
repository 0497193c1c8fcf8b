/*
 * bordermap internal: what the library's files share with each other.
 */
#ifndef BM_INTERNAL_H
#define BM_INTERNAL_H

#include <proj.h>

#include "bordermap/context.h"

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

/* strdup that returns NULL on NULL. */
char *bm__strdup(const char *s);

#endif
