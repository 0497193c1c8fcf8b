#!/usr/bin/env bash
# An OpenStreetMap extract drawn by a recipe (issue 10 #4), as the README shows it for
# a Geofabrik extract: tests/data/lashio.osm (a railway, two roads and a river near
# Lashio, read by GDAL's OSM driver), layer 'lines', where "railway = 'rail'", in red.
# GDAL reads the GeoTIFF back (gdallocationinfo -wgs84): red on the railway, not on the
# Lashio-Muse road; without the filter the road is red too (the filter did the work).
#   osm.sh BORDERMAP SOURCE_TREE WORKDIR
set -uo pipefail
bm=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
cp "$src/tests/data/lashio.osm" . || exit 1
. "$(dirname "$0")/lib.sh"
recipe() { # recipe FILE [WHERE-LINE]
    cat >"$1" <<YAML
title: Railways near Lashio
page: {size: 120x90mm, dpi: 100}
extent: {around: Lashio, radius_km: 50}
layers:
  - name: railways
    source: lashio.osm
    layer: lines
$2
    stroke: {color: "#ff0000", width: 4}
YAML
}
# The colour GDAL reads at lon lat of FILE, as "R G B".
rgb() { gdallocationinfo -wgs84 -valonly "$1" "$2" "$3" | head -3 | paste -sd' '; }
recipe rail.yaml "    where: \"railway = 'rail'\""
recipe all.yaml ""
"$bm" render rail.yaml -o rail.tif 2>rail.err || fail "render rail.yaml exited $?: $(cat rail.err)"
"$bm" render all.yaml -o all.tif 2>all.err || fail "render all.yaml exited $?: $(cat all.err)"
# Halfway between nodes 2 and 3 of the railway (way 100), and between nodes 12 and 13
# of the Lashio-Muse road (way 101).
rail_pt="97.65 22.88" road_pt="97.875 23.02"
[ "$(rgb rail.tif $rail_pt)" = "255 0 0" ] || fail "the railway is not red: $(rgb rail.tif $rail_pt)"
[ "$(rgb rail.tif $road_pt)" != "255 0 0" ] || fail "the road is drawn though the filter keeps railways only"
[ "$(rgb all.tif $road_pt)" = "255 0 0" ] || fail "without the filter the road is not drawn: $(rgb all.tif $road_pt)"
[ "$(rgb all.tif $rail_pt)" = "255 0 0" ] || fail "without the filter the railway is not drawn"
[ "$(cat rail.err)" = "bordermap: wrote rail.tif" ] || fail "rail.yaml: stderr: $(cat rail.err)"
finish
