/*
 * bordermap program: GeoJSON geometries (RFC 7946: lon, lat in WGS 84) for
 * the rows writer: points, geodesic legs, and a layer's own features.
 */
#include "cli.h"

#include <stdlib.h>

/* A GIS draws straight lines between the points: a leg stays this close to its geodesic. */
#define LEG_MAX_ERROR_M 1000.0

static void position(FILE *out, double lon, double lat)
{
    fputc('[', out);
    json_number(out, lon);
    fputs(", ", out);
    json_number(out, lat);
    fputc(']', out);
}

/* "[[x, y], [x, y], ...]" of n points, lon/lat interleaved. */
static void positions(FILE *out, const double *xy, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", out);
        position(out, xy[2 * i], xy[2 * i + 1]);
    }
    fputc(']', out);
}

void cli_geojson_point(FILE *out, double lon, double lat)
{
    fputs("{\"type\": \"Point\", \"coordinates\": ", out);
    position(out, lon, lat);
    fputc('}', out);
}

void cli_geojson_geodesic(FILE *out, struct bm_ctx *ctx, double lat1, double lon1, double lat2,
                          double lon2)
{
    double *xy;
    size_t n;
    if (bm_geod_path(ctx, lat1, lon1, lat2, lon2, LEG_MAX_ERROR_M, &xy, &n) != BM_OK) {
        fputs("null", out);
        return;
    }
    fputs("{\"type\": \"LineString\", \"coordinates\": ", out);
    positions(out, xy, n);
    fputc('}', out);
    free(xy);
}

/* How many lines, or polygons, feature f is made of. */
static size_t members(const struct bm_layer *L, const struct bm_feature *f)
{
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    if (f->type != BM_GEOM_POLYGON || f->nparts == 0)
        return f->nparts;
    return (size_t)parts[f->nparts - 1].polygon + 1;
}

int cli_geojson_needs_multi(const struct bm_layer *L)
{
    for (size_t i = 0; i < bm_layer_feature_count(L); i++)
        if (members(L, bm_layer_feature(L, i)) > 1)
            return 1;
    return 0;
}

void cli_geojson_feature(FILE *out, const struct bm_layer *L, size_t feat, int multi)
{
    const struct bm_feature *f = bm_layer_feature(L, feat);
    const struct bm_part *parts = bm_layer_parts(L) + f->first_part;
    const double *xy = bm_layer_xy(L);
    if (f->type == BM_GEOM_POINT && f->nparts == 1 && parts[0].count == 1 && !multi) {
        cli_geojson_point(out, xy[2 * parts[0].first], xy[2 * parts[0].first + 1]);
        return;
    }
    static const char *const types[] = {"Point", "Point", "LineString", "Polygon"};
    int polygon = f->type == BM_GEOM_POLYGON;
    multi = multi || members(L, f) > 1 || f->type == BM_GEOM_POINT;
    fprintf(out, "{\"type\": \"%s%s\", \"coordinates\": %s", multi ? "Multi" : "",
            types[f->type & 3], multi ? "[" : "");
    for (size_t k = 0; k < f->nparts; k++) {
        /* A polygon's rings follow each other, its outer ring first. */
        int opens = polygon && (k == 0 || parts[k].polygon != parts[k - 1].polygon);
        int closes = polygon && (k + 1 == f->nparts || parts[k + 1].polygon != parts[k].polygon);
        fputs(k ? ", " : "", out);
        fputs(opens ? "[" : "", out);
        if (f->type == BM_GEOM_POINT)
            position(out, xy[2 * parts[k].first], xy[2 * parts[k].first + 1]);
        else
            positions(out, xy + 2 * parts[k].first, parts[k].count);
        fputs(closes ? "]" : "", out);
    }
    fputs(multi ? "]}" : "}", out);
}
