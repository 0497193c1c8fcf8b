#!/bin/sh
# Atlas file names come from data (issue 13): two features of one name get a file
# each (Muse, Muse-2), names are cleaned (no leading '-', no slashes, no control
# characters), and the count reported is the count of files written.
#   atlas.sh BORDERMAP WORK
bin=$1 work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
ESC=$(printf '\033')
cat >towns.geojson <<JSON
{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "Muse"}, "geometry": {"type": "Point", "coordinates": [97.90, 23.99]}},
 {"type": "Feature", "properties": {"name": "Muse"}, "geometry": {"type": "Point", "coordinates": [97.91, 24.00]}},
 {"type": "Feature", "properties": {"name": "muse"}, "geometry": {"type": "Point", "coordinates": [97.92, 24.01]}},
 {"type": "Feature", "properties": {"name": "-rf"}, "geometry": {"type": "Point", "coordinates": [97.85, 24.01]}},
 {"type": "Feature", "properties": {"name": "../../x"}, "geometry": {"type": "Point", "coordinates": [97.70, 23.83]}},
 {"type": "Feature", "properties": {"name": "Ruili${ESC}]0;t\u0007"}, "geometry": {"type": "Point", "coordinates": [97.85, 24.00]}}
]}
JSON
cat >map.yaml <<'YAML'
title: Towns
page: {size: 148x105mm, dpi: 72}
extent: {west: 97, south: 23, east: 99, north: 25}
layers:
  - name: towns
    source: towns.geojson
furniture: {legend: none, inset: none, north_arrow: none, scalebar: none}
YAML
"$bin" atlas map.yaml --layer towns -o maps >out 2>err
got=$?
status=0
[ "$got" = 0 ] || { echo "exit status $got"; status=1; }
want="Muse.png Muse-2.png muse-3.png _-rf.png _..-..-x.png Ruili-]0;t-.png"
for f in $want; do
    [ -f "maps/$f" ] || { echo "no maps/$f"; status=1; }
done
files=$(ls maps | wc -l)
[ "$files" = 6 ] || { echo "$files files, not 6:"; ls maps; status=1; }
grep -q "wrote 6 maps to maps/" out err || { echo "it does not say it wrote 6 maps"; status=1; }
[ -e x.png ] || [ -e ../x.png ] && { echo "a map was written outside maps/"; status=1; }
if [ $status != 0 ]; then echo "--- stdout:"; cat out; echo "--- stderr:"; cat -v err; fi
exit $status
