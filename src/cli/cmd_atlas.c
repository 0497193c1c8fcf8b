/* bordermap program: 'bordermap atlas': one map per feature, in parallel processes. */
#include "cli.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char HELP_ATLAS[] =
    "usage: bordermap atlas RECIPE --layer NAME [--where EXPR] [--field FIELD]\n"
    "                       [--margin KM] [--jobs N] [-o FOLDER] [--format FMT]\n"
    "                       [--shard K/N] [--list]\n"
    "\n"
    "Draw one map per feature of one of the recipe's layers (each border\n"
    "crossing, each corridor segment, ...), framed on the feature with a margin\n"
    "and named after it: FOLDER/NAME.png (.pdf, ...). On a terminal a progress line shows\n"
    "the count, the current name and the time left. RECIPE '-' reads the recipe\n"
    "from stdin (relative sources from the working folder). Ctrl-C or SIGTERM\n"
    "stops every job and leaves no temporary file; finished maps stay.\n"
    "\n"
    "  -l, --layer NAME    the recipe's layer whose features get a map each\n"
    "  -w, --where EXPR    only the features matching this filter: field names,\n"
    "                      'text' and numbers, = != < <= > >=, AND, OR, NOT,\n"
    "                      IN (...), LIKE, IS NULL (no functions, no SQL)\n"
    "  -n, --field FIELD   the field that names the files and titles (default name)\n"
    "  -m, --margin KM     room around each feature, km (default 15)\n"
    "  -j, --jobs N        draw in N processes (default 1)\n"
    "  -o, --output DIR    the folder for the maps (default atlas; made if missing)\n"
    "  -F, --format FMT    the maps' format, by name (default png; see\n"
    "                      'bordermap help formats')\n"
    "  -S, --shard K/N     draw share K of N (K = 0..N-1): the features at places\n"
    "                      K, K+N, K+2N... in feature-id order; the N shards of a\n"
    "                      run never overlap and together draw every map, so N\n"
    "                      machines (a Slurm array, a Kubernetes Indexed Job) can\n"
    "                      share one atlas, each writing its own files\n"
    "  -L, --list          draw nothing: print the maps this run would write, one\n"
    "                      a line: the file's name in the folder, a tab, the\n"
    "                      feature's id\n"
    "\n"
    "examples:\n"
    "  bordermap atlas ruili-muse --layer places --where \"kind = 'crossing'\" --jobs 2\n"
    "  bordermap atlas ruili-muse --layer places --shard $SLURM_ARRAY_TASK_ID/8 -o /shared/atlas\n";

struct atlas {
    const struct cli_recipe *recipe; /* a file, or stdin's text: each map loads it afresh */
    const char *layer, *where, *field, *dir, *format;
    double margin_km;
    int jobs;
    long shard, shards;       /* --shard K/N: this run draws share K of N (0/1: all) */
    int list;                 /* --list: print the names and ids, draw nothing */
    struct bm_scene *scene;   /* every layer the maps draw, loaded whole before the jobs fork */
    const struct bm_layer *L; /* the features that get a map each, from the scene */
    char **names;             /* file name (without extension) per feature */
    size_t *todo;             /* the features this run draws, in feature-id order */
    size_t ntodo;
};

/* A file name from a feature's name: no slashes, no spaces, nothing hidden. */
/*
 * A file name from a feature's name, which is data: control characters and
 * slashes replaced, no leading '.' or '-' (bm_file_name_from), spaces as '-';
 * "feature-N" when nothing is left.
 */
static char *file_name(const char *name, size_t i)
{
    char *s = bm_file_name_from(name, 200);
    if (!s) {
        s = malloc(32);
        if (s)
            snprintf(s, 32, "feature-%zu", i + 1);
        return s;
    }
    for (char *p = s; *p; p++)
        if (*p == ' ')
            *p = '-';
    return s;
}

