/* bordermap: control characters shown escaped, file names made from data (escape.h). */
#include "bordermap/escape.h"
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Length of the UTF-8 sequence at s (1-4), or 0 when it is not one: a stray
 * continuation byte, an overlong form, a surrogate, beyond U+10FFFF, or cut.
 * *cp receives the code point.
 */
static size_t utf8_at(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0; /* also stops at the NUL */
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return n;
}

static int is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

bool bm_has_control(const char *s)
{
    if (!s)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_at(p, &cp);
        if (n == 0 || is_control(cp))
            return true;
        p += n;
    }
    return false;
}

char *bm_escape(const char *s)
{
    if (!s)
        return NULL;
    struct bm__buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    int bad = bm__buf_puts(&b, "");
    while (!bad && *p) {
        uint32_t cp;
        size_t n = utf8_at(p, &cp);
        if (n == 0) {
            bad = bm__buf_printf(&b, "\\x%02x", *p);
            n = 1;
        } else if (cp >= 0x80 && is_control(cp)) {
            bad = bm__buf_printf(&b, "\\u%04x", (unsigned)cp);
        } else if (is_control(cp)) {
            bad = bm__buf_printf(&b, "\\x%02x", (unsigned)cp);
        } else {
            char chunk[5];
            memcpy(chunk, p, n);
            chunk[n] = '\0';
            bad = bm__buf_puts(&b, chunk);
        }
        p += n;
    }
    if (bad) {
        bm__buf_free(&b);
        return NULL;
    }
    return bm__buf_take(&b);
}

char *bm_file_name_from(const char *s, size_t max)
{
    if (!s || max < 8)
        return NULL;
    struct bm__buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    while (*p == ' ')
        p++;
    int bad = bm__buf_puts(&b, "");
    if (*p == '.' || *p == '-')
        bad = bm__buf_puts(&b, "_");
    while (!bad && *p) {
        uint32_t cp;
        size_t n = utf8_at(p, &cp);
        char chunk[5] = "-";
        if (n > 0 && !is_control(cp) && cp != '/' && cp != '\\') {
            memcpy(chunk, p, n);
            chunk[n] = '\0';
        }
        if (n == 0)
            n = 1;
        if (b.len + strlen(chunk) > max)
            break; /* cut at a character boundary */
        bad = bm__buf_puts(&b, chunk);
        p += n;
    }
    /* Trailing spaces would be invisible in a listing. */
    while (!bad && b.len > 0 && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    if (bad || b.len == 0) {
        bm__buf_free(&b);
        return NULL;
    }
    return bm__buf_take(&b);
}
