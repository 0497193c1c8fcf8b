/*
 * bordermap fuzzing: a recipe parsed and drawn (libFuzzer).
 *
 * Each input is a recipe. One that parses is drawn as a real render draws it
 * (layers, rules, labels, annotations, furniture), on a small page (50 mm
 * square at 72 dpi: 142 px) so that a draw costs milliseconds, to PNG, PDF,
 * SVG or GeoTIFF (by a hash of the input, so a crash replays in the same
 * format). Its sources are the small fixture layers of tests/fuzz/draw/ (the
 * seeds name them relative to the data root) and the gazetteer. A drawing
 * whose texts overlap something else or leave the map frame aborts, so that
 * libFuzzer keeps the input: labels promise not to.
 */
#include "bordermap/bordermap.h"
#include "fuzz_file.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum bm_format FORMATS[] = {BM_FORMAT_PNG, BM_FORMAT_PDF, BM_FORMAT_SVG,
                                         BM_FORMAT_GEOTIFF};
static const char *const EXT[] = {"png", "pdf", "svg", "tif"};

static int is_text(const struct bm_placed_box *b)
{
    return b->kind == BM_BOX_LABEL || b->kind == BM_BOX_CALLOUT || b->kind == BM_BOX_ANNOTATION;
}

/* The labels' promise: a text overlaps nothing but its own label, inside the frame. */
static void check(const struct bm_render_info *info)
{
    const double *f = info->frame;
    for (size_t i = 0; i < info->nboxes; i++) {
        const struct bm_placed_box *a = &info->boxes[i];
        if (!is_text(a))
            continue;
        if (!(a->x >= f[0] && a->y >= f[1] && a->x + a->w <= f[0] + f[2] &&
              a->y + a->h <= f[1] + f[3])) {
            fprintf(stderr, "fuzz_draw: '%s' lies outside the frame\n", a->text);
            abort();
        }
        for (size_t j = 0; j < info->nboxes; j++) {
            const struct bm_placed_box *b = &info->boxes[j];
            if (j != i && b->id != a->id && a->x < b->x + b->w && b->x < a->x + a->w &&
                a->y < b->y + b->h && b->y < a->y + a->h) {
                fprintf(stderr, "fuzz_draw: '%s' overlaps '%s'\n", a->text,
                        b->text ? b->text : "?");
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bm_ctx *ctx;
    static char out[4][64];
    if (!ctx) {
        ctx = bm_ctx_new();
        for (int i = 0; i < 4; i++)
            snprintf(out[i], sizeof out[i], "/tmp/bm-fuzz-draw-%ld.%s", (long)getpid(), EXT[i]);
    }
    const char *path = fuzz_file(data, size, "yaml");
    struct bm_map *m = NULL;
    if (path && bm_map_load(ctx, path, &m) == BM_OK) {
        unsigned h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < size; i++)
            h = (h ^ data[i]) * 16777619u;
        int k = (int)(h % 4);
        struct bm_render_info info;
        if (bm_map_set_page(ctx, m, 50, 50) == BM_OK && bm_map_set_dpi(ctx, m, 72) == BM_OK &&
            bm_map_render_info(ctx, m, FORMATS[k], out[k], &info) == BM_OK)
            check(&info);
        bm_map_free(m);
    }
    bm_ctx_clear_warnings(ctx);
    return 0;
}
