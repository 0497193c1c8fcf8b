/* bordermap program: the shared options, messages on stderr, and the end of stdout. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* -1 quiet, 0 normal, 1 verbose: the program's one setting outside a command. */
static int verbosity;
/* -v: when the previous stage ended, and when the program started. */
static struct timespec stage_wall, stage_cpu, start_wall, start_cpu;

struct cli_out cli_out_default(void)
{
    struct cli_out o = {FORMAT_TABLE, {"km", "kilometres", 1000.0}};
    return o;
}

int cli_quiet(void)
{
    return verbosity < 0;
}

int cli_verbose(void)
{
    return verbosity > 0;
}

static int set_verbosity(const char *arg)
{
    if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0)
        verbosity = -1;
    else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0)
        verbosity = 1;
    else
        return 0;
    return 1;
}

int cli_global_options(int argc, char **argv)
{
    clock_gettime(CLOCK_MONOTONIC, &start_wall);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start_cpu);
    stage_wall = start_wall;
    stage_cpu = start_cpu;
    int n = 0;
    while (n + 1 < argc && set_verbosity(argv[n + 1]))
        n++;
    return n;
}

void cli_note(const char *fmt, ...)
{
    if (cli_quiet())
        return;
    va_list ap;
    fputs("bordermap: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static double seconds_since(struct timespec *since, clockid_t clock, int reset)
{
    struct timespec now;
    clock_gettime(clock, &now);
    double s = (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
    if (reset)
        *since = now;
    return s;
}

void cli_stage(const char *fmt, ...)
{
    if (!cli_verbose())
        return;
    double wall = seconds_since(&stage_wall, CLOCK_MONOTONIC, 1);
    double cpu = seconds_since(&stage_cpu, CLOCK_PROCESS_CPUTIME_ID, 1);
    va_list ap;
    fputs("bordermap: time: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %.3f s (cpu %.3f s)\n", wall, cpu);
}

/* -v: the whole run, once, at the end. */
static void total_time(void)
{
    if (!cli_verbose())
        return;
    double wall = seconds_since(&start_wall, CLOCK_MONOTONIC, 0);
    double cpu = seconds_since(&start_cpu, CLOCK_PROCESS_CPUTIME_ID, 0);
    fprintf(stderr, "bordermap: time: total: %.3f s (cpu %.3f s)\n", wall, cpu);
}

/* The first error writing stdout: stdio does not keep it, and its cause is the message. */
static int stdout_errno;

static ssize_t write_stdout(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(STDOUT_FILENO, buf + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            stdout_errno = stdout_errno ? stdout_errno : n < 0 ? errno : EIO;
            /* What was written, 0 for nothing: fopencookie's write must never return a
             * negative count (glibc then copies past the buffer of a large fwrite). */
            return (ssize_t)done;
        }
        done += (size_t)n;
    }
    return (ssize_t)size;
}

void cli_watch_stdout(void)
{
    /* stdout through a stream of our own over the same descriptor, buffered as stdio
     * would, that notes why a write failed. */
    FILE *f = fopencookie(NULL, "w", (cookie_io_functions_t){.write = write_stdout});
    if (!f)
        return;
    setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
    stdout = f;
}

int cli_is_terminal(FILE *out)
{
    int fd = out == stdout ? STDOUT_FILENO : fileno(out);
    return fd >= 0 && isatty(fd);
}

int cli_finish_stdout(void)
{
    int bad = fflush(stdout) != 0 || ferror(stdout);
    total_time();
    if (!bad)
        return EXIT_OK;
    int e = stdout_errno ? stdout_errno : EIO;
    fprintf(stderr, "bordermap: cannot write to standard output: %s; %s\n", strerror(e),
            e == ENOSPC  ? "free some room on the disk, or send the output elsewhere"
            : e == EPIPE ? "the program reading the output stopped before the end"
                         : "check where the output goes");
    return EXIT_FAIL;
}

int cli_fail(const struct bm_ctx *ctx)
{
    const char *msg = bm_ctx_error(ctx);
    fprintf(stderr, "bordermap: %s\n", msg[0] ? msg : "failed (no message)");
    return EXIT_FAIL;
}

int cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    char msg[2048], shown[2048];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* The arguments quoted may hold a connection string: never print a password; nor
     * the control characters an argument may hold (an escape sequence for the terminal). */
    bm_redact_to(msg, shown, sizeof shown);
    char *safe = bm_has_control(shown) ? bm_escape(shown) : NULL;
    fprintf(stderr, "bordermap: %s", safe ? safe : shown);
    free(safe);
    if (command)
        fprintf(stderr, "; see 'bordermap help %s'\n", command);
    else
        fputs("; see 'bordermap --help'\n", stderr);
    return EXIT_USAGE;
}

void cli_warnings(struct bm_ctx *ctx)
{
    for (size_t i = 0; !cli_quiet() && i < bm_ctx_warning_count(ctx); i++)
        fprintf(stderr, "bordermap: warning: %s\n", bm_ctx_warning(ctx, i));
    bm_ctx_clear_warnings(ctx);
}

/* ---- the shared options ---------------------------------------------------------- */

static int parse_format(const char *s, unsigned shared, enum cli_format *out)
{
    static const char *const names[] = {"table", "csv", "json", "geojson"};
    int n = shared & CLI_GEOJSON ? 4 : 3;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum cli_format)i;
            return 0;
        }
    return -1;
}

