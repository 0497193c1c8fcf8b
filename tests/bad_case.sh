#!/bin/sh
# One bad-input case for ctest:
#   bad_case.sh CORPUS WORK EXIT STDERR PROGRAM [ARGS...]
# Copies the corpus folder CORPUS into a fresh folder WORK, runs SETUP (shell
# code, if set) there, then runs PROGRAM with ARGS inside WORK and checks:
#   - the exit status is EXIT;
#   - stderr is exactly the one line STDERR, or one line containing the text
#     after "~" when STDERR starts with "~" (a bad input gets one clear line);
#   - nothing in WORK changed: no file appeared (not even a temporary one),
#     none vanished and none changed a byte; so no output was left behind and
#     no input was touched. The corpus folder itself is checked the same way.
# LOCKED=DIR makes the folder DIR (made inside WORK) unwritable: by its mode,
# and, as root (whom modes do not stop), by mounting it read-only in a mount
# namespace of the command's own, or failing that by running as nobody.
corpus=$1 work=$2 want_exit=$3 want_err=$4
shift 4
rm -rf "$work"
mkdir -p "$work" || exit 1
cp -R "$corpus"/. "$work"/ || exit 1
cd "$work" || exit 1
if [ -n "${SETUP:-}" ]; then
    sh -c "$SETUP" || { echo "set-up failed: $SETUP"; exit 1; }
fi

# Every path under a folder with its type, size, mode, time and content checksum
# (the checksum of files up to 64 MB: a sparse 1 TB file is not read through);
# a folder's time is left out, as a temporary file made and removed changes it.
snapshot() {
    (cd "$1" && find . \( -type f -size -64M -exec sh -c 'for f; do
        printf "%s %s\n" "$(stat -c "%F %s %a %Y" "$f")" "$(cksum <"$f")  $f"; done' sh {} + \) \
        -o \( -type f -exec stat -c '%F %s %a %Y %n' {} + \) \
        -o \( ! -type f -exec stat -c '%F %a %n' {} + \)) | sort
}
before_work=$(mktemp) before_corpus=$(mktemp) out=$(mktemp) err=$(mktemp) after=$(mktemp)
trap 'rm -f "$before_work" "$before_corpus" "$out" "$err" "$after"' EXIT
snapshot "$corpus" >"$before_corpus"

if [ -n "${LOCKED:-}" ]; then
    mkdir -p "$LOCKED" && chmod 555 "$LOCKED" || exit 1
fi
snapshot . >"$before_work"
if [ -n "${LOCKED:-}" ] && [ "$(id -u)" = 0 ]; then
    if unshare -m sh -c 'mount --bind -o ro "$0" "$0"' "$PWD/$LOCKED" 2>/dev/null; then
        unshare -m sh -c 'mount --bind -o ro "$0" "$0" && exec "$@"' "$PWD/$LOCKED" "$@" \
            >"$out" 2>"$err"
    else
        setpriv --reuid=nobody --regid=nogroup --clear-groups "$@" >"$out" 2>"$err"
    fi
else
    "$@" >"$out" 2>"$err"
fi
got=$?

status=0
if [ "$got" != "$want_exit" ]; then
    echo "exit status $got, expected $want_exit"; status=1
fi
if [ "$(wc -l <"$err")" != 1 ]; then
    echo "stderr is $(wc -l <"$err") lines, not one"; status=1
fi
if [ "${want_err#\~}" != "$want_err" ]; then
    grep -qF -- "${want_err#\~}" "$err" || { echo "stderr lacks: ${want_err#\~}"; status=1; }
elif [ "$(cat "$err")" != "$want_err" ]; then
    echo "stderr is not the expected line:"; echo "  expected: $want_err"; status=1
fi
snapshot . >"$after"
if ! cmp -s "$before_work" "$after"; then
    echo "files changed in $work (< before, > after):"; diff "$before_work" "$after"; status=1
fi
snapshot "$corpus" >"$after"
if ! cmp -s "$before_corpus" "$after"; then
    echo "the corpus folder changed (< before, > after):"; diff "$before_corpus" "$after"; status=1
fi
if [ $status != 0 ]; then
    echo "--- in $work: $*"; echo "--- stdout:"; head -20 "$out"; echo "--- stderr:"; cat "$err"
fi
exit $status
