#!/bin/bash
# Temporary files made safely (issue 13 #4). In a folder others can write to,
# someone may plant a symbolic link, or a file of their own, at the name where
# bordermap writes before it renames. For each output kind (PNG with its world
# file, PDF, SVG, GeoTIFF, a report), links to a victim file and planted files
# are put at every name bordermap could use: the name of the old scheme
# (.bordermap-PID-NAME) and the random scheme's template itself. The process's
# id is known in advance because the shell that plants them then exec()s
# bordermap. Checks: the victim is unchanged, every planted link and file is
# unchanged, the output is a regular file of its kind with the mode a new file
# gets under the umask, and no temporary file is left. Also a target that is
# itself a link: the link is replaced, the file it pointed to is not written.
#   tempfiles.sh BORDERMAP WORK
bin=$1 work=$2
rm -rf "$work" && mkdir -p "$work/out" && cd "$work" || exit 1
cat >map.yaml <<'YAML'
title: Planted
page: {size: 100x70mm, dpi: 72}
extent: {around: Ruili, radius_km: 60}
layers:
  - {name: border, source: shapes/boundaries/border_cn_mm.shp}
furniture: {legend: none, inset: none}
YAML
echo "the victim's own words" >victim.txt
cp victim.txt victim.orig
. "$(dirname "$0")/../lib.sh"

# plant NAME: links and files at every name the process about to run may use.
plant() {
    local name=$1 pid=$2
    ln -s ../victim.txt "out/.bordermap-$pid-$name"
    ln -s ../victim.txt "out/.bordermap-$pid-XXXXXX-$name"
    echo planted >"out/.bordermap-XXXXXX-$name"
    ln -s ../victim.txt "out/.$name.tmp"
}

check_planted() {
    local name=$1
    for f in "out/.bordermap-"*"-$name" "out/.$name.tmp"; do
        if [ -L "$f" ]; then
            [ "$(readlink "$f")" = ../victim.txt ] || fail "$f: the planted link was changed"
        elif [ -f "$f" ]; then
            [ "$(cat "$f")" = planted ] || fail "$f: the planted file was written to"
        fi
    done
    cmp -s victim.txt victim.orig || fail "$name: the victim file was written through a link"
}

umask 027
# run NAME KIND ARGS...: plant for the coming process, run bordermap, check.
run() {
    local name=$1 kind=$2
    shift 2
    # $BASHPID of the subshell is the id bordermap gets: exec keeps it.
    (for n in "$name" $SIDECARS; do plant "$n" "$BASHPID"; done && exec "$bin" "$@" >"out.$name" 2>&1)
    local rc=$?
    [ $rc = 0 ] || { fail "$name: exit $rc: $(head -2 "out.$name")"; return; }
    [ -f "out/$name" ] && [ ! -L "out/$name" ] || { fail "$name: no regular file written"; return; }
    file -b "out/$name" | grep -q "$kind" || fail "$name: not $kind: $(file -b "out/$name")"
    local mode
    mode=$(stat -c %a "out/$name")
    [ "$mode" = 640 ] || fail "$name: mode $mode, expected 640 (0666 less the umask 027)"
    for n in "$name" $SIDECARS; do check_planted "$n"; done
}

SIDECARS="map.pgw map.prj map.png.aux.xml" run map.png "PNG image" render map.yaml -o out/map.png --world-file
run map.pdf "PDF document" render map.yaml -o out/map.pdf
run map.svg "SVG" render map.yaml -o out/map.svg
run map.tif "TIFF image" render map.yaml -o out/map.tif
run report.pdf "PDF document" report map.yaml -o out/report.pdf

# The target itself a link to the victim: replaced by the map, the victim untouched.
ln -s ../victim.txt out/linked.png
"$bin" render map.yaml -o out/linked.png >out.linked 2>&1 || fail "linked: exit $?: $(head -2 out.linked)"
[ -f out/linked.png ] && [ ! -L out/linked.png ] || fail "linked: the link was not replaced by the map"
cmp -s victim.txt victim.orig || fail "linked: the victim file was written through the target's link"

# No temporary file of bordermap's own is left (the planted ones aside).
left=$(find out -name '.bordermap-*' ! -type l | while read -r f; do
    [ "$(cat "$f")" = planted ] || echo "$f"
done)
[ -z "$left" ] || fail "temporary files left: $left"
[ $status = 0 ] && echo "6 outputs written beside planted links and files; none followed or used"
exit $status
