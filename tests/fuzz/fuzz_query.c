/* bordermap fuzzing: gazetteer queries on arbitrary bytes (libFuzzer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_ctx *ctx;
    static struct bm_gazetteer *gz;
    if (!ctx) {
        ctx = bm_ctx_new();
        if (bm_gazetteer_load(ctx, NULL, &gz) != BM_OK)
            abort(); /* the harness needs the shipped gazetteer: set BORDERMAP_DATA */
    }
    char *q = malloc(size + 1);
    if (!q)
        return 0;
    memcpy(q, data, size);
    q[size] = '\0';
    struct bm_place_match m[8];
    size_t n;
    const struct bm_place *p;
    bm_gazetteer_find(ctx, gz, q, m, 8, &n);
    bm_gazetteer_lookup(ctx, gz, q, &p);
    free(q);
    return 0;
}
