/* bordermap tests: GeographicLib's own tools (geographiclib-tools) as the oracle. */
#include "oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Run cmd with the points written to a file as "lat lon" lines; read its first line. */
static int run(const char *cmd, const double *xy, size_t n, char *out, size_t size)
{
    char in[] = "/tmp/bm-oracle-XXXXXX";
    int fd = mkstemp(in);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.17g %.17g\n", xy[2 * i + 1], xy[2 * i]);
    fclose(f);
    char line[512];
    snprintf(line, sizeof line, "%s < %s", cmd, in);
    FILE *p = popen(line, "r");
    int ok = p && fgets(out, (int)size, p) != NULL;
    if (p)
        pclose(p);
    unlink(in);
    return ok ? 0 : -1;
}

int oracle_inverse(double lat1, double lon1, double lat2, double lon2, double *s12, double *azi1,
                   double *azi2)
{
    char line[512];
    snprintf(line, sizeof line, "echo %.17g %.17g %.17g %.17g | GeodSolve -i -p 9", lat1, lon1,
             lat2, lon2);
    FILE *p = popen(line, "r");
    char out[256];
    int ok = p && fgets(out, sizeof out, p) && sscanf(out, "%lf %lf %lf", azi1, azi2, s12) == 3;
    if (p)
        pclose(p);
    return ok ? 0 : -1;
}

int oracle_geodsolve(const char *args, const double *in, size_t n, int in_cols, double *out,
                     int out_cols)
{
    char path[] = "/tmp/bm-oracle-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "w");
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < in_cols; k++)
            fprintf(f, "%.17g%c", in[i * (size_t)in_cols + (size_t)k],
                    k + 1 == in_cols ? '\n' : ' ');
    fclose(f);
    char line[512];
    snprintf(line, sizeof line, "GeodSolve %s -p 9 < %s", args, path);
    FILE *p = popen(line, "r");
    size_t got = 0;
    for (; p && got < n; got++) {
        int k = 0;
        for (; k < out_cols && fscanf(p, "%lf", &out[got * (size_t)out_cols + (size_t)k]) == 1; k++)
            ;
        if (k < out_cols)
            break;
    }
    if (p)
        pclose(p);
    unlink(path);
    return got == n ? 0 : -1;
}

int oracle_polyline(const double *xy, size_t n, double *length)
{
    char out[256];
    long count;
    if (run("Planimeter -l -p 9", xy, n, out, sizeof out) != 0 ||
        sscanf(out, "%ld %lf", &count, length) != 2 || (size_t)count != n)
        return -1;
    return 0;
}

int oracle_area(const double *xy, size_t n, double *area)
{
    char out[256];
    long count;
    double perimeter;
    if (run("Planimeter -p 9", xy, n, out, sizeof out) != 0 ||
        sscanf(out, "%ld %lf %lf", &count, &perimeter, area) != 3)
        return -1;
    /* Signed by orientation (counter-clockwise positive); the size is what we compare.
     * Planimeter's unsigned mode would give the complement for a clockwise ring. */
    *area = *area < 0 ? -*area : *area;
    return 0;
}
