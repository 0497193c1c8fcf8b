/* bordermap tests: GeographicLib's own tools (geographiclib-tools) as the oracle. */
#ifndef BM_TEST_ORACLE_H
#define BM_TEST_ORACLE_H

#include <stddef.h>

/* GeodSolve -i: distance (m) and azimuths (degrees). Returns 0, or -1. */
int oracle_inverse(double lat1, double lon1, double lat2, double lon2, double *s12, double *azi1,
                   double *azi2);

/* Planimeter -l: length (m) of the polyline through n lon/lat points. Returns 0, or -1. */
int oracle_polyline(const double *xy, size_t n, double *length);

/* Planimeter: area (m^2, either orientation) of the ring through n lon/lat points. 0 or -1. */
int oracle_area(const double *xy, size_t n, double *area);

#endif
