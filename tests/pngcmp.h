/* bordermap tests: comparing a rendered PNG with its reviewed golden. */
#ifndef BM_TEST_PNGCMP_H
#define BM_TEST_PNGCMP_H

#include <stddef.h>

/* What differs between two images of the same size. */
struct png_diff {
    int width, height;
    long over8;         /* pixels with a channel more than 8 levels apart */
    long over2;         /* pixels with a channel more than 2 levels apart */
    int max;            /* the largest difference of a channel, levels */
    int x0, y0, x1, y1; /* the box of the pixels over 8 levels (x1 < x0 when none) */
};

/*
 * The rule the goldens are held to: at most PNG_MAX_OVER8 pixels differ by
 * more than 8 levels in a channel, and at most PNG_MAX_OVER2 by more than 2.
 * With the fonts pinned (tests/fonts.conf) a render on Debian 12 is
 * pixel-identical to its golden; the slack lets a glyph's hinting move on
 * another build of FreeType, while a missing 1 pt line (hundreds of pixels at
 * 100 dpi), a moved label, or a faint band (thousands of pixels a few levels
 * off) fail.
 */
#define PNG_MAX_OVER8 100
#define PNG_MAX_OVER2 1000

/*
 * Compare the PNGs a and b. Returns 0 and fills *d; -1 when one cannot be
 * read, 1 when their sizes differ (d->width/height are a's), with a message
 * in why (size bytes). When diff_png is not NULL and the images differ, an
 * image of the differences (red over 8 levels, orange over 2, grey for
 * the rest of a) is written there.
 */
int png_compare(const char *a, const char *b, struct png_diff *d, const char *diff_png, char *why,
                size_t size);

/*
 * A looser comparison, for two renderers of one drawing (librsvg's SVG
 * against cairo's PNG), whose glyphs and edges are antialiased apart by a
 * fraction of a pixel: the pixels of either image that have no pixel of the
 * other within reach px (a square) with every channel within level levels.
 * A missing or moved label, or a line that is not there, is hundreds of
 * such pixels; an edge shaded otherwise is none. Returns 0 and sets *far;
 * -1 or 1 as png_compare(). diff_png (or NULL): those pixels in red over a.
 */
int png_compare_near(const char *a, const char *b, int reach, int level, long *far,
                     const char *diff_png, char *why, size_t size);

/* Does d pass the goldens' rule? */
int png_diff_ok(const struct png_diff *d);

#endif
