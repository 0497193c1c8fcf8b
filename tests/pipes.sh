#!/usr/bin/env bash
# Pipelines and interruptions, one case per ctest test, with real pipes and signals:
#   pipes.sh CASE BORDERMAP WORKDIR
# CASE is one of:
#   png          render -o - --format png | file -: a PNG image, nothing on stderr, and the
#                same bytes as the map written to a file.
#   pdf          render -o - --format pdf | pdftotext - -: the map's title is there.
#   stdin        cat RECIPE | render - -o FILE in the recipe's folder: the same bytes as
#                the recipe read from its file; from another folder its relative sources
#                resolve against the working folder (one line naming <stdin>); a recipe
#                from stdin drawn to stdout (svg) and an atlas from stdin.
#   full         render -o - > /dev/full, and into a pipe closed after 8 bytes: exit 1,
#                one line, no folder left in $TMPDIR.
#   terminal     render -o - --format png on a terminal (script(1)): refused with one
#                line, exit 2; svg (text) is written.
#   interrupted  report (SIGINT), render to a file (SIGTERM), render -o - (SIGINT) and an
#                atlas of 2 jobs (SIGINT, then SIGTERM, to the parent alone; SIGINT to its
#                process group, as Ctrl-C sends it), each stopped
#                while a temporary file is there: the shell's status of the signal
#                (130, 143), no temporary file or folder left, no target written, no job
#                left running, and the maps the atlas finished decode whole.
#   shards       atlas --shard K/N: three shards (in their own folders and in one) give
#                exactly the files of one unsharded run, byte for byte; each is places
#                K, K+3, ... of the feature-id order ogrinfo gives; --list prints the
#                names and ids of what a run or a shard writes; an empty shard exits 0;
#                a GeoJSON read in reverse id order is still listed and split by id.
# Run from ctest with BORDERMAP_DATA set to the source tree.
set -uo pipefail
what=$1 bm=$2 work=$3
src=${BORDERMAP_DATA:?BORDERMAP_DATA must name the source tree}
map=$src/tests/faults/map.yaml
. "$(dirname "$0")/lib.sh"
rm -rf "$work" && mkdir -p "$work/tmp" || exit 1
export TMPDIR=$work/tmp

# one_line FILE PATTERN: FILE is exactly one line matching the extended regex.
one_line() {
    if [ "$(wc -l <"$1")" != 1 ] || ! grep -qE -- "$2" "$1"; then
        fail "$(basename "$1"): not one line matching '$2':"
        sed 's/^/    /' "$1" | head -5
    fi
}

# no_temporaries: nothing of bordermap's left in $work or $TMPDIR.
no_temporaries() {
    local left
    left=$(find "$work" -name '.bordermap-*' -o -path "$TMPDIR/*" | paste -sd, -)
    [ -z "$left" ] || fail "$1: left behind: $left"
}

case $what in
png)
    "$bm" render "$map" -o - --format png 2>"$work/png.err" | file - >"$work/file.out"
    grep -q '^/dev/stdin: PNG image data' "$work/file.out" ||
        fail "file(1) says: $(cat "$work/file.out")"
    [ -s "$work/png.err" ] && fail "stderr is not empty: $(head -3 "$work/png.err")"
    "$bm" render "$map" -o - --format png >"$work/piped.png" 2>/dev/null
    "$bm" -q render "$map" -o "$work/file.png"
    cmp -s "$work/piped.png" "$work/file.png" || fail "the piped PNG differs from the file"
    no_temporaries png
    ;;

pdf)
    "$bm" render -o - --format pdf 2>"$work/pdf.err" | pdftotext - - >"$work/pdf.txt"
    grep -q 'China–Myanmar border region' "$work/pdf.txt" ||
        fail "pdftotext finds no title in: $(head -3 "$work/pdf.txt")"
    [ -s "$work/pdf.err" ] && fail "stderr is not empty: $(head -3 "$work/pdf.err")"
    no_temporaries pdf
    ;;

