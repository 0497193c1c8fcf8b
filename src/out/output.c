/* bordermap: where outputs go: checked first, written under a temporary name. */
#include "core/internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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
    int n = snprintf(tmp, size, "%.*s.bordermap-%ld-%s", dir_len, path, (long)getpid(),
                     slash ? slash + 1 : path);
    if (n < 0 || (size_t)n >= size)
        return bm__fail(ctx, BM_ERR_IO, "cannot write '%s': the path is too long", path);
    return BM_OK;
}

enum bm_status bm__output_end(struct bm_ctx *ctx, const char *tmp, const char *path, int ok)
{
    if (ok && rename(tmp, path) == 0)
        return BM_OK;
    unlink(tmp);
    if (bm_ctx_status(ctx) == BM_OK)
        bm__fail(ctx, BM_ERR_IO,
                 "cannot write '%s'; check the disk has room and the folder is writable", path);
    return bm_ctx_status(ctx);
}
