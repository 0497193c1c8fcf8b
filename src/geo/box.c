/* bordermap: a segment against an axis-aligned box, for the loader's box and the canvas. */
#include "core/internal.h"

/* Liang-Barsky clipping: the segment's parameter range [t0, t1] cut by each edge's half-plane. */
int bm__segment_meets_box(double x0, double y0, double x1, double y1, const struct bm_bbox *b)
{
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {x0 - b->west, b->east - x0, y0 - b->south, b->north - y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0 && t > t0)
                t0 = t;
            else if (p[i] > 0 && t < t1)
                t1 = t;
            if (t0 > t1)
                return 0;
        }
    }
    return 1;
}
