/*
 * bordermap tests: one context per thread is safe. Four threads, each with
 * its own context, load and draw the same map 25 times at once (PNG, and
 * every fourth time PDF or SVG); every PNG is byte for byte the one the main
 * thread draws alone afterwards. Built with -DBM_TSAN=ON ('make sanitize'
 * does), ThreadSanitizer checks every access the library makes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bordermap/bordermap.h"
#include "bordermap/scene.h"
#include "support.h"

#define THREADS 4
#define RENDERS 25

struct job {
    int k;
    char recipe[4096];
    char dir[512];                   /* the temporary folder (tmp_path() is not for threads) */
    unsigned long png_hash[RENDERS]; /* 0 for a render that was not a PNG */
    char error[512];                 /* the first failure */
};

/* FNV-1a of a file's bytes, or 0 when it cannot be read. */
static unsigned long file_hash(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned long h = 14695981039346656037ul;
    int c;
    while ((c = getc(f)) != EOF)
        h = (h ^ (unsigned char)c) * 1099511628211ul;
    fclose(f);
    return h;
}

static void *draw_many(void *arg)
{
    struct job *j = arg;
    struct bm_ctx *c = bm_ctx_new();
    static const enum bm_format other[] = {BM_FORMAT_PDF, BM_FORMAT_SVG};
    static const char *const ext[] = {"pdf", "svg"};
    for (int i = 0; c && i < RENDERS && !j->error[0]; i++) {
        struct bm_map *m;
        char name[64], path[600];
        int png = i % 4 != 3;
        snprintf(name, sizeof name, "thread%d-%d.%s", j->k, i, png ? "png" : ext[i / 4 % 2]);
        snprintf(path, sizeof path, "%s/%s", j->dir, name);
        struct bm_render_info info;
        if (bm_map_load(c, j->recipe, &m) != BM_OK ||
            bm_map_render_info(c, m, png ? BM_FORMAT_PNG : other[i / 4 % 2], path, &info) !=
                BM_OK) {
            snprintf(j->error, sizeof j->error, "thread %d, render %d: %s", j->k, i,
                     bm_ctx_error(c));
        } else if (png) {
            j->png_hash[i] = file_hash(path);
        }
        bm_map_free(m);
        bm_ctx_clear_warnings(c);
    }
    if (!c)
        snprintf(j->error, sizeof j->error, "thread %d: no context", j->k);
    bm_ctx_free(c);
    return NULL;
}

