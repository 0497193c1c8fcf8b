/* bordermap fuzzing: the CSV (events) loader on arbitrary bytes (libFuzzer). */
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
        snprintf(path, sizeof path, "/tmp/bm-fuzz-events-%ld.csv", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    struct bm_layer *L = NULL;
    if (bm_layer_load(ctx, path, NULL, &L) == BM_OK)
        bm_layer_free(L);
    bm_ctx_clear_warnings(ctx);
    return 0;
}