/*
 * Two features of one name would write one file twice: the second "Muse"
 * becomes "Muse-2", the third "Muse-3" (case ignored, as some file systems
 * do), so that every map has its own file. "Second" in the order of feature
 * ids, so that every shard of a run names a feature alike. Returns 0, or -1
 * out of memory.
 */
static int unique_names(char **names, const size_t *order, size_t n)
{
    GHashTable *taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int bad = 0;
    for (size_t p = 0; !bad && p < n; p++) {
        size_t i = order[p];
        if (!names[i]) {
            bad = 1;
            break;
        }
        char *key = g_utf8_casefold(names[i], -1);
        for (unsigned k = 2; g_hash_table_contains(taken, key); k++) {
            char *next = g_strdup_printf("%s-%u", names[i], k);
            g_free(key);
            key = g_utf8_casefold(next, -1);
            if (!g_hash_table_contains(taken, key)) {
                free(names[i]);
                names[i] = strdup(next);
                bad = !names[i];
            }
            g_free(next);
        }
        g_hash_table_add(taken, key);
    }
    g_hash_table_destroy(taken);
    return bad ? -1 : 0;
}

/* One map: the recipe, framed on feature i. Returns EXIT_OK or EXIT_FAIL (message printed). */
static int one_map(struct bm_ctx *ctx, const struct atlas *a, size_t i, enum bm_format fmt,
                   const char *ext)
{
    struct bm_map *m;
    if (cli_recipe_load(ctx, a->recipe, &m) != BM_OK)
        return cli_fail(ctx);
    struct bm_bbox b = bm_layer_feature_extent(a->L, i);
    double lat = (b.south + b.north) / 2, dlat = a->margin_km / 111.0;
    double dlon = a->margin_km / (111.0 * cos(lat * M_PI / 180));
    struct bm_bbox e = {b.west - dlon, b.south - dlat, b.east + dlon, b.north + dlat};
    char title[512], out[4096];
    snprintf(title, sizeof title, "%s%s%s", bm_map_title(m) ? bm_map_title(m) : "",
             bm_map_title(m) ? ": " : "", a->names[i]);
    snprintf(out, sizeof out, "%s/%s.%s", a->dir, a->names[i], ext);
    int rc = EXIT_OK;
    if (bm_map_set_extent(ctx, m, &e) != BM_OK || bm_map_set_title(ctx, m, title) != BM_OK ||
        bm_map_render_scene(ctx, m, a->scene, fmt, out, NULL) != BM_OK)
        rc = cli_fail(ctx);
    bm_map_free(m);
    return rc;
}

/* Features by id (then by the order they were read in, for ids that repeat). */
static const struct bm_layer *sorting;
static int by_id(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int64_t ia = bm_layer_feature(sorting, a)->fid, ib = bm_layer_feature(sorting, b)->fid;
    return ia < ib ? -1 : ia > ib ? 1 : a < b ? -1 : a > b;
}

/*
 * The features in feature-id order (n of them; NULL out of memory), and in
 * todo those of shard K of N: the ones at places K, K + N, K + 2N, ... of
 * that order. The shards of one run never share a feature and together
 * have them all, whichever order the source gives them in.
 */
static size_t *order_by_id(const struct bm_layer *L, size_t n, long k, long shards, size_t *todo,
                           size_t *ntodo)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    sorting = L;
    qsort(order, n, sizeof *order, by_id);
    *ntodo = 0;
    for (size_t p = (size_t)k; p < n; p += (size_t)shards)
        todo[(*ntodo)++] = order[p];
    return order;
}

/* The progress line: on a terminal only, rewritten in place. */
static void progress(size_t done, size_t total, const char *name, time_t start)
{
    if (!isatty(STDERR_FILENO) || cli_quiet())
        return;
    double spent = difftime(time(NULL), start);
    double left = done ? spent / (double)done * (double)(total - done) : 0;
    fprintf(stderr, "\r[%zu/%zu] %-30.30s %4.0f s left ", done, total, name, left);
    if (done == total)
        fputc('\n', stderr);
}

