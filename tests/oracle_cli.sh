#!/usr/bin/env bash
# The program's numbers against independent oracles, one case per ctest test:
#   oracle_cli.sh CASE BORDERMAP WORKDIR
# CASE is one of:
#   measure   `bordermap measure --format json`: each border stretch, the border's
#             total and each pipeline and rail segment, against GeographicLib's
#             Planimeter -l on the vertices as GDAL reads them (ogr2ogr)
#   distance  `measure distance --format json`: each leg and the total against
#             GeodSolve -i on the positions it names
#   near      `near --within 20` lists exactly the features (tests/oracle/near_ruili.csv:
#             3 to 49 km from Ruili, one at 20.01 and one at 20.5) and the gazetteer
#             places that GeodSolve puts within 20 km, with the same distances
#   dates     the date range, inclusive at both ends (tests/oracle/dates.*), from
#             --from/--to, from the recipe's from:/to:, and with one bound only:
#             the PDF's text (pdftotext) holds the dates of the events drawn
#   invalid   --invalid keep|repair|skip on a bow-tie (tests/oracle/bowtie.geojson):
#             keep (measure's default) measures the ring as the source holds it
#             (Planimeter on it), repair measures its two triangles (Planimeter on
#             each, the crossing computed here), skip leaves it out with a warning;
#             near finds a point inside the bow-tie unless it is skipped
# Run from ctest with BORDERMAP_DATA set to the source tree.
set -uo pipefail
what=$1 bm=$2 work=$3
src=${BORDERMAP_DATA:?BORDERMAP_DATA must name the source tree}
oracle=$src/tests/oracle
rm -rf "$work" && mkdir -p "$work" || exit 1
. "$(dirname "$0")/lib.sh"

# Is |a - b| within rel * |b| + abs? (awk: doubles)
close_to() {
    awk -v a="$1" -v b="$2" -v rel="$3" -v abs="${4:-0}" \
        'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(d <= rel * m + abs) }'
}

# The length (m) of each feature of a line source, by Planimeter -l over each
# part: "name<TAB>metres" lines, in the source's order.
planimeter_lengths() {
    ogr2ogr -f GeoJSON /vsistdout/ "$1" -lco SIGNIFICANT_FIGURES=17 |
        jq -r '.features[] | .properties.name as $n |
               (if .geometry.type == "LineString" then [.geometry.coordinates]
                else .geometry.coordinates end)[] |
               $n + "\t" + (map("\(.[1]) \(.[0])") | join(";"))' |
        while IFS=$'\t' read -r name points; do
            len=$(tr ';' '\n' <<<"$points" | Planimeter -l -p 9 | awk '{ print $2 }')
            printf '%s\t%s\n' "$name" "$len"
        done |
        awk -F'\t' '{ sum[$1] += $2; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
                    END { for (i = 0; i < n; i++) printf "%s\t%.9f\n", order[i], sum[order[i]] }'
}

case $what in
measure)
    "$bm" measure --format json >"$work/measure.json" || fail "measure exited $?"
    # The border, stretch by stretch, then the total: to 1 mm per 1000 km (1e-9).
    planimeter_lengths "$src/shapes/boundaries/border_cn_mm.shp" >"$work/border.tsv"
    [ "$(wc -l <"$work/border.tsv")" -ge 3 ] || fail "border_cn_mm.shp: fewer than 3 stretches"
    [ "$(jq '.border.stretches | length' "$work/measure.json")" = "$(wc -l <"$work/border.tsv")" ] ||
        fail "measure lists $(jq '.border.stretches | length' "$work/measure.json") stretches, the file holds $(wc -l <"$work/border.tsv")"
    total=0
    while IFS=$'\t' read -r name want; do
        got=$(jq -r --arg n "$name" '.border.stretches[] | select(.name == $n) | .length.metres' \
            "$work/measure.json")
        if [ -z "$got" ]; then
            fail "no stretch '$name' in measure's JSON"
        elif ! close_to "$got" "$want" 1e-9; then
            fail "stretch '$name': measure says $got m, Planimeter $want m"
        fi
        total=$(awk -v a="$total" -v b="$want" 'BEGIN { printf "%.9f", a + b }')
    done <"$work/border.tsv"
    got=$(jq -r '.border.total.metres' "$work/measure.json")
    close_to "$got" "$total" 1e-9 || fail "border total: measure says $got m, Planimeter $total m"
    # The same in the JSON's own units (km).
    km=$(jq -r '.border.total.km' "$work/measure.json")
    close_to "$km" "$(awk -v t="$total" 'BEGIN { printf "%.12f", t / 1000 }')" 1e-9 ||
        fail "border total: $km km is not $total m"
    # Each pipeline section and rail segment.
    n=0
    for layer in infrastructure/pipelines infrastructure/rail; do
        while IFS=$'\t' read -r name want; do
            n=$((n + 1))
            got=$(jq -r --arg n "$name" '.corridor[] | select(.name == $n) | .measured.metres' \
                "$work/measure.json")
            if [ -z "$got" ]; then
                fail "no corridor row '$name' in measure's JSON"
            elif ! close_to "$got" "$want" 1e-9; then
                fail "'$name': measure says $got m, Planimeter $want m"
            fi
        done < <(planimeter_lengths "$src/shapes/$layer.shp")
    done
    [ "$(jq '.corridor | length' "$work/measure.json")" = "$n" ] ||
        fail "measure lists $(jq '.corridor | length' "$work/measure.json") corridor rows, the files hold $n"
    ;;

