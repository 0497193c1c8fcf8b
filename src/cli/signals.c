/* bordermap program: SIGINT, SIGTERM and SIGHUP stop it without leaving a temporary file. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * What the handler removes besides the library's temporary files: at most
 * two paths of the program's own (a file, then its folder), and the atlas's
 * jobs it stops and waits for. Written before they are used, read by the
 * handler only: a slot counts once its text is whole.
 */
enum { MAX_PATHS = 2, MAX_CHILDREN = 64 };
static char paths[MAX_PATHS][PATH_MAX];
static volatile sig_atomic_t npaths;
static volatile pid_t children[MAX_CHILDREN];
static volatile sig_atomic_t nchildren;

static void on_signal(int sig)
{
    int saved = errno;
    /* The atlas's jobs first: each removes its own temporary file as it stops. */
    for (sig_atomic_t i = 0; i < nchildren; i++)
        if (children[i] > 0)
            kill(children[i], sig);
    for (sig_atomic_t i = 0; i < nchildren; i++)
        if (children[i] > 0)
            while (waitpid(children[i], NULL, 0) < 0 && errno == EINTR)
                ;
    bm_output_remove_temporaries();
    for (sig_atomic_t i = 0; i < npaths; i++) {
        if (unlink(paths[i]) != 0)
            rmdir(paths[i]);
    }
    errno = saved;
    /* Stop as the signal would have: the shell sees 130 for SIGINT, 143 for SIGTERM. */
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        /* A signal the program was started ignoring (nohup, a background job) stays ignored. */
        if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
            sigaddset(&sa.sa_mask, sigs[k]); /* one handler at a time */
        sigaction(sigs[i], &sa, NULL);
    }
}

void cli_cleanup_path(const char *path)
{
    if (!path) {
        npaths = 0;
        return;
    }
    if (npaths >= MAX_PATHS || strlen(path) >= PATH_MAX)
        return;
    memcpy(paths[npaths], path, strlen(path) + 1);
    npaths = npaths + 1;
}

void cli_track_child(pid_t pid)
{
    if (nchildren < MAX_CHILDREN) {
        children[nchildren] = pid;
        nchildren = nchildren + 1;
    }
}

void cli_forget_children(void)
{
    nchildren = 0;
}