stdin)
    cd "$(dirname "$map")" || exit 1
    "$bm" -q render "$map" -o "$work/file.png" || fail "render of the file failed"
    cat "$map" | "$bm" render - -o "$work/stdin.png" 2>"$work/stdin.err"
    rc=$?
    [ "$rc" = 0 ] || fail "cat recipe | render - exited $rc: $(cat "$work/stdin.err")"
    cmp -s "$work/file.png" "$work/stdin.png" || fail "the map from stdin differs from the file's"
    # Elsewhere, the recipe's ../../shapes/... is looked for from the working folder.
    cd "$work" || exit 1
    cat "$map" | "$bm" render - -o "$work/elsewhere.png" 2>"$work/elsewhere.err"
    rc=$?
    [ "$rc" = 1 ] || fail "a recipe from stdin with sources relative to another folder: exit $rc"
    one_line "$work/elsewhere.err" "^bordermap: <stdin>:[0-9]+:[0-9]+: source '\.\./\.\./shapes/boundaries/countries\.shp' not found \(looked in \./ and the data root\); check the path$"
    [ -e "$work/elsewhere.png" ] && fail "a map was written from a recipe that failed"
    # Both ends: a recipe in, an SVG out, with the title given on the command line.
    cd "$(dirname "$map")" || exit 1
    cat "$map" | "$bm" render - -o - --format svg --title "Piped through" >"$work/both.svg" ||
        fail "cat recipe | render - -o - failed"
    grep -q '<svg' "$work/both.svg" || fail "no SVG on stdout"
    # An atlas from stdin: each job draws from the text read once.
    cat "$map" | "$bm" -q atlas - --layer capitals --jobs 2 -o "$work/atlas" ||
        fail "cat recipe | atlas - failed"
    [ "$(ls "$work/atlas" | wc -l)" = 7 ] || fail "the atlas from stdin has $(ls "$work/atlas" | wc -l) maps, not 7"
    "$bm" -q atlas "$map" --layer capitals -o "$work/atlas-file"
    for f in "$work/atlas-file"/*; do
        cmp -s "$f" "$work/atlas/$(basename "$f")" || fail "atlas from stdin: $(basename "$f") differs"
    done
    no_temporaries stdin
    ;;

full)
    "$bm" render "$map" -o - --format png >/dev/full 2>"$work/full.err"
    rc=$?
    [ "$rc" = 1 ] || fail "render -o - > /dev/full exited $rc, expected 1"
    one_line "$work/full.err" "^bordermap: cannot write to standard output: No space left on device; free some room on the disk, or send the output elsewhere$"
    # A reader that stops early: a closed pipe is a write error too, not a silent signal.
    "$bm" render "$map" -o - --format png 2>"$work/pipe.err" | head -c 8 >/dev/null
    rc=${PIPESTATUS[0]}
    [ "$rc" = 1 ] || fail "render -o - | head -c 8 exited $rc, expected 1"
    one_line "$work/pipe.err" "^bordermap: cannot write to standard output: Broken pipe; the program reading the output stopped before the end$"
    no_temporaries full
    ;;

terminal)
    command -v script >/dev/null || { echo "FAIL: script(1) is missing (util-linux)"; exit 1; }
    script -qec "'$bm' render '$map' -o - --format png" /dev/null >"$work/tty.out" 2>&1
    rc=$?
    [ "$rc" = 2 ] || fail "a PNG to a terminal: exit $rc, expected 2"
    tr -d '\r' <"$work/tty.out" >"$work/tty.txt"
    one_line "$work/tty.txt" "^bordermap: will not write a PNG image to a terminal; send stdout to a file or a pipe \(-o - \| \.\.\.\), or give -o FILE; see 'bordermap help render'$"
    script -qec "'$bm' render '$map' -o - --format svg" /dev/null >"$work/svg.out" 2>&1 ||
        fail "an SVG to a terminal was refused: $(head -2 "$work/svg.out")"
    grep -q '<svg' "$work/svg.out" || fail "no SVG on the terminal"
    no_temporaries terminal
    ;;

interrupted)
    set -m # background jobs keep SIGINT (without job control, a shell ignores it in them)
    # stop NAME SIGNAL WATCH ARGS...: run bordermap ARGS; when a temporary file appears under
    # WATCH, send SIGNAL to bordermap (alone); check its status and what is left.
    stop() {
        local name=$1 sig=$2 watch=$3 want
        shift 3
        "$bm" "$@" >"$work/$name.out" 2>"$work/$name.err" &
        local pid=$! seen= kids=
        for _ in $(seq 1200); do
            if [ -n "$(find "$watch" -name '.bordermap-*' 2>/dev/null)" ]; then
                seen=1
                break
            fi
            sleep 0.05
        done
        [ -n "$seen" ] || fail "$name: never saw a temporary file under $watch"
        kids=$(pgrep -P "$pid" | paste -sd' ' -)
        # A name ending in "group": the whole process group, as Ctrl-C on a terminal does
        # (with job control, the background job is a group of its own: its id is $pid).
        if [ "${name%group}" != "$name" ]; then kill -"$sig" -- "-$pid"; else kill -"$sig" "$pid"; fi
        wait "$pid"
        rc=$?
        want=$((128 + $(kill -l "$sig")))
        [ "$rc" = "$want" ] || fail "$name: exit status $rc after SIG$sig, expected $want"
        [ -s "$work/$name.out" ] && fail "$name: wrote to stdout: $(head -c 100 "$work/$name.out")"
        for k in $kids; do
            kill -0 "$k" 2>/dev/null && fail "$name: job $k still runs after its atlas stopped"
        done
        no_temporaries "$name"
    }
    mkdir -p "$work/report" "$work/render"
    stop report INT "$work/report" report -o "$work/report/report.pdf"
    [ -e "$work/report/report.pdf" ] && fail "report: the report was written"
    stop render TERM "$work/render" render "$map" --dpi 300 -o "$work/render/map.pdf"
    [ -e "$work/render/map.pdf" ] && fail "render: the map was written"
    stop stdout INT "$TMPDIR" render "$map" -o - --format pdf
    for sig in INT TERM INTgroup; do
        stop "atlas$sig" "${sig%group}" "$work/atlas$sig" atlas "$map" --layer capitals --jobs 2 \
            --format pdf -o "$work/atlas$sig"
        for f in "$work/atlas$sig"/*.pdf; do
            [ -e "$f" ] || continue
            pdftoppm -r 10 -png "$f" "$work/page" 2>"$work/pdftoppm.err" && [ ! -s "$work/pdftoppm.err" ] ||
                fail "atlas$sig: $(basename "$f") does not decode"
        done
    done
    ;;

shards)
    # The oracle: GDAL's own reader gives each capital's FID and name.
    ogrinfo -q -al -where "kind = 'capital'" "$src/shapes/places/places.shp" |
        grep -E '^OGRFeature|^  name \(' | paste - - |
        sed -E 's/^OGRFeature\(places\):([0-9]+)[[:space:]]+name \(String\) = (.*)$/\2\t\1/' |
        sed 's/ /-/g; s/\t/.png\t/' | sort -t"$(printf '\t')" -k2,2n >"$work/oracle.txt"
    [ "$(wc -l <"$work/oracle.txt")" = 7 ] || fail "ogrinfo found $(wc -l <"$work/oracle.txt") capitals, not 7"
    "$bm" -q atlas "$map" --layer capitals -o "$work/whole" || fail "the unsharded atlas failed"
    "$bm" atlas "$map" --layer capitals --list >"$work/list.txt" 2>"$work/list.err" ||
        fail "--list failed: $(cat "$work/list.err")"
    [ -s "$work/list.err" ] && fail "--list wrote on stderr: $(head -2 "$work/list.err")"
    cmp -s "$work/list.txt" "$work/oracle.txt" ||
        fail "--list is not the capitals' names and ids in id order: $(diff "$work/oracle.txt" "$work/list.txt" | head -5)"
    [ "$(cut -f1 "$work/list.txt" | sort)" = "$(ls "$work/whole" | sort)" ] ||
        fail "--list names other files than the atlas writes"
    : >"$work/lists.txt"
    for k in 0 1 2; do
        "$bm" atlas "$map" --layer capitals --shard "$k/3" --jobs 2 -o "$work/shard$k" \
            2>"$work/shard$k.err" || fail "shard $k/3 failed: $(cat "$work/shard$k.err")"
        "$bm" atlas "$map" --layer capitals --shard "$k/3" -o "$work/shard$k" --list \
            >"$work/list$k.txt" || fail "--list --shard $k/3 failed"
        [ "$(cut -f1 "$work/list$k.txt" | sort)" = "$(ls "$work/shard$k" | sort)" ] ||
            fail "shard $k/3: --list names other files than the shard writes"
        cat "$work/list$k.txt" >>"$work/lists.txt"
        # Share k: the features at places k, k+3, ... of the id order.
        awk -v k="$k" '(NR - 1) % 3 == k' "$work/oracle.txt" | cmp -s - "$work/list$k.txt" ||
            fail "shard $k/3 is not places $k, $k+3, ... of the id order"
        n=$(ls "$work/shard$k" | wc -l)
        one_line "$work/shard$k.err" "^bordermap: wrote $n maps \(shard $k/3 of 7\) to $work/shard$k/$"
        # All shards into one folder, as a batch engine's tasks would.
        "$bm" -q atlas "$map" --layer capitals --shard "$k/3" -o "$work/together" ||
            fail "shard $k/3 into the shared folder failed"
    done
    [ "$(sort "$work/lists.txt")" = "$(sort "$work/list.txt")" ] ||
        fail "the shards' lists together are not the whole list (overlap or gap)"
    [ "$(sort -u "$work/lists.txt" | wc -l)" = 7 ] || fail "the shards overlap"
    for dir in "$work/together" "$work/shard0" "$work/shard1" "$work/shard2"; do
        for f in "$dir"/*; do
            cmp "$f" "$work/whole/$(basename "$f")" || fail "$f differs from the unsharded map"
        done
    done
    [ "$(ls -A "$work/together")" = "$(ls -A "$work/whole")" ] ||
        fail "the three shards did not write exactly the files of one run"
    # More shards than features: an empty share is no failure, and writes nothing.
    "$bm" atlas "$map" --layer capitals --shard 9/10 -o "$work/empty" 2>"$work/empty.err" ||
        fail "an empty shard failed"
    one_line "$work/empty.err" "^bordermap: shard 9/10 has no features \(the layer has 7\); nothing to draw$"
    [ -e "$work/empty" ] && fail "an empty shard made its folder"
    # The order is the ids', not the order the source gives: a GeoJSON written backwards,
    # with a name twice (the lower id keeps it, the higher gets -2).
    cat >"$work/backwards.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "id": 30, "properties": {"name": "Muse"}, "geometry": {"type": "Point", "coordinates": [97.9, 23.99]}},
 {"type": "Feature", "id": 20, "properties": {"name": "Lashio"}, "geometry": {"type": "Point", "coordinates": [97.75, 22.93]}},
 {"type": "Feature", "id": 10, "properties": {"name": "Muse"}, "geometry": {"type": "Point", "coordinates": [97.91, 23.98]}}
]}
JSON
    printf 'layers:\n  - name: towns\n    source: backwards.geojson\n    marker: {shape: circle}\n' >"$work/backwards.yaml"
    "$bm" atlas "$work/backwards.yaml" --layer towns --list --format pdf >"$work/backwards.txt" ||
        fail "--list of the GeoJSON failed"
    printf 'Muse.pdf\t10\nLashio.pdf\t20\nMuse-2.pdf\t30\n' | cmp -s - "$work/backwards.txt" ||
        fail "--list is not in id order with the names given in it: $(tr '\t\n' ' ;' <"$work/backwards.txt")"
    printf 'Muse.pdf\t10\nMuse-2.pdf\t30\n' | cmp -s - <("$bm" atlas "$work/backwards.yaml" --layer towns --list --format pdf --shard 0/2) ||
        fail "shard 0/2 of the GeoJSON is not ids 10 and 30"
    ;;

*)
    echo "pipes.sh: no case '$what'" >&2
    exit 2
    ;;
esac
finish
