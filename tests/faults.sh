#!/usr/bin/env bash
# Faults, one case per ctest test:
#   faults.sh CASE BORDERMAP WORKDIR
# CASE is one of:
#   disk_full   each kind of output (report PDF, GeoTIFF, PNG with its world
#               file, SVG, PDF, exported GeoJSON and GeoPackage, an atlas) written
#               onto a tmpfs too small for it: exit 1, one line saying the disk is
#               full, and nothing left on the disk (no partial, no temporary file).
#               Needs root, for a mount namespace of its own; where mounting is
#               impossible the case says why and fails.
#   atlas_killed  an atlas of 7 PDF maps in 2 jobs, one job killed (SIGKILL) while it
#               writes a map (a PDF is written as it is drawn): exit 1, one line
#               naming the maps not drawn, which are not there, and every map that
#               is there decodes whole (pdftoppm, not a word on stderr); no
#               temporary file is left.
#   memory_budget  BORDERMAP_MEMORY_LIMIT small enough to stop a load midway, at
#               every command that loads: exit 1, its one line, no output file.
#   concurrent_render  two renders of different maps to the same file at once,
#               three times: the file is each time one whole map or the other, byte
#               for byte, and no temporary file is left.
# Run from ctest with BORDERMAP_DATA set to the source tree.
set -uo pipefail
what=$1 bm=$2 work=$3
src=${BORDERMAP_DATA:?BORDERMAP_DATA must name the source tree}
map=$src/tests/faults/map.yaml
. "$(dirname "$0")/lib.sh"

# run NAME ARGS...: run bordermap; its exit status in $rc, stderr in $work/NAME.err.
run() {
    local name=$1
    shift
    "$bm" "$@" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
}

# one_line NAME PATTERN: stderr of NAME is exactly one line matching the extended regex.
one_line() {
    local lines
    lines=$(wc -l <"$work/$1.err")
    if [ "$lines" != 1 ] || ! grep -qE -- "$2" "$work/$1.err"; then
        fail "$1: stderr is not one line matching '$2':"
        sed 's/^/    /' "$work/$1.err" | head -5
    fi
}

if [ "$what" = disk_full ] && [ -z "${BM_FAULTS_NS:-}" ]; then
    # A mount namespace of our own: the tmpfs goes away with this process.
    rm -rf "$work" && mkdir -p "$work" || exit 1
    if ! unshare --mount --propagation private true 2>"$work/unshare.err"; then
        echo "FAIL: cannot make a mount namespace to mount a small tmpfs in" \
            "($(head -1 "$work/unshare.err")); run the tests as root (CI does)"
        exit 1
    fi
    BM_FAULTS_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
[ -n "${BM_FAULTS_NS:-}" ] || { rm -rf "$work" && mkdir -p "$work" || exit 1; }

case $what in
disk_full)
    disk=$work/disk
    mkdir -p "$disk"
    # full SIZE NAME ARGS...: ARGS (naming $disk) onto a fresh tmpfs of SIZE.
    full() {
        local size=$1 name=$2
        shift 2
        if ! mount -t tmpfs -o "size=$size" tmpfs "$disk" 2>"$work/mount.err"; then
            fail "cannot mount a tmpfs of $size on $disk ($(head -1 "$work/mount.err"))"
            return
        fi
        [ "$name" = atlas ] && mkdir "$disk/atlas"
        run "$name" "$@"
        [ "$rc" = 1 ] || fail "$name: exit status $rc on a full disk, expected 1"
        one_line "$name" "^bordermap: cannot write '$disk/[^']+': the disk is full \([0-9.]+ (bytes|[KMGT]B) left in '$disk/[^']*'\); free some space or write elsewhere$"
        left=$(find "$disk" -mindepth 1 ! -path "$disk/atlas" | sed "s|^$disk/||" | paste -sd, -)
        [ -z "$left" ] || fail "$name: left on the full disk: $left"
        umount "$disk"
    }
    # Each disk about half what the file needs (report 1.4 MB, GeoTIFF 0.8 MB, PNG
    # 150 KB, SVG 850 KB, PDF 200 KB, the exports 270 KB, an atlas PDF 300-450 KB).
    full 512k report report -o "$disk/report.pdf"
    full 256k geotiff render "$map" --dpi 300 -o "$disk/map.tif"
    full 64k png render "$map" -o "$disk/map.png" --world-file
    full 256k svg render "$map" -o "$disk/map.svg"
    full 64k pdf render "$map" -o "$disk/map.pdf"
    full 128k geojson measure border --export "$disk/border.geojson"
    full 128k gpkg measure border --export "$disk/border.gpkg"
    full 128k atlas atlas "$map" --layer capitals --format pdf -o "$disk/atlas"
    ;;

