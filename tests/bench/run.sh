#!/usr/bin/env bash
# Benchmark (not a test): bordermap beside Mapnik, MapServer and GMT on the
# peers' reference map, then bordermap's own shipped maps, PNG and PDF.
#   tests/bench/run.sh            (after 'make'; the peers need the packages
#                                  listed in ../shared/bench/peers/README.md)
# Prints the peers' table (medians of RUNS runs) and, for our maps, median
# wall seconds and output size. Outputs go to /tmp/bordermap-bench.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bm=$top/build/bordermap
peers=${PEERS:-$top/../shared/bench/peers}
out=/tmp/bordermap-bench
RUNS=${RUNS:-5}
mkdir -p "$out"
[ -x "$bm" ] || { echo "run.sh: build first ('make')" >&2; exit 1; }

if [ -x "$peers/compare.sh" ] || [ -f "$peers/compare.sh" ]; then
    PROJECT_NAME=bordermap PROJECT_OUT=$out/reference.png RUNS=$RUNS \
    PROJECT_CMD="$bm render $top/tests/bench/reference.yaml -o $out/reference.png" \
        bash "$peers/compare.sh"
    PROJECT_NAME=bordermap-pdf PROJECT_OUT=$out/reference.pdf RUNS=$RUNS ONLY=bordermap-pdf \
    PROJECT_CMD="$bm render $top/tests/bench/reference.yaml -o $out/reference.pdf" \
        bash "$peers/compare.sh"
else
    echo "run.sh: no peers at $peers; timing bordermap alone" >&2
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '\n%-28s %8s %10s\n' "bordermap map" "wall s" "bytes"
for recipe in situation ruili-muse corridor print-grey; do
    for fmt in png pdf; do
        f=$out/$recipe.$fmt
        times=$(for i in $(seq "$RUNS"); do
            /usr/bin/time -f %e "$bm" render "$recipe" -o "$f" 2>&1 >/dev/null | tail -1
        done | median)
        printf '%-28s %8s %10s\n' "$recipe.$fmt" "$times" "$(stat -c %s "$f")"
    done
done
