#!/usr/bin/env bash
# Benchmark (not a test): every target of issue 15, each beside its peer in the
# same run, with the ratio and "met" or "not met".
#   tests/bench/run.sh                  (after 'make'; MapServer's map2img for
#                                        the reference map, see
#                                        ../shared/bench/peers/README.md)
# env: RUNS=5            timed runs of each command (after one untimed warm-up)
#      BM=path           the bordermap to time (default build/bordermap)
#      BEFORE=path       a second bordermap (an older build) timed in the same
#                        rounds, for a before/after column
#      PEERS=dir         the peers' folder (default ../shared/bench/peers)
#      SKIP_LINEAR=1     leave out the growth table
#      SKIP_CALLGRIND=1  leave out the instruction counts (valgrind; ~1 min)
#
# Method: the commands of one target run in turn, round after round (A B A B
# ...), so that a change of load hits them alike; each run is timed by GNU
# time (wall, user+sys CPU, peak RSS of the largest process); the table shows
# medians. Wall times are only as good as the machine is quiet: the load
# average is printed before and after. Nothing is cached between runs by
# bordermap (it keeps no cache on disk); the OS's file cache is warm after
# the warm-up, for the peers as for us.
# Outputs go to /tmp/bordermap-bench.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bm=${BM:-$top/build/bordermap}
before=${BEFORE:-}
peers=${PEERS:-$top/../shared/bench/peers}
[ -d "$peers" ] || peers=/work/shared/bench/peers
data=$peers/../data
out=/tmp/bordermap-bench
RUNS=${RUNS:-5}
mkdir -p "$out"
[ -x "$bm" ] || { echo "run.sh: build first ('make')" >&2; exit 1; }
[ -z "$before" ] || [ -x "$before" ] || { echo "run.sh: BEFORE=$before is not a program" >&2; exit 1; }
have_ms=0
command -v map2img >/dev/null && [ -f "$peers/mapserver/map.map" ] && have_ms=1
[ $have_ms = 1 ] || echo "run.sh: no map2img or no $peers/mapserver: the MapServer rows say 'no peer'" >&2

