/* bordermap fuzzing: the recipe parser on arbitrary bytes (libFuzzer). */
#include "bordermap/bordermap.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_ctx *ctx;
    if (!ctx)
        ctx = bm_ctx_new();
    const char *path = fuzz_file(data, size, "yaml");
    struct bm_map *m = NULL;
    if (path && bm_map_load(ctx, path, &m) == BM_OK)
        bm_map_free(m);
    bm_ctx_clear_warnings(ctx);
    return 0;
}