distance)
    "$bm" measure distance Ruili Lashio 22.0,96.1 Naypyidaw --format json >"$work/legs.json" ||
        fail "measure distance exited $?"
    [ "$(jq '.legs | length' "$work/legs.json")" = 3 ] || fail "not 3 legs"
    sum=0
    for i in 0 1 2; do
        read -r lat1 lon1 lat2 lon2 got az <<<"$(jq -r --argjson i $i \
            '.legs[$i] | "\(.from_latlon[0]) \(.from_latlon[1]) \(.to_latlon[0]) \(.to_latlon[1]) \(.distance.metres) \(.azimuth_initial)"' \
            "$work/legs.json")"
        read -r azi1 azi2 s12 <<<"$(echo "$lat1 $lon1 $lat2 $lon2" | GeodSolve -i -p 9)"
        close_to "$got" "$s12" 1e-9 || fail "leg $i: measure says $got m, GeodSolve $s12 m"
        # The same bearing, whatever the convention (-180..180 or 0..360).
        awk -v a="$az" -v b="$azi1" 'BEGIN { d = a - b; d -= 360 * int(d / 360);
            if (d > 180) d -= 360; if (d < -180) d += 360; exit !(d < 1e-7 && d > -1e-7) }' ||
            fail "leg $i: azimuth $az, GeodSolve $azi1"
        sum=$(awk -v a="$sum" -v b="$s12" 'BEGIN { printf "%.9f", a + b }')
    done
    got=$(jq -r '.total.metres' "$work/legs.json")
    close_to "$got" "$sum" 1e-9 || fail "total: measure says $got m, GeodSolve $sum m"
    ;;

