/*
 * bordermap tests: pngdiff A.png B.png [DIFF.png]: how two images differ, by
 * the goldens' rule (pngcmp.h). Exit 0 when they pass it, 1 when not, 2 when
 * one cannot be read or their sizes differ. With --exact, any difference fails.
 * pngdiff --near R L A.png B.png [DIFF.png]: the pixels of either with no pixel
 * of the other within R px and L levels (png_compare_near); prints the count.
 */
#include "pngcmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int near_main(int argc, char **argv)
{
    if (argc < 6 || argc > 7) {
        fputs("usage: pngdiff --near REACH LEVELS A.png B.png [DIFF.png]\n", stderr);
        return 2;
    }
    char why[1024];
    long far;
    int rc = png_compare_near(argv[4], argv[5], (int)strtol(argv[2], NULL, 10),
                              (int)strtol(argv[3], NULL, 10), &far, argc == 7 ? argv[6] : NULL, why,
                              sizeof why);
    if (rc != 0) {
        fprintf(stderr, "pngdiff: %s\n", why);
        return 2;
    }
    printf("%ld\n", far);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--near") == 0)
        return near_main(argc, argv);
    int exact = argc > 1 && strcmp(argv[1], "--exact") == 0;
    if (argc - exact < 3 || argc - exact > 4) {
        fputs("usage: pngdiff [--exact] A.png B.png [DIFF.png]\n", stderr);
        return 2;
    }
    char **a = argv + 1 + exact;
    struct png_diff d;
    char why[1024];
    int rc = png_compare(a[0], a[1], &d, argc - exact == 4 ? a[2] : NULL, why, sizeof why);
    if (rc != 0) {
        fprintf(stderr, "pngdiff: %s\n", why);
        return 2;
    }
    printf("%d x %d: %ld px over 8 levels, %ld over 2, largest %d", d.width, d.height, d.over8,
           d.over2, d.max);
    if (d.over8)
        printf(", within x %d..%d, y %d..%d", d.x0, d.x1, d.y0, d.y1);
    putchar('\n');
    return exact ? d.max != 0 : !png_diff_ok(&d);
}