int cli_parse_units(const char *s, struct cli_units *out)
{
    static const struct cli_units units[] = {
        {"km", "kilometres", 1000.0}, {"mi", "miles", 1609.344}, {"nmi", "nautical miles", 1852.0}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(s, units[i].name) == 0) {
            *out = units[i];
            return 0;
        }
    return -1;
}

int cli_getopt(const struct cli_opts *o, int argc, char **argv)
{
    static const struct option shared_long[] = {{"format", required_argument, NULL, 'f'},
                                                {"units", required_argument, NULL, 'u'},
                                                {"quiet", no_argument, NULL, 'q'},
                                                {"verbose", no_argument, NULL, 'v'}};
    /* The command's options and the shared ones, rebuilt alike on every call. */
    char shorts[256];
    struct option longs[64];
    size_t nl = 0;
    snprintf(shorts, sizeof shorts, ":%s%s%sqv", o->shortopts ? o->shortopts : "",
             o->shared & CLI_FORMAT ? "f:" : "", o->shared & CLI_UNITS ? "u:" : "");
    for (const struct option *p = o->longopts; p && p->name && nl < 59; p++)
        longs[nl++] = *p;
    for (size_t i = 0; i < 4; i++)
        if ((i != 0 || o->shared & CLI_FORMAT) && (i != 1 || o->shared & CLI_UNITS))
            longs[nl++] = shared_long[i];
    longs[nl] = (struct option){0};
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, shorts, longs, NULL);
        const char *option = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
        switch (c) {
        case 'f':
            if (!(o->shared & CLI_FORMAT))
                return c;
            if (parse_format(optarg, o->shared, &o->out->format) != 0) {
                cli_usage(o->command, "unknown format '%s' (use %s)", optarg,
                          o->shared & CLI_GEOJSON ? "table, csv, json or geojson"
                                                  : "table, csv or json");
                return CLI_BAD_OPTION;
            }
            break;
        case 'u':
            if (!(o->shared & CLI_UNITS))
                return c;
            if (cli_parse_units(optarg, &o->out->units) != 0) {
                cli_usage(o->command, "unknown units '%s' (use km, mi or nmi)", optarg);
                return CLI_BAD_OPTION;
            }
            break;
        case 'q':
        case 'v':
            set_verbosity(c == 'q' ? "-q" : "-v");
            break;
        case ':':
            cli_usage(o->command, "option '%s' needs a value", option);
            return CLI_BAD_OPTION;
        case '?':
            cli_usage(o->command, "unknown option '%s'", option);
            return CLI_BAD_OPTION;
        default:
            return c;
        }
    }
}

int cli_parse_invalid(const char *command, const char *s, enum bm_invalid_policy *out)
{
    if (strcmp(s, "repair") == 0)
        *out = BM_INVALID_REPAIR;
    else if (strcmp(s, "skip") == 0)
        *out = BM_INVALID_SKIP;
    else if (strcmp(s, "keep") == 0)
        *out = BM_INVALID_UNCHECKED; /* as held: not checked, so it costs nothing */
    else
        return cli_usage(command, "--invalid takes repair, keep or skip, not '%s'", s);
    return 0;
}

/*
 * A shipped layer by its name, as 'bordermap layers' lists it ("water/rivers",
 * or the bare "rivers"), when no file of that name is here: its path under
 * the data root, in one of a few buffers that live as long as the program (a
 * command names at most a few sources). Anything else (a file that exists, a
 * name with an extension, a connection) is given back as it is.
 */
const char *cli_source_path(struct bm_ctx *ctx, const char *given)
{
    static char found[8][4096];
    static unsigned next;
    static const char *const dirs[] = {"",        "boundaries/", "infrastructure/",
                                       "places/", "water/",      "relief/"};
    static const char *const exts[] = {".shp", ".tif"};
    struct stat st;
    const char *base = strrchr(given, '/');
    if (!given[0] || strpbrk(given, ":= ") || strchr(base ? base : given, '.') ||
        stat(given, &st) == 0 || strlen(given) > 256)
        return given;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        if (d > 0 && base) /* "water/rivers" names its folder */
            break;
        for (size_t e = 0; e < 2; e++) {
            char rel[512], *out = found[next % 8];
            snprintf(rel, sizeof rel, "shapes/%s%s%s", dirs[d], given, exts[e]);
            if (bm_ctx_data_path(ctx, rel, out, sizeof found[0]) == BM_OK && stat(out, &st) == 0 &&
                S_ISREG(st.st_mode)) {
                next++;
                return out;
            }
        }
    }
    return given;
}
