/* bordermap tests: GeographicLib's own tools (geographiclib-tools) as the oracle. */
#ifndef BM_TEST_ORACLE_H
#define BM_TEST_ORACLE_H

#include <stddef.h>

/* GeodSolve -i: distance (m) and azimuths (degrees). Returns 0, or -1. */
int oracle_inverse(double lat1, double lon1, double lat2, double lon2, double *s12, double *azi1,
                   double *azi2);

/*
 * GeodSolve with args (e.g. "-i" or "") over n input lines of `in_cols` numbers
 * each (in[i * in_cols + k]); reads n output lines of `out_cols` numbers into
 * out. One process for all the lines. Returns 0, or -1.
 */
int oracle_geodsolve(const char *args, const double *in, size_t n, int in_cols, double *out,
                     int out_cols);

/* Planimeter -l: length (m) of the polyline through n lon/lat points. Returns 0, or -1. */
int oracle_polyline(const double *xy, size_t n, double *length);

/* Planimeter: area (m^2, either orientation) of the ring through n lon/lat points. 0 or -1. */
int oracle_area(const double *xy, size_t n, double *area);

#endif
