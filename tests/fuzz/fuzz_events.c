/* bordermap fuzzing: the CSV (events) loader on arbitrary bytes (libFuzzer). */
#include "bordermap/bordermap.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_ctx *ctx;
    if (!ctx)
        ctx = bm_ctx_new();
    const char *path = fuzz_file(data, size, "csv");
    struct bm_layer *L = NULL;
    if (path && bm_layer_load(ctx, path, NULL, &L) == BM_OK)
        bm_layer_free(L);
    bm_ctx_clear_warnings(ctx);
    return 0;
}