atlas_killed)
    out=$work/atlas
    "$bm" atlas "$map" --layer capitals --jobs 2 --format pdf -o "$out" >"$work/atlas.out" \
        2>"$work/atlas.err" &
    parent=$!
    # Kill a job while it writes a map: when its temporary file is there.
    victim=
    for _ in $(seq 1200); do
        for kid in $(pgrep -P "$parent"); do
            if ls -A "$out" 2>/dev/null | grep -q "^\.bordermap-$kid-"; then
                victim=$kid
                break 2
            fi
        done
        sleep 0.05
    done
    if [ -z "$victim" ]; then
        fail "never saw a job of the atlas writing a map"
        kill "$parent" 2>/dev/null
    else
        kill -KILL "$victim"
    fi
    wait "$parent"
    rc=$?
    [ "$rc" = 1 ] || fail "the atlas exited $rc with a job killed, expected 1"
    one_line atlas "^bordermap: a job of the atlas \(process $victim\) was killed by signal 9 \([A-Za-z]+\); [0-9]+ of 7 maps were not drawn: .+; run the atlas again to draw them$"
    missing=$(sed -nE 's/.*; ([0-9]+) of 7 maps were not drawn: .*/\1/p' "$work/atlas.err")
    names=$(sed -nE 's/.* maps were not drawn: (.*); run the atlas again.*/\1/p' "$work/atlas.err")
    drawn=$(find "$out" -name '*.pdf' | wc -l)
    [ -n "$missing" ] && [ "$missing" -ge 1 ] || fail "no map reported missing"
    [ "$((drawn + ${missing:-0}))" = 7 ] ||
        fail "$drawn maps drawn and ${missing:-?} reported missing, of 7"
    IFS=',' read -ra listed <<<"$names"
    for name in "${listed[@]}"; do
        name=${name# }
        [ -e "$out/$name.pdf" ] && fail "'$name' is reported missing but is there"
    done
    for f in "$out"/*.pdf; do
        [ -e "$f" ] || continue
        if ! pdftoppm -r 10 -png "$f" "$work/page" 2>"$work/pdftoppm.err" ||
            [ -s "$work/pdftoppm.err" ]; then
            fail "$(basename "$f") does not decode: $(head -1 "$work/pdftoppm.err")"
        fi
    done
    temporaries=$(ls -A "$out" | grep '^\.' | paste -sd, -)
    [ -z "$temporaries" ] || fail "temporary files left: $temporaries"
    ;;

memory_budget)
    # LIMIT COMMAND...: each load stops midway ("stopped at feature N").
    n=0
    budget() {
        local limit=$1
        shift
        n=$((n + 1))
        BORDERMAP_MEMORY_LIMIT=$limit run "budget$n" "$@"
        [ "$rc" = 1 ] || fail "BORDERMAP_MEMORY_LIMIT=$limit $*: exit status $rc, expected 1"
        one_line "budget$n" "^bordermap: '[^']+' needs more than the [0-9.]+ [KM]B of memory BORDERMAP_MEMORY_LIMIT allows \(stopped at feature [0-9]+\); load a part of it with a bounding box or a filter, or free memory"
    }
    budget 120K places Ruili
    budget 120K near Ruili --within 30
    budget 120K measure distance Ruili Naypyidaw
    budget 120K layers "$src/shapes/places/places.shp"
    budget 6M layers
    budget 200K measure
    budget 200K near --border --within 20
    budget 6M measure border
    budget 6M measure layer "$src/shapes/boundaries/admin1.shp"
    budget 6M render -o "$work/map.png"
    budget 6M report -o "$work/report.pdf"
    budget 6M render "$map" -o "$work/small.png"
    budget 6M atlas "$map" --layer capitals -o "$work/atlas"
    left=$(find "$work" -name '*.png' -o -name '*.pdf' -o -name '.bordermap-*' | paste -sd, -)
    [ -z "$left" ] || fail "files left: $left"
    ;;

concurrent_render)
    # The two maps, drawn alone first.
    run refA render "$map" --title "Map A" -o "$work/a.png"
    run refB render "$map" --title "Map B, another" -o "$work/b.png"
    cmp -s "$work/a.png" "$work/b.png" && fail "the two maps are the same"
    for round in 1 2 3; do
        "$bm" render "$map" --title "Map A" -o "$work/same.png" >/dev/null 2>"$work/A$round.err" &
        a=$!
        "$bm" render "$map" --title "Map B, another" -o "$work/same.png" >/dev/null \
            2>"$work/B$round.err" &
        b=$!
        wait "$a" || fail "round $round: render A failed: $(cat "$work/A$round.err")"
        wait "$b" || fail "round $round: render B failed: $(cat "$work/B$round.err")"
        if ! cmp -s "$work/same.png" "$work/a.png" && ! cmp -s "$work/same.png" "$work/b.png"; then
            fail "round $round: the file is neither map A nor map B"
        fi
        left=$(ls -A "$work" | grep '^\.bordermap-' | paste -sd, -)
        [ -z "$left" ] || fail "round $round: temporary files left: $left"
    done
    ;;

*)
    echo "faults.sh: no case '$what'" >&2
    exit 2
    ;;
esac
finish
