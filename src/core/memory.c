/* bordermap: how much memory a source may take. */
#include "core/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* "512M", "2G", "1048576": binary multiples. Returns 0 when text is a size. */
static int parse_size(const char *text, unsigned long long *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !(v > 0))
        return -1;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (*end && (!u || !*u))
        return -1;
    if (u) {
        for (const char *p = units; p <= u; p++)
            v *= 1024;
        end++;
        if (strcmp(end, "B") == 0 || strcmp(end, "iB") == 0)
            end += strlen(end); /* "512MB", "2GiB" */
    }
    if (*end || v >= 1.8e19)
        return -1;
    *out = (unsigned long long)v;
    return 0;
}

/* MemAvailable from /proc/meminfo, else free pages; 0 when unknown. */
static unsigned long long available_memory(void)
{
    unsigned long long kb = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
                break;
        fclose(f);
    }
    if (kb)
        return kb * 1024;
    long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (unsigned long long)pages * (unsigned long long)size : 0;
}

enum bm_status bm_ctx_memory_limit(struct bm_ctx *ctx, unsigned long long *bytes, const char **what)
{
    const char *env = getenv("BORDERMAP_MEMORY_LIMIT");
    if (env && env[0]) {
        if (parse_size(env, bytes) != 0)
            return bm__fail(ctx, BM_ERR_ARG,
                            "BORDERMAP_MEMORY_LIMIT='%s' is not a size; write bytes or a number "
                            "with K, M, G or T, e.g. 512M, or unset it",
                            env);
        *what = "BORDERMAP_MEMORY_LIMIT allows";
        return BM_OK;
    }
    unsigned long long b = available_memory();
    *what = "available";
    /* Under a ulimit the process gets no more than that, whatever is free. */
    static const int limits[] = {RLIMIT_AS, RLIMIT_DATA};
    for (size_t i = 0; i < 2; i++) {
        struct rlimit rl;
        if (getrlimit(limits[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            (b == 0 || (unsigned long long)rl.rlim_cur < b)) {
            b = (unsigned long long)rl.rlim_cur;
            *what = "the process's ulimit allows";
        }
    }
    *bytes = b ? b : ~0ULL;
    return BM_OK;
}

void bm__format_bytes(char *out, size_t size, unsigned long long bytes)
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, size, "%llu bytes", bytes);
    else
        snprintf(out, size, "%.1f %s", v, units[u]);
}
