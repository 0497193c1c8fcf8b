/* bordermap: where outputs go: checked first, written under a temporary name. */
#include "bordermap/map.h"
#include "core/internal.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/*
 * Every output is written beside its target under a temporary name, then
 * renamed over it: a failure never leaves half a file, and an old file stays
 * until the new one is whole. The folder is checked first, so that the usual
 * mistakes get their own message rather than a library's.
 */
int bm__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* The temporary name of path for process pid: "DIR/.bordermap-PID-NAME". */
static int temporary_name(const char *path, long pid, char *tmp, size_t size)
{
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    int n =
        snprintf(tmp, size, "%.*s.bordermap-%ld-%s", dir_len, path, pid, slash ? slash + 1 : path);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int bm_remove_temporary_files(const char *dir, long pid)
{
    char prefix[64];
    int removed = 0;
    if (temporary_name("", pid, prefix, sizeof prefix) != 0)
        return 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            continue;
        removed += unlink(path) == 0;
    }
    if (d)
        closedir(d);
    return removed;
}

enum bm_status bm__output_begin(struct bm_ctx *ctx, const char *path, char *tmp, size_t size)
{
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    char dir[PATH_MAX];
    struct stat st;
    snprintf(dir, sizeof dir, "%.*s", dir_len ? dir_len : 1, dir_len ? path : ".");
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return bm__fail(ctx, BM_ERR_IO, "cannot write '%s': no folder '%s'; create it first", path,
                        dir);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return bm__fail(ctx, BM_ERR_IO, "cannot write '%s': it is a folder; give a file name",
                        path);
    if (access(dir, W_OK) != 0)
        return bm__fail(ctx, BM_ERR_IO,
                        "cannot write '%s': the folder '%s' is not writable; choose another", path,
                        dir);
    if (temporary_name(path, (long)getpid(), tmp, size) != 0)
        return bm__fail(ctx, BM_ERR_IO, "cannot write '%s': the path is too long", path);
    return BM_OK;
}

/*
 * Why writing failed, asked while the temporary file still takes its room: a
 * disk with (almost) nothing left is full, whatever the library that wrote
 * said. Writes "" when the disk has room.
 */
static void disk_full(const char *tmp, char *why, size_t size)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(tmp, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - tmp + 1) : 1, slash ? tmp : ".");
    struct statvfs sv;
    why[0] = '\0';
    if (statvfs(dir, &sv) == 0 && (double)sv.f_bavail * (double)sv.f_frsize < 1 << 20) {
        char left[32];
        bm__format_bytes(left, sizeof left, (unsigned long long)sv.f_bavail * sv.f_frsize);
        snprintf(why, size,
                 ": the disk is full (%s left in '%s'); free some space or write elsewhere", left,
                 dir);
    }
}

enum bm_status bm__output_end(struct bm_ctx *ctx, const char *tmp, const char *path, int ok)
{
    if (ok && rename(tmp, path) == 0)
        return BM_OK;
    char why[PATH_MAX + 128];
    disk_full(tmp, why, sizeof why);
    unlink(tmp);
    if (bm_ctx_status(ctx) == BM_OK)
        bm__fail(ctx, BM_ERR_IO, "cannot write '%s'%s", path,
                 why[0] ? why : "; check the disk has room and the folder is writable");
    return bm_ctx_status(ctx);
}
