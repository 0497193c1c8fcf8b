/* bordermap fuzzing: the recipe parser on arbitrary bytes (libFuzzer). */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "bordermap/bordermap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_ctx *ctx;
    static char path[64];
    if (!ctx) {
        ctx = bm_ctx_new();
        snprintf(path, sizeof path, "/tmp/bm-fuzz-recipe-%ld.yaml", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    struct bm_map *m = NULL;
    if (bm_map_load(ctx, path, &m) == BM_OK)
        bm_map_free(m);
    bm_ctx_clear_warnings(ctx);
    return 0;
}
