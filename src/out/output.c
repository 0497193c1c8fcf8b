/* bordermap: where outputs go: checked first, written to a private temporary file, renamed. */
#include "bordermap/format.h"
#include "bordermap/map.h"
#include "core/internal.h"

#include <cpl_vsi.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/*
 * Every output is written beside its target to a temporary file, then renamed
 * over it: a failure never leaves half a file, and an old file stays until the
 * new one is whole. The temporary file is made the way a shared folder (one
 * others can write to) needs: under a name nobody can guess (mkostemps: random
 * letters), created by us and only by us (O_CREAT|O_EXCL, which neither follows
 * a symbolic link planted at the name nor opens a file someone made first),
 * readable by us alone while it is written (0600), and written only through
 * the descriptor that made it, never reopened by name. Before the rename it
 * gets the mode a new file would get (0666 less the umask), and the name must
 * still be our file (not one swapped in since). The folder is checked first,
 * so that the usual mistakes get their own message rather than a library's.
 */
int bm__same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* ---- temporary files being written, for a signal handler --------------------------- */

#define MAX_OPEN 32
static struct {
    volatile sig_atomic_t used;
    char name[sizeof ((struct bm__outfile *)0)->tmp];
} open_files[MAX_OPEN];
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;

static void remember(struct bm__outfile *f)
{
    f->slot = -1;
    pthread_mutex_lock(&open_lock);
    for (int i = 0; i < MAX_OPEN; i++)
        if (!open_files[i].used) {
            memcpy(open_files[i].name, f->tmp, sizeof open_files[i].name);
            __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the name is whole before it is used */
            open_files[i].used = 1;
            f->slot = i;
            break;
        }
    pthread_mutex_unlock(&open_lock);
}

static void forget(struct bm__outfile *f)
{
    if (f->slot < 0)
        return;
    pthread_mutex_lock(&open_lock);
    open_files[f->slot].used = 0;
    pthread_mutex_unlock(&open_lock);
    f->slot = -1;
}

void bm_output_remove_temporaries(void)
{
    /* Async-signal-safe: unlink() only, no lock (a slot is used once its name is whole). */
    for (int i = 0; i < MAX_OPEN; i++)
        if (open_files[i].used) {
            unlink(open_files[i].name);
            open_files[i].used = 0;
        }
}

/*
 * The temporary files a process (pid) left in dir: an atlas removes those of a
 * job that was killed. Their names start ".bordermap-PID-". Returns how many.
 */
int bm_remove_temporary_files(const char *dir, long pid)
{
    char prefix[64];
    int removed = 0;
    snprintf(prefix, sizeof prefix, ".bordermap-%ld-", pid);
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

/*
 * Is the disk that holds tmp full? Asked while the temporary file still takes
 * its room: a disk with (almost) nothing left is full, whatever the library
 * that wrote said. Writes the reason in why, or "" when the disk has room.
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
        snprintf(why, size, "the disk is full (%s left in '%s'); free some space or write elsewhere",
                 left, dir);
    }
}

/* ---- opening and closing ------------------------------------------------------------ */

/* The mode a file made now gets: 0666 less the umask (read without changing it). */
static mode_t new_file_mode(void)
{
    mode_t mask = 0;
    int found = 0;
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    while (f && !found && fgets(line, sizeof line, f))
        if (strncmp(line, "Umask:", 6) == 0) {
            char *end;
            long v = strtol(line + 6, &end, 8);
            found = end != line + 6 && v >= 0 && v <= 0777;
            mask = (mode_t)v;
        }
    if (f)
        fclose(f);
    if (!found) { /* no /proc: the umask can only be read by setting it */
        mask = umask(077);
        umask(mask);
    }
    return 0666 & ~mask;
}

enum bm_status bm__output_open(struct bm_ctx *ctx, const char *path, struct bm__outfile *f)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->fd = -1;
    f->slot = -1;
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
    /* DIR/.bordermap-XXXXXX-NAME: the target's name (its first 64 bytes, whole characters)
     * says whose it is; the six random letters make it unguessable. */
    const char *name = slash ? slash + 1 : path;
    size_t keep = strlen(name);
    if (keep > 64) {
        keep = 64;
        while (keep > 0 && ((unsigned char)name[keep] & 0xC0) == 0x80)
            keep--;
    }
    int n = snprintf(f->tmp, sizeof f->tmp, "%.*s.bordermap-%ld-XXXXXX-%.*s", dir_len, path,
                     (long)getpid(), (int)keep, name);
    if (n < 0 || (size_t)n >= sizeof f->tmp)
        return bm__fail(ctx, BM_ERR_IO, "cannot write '%s': the path is too long", path);
    f->fd = mkostemps(f->tmp, (int)keep + 1, O_CLOEXEC);
    if (f->fd < 0) {
        int e = errno;
        f->tmp[0] = 0;
        return bm__fail(ctx, BM_ERR_IO, "cannot write '%s': cannot make a file in '%s' (%s)",
                        path, dir, strerror(e));
    }
    remember(f);
    return BM_OK;
}

