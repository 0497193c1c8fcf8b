# bordermap security tests: what connections.sh, network.sh and pg_attacks.sh
# share (POSIX sh). A test sources it, in its work folder, as
#   . "$here/lib.sh"
# and sets, before run_case: bin (the program), want (its exit status) and err
# (its whole stderr), '-' for either when it is not checked.

# start_server WHAT SCRIPT ARGS...: start `python3 SCRIPT ARGS port log`, a server on
# 127.0.0.1 that writes its port to ./port and what it was asked to ./log; wait up
# to 5 s for the port, in $port; the server is killed when the test exits.
start_server() {
    what=$1
    shift
    python3 "$@" port log &
    server=$!
    trap 'kill $server 2>/dev/null' EXIT
    for i in $(seq 1 100); do [ -s port ] && break; sleep 0.05; done
    [ -s port ] || { echo "the $what server did not start"; exit 1; }
    : >>log
    port=$(cat port)
}

# recipe LAYER SOURCE [WHERE]: map.yaml, a small map of one layer named LAYER, read
# from SOURCE (as the recipe writes it: quoted), filtered by WHERE when given.
# Its source is at line 6, column 13, and WHERE at line 7, column 12.
recipe() {
    where=
    [ $# -lt 3 ] || where="
    where: \"$3\""
    cat >map.yaml <<YAML
title: t
page: {size: 148x105mm, dpi: 72}
extent: {west: 97, south: 23, east: 99, north: 25}
layers:
  - name: $1
    source: "$2"$where
furniture: {legend: none, inset: none, north_arrow: none, scalebar: none}
YAML
}

# run_case ARGS...: run "$bin" ARGS, stdout to ./out, stderr to ./err; its exit
# status in $got; status 1 when it is not $want or stderr is not $err.
run_case() {
    "$bin" "$@" >out 2>err
    got=$?
    status=0
    if [ "$want" != - ] && [ "$got" != "$want" ]; then echo "exit status $got, expected $want"; status=1; fi
    if [ "$err" != - ] && [ "$(cat err)" != "$err" ]; then
        echo "stderr is not the expected line:"; echo "  expected: $err"; status=1
    fi
}

# finish ARGS...: when a check failed, show the command (ARGS) and what it printed;
# exit with the status.
finish() {
    if [ $status != 0 ]; then
        echo "--- bordermap $*"; echo "--- stdout:"; head -20 out; echo "--- stderr:"; cat err
    fi
    exit $status
}
