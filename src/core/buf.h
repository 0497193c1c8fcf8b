/*
 * bordermap internal: the one growable buffer, for strings and arrays alike.
 */
#ifndef BM_BUF_H
#define BM_BUF_H

#include <stdarg.h>
#include <stddef.h>

/** A growable byte buffer. Zero-initialise; free with bm__buf_free(). */
struct bm__buf {
    char *data;
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
};

/* Make room for `extra` more bytes. Returns 0, or -1 when out of memory. */
int bm__buf_reserve(struct bm__buf *b, size_t extra);

/* Append n bytes. Returns 0, or -1 when out of memory. */
int bm__buf_append(struct bm__buf *b, const void *p, size_t n);

/* Append a NUL-terminated string, keeping the buffer NUL-terminated. */
int bm__buf_puts(struct bm__buf *b, const char *s);

/* Append printf-formatted text, keeping the buffer NUL-terminated. */
int bm__buf_printf(struct bm__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bm__buf_vprintf(struct bm__buf *b, const char *fmt, va_list ap);

/* Hand over the data (caller frees); the buffer is left empty. */
char *bm__buf_take(struct bm__buf *b);

void bm__buf_free(struct bm__buf *b);

/* Typed views of an array held in a buffer. */
#define BM__BUF_COUNT(b, T) ((b)->len / sizeof(T))
#define BM__BUF_AT(b, T, i) (((T *)(void *)(b)->data)[i])

#endif