static void four_threads_draw_the_same_map(void **state)
{
    (void)state;
    static struct job jobs[THREADS];
    pthread_t tid[THREADS];
    for (int k = 0; k < THREADS; k++) {
        memset(&jobs[k], 0, sizeof jobs[k]);
        jobs[k].k = k;
        snprintf(jobs[k].dir, sizeof jobs[k].dir, "%s", tmp_path("."));
        assert_int_equal(
            bm_ctx_data_path(ctx, "tests/threads/map.yaml", jobs[k].recipe, sizeof jobs[k].recipe),
            BM_OK);
        assert_int_equal(pthread_create(&tid[k], NULL, draw_many, &jobs[k]), 0);
    }
    for (int k = 0; k < THREADS; k++)
        assert_int_equal(pthread_join(tid[k], NULL), 0);
    for (int k = 0; k < THREADS; k++)
        if (jobs[k].error[0])
            fail_msg("%s", jobs[k].error);
    /* The same map, drawn alone by this thread. */
    struct bm_map *m;
    const char *alone = tmp_path("alone.png");
    assert_int_equal(bm_map_load(ctx, jobs[0].recipe, &m), BM_OK);
    if (bm_map_render(ctx, m, BM_FORMAT_PNG, alone) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_map_free(m);
    unsigned long want = file_hash(alone);
    int pngs = 0;
    for (int k = 0; k < THREADS; k++)
        for (int i = 0; i < RENDERS; i++) {
            if (!jobs[k].png_hash[i])
                continue;
            pngs++;
            if (jobs[k].png_hash[i] != want)
                fail_msg("thread %d, render %d: the PNG differs from the one drawn alone", k, i);
        }
    assert_true(pngs >= THREADS * RENDERS * 3 / 4 - THREADS);
}

/* Draw m to png in scene (NULL: a fresh one); its warnings, joined by newlines, into out. */
static void draw_noting(struct bm_map *m, struct bm_scene *scene, const char *png, char *out,
                        size_t size)
{
    bm_ctx_clear_warnings(ctx);
    struct bm_scene *own = scene ? NULL : bm_scene_new(BM_SCENE_VIEW);
    if (bm_map_render_scene(ctx, m, scene ? scene : own, BM_FORMAT_PNG, png, NULL) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    bm_scene_free(own);
    size_t n = 0;
    out[0] = 0;
    for (size_t i = 0; i < bm_ctx_warning_count(ctx) && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "%s\n", bm_ctx_warning(ctx, i));
}

/*
 * A map of more than 4 MB of sources loads its last layers (here the
 * divisions and the second CSV, half of it on disk) on a second thread while
 * this one loads the first (render.c, gather). The warnings come in the
 * recipe's order, one per CSV without a CRS, and the map is the one drawn by
 * a single thread: a scene that already holds a layer loads every layer on
 * the drawing thread. Under ThreadSanitizer ('make sanitize') the two
 * threads' loads are checked too.
 */
static void second_thread_loads_as_one_would(void **state)
{
    (void)state;
    const char *a = tmp_path("first.csv"), *b = tmp_path("last.csv");
    static const char rows[] = "event_date,event_type,latitude,longitude,location\n"
                               "2023-11-16,Battles,24.013,97.851,Ruili\n";
    assert_int_equal(write_text(a, rows), 0);
    assert_int_equal(write_text(b, rows), 0);
    char recipe[2048];
    const char *root = bm_ctx_data_root(ctx);
    snprintf(recipe, sizeof recipe,
             "page: {size: A5, dpi: 72}\nextent: {west: 96, south: 20, east: 102, north: 27}\n"
             "layers:\n  - {name: first, source: %s, marker: {shape: circle, size: 5}}\n"
             "  - {name: countries, source: %s/shapes/boundaries/countries.shp, fill: grey}\n"
             "  - {name: divisions, source: %s/shapes/boundaries/admin1.shp, stroke: black}\n"
             "  - {name: last, source: %s, marker: {shape: square, size: 5}}\n",
             a, root, root, b);
    const char *rp = tmp_path("two-threads.yaml");
    assert_int_equal(write_text(rp, recipe), 0);
    struct bm_map *m;
    if (bm_map_load(ctx, rp, &m) != BM_OK)
        fail_msg("%s", bm_ctx_error(ctx));
    char two[4096], one[4096], places[4096];
    const char *p2 = tmp_path("two-threads.png"), *p1 = tmp_path("one-thread.png");
    draw_noting(m, NULL, p2, two, sizeof two);
    struct bm_scene *scene = bm_scene_new(BM_SCENE_VIEW);
    const struct bm_layer *L;
    assert_int_equal(bm_ctx_data_path(ctx, "shapes/places/places.shp", places, sizeof places),
                     BM_OK);
    assert_int_equal(bm_scene_layer(ctx, scene, places, NULL, &L), BM_OK);
    draw_noting(m, scene, p1, one, sizeof one);
    bm_scene_free(scene);
    bm_map_free(m);
    if (strcmp(two, one) != 0)
        fail_msg("warnings on two threads:\n%s\non one:\n%s", two, one);
    const char *wa = strstr(two, "first.csv"), *wb = strstr(two, "last.csv");
    if (!wa || !wb || wb < wa)
        fail_msg("expected the first CSV's warning, then the last's:\n%s", two);
    if (file_hash(p2) == 0 || file_hash(p2) != file_hash(p1))
        fail_msg("the map loaded on two threads differs from the one loaded on one");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_threads_draw_the_same_map),
        cmocka_unit_test(second_thread_loads_as_one_would),
    };
    int failed = cmocka_run_group_tests(tests, test_setup, test_teardown);
    bm_library_cleanup();
    return failed;
}
