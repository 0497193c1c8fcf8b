/* bordermap: the growable buffer. */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bm__buf_reserve(struct bm__buf *b, size_t extra)
{
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > SIZE_MAX / 2 - b->len)
        return -1;
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2; /* doubling keeps appends amortised O(1) */
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int bm__buf_append(struct bm__buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (bm__buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int bm__buf_puts(struct bm__buf *b, const char *s)
{
    size_t n = strlen(s);
    if (bm__buf_reserve(b, n + 1) != 0)
        return -1;
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
    return 0;
}

int bm__buf_vprintf(struct bm__buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || bm__buf_reserve(b, (size_t)n + 1) != 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int bm__buf_printf(struct bm__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = bm__buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

char *bm__buf_take(struct bm__buf *b)
{
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void bm__buf_free(struct bm__buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