median() { sort -g | awk '{a[NR]=$1} END {if (!NR) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# rounds KEY1 'CMD1' KEY2 'CMD2' ...: one warm-up each, then RUNS rounds in
# turn; sets WALL[KEY] CPU[KEY] RSS[KEY] (medians: s, s, MiB).
declare -A WALL CPU RSS
rounds() {
    local keys=() cmds=() i r
    while [ $# -gt 0 ]; do keys+=("$1"); cmds+=("$2"); shift 2; done
    for i in "${!keys[@]}"; do
        : >"$out/${keys[$i]}.time"
        (cd "$out" && eval "${cmds[$i]}") >/dev/null 2>&1 ||
            { echo "run.sh: '${cmds[$i]}' failed (see: cd $out && ${cmds[$i]})" >&2; exit 1; }
    done
    for r in $(seq "$RUNS"); do
        for i in "${!keys[@]}"; do
            (cd "$out" && eval "/usr/bin/time -f '%e %U %S %M' -a -o '$out/${keys[$i]}.time' ${cmds[$i]}") \
                >/dev/null 2>&1
        done
    done
    for i in "${!keys[@]}"; do
        local f=$out/${keys[$i]}.time
        WALL[${keys[$i]}]=$(grep -v '^Command' "$f" | awk '{print $1}' | median)
        CPU[${keys[$i]}]=$(grep -v '^Command' "$f" | awk '{printf "%.3f\n", $2+$3}' | median)
        RSS[${keys[$i]}]=$(grep -v '^Command' "$f" | awk '{printf "%.1f\n", $4/1024}' | median)
    done
}

# row TARGET BUDGET VALUE PEER_TEXT RATIO_OR_VALUE LIMIT [BEFORE_VALUE]: met when
# the compared number is at most LIMIT.
printf -v hdr '%-44s %-18s %9s %9s %12s %7s  %s' target budget before now peer ratio verdict
rows=()
row() {
    local target=$1 budget=$2 now=$3 peer=$4 cmp=$5 limit=$6 was=${7:--}
    local verdict ratio=-
    [ "$peer" = - ] || ratio=$cmp
    if [ "$limit" = - ]; then verdict="-"
    elif [ "$cmp" = nan ] || [ "$limit" = nan ]; then verdict="no peer"
    elif awk -v a="$cmp" -v b="$limit" 'BEGIN {exit !(a <= b)}'; then verdict=met
    else verdict="not met"; fi
    rows+=("$(printf '%-44s %-18s %9s %9s %12s %7s  %s' "$target" "$budget" "$was" "$now" "$peer" "$ratio" "$verdict")")
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == "nan" || b + 0 == 0) print "nan"; else printf "%.2f\n", a / b}'; }

echo "# bordermap: $bm ($("$bm" --version 2>&1 | head -1))"
[ -z "$before" ] || echo "# before:    $before ($("$before" --version 2>&1 | head -1))"
echo "# $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); RUNS=$RUNS, medians of rounds in turn"

ref=$top/tests/bench/reference.yaml
ms="map2img -conf $peers/mapserver/mapserver.conf -m $peers/mapserver/map.map"

# ---- 1. the reference map, PNG and PDF, beside MapServer ---------------------
args=(bm "$bm render $ref -o $out/reference.png")
[ -z "$before" ] || args+=(was "$before render $ref -o $out/reference-before.png")
[ $have_ms = 0 ] || args+=(ms "$ms -o $out/mapserver.png")
rounds "${args[@]}"
msw=${WALL[ms]:-nan} msc=${CPU[ms]:-nan} msr=${RSS[ms]:-nan}
row "reference map PNG, wall" "<= 0.5x MapServer" "${WALL[bm]}" "$msw s" "$(ratio "${WALL[bm]}" "$msw")" 0.5 "${WALL[was]:--}"
row "reference map PNG, CPU user+sys" "<= 0.6x MapServer" "${CPU[bm]}" "$msc s" "$(ratio "${CPU[bm]}" "$msc")" 0.6 "${CPU[was]:--}"
row "reference map PNG, peak memory MiB" "<= 1x MapServer" "${RSS[bm]}" "$msr MiB" "$(ratio "${RSS[bm]}" "$msr")" 1.0 "${RSS[was]:--}"

args=(bm "$bm render $ref -o $out/reference.pdf")
[ -z "$before" ] || args+=(was "$before render $ref -o $out/reference-before.pdf")
[ $have_ms = 0 ] || args+=(ms "$ms -i pdf -o $out/mapserver.pdf")
unset 'WALL[was]' 'CPU[was]' 'WALL[ms]' 'CPU[ms]'
rounds "${args[@]}"
msw=${WALL[ms]:-nan} msc=${CPU[ms]:-nan}
row "reference map PDF, wall" "<= 0.4x MapServer" "${WALL[bm]}" "$msw s" "$(ratio "${WALL[bm]}" "$msw")" 0.4 "${WALL[was]:--}"
row "reference map PDF, CPU user+sys" "(<= 0.4x, as wall)" "${CPU[bm]}" "$msc s" "$(ratio "${CPU[bm]}" "$msc")" 0.4 "${CPU[was]:--}"
pdfsz=$(awk -v b="$(stat -c %s "$out/reference.pdf")" 'BEGIN {printf "%.3f\n", b / 1e6}')
wassz=-
[ -z "$before" ] || wassz=$(awk -v b="$(stat -c %s "$out/reference-before.pdf")" 'BEGIN {printf "%.3f\n", b / 1e6}')
mssz=nan
[ $have_ms = 0 ] || mssz=$(awk -v b="$(stat -c %s "$out/mapserver.pdf")" 'BEGIN {printf "%.3f\n", b / 1e6}')
row "reference map PDF, size MB" "< 0.2 MB" "$pdfsz" "$mssz MB" "$pdfsz" 0.2 "$wassz"

# ---- 2. the default situation map, fixed budgets ------------------------------
for fmt in png pdf; do
    args=(bm "$bm render situation -o $out/situation.$fmt")
    [ -z "$before" ] || args+=(was "$before render situation -o $out/situation-before.$fmt")
    rounds "${args[@]}"
    lim=0.5
    [ $fmt = pdf ] && lim=0.4
    row "situation map $(echo $fmt | tr a-z A-Z) (300 dpi), wall s" "<= $lim s" "${WALL[bm]}" - "${WALL[bm]}" $lim "${WALL[was]:--}"
    row "situation map $(echo $fmt | tr a-z A-Z), CPU user+sys s" "(as wall)" "${CPU[bm]}" - "${CPU[bm]}" $lim "${CPU[was]:--}"
done

# ---- 3. near --border --within 20 ----------------------------------------------
args=(bm "$bm near --border --within 20")
[ -z "$before" ] || args+=(was "$before near --border --within 20")
rounds "${args[@]}"
row "near --border --within 20, wall s" "<= 0.15 s" "${WALL[bm]}" - "${WALL[bm]}" 0.15 "${WALL[was]:--}"
row "near --border --within 20, CPU s" "(as wall)" "${CPU[bm]}" - "${CPU[bm]}" 0.15 "${CPU[was]:--}"

# ---- 4. atlas: 22 maps, --jobs 2 -----------------------------------------------
# The shipped gazetteer has 3 crossings today; the issue's atlas was 22 maps,
# so the benchmark draws the 22 capitals and cities of places on the Ruili-Muse
# recipe (same scale, same layers), which is the same work per map.
where="kind IN ('capital', 'city')"
acmd() { printf '%s atlas ruili-muse --layer places --where "%s" --jobs 2 -o %s' "$1" "$where" "$2"; }
rm -rf "$out/atlas" "$out/atlas-before"
args=(bm "$(acmd "$bm" "$out/atlas")")
[ -z "$before" ] || args+=(was "$(acmd "$before" "$out/atlas-before")")
RUNS_SAVED=$RUNS
RUNS=$(( RUNS < 3 ? RUNS : 3 ))
rounds "${args[@]}"
RUNS=$RUNS_SAVED
nmaps=$(ls "$out/atlas" | wc -l)
row "atlas of $nmaps maps, --jobs 2, wall s" "<= 6 s" "${WALL[bm]}" - "${WALL[bm]}" 6 "${WALL[was]:--}"
row "atlas of $nmaps maps, CPU user+sys s" "(as wall)" "${CPU[bm]}" - "${CPU[bm]}" 6 "${CPU[was]:--}"

# ---- 5. instructions (callgrind): the same work counted, whatever the load ---------
# Valgrind counts the instructions a process runs in user space (not the kernel's
# page faults): one run each, stable to a fraction of a percent under any load.
instr() {  # command... -> instructions, or nan
    (cd "$out" && valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null) |
        awk '/refs:/ {gsub(",", "", $NF); print $NF; found = 1} END {if (!found) print "nan"}'
}
gi() { awk -v a="$1" 'BEGIN {if (a == "nan") print "nan"; else printf "%.3f\n", a / 1e9}'; }
if [ -z "${SKIP_CALLGRIND:-}" ] && command -v valgrind >/dev/null; then
    ibm=$(instr "$bm" render "$ref" -o "$out/reference-cg.png")
    iwas=-
    [ -z "$before" ] || iwas=$(gi "$(instr "$before" render "$ref" -o "$out/reference-cg-before.png")")
    ims=nan
    [ $have_ms = 0 ] || ims=$(instr map2img -conf "$peers/mapserver/mapserver.conf" -m "$peers/mapserver/map.map" -o "$out/mapserver-cg.png")
    row "reference map PNG, G instructions" "(<= 0.6x, as CPU)" "$(gi "$ibm")" "$(gi "$ims") G" "$(ratio "$ibm" "$ims")" 0.6 "$iwas"
    inr=$(instr "$bm" near --border --within 20)
    iwas=-
    [ -z "$before" ] || iwas=$(gi "$(instr "$before" near --border --within 20)")
    row "near --border --within 20, G instructions" "(no budget)" "$(gi "$inr")" - "$(gi "$inr")" - "$iwas"
fi

echo
echo "$hdr"
printf '%s\n' "${rows[@]}"
echo "(before: BEFORE=${before:-unset}; times in s, medians; CPU = user+sys of the whole process tree)"

# ---- 5. growth: pixels and vertices ---------------------------------------------
[ -n "${SKIP_LINEAR:-}" ] && { echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"; exit 0; }
# Cost per unit may fall (fixed costs spread) but must not rise: growth is
# "linear" when cost(k x) / cost(1 x) <= 1.15 k.
dense=$out/countries_4x.shp
if [ ! -s "$dense" ]; then
    # every segment cut in 4 (3 points inserted evenly): exactly 4x the segments
    rm -f "$out"/countries_4x.* "$out/countries_wkt.csv"
    ogr2ogr -f CSV -lco GEOMETRY=AS_WKT -select A3 "$out/countries_wkt.csv" "$data/countries_osm.shp"
    python3 - "$out/countries_wkt.csv" "$out/countries_4x.csv" <<'EOF'
import csv, re, sys
csv.field_size_limit(1 << 30)
def dens(ring):
    pts = [tuple(map(float, p.split())) for p in ring.split(',')]
    o = [pts[0]]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        for k in (1, 2, 3):
            o.append((x0 + (x1 - x0) * k / 4, y0 + (y1 - y0) * k / 4))
        o.append((x1, y1))
    return ','.join('%.9f %.9f' % p for p in o)
with open(sys.argv[1]) as f, open(sys.argv[2], 'w', newline='') as g:
    r, w = csv.reader(f), csv.writer(g)
    w.writerow(next(r))
    for row in r:
        row[0] = re.sub(r'\(([^()]+)\)', lambda m: '(' + dens(m.group(1)) + ')', row[0])
        w.writerow(row)
EOF
    ogr2ogr -a_srs EPSG:4326 -nlt PROMOTE_TO_MULTI -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO \
        "$dense" "$out/countries_4x.csv"
fi
npts() { ogrinfo -q -dialect sqlite -sql "SELECT sum(ST_NPoints(geometry)) AS n FROM $2" "$1" | awk '/n \(Integer\)/ {print $4}'; }
v1=$(npts "$data/countries_osm.shp" countries_osm)
v4=$(npts "$dense" countries_4x)
sed -e "s|source: .*countries_osm.shp|source: $data/countries_osm.shp|" \
    -e "s|source: .*border_cn_mm_osm.shp|source: $data/border_cn_mm_osm.shp|" "$ref" >"$out/ref-1x.yaml"
sed -e "s|source: .*countries_osm.shp|source: $dense|" "$out/ref-1x.yaml" >"$out/ref-4x.yaml"
for dpi in 150 600; do
    sed -e "s|dpi: 300|dpi: $dpi|" "$out/ref-1x.yaml" >"$out/ref-$dpi.yaml"
done
rounds d150 "$bm render $out/ref-150.yaml -o $out/ref-150.png" \
       d300 "$bm render $out/ref-1x.yaml -o $out/ref-300.png" \
       d600 "$bm render $out/ref-600.yaml -o $out/ref-600.png" \
       v4 "$bm render $out/ref-4x.yaml -o $out/ref-4x.png"
echo
echo "growth (reference map PNG; CPU user+sys s, medians; linear: cost ratio <= 1.15 x size ratio)"
printf '%-30s %14s %9s %9s %10s  %s\n' case size "CPU s" "wall s" "cost ratio" verdict
grow() {  # label size size_ratio key base_key
    local c r v
    c=${CPU[$4]}
    r=$(ratio "$c" "${CPU[$5]}")
    if awk -v a="$r" -v k="$3" 'BEGIN {exit !(a <= 1.15 * k)}'; then v=met; else v="not met"; fi
    [ "$4" = "$5" ] && { r=1.00; v=-; }
    printf '%-30s %14s %9s %9s %10s  %s\n' "$1" "$2" "$c" "${WALL[$4]}" "$r x (size ${3}x)" "$v"
}
px() { file -b "$1" | sed -E 's/^PNG image data, ([0-9]+) x ([0-9]+).*/\1 \2/' | awk '{printf "%.1f Mpx\n", $1 * $2 / 1e6}'; }
p150=$(px "$out/ref-150.png") p300=$(px "$out/ref-300.png") p600=$(px "$out/ref-600.png")
grow "150 dpi (1x pixels)" "$p150" 1 d150 d150
grow "300 dpi (4x pixels)" "$p300" 4 d300 d150
grow "600 dpi (16x pixels)" "$p600" 16 d600 d150
grow "countries 1x vertices, 300 dpi" "$v1 pts" 1 d300 d300
grow "countries 4x vertices, 300 dpi" "$v4 pts" "$(ratio "$v4" "$v1")" v4 d300
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