near)
    # Ruili as the gazetteer holds it, read by GDAL.
    ogr2ogr -f CSV /vsistdout/ "$src/shapes/places/places.shp" -lco GEOMETRY=AS_XY \
        -lco SEPARATOR=TAB -select name >"$work/places.tsv"
    read -r rlon rlat <<<"$(awk -F'\t' '$3 == "Ruili" { print $1, $2 }' "$work/places.tsv")"
    [ -n "$rlat" ] || fail "no Ruili in places.shp"
    # within: the names (and distances) GeodSolve puts within 20 km of Ruili, from
    # "lat lon name" lines on stdin, sorted by name.
    within() {
        while read -r lat lon name; do
            s12=$(echo "$rlat $rlon $lat $lon" | GeodSolve -i -p 9 | awk '{ print $3 }')
            awk -v s="$s12" 'BEGIN { exit !(s <= 20000) }' && printf '%s\t%s\n' "$name" "$s12"
        done | sort
    }
    # 1. The fixture, as a --layer: 3, 12, 19.5 and 19.99 km in; 20.01, 20.5, 35, 49 km out.
    "$bm" near Ruili --layer "$oracle/near_ruili.csv" --within 20 --format json >"$work/near.json" ||
        fail "near --layer exited $?"
    awk -F, 'NR > 1 { print $3, $4, $1 }' "$oracle/near_ruili.csv" | within >"$work/want.tsv"
    jq -r '.results[] | "\(.name)\t\(.distance.metres)"' "$work/near.json" | sort >"$work/got.tsv"
    [ "$(cut -f1 "$work/want.tsv" | paste -sd,)" = "at-12km,at-19.5km,at-19.99km,at-3km" ] ||
        fail "GeodSolve's own list is not the fixture's 4 inner points: $(cut -f1 "$work/want.tsv" | paste -sd,)"
    [ "$(cut -f1 "$work/got.tsv")" = "$(cut -f1 "$work/want.tsv")" ] ||
        fail "near --within 20 lists $(cut -f1 "$work/got.tsv" | paste -sd,); GeodSolve: $(cut -f1 "$work/want.tsv" | paste -sd,)"
    grep -q 'at-20.5km' "$work/got.tsv" && fail "the place at 20.5 km is listed"
    paste "$work/got.tsv" "$work/want.tsv" | while IFS=$'\t' read -r n1 d1 n2 d2; do
        close_to "$d1" "$d2" 1e-9 1e-6 || echo "FAIL: $n1: near says $d1 m, GeodSolve $d2 m"
    done | grep . && status=1
    # 2. The gazetteer: every place GeodSolve puts within 20 km of Ruili (but Ruili).
    "$bm" near Ruili --within 20 --format json >"$work/near2.json" || fail "near exited $?"
    awk -F'\t' 'NR > 1 && $3 != "Ruili" { print $2, $1, $3 }' "$work/places.tsv" | within |
        cut -f1 >"$work/want2.txt"
    jq -r '.results[].name' "$work/near2.json" | sort >"$work/got2.txt"
    [ -s "$work/want2.txt" ] || fail "no gazetteer place within 20 km of Ruili to check"
    cmp -s "$work/got2.txt" "$work/want2.txt" ||
        fail "near Ruili --within 20 lists $(paste -sd, "$work/got2.txt"); GeodSolve: $(paste -sd, "$work/want2.txt")"
    # The table says the same, with the radius it was given.
    "$bm" near Ruili --layer "$oracle/near_ruili.csv" --within 20 >"$work/near.txt"
    grep -q '^Within 20 km of Ruili: 4$' "$work/near.txt" || fail "the table's head: $(head -1 "$work/near.txt")"
    ;;

dates)
    # expect ARGS... -- PRESENT... -- ABSENT...: render the fixture, read the PDF's text.
    n=0
    expect() {
        local args=() present=() absent=() part=0
        for a in "$@"; do
            if [ "$a" = -- ]; then part=$((part + 1)); continue; fi
            case $part in 0) args+=("$a") ;; 1) present+=("$a") ;; *) absent+=("$a") ;; esac
        done
        n=$((n + 1))
        local pdf=$work/dates$n.pdf
        if ! "$bm" render "${args[@]}" -o "$pdf" >/dev/null 2>"$work/err$n.txt"; then
            fail "render ${args[*]}: $(cat "$work/err$n.txt")"
            return
        fi
        pdftotext -raw -enc UTF-8 "$pdf" "$work/dates$n.txt"
        for d in "${present[@]}"; do
            grep -qF "$d" "$work/dates$n.txt" || fail "render ${args[*]}: the event of $d is not drawn"
        done
        for d in "${absent[@]}"; do
            grep -qF "$d" "$work/dates$n.txt" && fail "render ${args[*]}: the event of $d is drawn"
        done
    }
    all=(2023-10-31 2023-11-01 2023-11-15 2023-11-30 2023-12-01)
    expect "$oracle/dates.yaml" -- "${all[@]}" --
    expect "$oracle/dates.yaml" --from 2023-11-01 --to 2023-11-30 \
        -- 2023-11-01 2023-11-15 2023-11-30 -- 2023-10-31 2023-12-01
    expect "$oracle/dates_keys.yaml" -- 2023-11-01 2023-11-15 2023-11-30 -- 2023-10-31 2023-12-01
    expect "$oracle/dates.yaml" --to 2023-11-15 -- 2023-10-31 2023-11-01 2023-11-15 \
        -- 2023-11-30 2023-12-01
    expect "$oracle/dates.yaml" --from 2023-11-15 -- 2023-11-15 2023-11-30 2023-12-01 \
        -- 2023-10-31 2023-11-01
    # A bound on the command line replaces the recipe's; the other stays.
    expect "$oracle/dates_keys.yaml" --to 2023-11-29 -- 2023-11-01 2023-11-15 \
        -- 2023-10-31 2023-11-30 2023-12-01
    ;;

