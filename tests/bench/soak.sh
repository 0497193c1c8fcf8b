#!/usr/bin/env bash
# Soak (a benchmark, not a test): a long day of use in one process.
#   tests/bench/soak.sh [N]      (after 'make'; N defaults to 1000)
# Builds the driver (tests/bench/soak.c) in build/ and runs it at nice 19: the
# default map, the report and one atlas map, N times through the library API,
# printing resident memory, heap in use (what a leak grows), resident huge pages,
# open descriptors, live PROJ contexts and CPU time
# after the first iteration and every 100. Exits 1 when the memory after N is
# more than 5 % above that after 100, or the descriptors or contexts change.
# It takes about 4 CPU-seconds an iteration. Outputs go to a temporary folder,
# removed at the end.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$top/build" ] || { echo "soak.sh: build first ('make')" >&2; exit 1; }
cmake --build "$top/build" --target soak >/dev/null
out=$(mktemp -d /tmp/bm-soak-XXXXXX)
trap 'rm -rf "$out"' EXIT
BORDERMAP_DATA=$top nice -n 19 /usr/bin/time -f 'CPU %U s user, %S s system; peak RSS %M kB' \
    "$top/build/tests/soak" "${1:-1000}" "$out"
