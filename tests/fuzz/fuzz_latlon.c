/* bordermap fuzzing: the "lat,lon" position parser on arbitrary bytes (libFuzzer). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_ctx *ctx;
    if (!ctx)
        ctx = bm_ctx_new();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    double lat, lon;
    /* An accepted position must be a real one: finite and in range. */
    if (bm_parse_latlon(ctx, text, &lat, &lon) == BM_OK &&
        !(isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180))
        abort();
    bm_ctx_clear_warnings(ctx);
    free(text);
    return 0;
}
