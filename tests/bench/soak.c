/*
 * bordermap soak (a benchmark, not a test): a long day of use in one process.
 *
 *   soak [N [OUTDIR]]     (tests/bench/soak.sh runs it)
 *
 * Through the library API, with one context as a server would keep it, it
 * draws N times (default 1000): the default map (styles/situation.yaml, A4
 * at 300 dpi, PNG), the report of the three shipped maps (PDF), and one atlas
 * map (ruili-muse framed on the Muse crossing, 15 km around it, PNG), into
 * OUTDIR (default /tmp/bm-soak). After the first iteration and every 100 it
 * prints the resident memory, the heap in use (malloc's own count: what a
 * leak grows), the resident huge pages, the open file descriptors, the live PROJ
 * contexts (counted by wrapping proj_context_create/_clone/_destroy: this
 * program exports its own, which the libraries' calls reach first) and the
 * CPU time. It exits 1 when a drawing fails, when the resident memory after
 * iteration N is more than 5 % above that after iteration 100, or when the
 * descriptors or PROJ contexts after 100 iterations are not the same at N.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <proj.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bordermap/bordermap.h"

/* ---- PROJ contexts, counted ---------------------------------------------- */

static atomic_long live_contexts;

PJ_CONTEXT *proj_context_create(void)
{
    static PJ_CONTEXT *(*real)(void);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "proj_context_create");
    PJ_CONTEXT *c = real();
    if (c)
        atomic_fetch_add(&live_contexts, 1);
    return c;
}

PJ_CONTEXT *proj_context_clone(PJ_CONTEXT *ctx)
{
    static PJ_CONTEXT *(*real)(PJ_CONTEXT *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "proj_context_clone");
    PJ_CONTEXT *c = real(ctx);
    if (c)
        atomic_fetch_add(&live_contexts, 1);
    return c;
}

PJ_CONTEXT *proj_context_destroy(PJ_CONTEXT *ctx)
{
    static PJ_CONTEXT *(*real)(PJ_CONTEXT *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "proj_context_destroy");
    /* PROJ's default context (NULL) is not one of ours. */
    if (ctx)
        atomic_fetch_sub(&live_contexts, 1);
    return real(ctx);
}

/* ---- what the process holds ------------------------------------------------ */

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* What malloc holds for the program (glibc's mallinfo2: bytes in use in its arenas and
 * in blocks of their own), kB: a leak grows this; the resident memory also grows with
 * what the heap does not give back and with the kernel's huge pages. */
static long heap_kb(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long)((mi.uordblks + mi.hblkhd) / 1024);
}

/* The resident memory in transparent huge pages (the PNG page asks for them), kB. */
static long huge_kb(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n - 1; /* the folder's own descriptor */
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* ---- one iteration ----------------------------------------------------------- */

static int fail(struct bm_ctx *ctx, long i, const char *what)
{
    fprintf(stderr, "soak: iteration %ld, %s: %s\n", i, what, bm_ctx_error(ctx));
    return -1;
}

static int one_day(struct bm_ctx *ctx, long i, const char *dir, const char *const *recipes,
                   double muse_lat, double muse_lon)
{
    char out[4096];
    struct bm_map *m;
    /* The default map, as 'bordermap render' draws it. */
    snprintf(out, sizeof out, "%s/situation.png", dir);
    if (bm_map_load(ctx, recipes[0], &m) != BM_OK)
        return fail(ctx, i, "loading the default map");
    enum bm_status st = bm_map_render(ctx, m, BM_FORMAT_PNG, out);
    bm_map_free(m);
    if (st != BM_OK)
        return fail(ctx, i, "the default map");
    /* The report of the three shipped maps. */
    snprintf(out, sizeof out, "%s/report.pdf", dir);
    if (bm_report_write(ctx, recipes, 3, out) != BM_OK)
        return fail(ctx, i, "the report");
    /* One atlas map: ruili-muse framed on the Muse crossing, as 'atlas' frames it. */
    snprintf(out, sizeof out, "%s/Muse.png", dir);
    if (bm_map_load(ctx, recipes[1], &m) != BM_OK)
        return fail(ctx, i, "loading the atlas map");
    st = bm_map_set_around(ctx, m, muse_lat, muse_lon, 15);
    if (st == BM_OK)
        st = bm_map_set_title(ctx, m, "Ruili and Muse: Muse");
    if (st == BM_OK)
        st = bm_map_render(ctx, m, BM_FORMAT_PNG, out);
    bm_map_free(m);
    if (st != BM_OK)
        return fail(ctx, i, "the atlas map");
    bm_ctx_clear_warnings(ctx);
    return 0;
}

int main(int argc, char **argv)
{
    char *end;
    long n = argc > 1 ? strtol(argv[1], &end, 10) : 1000;
    if (argc > 1 && (*end || n < 1)) {
        fputs("usage: soak [N] [OUTDIR]\n", stderr);
        return 2;
    }
    const char *dir = argc > 2 ? argv[2] : "/tmp/bm-soak";
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        perror(dir);
        return 2;
    }
    struct bm_ctx *ctx = bm_ctx_new();
    static const char *const names[] = {"styles/situation.yaml", "styles/ruili-muse.yaml",
                                        "styles/corridor.yaml"};
    char paths[3][4096];
    const char *recipes[3];
    for (int k = 0; k < 3; k++) {
        bm_ctx_data_path(ctx, names[k], paths[k], sizeof paths[k]);
        recipes[k] = paths[k];
    }
    struct bm_gazetteer *gz;
    const struct bm_place *muse;
    if (bm_gazetteer_load(ctx, NULL, &gz) != BM_OK ||
        bm_gazetteer_lookup(ctx, gz, "Muse", &muse) != BM_OK)
        return fail(ctx, 0, "the gazetteer"), 1;
    double lat = muse->lat, lon = muse->lon;
    bm_gazetteer_free(gz);

    printf("%10s %10s %10s %10s %6s %14s %10s\n", "iteration", "RSS kB", "heap kB", "huge kB",
           "fds", "PROJ contexts", "CPU s");
    long rss100 = 0, rss = 0;
    int fds100 = 0, fds = 0;
    long proj100 = 0, proj = 0;
    for (long i = 1; i <= n; i++) {
        if (one_day(ctx, i, dir, recipes, lat, lon) != 0)
            return 1;
        if (i == 1 || i % 100 == 0 || i == n) {
            rss = rss_kb();
            fds = open_fds();
            proj = atomic_load(&live_contexts);
            printf("%10ld %10ld %10ld %10ld %6d %14ld %10.1f\n", i, rss, heap_kb(), huge_kb(), fds,
                   proj, cpu_seconds());
            fflush(stdout);
            if (i == 100) {
                rss100 = rss;
                fds100 = fds;
                proj100 = proj;
            }
        }
    }
    bm_ctx_free(ctx);
    bm_library_cleanup();
    if (n < 200) {
        printf("%ld iterations: too few to judge (at least 200)\n", n);
        return 0;
    }
    double growth = (double)(rss - rss100) / (double)rss100;
    int ok = growth <= 0.05 && fds == fds100 && proj == proj100;
    printf("RSS %ld kB after %ld, %ld kB after 100: %+.2f %%; descriptors %d and %d; PROJ "
           "contexts %ld and %ld: %s\n",
           rss, n, rss100, 100 * growth, fds, fds100, proj, proj100, ok ? "steady" : "GROWING");
    return ok ? 0 : 1;
}