int bm__output_write(struct bm__outfile *f, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0 && !f->err) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            f->err = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    return f->err ? -1 : 0;
}

void bm__vsi_folder(char *buf, size_t size)
{
    static unsigned counter;
    unsigned n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    snprintf(buf, size, "/vsimem/bordermap-%ld-%u", (long)getpid(), n);
}

int bm__output_copy_vsi(struct bm__outfile *f, const char *vsi_path)
{
    vsi_l_offset len = 0;
    GByte *data = VSIGetMemFileBuffer(vsi_path, &len, FALSE);
    if (!data) {
        f->err = f->err ? f->err : EIO;
        return -1;
    }
    return bm__output_write(f, data, (size_t)len);
}

enum bm_status bm__output_close(struct bm_ctx *ctx, struct bm__outfile *f, int ok)
{
    if (f->fd < 0) /* never opened: the error is on ctx */
        return bm_ctx_status(ctx) != BM_OK ? bm_ctx_status(ctx) : BM_ERR_IO;
    int e = f->err;
    struct stat mine = {0}, there;
    ok = ok && !e;
    if (ok && fchmod(f->fd, new_file_mode()) != 0)
        ok = 0, e = errno;
    if (ok && fstat(f->fd, &mine) != 0)
        ok = 0, e = errno;
    if (close(f->fd) != 0 && ok) /* a file system may say only now that the disk is full */
        ok = 0, e = errno;
    f->fd = -1;
    /* The name must still be the file we made: in a folder others can write to, someone
     * could have renamed ours away and put something else there. */
    int ours = lstat(f->tmp, &there) == 0 && there.st_dev == mine.st_dev &&
               there.st_ino == mine.st_ino;
    if (ok && !ours) {
        forget(f);
        return bm__fail(ctx, BM_ERR_IO,
                        "cannot write '%s': its temporary file '%s' was replaced while bordermap "
                        "wrote it; write into a folder only you can write to",
                        f->path, f->tmp);
    }
    if (ok && rename(f->tmp, f->path) != 0)
        ok = 0, e = errno;
    char full[PATH_MAX + 128] = "";
    if (!ok) {
        disk_full(f->tmp, full, sizeof full);
        unlink(f->tmp);
    }
    forget(f);
    if (ok)
        return BM_OK;
    if (bm_ctx_status(ctx) == BM_OK || full[0]) {
        bm__begin(ctx); /* a full disk is the cause, whatever the writing library said */
        if (full[0])
            bm__fail(ctx, BM_ERR_IO, "cannot write '%s': %s", f->path, full);
        else if (e)
            bm__fail(ctx, BM_ERR_IO, "cannot write '%s': %s; %s", f->path, strerror(e),
                     e == ENOSPC || e == EDQUOT ? "free some room on the disk"
                                                : "check the folder is writable");
        else
            bm__fail(ctx, BM_ERR_IO,
                     "cannot write '%s'; check the disk has room and the folder is writable",
                     f->path);
    }
    return bm_ctx_status(ctx);
}
