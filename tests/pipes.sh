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
#                atlas of 2 jobs (SIGINT, then SIGTERM, to the parent alone), each stopped
#                while a temporary file is there: the shell's status of the signal
#                (130, 143), no temporary file or folder left, no target written, no job
#                left running, and the maps the atlas finished decode whole.
# Run from ctest with BORDERMAP_DATA set to the source tree.
set -uo pipefail
what=$1 bm=$2 work=$3
src=${BORDERMAP_DATA:?BORDERMAP_DATA must name the source tree}
map=$src/tests/faults/map.yaml
status=0
fail() {
    echo "FAIL: $*"
    status=1
}
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
        kill -"$sig" "$pid"
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
    for sig in INT TERM; do
        stop "atlas$sig" "$sig" "$work/atlas$sig" atlas "$map" --layer capitals --jobs 2 \
            --format pdf -o "$work/atlas$sig"
        for f in "$work/atlas$sig"/*.pdf; do
            [ -e "$f" ] || continue
            pdftoppm -r 10 -png "$f" "$work/page" 2>"$work/pdftoppm.err" && [ ! -s "$work/pdftoppm.err" ] ||
                fail "atlas$sig: $(basename "$f") does not decode"
        done
    done
    ;;

*)
    echo "pipes.sh: no case '$what'" >&2
    exit 2
    ;;
esac
[ $status = 0 ] && rm -rf "$work"
exit $status
