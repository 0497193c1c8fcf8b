#!/bin/sh
# One CLI case for ctest:
#   cli_case.sh EXIT STDOUT STDERR PROGRAM [ARGS...]
# Runs PROGRAM with ARGS and checks its exit status; that stdout contains the
# fixed text STDOUT (or, for "!TEXT", does not contain TEXT); and that stderr is exactly the one line STDERR, or one
# line containing the text after "~" when STDERR starts with "~", or has a line
# containing the text after "+" (among others) when it starts with "+". "-" skips a
# check; "" for STDERR demands an empty stderr.
want_exit=$1 want_out=$2 want_err=$3
shift 3
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
got=$?
status=0
if [ "$got" != "$want_exit" ]; then
    echo "exit status $got, expected $want_exit"; status=1
fi
if [ "${want_out#!}" != "$want_out" ]; then
    if grep -qF -- "${want_out#!}" "$out"; then
        echo "stdout has what it must not: ${want_out#!}"; status=1
    fi
elif [ "$want_out" != "-" ] && ! grep -qF -- "$want_out" "$out"; then
    echo "stdout lacks: $want_out"; status=1
fi
if [ "$want_err" != "-" ]; then
    if [ -z "$want_err" ]; then
        [ -s "$err" ] && { echo "stderr not empty"; status=1; }
    elif [ "${want_err#+}" != "$want_err" ]; then
        if ! grep -qF -- "${want_err#+}" "$err"; then
            echo "stderr lacks: ${want_err#+}"; status=1
        fi
    elif [ "${want_err#\~}" != "$want_err" ]; then
        if [ "$(wc -l <"$err")" != 1 ] || ! grep -qF -- "${want_err#\~}" "$err"; then
            echo "stderr is not one line containing: ${want_err#\~}"; status=1
        fi
    elif [ "$(cat "$err")" != "$want_err" ]; then
        echo "stderr is not the expected one line:"; echo "  expected: $want_err"; status=1
    fi
fi
# NO_FILE=path: the command must not have left that file behind.
if [ -n "${NO_FILE:-}" ] && [ -e "$NO_FILE" ]; then
    echo "left a file behind: $NO_FILE"; status=1; rm -f "$NO_FILE"
fi
if [ $status != 0 ]; then
    echo "--- command: $*"; echo "--- stdout:"; head -40 "$out"; echo "--- stderr:"; cat "$err"
fi
exit $status
