#!/usr/bin/env bash
# Maps drawn from PostGIS tables (fixture pg):
#  1. a recipe whose layers come from the test database draws the same pixels as
#     the same recipe on the shipped shapefiles (PNG files compared byte for byte,
#     which the same pixels give: bordermap writes PNG deterministically);
#  2. events from a table with a real 'date' column, drawn by date range: November
#     2023 gives the shipped CSV's events (all of 16 November) and nothing else,
#     while the whole table (three more, in October and December) gives another map.
#   render.sh BORDERMAP SOURCE_DIR WORKDIR     (PGSERVICEFILE set by ctest)
set -u
bm=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
svc=PG:service=bordermap_test
status=0

# recipe NAME COUNTRIES BORDER PLACES: the same map on any three sources
recipe() {
    cat >"$1.yaml" <<YAML
title: Same map, two sources
page: {size: 160x110mm, dpi: 100}
extent: {west: 96.5, south: 21.0, east: 102.0, north: 29.0}
layers:
  - name: countries
    $2
    fill: "#efefe8"
    stroke: {color: "#9a9a9a", width: 0.4}
    rules:
      - when: {iso_a3: MMR}
        fill: "#f7f0dd"
  - name: border
    $3
    stroke: {color: "#b2182b", width: 2}
    legend: "China–Myanmar border ({layer_length})"
    label: {field: name, placement: line}
  - name: places
    $4
    where: "kind = 'city'"
    marker: {shape: circle, size: 4, fill: black}
    label: {field: name}
furniture: {legend: bottom-left, inset: none}
YAML
}
recipe shp "source: $src/shapes/boundaries/countries.shp" \
    "source: $src/shapes/boundaries/border_cn_mm.shp" "source: $src/shapes/places/places.shp"
recipe pg "{source: \"$svc\", layer: countries}" "{source: \"$svc\", layer: ops.border}" \
    "{source: \"$svc\", layer: places}"
# a layer written as a flow mapping needs its other keys there too: rewrite as block keys
sed -i 's/^    {source: \(.*\), layer: \(.*\)}$/    source: \1\n    layer: \2/' pg.yaml
"$bm" render shp.yaml -o shp.png 2>shp.err || { cat shp.err; status=1; }
"$bm" render pg.yaml -o pg.png 2>pg.err || { cat pg.err; status=1; }
if ! cmp -s shp.png pg.png; then
    echo "the map drawn from PostGIS differs from the one drawn from the shapefiles (see $work)"
    status=1
else
    echo "PostGIS and shapefile maps are identical ($(stat -c %s pg.png) bytes)"
fi

# events (a = the shipped CSV, b = the table for November, c = the whole table)
events() {
    cat >"$1.yaml" <<YAML
page: {size: 120x90mm, dpi: 100}
extent: {west: 94.0, south: 18.5, east: 100.5, north: 25.5}
layers:
  - name: events
    $2
    date_field: event_date
    marker: {shape: star, size: 9, fill: "#d7301f"}
furniture: {legend: none, inset: none, north_arrow: none, scalebar: none}
YAML
}
events a "source: $src/shapes/events/article-2023-11-16.csv"
events b "source: \"$svc\"
    layer: events
    from: 2023-11-01
    to: 2023-11-30"
events c "source: \"$svc\"
    layer: events"
for m in a b c; do
    "$bm" render "$m.yaml" -o "$m.png" 2>"$m.err" || { echo "events map $m failed:"; cat "$m.err"; status=1; }
    if grep -q 'bad date' "$m.err"; then echo "events map $m: dates were refused:"; cat "$m.err"; status=1; fi
done
cmp -s a.png b.png || { echo "November 2023 from PostGIS is not the CSV's events (a.png, b.png)"; status=1; }
cmp -s a.png c.png && { echo "the whole events table drew no more than November"; status=1; }
# The date column reads as ISO dates, whatever the driver says.
"$bm" layers "$svc" --layer events | grep -q 'event_date (Date)' ||
    { echo "events.event_date is not a Date field"; status=1; }
exit $status
