# bordermap tests: what the shell tests share. A test sources it (POSIX sh, so
# that the sh tests can too):
#   . "$(dirname "$0")/lib.sh"
# and runs its checks, each calling fail when it fails; it ends with finish (or
# `exit $status` where the work folder is kept).

# 0, or 1 once a check has failed.
status=0

# fail MESSAGE...: one failed check, said on stdout (ctest's log); the test goes on.
fail() {
    echo "FAIL: $*"
    status=1
}

# finish: the test's work folder ($work) removed when every check passed (kept
# to look at when one failed), and exit with the status.
finish() {
    [ $status = 0 ] && rm -rf "$work"
    exit $status
}