invalid)
    fix=$oracle/bowtie.geojson
    # |area| (m^2) of the polygon through the "lat lon" lines on stdin (Planimeter signs it).
    area() { Planimeter -p 9 | awk '{ a = $3; printf "%.9f\n", a < 0 ? -a : a }'; }
    # The ring 97,22.5 -> 99,24 -> 99,22 -> 97,23.5 crosses itself where the lines
    # y = 22.5 + 0.75 (x - 97) and y = 22 + 0.75 (99 - x) meet: x = 97 + 2/3, y = 23.
    read -r xlon xlat <<<"$(awk 'BEGIN { x = (22 + 0.75 * 99 - 22.5 + 0.75 * 97) / 1.5;
        printf "%.17g %.17g", x, 22.5 + 0.75 * (x - 97) }')"
    as_held=$(printf '22.5 97\n24 99\n22 99\n23.5 97\n' | area)
    left=$(printf '22.5 97\n%s %s\n23.5 97\n' "$xlat" "$xlon" | area)
    right=$(printf '%s %s\n24 99\n22 99\n' "$xlat" "$xlon" | area)
    square=$(printf '22 100\n22 101\n23 101\n23 100\n' | area)
    two=$(awk -v a="$left" -v b="$right" 'BEGIN { printf "%.9f", a + b }')
    # bowtie POLICY WANT-BOWTIE (m^2, or "none") WANT-STDERR: one run of measure layer.
    bowtie() {
        local args=(measure layer "$fix" --format json)
        [ "$1" = default ] || args+=(--invalid "$1")
        "$bm" "${args[@]}" >"$work/$1.json" 2>"$work/$1.err" || fail "$1: measure exited $?"
        got=$(jq -r '.features[] | select(.name == "bow-tie") | .square_metres' "$work/$1.json")
        sq=$(jq -r '.features[] | select(.name == "square") | .square_metres' "$work/$1.json")
        if [ "$2" = none ]; then
            [ -z "$got" ] || fail "$1: the bow-tie is measured ($got m^2)"
        else
            close_to "$got" "$2" 1e-9 || fail "$1: the bow-tie is $got m^2, Planimeter $2 m^2"
        fi
        close_to "$sq" "$square" 1e-9 || fail "$1: the square is $sq m^2, Planimeter $square m^2"
        [ "$(cat "$work/$1.err")" = "$3" ] || fail "$1: stderr is '$(cat "$work/$1.err")', not '$3'"
    }
    awk -v a="$as_held" -v b="$two" 'BEGIN { exit !(b > 1.5 * a) }' ||
        fail "the oracle's bow-tie as held ($as_held) and repaired ($two) are too close to tell"
    bowtie default "$as_held" ""
    bowtie keep "$as_held" ""
    bowtie repair "$two" "bordermap: warning: '$fix': 1 invalid polygon(s) repaired (first: feature 0)"
    bowtie skip none "bordermap: warning: '$fix': 1 invalid polygon(s) skipped (first: feature 0)"
    # near: a point inside the bow-tie's larger triangle is at 0, inside it, unless skipped.
    "$bm" near 23.0,98.5 --source "$fix" --within 1 --format csv >"$work/near.csv" ||
        fail "near exited $?"
    grep -q '^bow-tie,.*inside' "$work/near.csv" || fail "near: not inside the bow-tie: $(cat "$work/near.csv")"
    "$bm" near 23.0,98.5 --source "$fix" --within 1 --format csv --invalid skip >"$work/near.csv" \
        2>"$work/near.err" || fail "near --invalid skip exited $?"
    grep -q 'bow-tie' "$work/near.csv" && fail "near --invalid skip lists the bow-tie"
    grep -q '1 invalid polygon(s) skipped' "$work/near.err" || fail "near --invalid skip: no warning"
    ;;

*)
    echo "oracle_cli.sh: no case '$what'" >&2
    exit 2
    ;;
esac
finish