/*
 * One line for a job that was killed: which maps are missing (the first ten
 * by name, then how many more), so that they can be drawn again.
 */
static void report_missing(const struct atlas *a, const unsigned char *drawn, size_t n, long pid,
                           int sig)
{
    size_t missing = 0, named = 0;
    (void)n;
    for (size_t p = 0; p < a->ntodo; p++)
        missing += !drawn || !drawn[a->todo[p]];
    fprintf(stderr,
            "bordermap: a job of the atlas (process %ld) was killed by signal %d (%s); %zu of %zu "
            "maps were not drawn: ",
            pid, sig, strsignal(sig), missing, a->ntodo);
    for (size_t p = 0; p < a->ntodo && named < 10; p++)
        if (!drawn || !drawn[a->todo[p]])
            fprintf(stderr, "%s%s", named++ ? ", " : "", a->names[a->todo[p]]);
    if (missing > named)
        fprintf(stderr, " and %zu more", missing - named);
    fprintf(stderr, "; run the atlas again to draw them\n");
}

/*
 * Draw the maps of a->todo: job k of N draws its maps k, k + N, ... in its own
 * process, and reports each one done through a pipe to the parent, which
 * keeps the progress line. Returns EXIT_OK when every map was drawn.
 */
static int run_jobs(const struct atlas *a, enum bm_format fmt, const char *ext)
{
    size_t n = bm_layer_feature_count(a->L);
    int fds[2];
    if (pipe(fds) != 0) {
        perror("bordermap: pipe");
        return EXIT_FAIL;
    }
    fflush(NULL);
    int jobs = a->jobs < 1 ? 1 : a->jobs;
    for (int k = 0; k < jobs; k++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("bordermap: fork");
            return EXIT_FAIL;
        }
        if (pid == 0) {
            cli_forget_children();
            close(fds[0]);
            struct bm_ctx *ctx = bm_ctx_new();
            int rc = ctx ? EXIT_OK : EXIT_FAIL;
            for (size_t p = (size_t)k; ctx && p < a->ntodo; p += (size_t)jobs) {
                size_t i = a->todo[p];
                if (one_map(ctx, a, i, fmt, ext) != EXIT_OK) {
                    rc = EXIT_FAIL; /* its message is printed: stop, not one per map */
                    break;
                }
                uint32_t done = (uint32_t)i;
                if (write(fds[1], &done, sizeof done) != sizeof done)
                    rc = EXIT_FAIL;
            }
            bm_ctx_free(ctx);
            _exit(rc);
        }
        cli_track_child(pid);
    }
    close(fds[1]);
    time_t start = time(NULL);
    uint32_t idx;
    size_t done = 0;
    unsigned char *drawn = calloc(n + 1, 1);
    while (read(fds[0], &idx, sizeof idx) == sizeof idx) {
        if (drawn && idx < n)
            drawn[idx] = 1;
        progress(++done, a->ntodo, idx < n ? a->names[idx] : "", start);
    }
    close(fds[0]);
    int rc = done == a->ntodo ? EXIT_OK : EXIT_FAIL, status, killed_by = 0;
    pid_t pid, killed = 0;
    while ((pid = wait(&status)) > 0) {
        if (WIFSIGNALED(status)) {
            /* Killed mid-map: it had no chance to say so, nor to remove its temporary file. */
            killed = pid;
            killed_by = WTERMSIG(status);
            bm_remove_temporary_files(a->dir, (long)pid);
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = EXIT_FAIL;
    }
    if (killed)
        report_missing(a, drawn, n, (long)killed, killed_by);
    free(drawn);
    return rc;
}

enum { SHARDS_MAX = 100000 };

/* "K/N": two whole numbers in decimal, 0 <= K < N <= SHARDS_MAX. Returns 0, or -1. */
static int parse_shard(const char *s, long *k, long *n)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    *k = strtol(s, &end, 10);
    if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
        return -1;
    *n = strtol(end + 1, &end, 10);
    return errno || *end || *n < 1 || *n > SHARDS_MAX || *k >= *n ? -1 : 0;
}

