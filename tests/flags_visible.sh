#!/bin/sh
# Options whose effect no other test saw (found by the mutation pass, tests/mutate):
#   flags_visible.sh CASE BORDERMAP SOURCE_TREE WORKDIR
# CASE is one of:
#   atlas_margin  'atlas --margin 60' frames Naypyidaw (a point of the capitals)
#               with at least 60 km on every side: the points 60 km north, south,
#               east and west of it (GeographicLib's GeodSolve, from the point
#               ogrinfo reads) lie inside the GeoTIFF's corners (gdalinfo); with
#               --margin 15 the points 60 km north and south are outside.
#   png_dpi     'render --dpi 150' writes a PNG whose pHYs chunk says 150 dpi
#               (5906 pixels a metre), read by Python, not by bordermap.
set -eu
what=$1 bm=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
map=$src/tests/faults/map.yaml
fail() {
    echo "FAIL: $*"
    exit 1
}

case $what in
atlas_margin)
    # The place as GDAL reads it: POINT (lon lat).
    set -- $(ogrinfo -ro "$src/shapes/places/places.shp" -where "name = 'Naypyidaw'" places |
        sed -nE 's/^ *POINT \(([-0-9.]+) ([-0-9.]+)\)$/\2 \1/p')
    lat=$1 lon=$2
    [ -n "$lat" ] || fail "ogrinfo did not give Naypyidaw's point"
    for km in 15 60; do
        "$bm" atlas "$map" --layer capitals --where "name = 'Naypyidaw'" --format tif \
            --margin "$km" -o "$work/m$km" >"$work/m$km.out" 2>"$work/m$km.err" ||
            fail "atlas --margin $km: $(cat "$work/m$km.err")"
        # The inner box of the map's corners in degrees: west east south north.
        gdalinfo -json "$work/m$km/Naypyidaw.tif" | jq -r '.wgs84Extent.coordinates[0][0:4] |
            [([.[0][0], .[1][0]] | max), ([.[2][0], .[3][0]] | min),
             ([.[1][1], .[2][1]] | max), ([.[0][1], .[3][1]] | min)] | @tsv' >"$work/box$km"
        [ -s "$work/box$km" ] || fail "gdalinfo gave no extent for the --margin $km map"
    done
    # inside KM AZIMUTH: is the point KM km from the place at AZIMUTH inside the 60 km map?
    inside() {
        printf '%s %s %s %s\n' "$lat" "$lon" "$3" "$(($2 * 1000))" | GeodSolve -p 9 |
            awk -v box="$(cat "$work/box$1")" '{
                split(box, b, "\t");
                exit !($2 >= b[1] && $2 <= b[2] && $1 >= b[3] && $1 <= b[4]) }'
    }
    for az in 0 90 180 270; do
        inside 60 60 $az || fail "--margin 60: the point 60 km from Naypyidaw at azimuth $az" \
            "is outside the map (west east south north: $(cat "$work/box60"))"
    done
    for az in 0 180; do
        inside 15 60 $az && fail "--margin 15: the point 60 km from Naypyidaw at azimuth $az" \
            "is inside the map too (west east south north: $(cat "$work/box15"))"
    done
    ;;
png_dpi)
    "$bm" render "$map" --dpi 150 -o "$work/map.png" >/dev/null 2>"$work/err" ||
        fail "render --dpi 150: $(cat "$work/err")"
    got=$(python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
i = d.find(b"pHYs")
x, y, unit = struct.unpack(">IIB", d[i + 4:i + 13]) if i > 0 else (0, 0, 0)
print(x, y, unit)' "$work/map.png")
    [ "$got" = "5906 5906 1" ] || fail "the PNG's pHYs is '$got', expected '5906 5906 1' (150 dpi)"
    ;;
*)
    echo "flags_visible.sh: no case '$what'" >&2
    exit 2
    ;;
esac
rm -rf "$work"
