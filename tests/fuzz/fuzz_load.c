/*
 * bordermap fuzzing: the loader on arbitrary bytes in a file ending in FUZZ_EXT
 * (libFuzzer). Built twice: fuzz_events (csv, the events loader) and
 * fuzz_geojson (every geometry kind, repair, CRS). What loads must measure.
 */
#include <stdlib.h>

#include "bordermap/bordermap.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_ctx *ctx;
    if (!ctx)
        ctx = bm_ctx_new();
    const char *path = fuzz_file(data, size, FUZZ_EXT);
    struct bm_layer *L = NULL;
    if (path && bm_layer_load(ctx, path, NULL, &L) == BM_OK) {
        for (size_t i = 0; i < bm_layer_feature_count(L); i++)
            if (bm_feature_length(L, i) < 0 || bm_feature_area(L, i) < 0)
                abort();
        bm_layer_free(L);
    }
    bm_ctx_clear_warnings(ctx);
    return 0;
}