static int parse(int argc, char **argv, struct atlas *a)
{
    static const struct option longopts[] = {
        {"layer", required_argument, NULL, 'l'},  {"where", required_argument, NULL, 'w'},
        {"field", required_argument, NULL, 'n'},  {"margin", required_argument, NULL, 'm'},
        {"jobs", required_argument, NULL, 'j'},   {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'F'}, {"shard", required_argument, NULL, 'S'},
        {"list", no_argument, NULL, 'L'},         {NULL, 0, NULL, 0}};
    int c;
    struct cli_opts opts = {"atlas", "l:w:n:m:j:o:F:S:L", longopts, 0, NULL};
    while ((c = cli_getopt(&opts, argc, argv)) != -1) {
        char *end;
        switch (c) {
        case 'l':
            a->layer = optarg;
            break;
        case 'w':
            a->where = optarg;
            break;
        case 'n':
            a->field = optarg;
            break;
        case 'o':
            a->dir = optarg;
            break;
        case 'F':
            a->format = optarg;
            break;
        case 'm':
            a->margin_km = strtod(optarg, &end);
            if (*end || !(a->margin_km > 0 && a->margin_km <= 2000))
                return cli_usage("atlas", "--margin takes kilometres from 0 to 2000, not '%s'",
                                 optarg);
            break;
        case 'j':
            a->jobs = (int)strtol(optarg, &end, 10);
            if (*end || a->jobs < 1 || a->jobs > 64)
                return cli_usage("atlas", "--jobs takes a number from 1 to 64, not '%s'", optarg);
            break;
        case 'S':
            if (parse_shard(optarg, &a->shard, &a->shards) != 0)
                return cli_usage("atlas",
                                 "--shard takes K/N, share K of N with K from 0 to N-1 and N "
                                 "from 1 to %d, e.g. 0/4 for the first of four; not '%s'",
                                 SHARDS_MAX, optarg);
            break;
        case 'L':
            a->list = 1;
            break;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || !a->layer)
        return cli_usage("atlas", "give one recipe and --layer NAME");
    return EXIT_OK;
}

int cmd_atlas(struct bm_ctx *ctx, int argc, char **argv)
{
    struct atlas a = {.field = "name", .dir = "atlas", .margin_km = 15, .jobs = 1, .shards = 1};
    int rc = parse(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    char names[256];
    const struct bm_format_info *fmt = a.format ? bm_format_from_name(a.format) : bm_format_at(0);
    if (!fmt)
        return cli_usage("atlas", "unknown format '%s' (use %s)", a.format,
                         bm_format_list(names, sizeof names, NULL, false));
    if (a.where && bm_filter_check(ctx, a.where) != BM_OK)
        return cli_fail(ctx);
    struct cli_recipe recipe;
    if ((rc = cli_recipe_get(ctx, argv[optind], &recipe)) != EXIT_OK)
        return rc;
    a.recipe = &recipe;
    struct bm_map *m;
    if (cli_recipe_load(ctx, &recipe, &m) != BM_OK) {
        cli_recipe_free(&recipe);
        return cli_fail(ctx);
    }
    const char *source, *where;
    if (bm_map_layer_source(m, a.layer, &source, &where) != 0) {
        fprintf(stderr, "bordermap: no layer '%s' in '%s'; give one of the recipe's layer names\n",
                a.layer, recipe.path);
        cli_recipe_free(&recipe);
        bm_map_free(m);
        return EXIT_FAIL;
    }
    char filter[2048];
    if (where && a.where)
        snprintf(filter, sizeof filter, "(%s) AND (%s)", where, a.where);
    else
        snprintf(filter, sizeof filter, "%s", where ? where : a.where ? a.where : "");
    struct bm_load_opts lo = {.layer = bm_map_layer_in_source(m, a.layer),
                              .layer_option = "layer:",
                              .where = filter[0] ? filter : NULL,
                              .invalid = BM_INVALID_UNCHECKED};
    /* Loaded once, here: each job draws from what it inherits. */
    a.scene = bm_scene_new(BM_SCENE_WHOLE);
    rc = !a.scene                                                   ? EXIT_FAIL
         : bm_scene_layer(ctx, a.scene, source, &lo, &a.L) != BM_OK ? cli_fail(ctx)
                                                                    : EXIT_OK;
    if (!a.scene)
        fputs("bordermap: out of memory\n", stderr);
    if (rc != EXIT_OK) {
        bm_scene_free(a.scene);
        bm_map_free(m);
        cli_recipe_free(&recipe);
        return rc;
    }
    size_t n = bm_layer_feature_count(a.L);
    struct stat st;
    int nf = bm_layer_field_index(a.L, a.field);
    a.names = calloc(n + 1, sizeof *a.names);
    a.todo = malloc((n + 1) * sizeof *a.todo);
    size_t *order = a.todo ? order_by_id(a.L, n, a.shard, a.shards, a.todo, &a.ntodo) : NULL;
    for (size_t i = 0; a.names && i < n; i++)
        a.names[i] = file_name(nf >= 0 ? bm_layer_attr(a.L, i, (size_t)nf) : NULL, i);
    if (!a.names || !order || unique_names(a.names, order, n) != 0) {
        fputs("bordermap: out of memory\n", stderr);
        rc = EXIT_FAIL;
    }
    free(order);
    char share[64] = "";
    if (a.shards > 1)
        snprintf(share, sizeof share, " (shard %ld/%ld of %zu)", a.shard, a.shards, n);
    if (rc != EXIT_OK) {
        /* said */
    } else if (n == 0) {
        fprintf(stderr, "bordermap: no features in layer '%s' match; nothing to draw\n", a.layer);
        rc = EXIT_FAIL;
    } else if (a.list) {
        /* What this run would draw, one a line: the file's name in the folder, a tab, the id. */
        for (size_t p = 0; p < a.ntodo; p++)
            printf("%s.%s\t%lld\n", a.names[a.todo[p]], fmt->name,
                   (long long)bm_layer_feature(a.L, a.todo[p])->fid);
    } else if (a.ntodo == 0) {
        /* More shards than features (a batch array sized ahead): nothing to do is no failure. */
        cli_note("shard %ld/%ld has no features (the layer has %zu); nothing to draw", a.shard,
                 a.shards, n);
    } else if (mkdir(a.dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "bordermap: cannot make the folder '%s': %s; check the path\n", a.dir,
                strerror(errno));
        rc = EXIT_FAIL;
    } else if (stat(a.dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr,
                "bordermap: cannot write the maps into '%s': it is a file, not a folder; "
                "give a folder with -o\n",
                a.dir);
        rc = EXIT_FAIL;
    } else if (access(a.dir, W_OK) != 0) {
        fprintf(stderr,
                "bordermap: cannot write the maps into '%s': the folder is not writable; "
                "give another with -o\n",
                a.dir);
        rc = EXIT_FAIL;
    } else if (bm_scene_load(ctx, a.scene, m) != BM_OK) {
        rc = cli_fail(ctx);
    } else {
        cli_stage("read the recipe and layer '%s'", a.layer);
        rc = run_jobs(&a, fmt->format, fmt->name);
        cli_stage("draw %zu maps in %d processes", a.ntodo, a.jobs);
        if (rc == EXIT_OK)
            cli_note("wrote %zu maps%s to %s/", a.ntodo, share, a.dir);
    }
    free(a.todo);
    for (size_t i = 0; a.names && i < n; i++)
        free(a.names[i]);
    free(a.names);
    bm_scene_free(a.scene);
    bm_map_free(m);
    cli_recipe_free(&recipe);
    return rc;
}
