#!/bin/sh
# What the data commands print, checked with real clients:
#   output_case.sh CHECK BORDERMAP WORKDIR
# GeoJSON is read back with GDAL's ogrinfo, geodesics and azimuths are checked
# against GeographicLib's GeodSolve, and the pipeline rules (data on stdout,
# messages on stderr, -q, -v, write errors) against the shell's own view.
# Each CHECK prints what went wrong and exits 1, or exits 0.
check=$1 bm=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$(dirname "$0")/lib.sh"
# near(A, B, TOL): |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; }
# The first line of ogrinfo's listing that holds TEXT (features of the one layer).
ogr() { ogrinfo -ro -al -q "$1" 2>&1; }
# ogrinfo's feature count.
count() { ogrinfo -ro -al -so "$1" 2>&1 | sed -n 's/^Feature Count: //p'; }
# GeodSolve's inverse problem: "azi1 azi2 s12", azimuths made bearings (0..360).
geod_inverse() {
    echo "$1 $2 $3 $4" | GeodSolve -i -p 9 |
        awk '{ a = $1 < 0 ? $1 + 360 : $1; b = $2 < 0 ? $2 + 360 : $2; printf "%.12f %.12f %.9f\n", a, b, $3 }'
}

case $check in
azimuth)
    # One convention in every format: 0..360 clockwise from north. Muse to Ruili is the
    # case that differed: geod_* says -71.28, a bearing of 288.72.
    for pair in "Ruili Naypyidaw 24.013 97.851 19.745 96.12972" \
                "Muse Ruili 23.99742 97.90109 24.013 97.851"; do
        set -- $pair
        set -- "$1" "$2" $(geod_inverse "$3" "$4" "$5" "$6")
        want_azi=$3 want_final=$4 want_km=$(awk -v s="$5" 'BEGIN { printf "%.6f", s / 1000 }')
        "$bm" measure distance "$1" "$2" --format csv >csv || fail "csv $1 $2"
        got=$(sed -n 2p csv | awk -F, '{ print $8, $10, $11 }')
        set -- $got
        [ "$1" = "$want_km" ] || fail "csv distance $1, GeodSolve $want_km"
        near "$2" "$want_azi" 1e-6 || fail "csv azimuth_initial $2, GeodSolve $want_azi"
        near "$3" "$want_final" 1e-6 || fail "csv azimuth_final $3, GeodSolve $want_final"
        "$bm" measure distance $(sed -n 2p csv | awk -F, '{ print $2, $3 }') --format json >json
        got=$(tr ',' '\n' <json | sed -n 's/.*"azimuth_initial": //p')
        near "$got" "$want_azi" 1e-9 || fail "json azimuth_initial $got, GeodSolve $want_azi"
        got=$(tr ',' '\n' <json | sed -n 's/.*"azimuth_final": //p')
        near "$got" "$want_final" 1e-9 || fail "json azimuth_final $got, GeodSolve $want_final"
        grep -qF '"azimuth_units": "degrees clockwise from true north, 0 to 360"' json ||
            fail "json does not name its azimuth units"
        "$bm" measure distance $(sed -n 2p csv | awk -F, '{ print $2, $3 }') >table
        want=$(awk -v a="$want_azi" 'BEGIN { printf "%.1f°", a }')
        grep -q " $want\$" table || fail "table lacks the azimuth $want"
    done
    ;;
places_geojson)
    "$bm" places --format geojson >all.geojson || fail "places --format geojson"
    want=$(($("$bm" places --format csv | wc -l) - 1))
    [ "$(count all.geojson)" = "$want" ] || fail "ogrinfo counts $(count all.geojson) places, not $want"
    "$bm" places Ruili --format geojson >ruili.geojson
    ogr ruili.geojson >ruili.txt
    grep -qF "POINT (97.851 24.013)" ruili.txt || fail "Ruili is not the point 97.851 24.013"
    grep -qF "name_zh (String) = 瑞丽" ruili.txt || fail "Ruili's attributes are missing"
    grep -qF "in_article (Integer(Boolean)) = 1" ruili.txt || fail "in_article is not a boolean"
    ;;
near_geojson)
    "$bm" near Ruili --within 30 --format geojson >near.geojson || fail "near --format geojson"
    [ "$(count near.geojson)" = 4 ] || fail "ogrinfo counts $(count near.geojson) places, not 4"
    ogr near.geojson >near.txt
    grep -qF "POINT (97.90109 23.99742)" near.txt || fail "Muse is not at its place"
    grep -qF "distance (Real) = 5.38075" near.txt || fail "Muse is not 5.38 km away"
    # A feature is a point: the nearest one on it, where its distance is measured to.
    "$bm" near 22.0,96.0 --within 50 --layer "$BORDERMAP_DATA/shapes/infrastructure/rail.shp" \
        --format geojson >rail.geojson
    [ "$(count rail.geojson)" = 2 ] || fail "ogrinfo counts $(count rail.geojson) segments, not 2"
    set -- $(ogr rail.geojson | sed -n 's/.*POINT (\(.*\) \(.*\))/\1 \2/p' | head -1)
    set -- $(geod_inverse 22.0 96.0 "$2" "$1")
    got=$(ogr rail.geojson | sed -n 's/.*distance (Real) = //p' | head -1)
    near "$got" "$(awk -v s="$3" 'BEGIN { printf "%.9f", s / 1000 }')" 1e-6 ||
        fail "the point is $3 m away, the distance says $got km"
    ;;
near_latlon)
    "$bm" near Ruili --within 30 --format csv >csv
    [ "$(head -1 csv)" = "name,name_zh,name_my,kind,country,distance,units,lat,lon" ] ||
        fail "csv header: $(head -1 csv)"
    grep -qF "Muse,木姐,မူဆယ်,crossing,MMR,5.380751,km,23.997420,97.901090" csv || fail "Muse's row"
    "$bm" near Ruili --within 30 --format json >json
    grep -qF '"lat": 23.99742, "lon": 97.90109}' json || fail "json lacks Muse's lat and lon"
    ;;
distance_geojson)
    # Each leg a geodesic: its points on it (GeodSolve -i from the leg's start keeps the
    # azimuth), evenly along it, and each straight piece within 1 km of it at its middle.
    "$bm" measure distance Kyaukphyu Mandalay 60,-10 50,140 --format geojson >legs.geojson ||
        fail "measure distance --format geojson"
    [ "$(count legs.geojson)" = 3 ] || fail "ogrinfo counts $(count legs.geojson) legs, not 3"
    [ "$(ogr legs.geojson | grep -c LINESTRING)" = 3 ] || fail "legs are not 3 line strings"
    ogr legs.geojson | sed -n 's/.*LINESTRING (\(.*\))/\1/p' >lines
    leg=0
    while read -r line; do
        leg=$((leg + 1))
        echo "$line" | tr ',' '\n' | awk '{ print $2, $1 }' >pts
        n=$(wc -l <pts)
        set -- $(head -1 pts) $(tail -1 pts)
        lat1=$1 lon1=$2
        set -- $(geod_inverse "$1" "$2" "$3" "$4")
        azi=$1 whole=$3
        [ "$leg" != 3 ] || [ "$n" -ge 20 ] || fail "the long leg has only $n points"
        awk -v a="$lat1" -v b="$lon1" '{ print a, b, $1, $2 }' pts | GeodSolve -i -p 9 |
            awk -v azi="$azi" -v s="$whole" -v n="$n" '
                NR > 1 { a = $1 < 0 ? $1 + 360 : $1; d = a - azi; want = s * (NR - 1) / (n - 1)
                         if (d > 1e-6 || d < -1e-6) { print "point " NR " is off the geodesic: azimuth " a; bad = 1 }
                         if ($3 - want > 1e-3 || want - $3 > 1e-3) { print "point " NR " is at " $3 " m, not " want; bad = 1 } }
                END { exit bad }' || fail "leg $leg"
        # The geodesic's middle of each piece, and the piece's own middle in lon/lat.
        awk -v a="$lat1" -v b="$lon1" -v azi="$azi" -v s="$whole" -v n="$n" \
            'NR < n { printf "%s %s %s %.9f\n", a, b, azi, s * (NR - 0.5) / (n - 1) }' pts |
            GeodSolve -p 9 | awk '{ print $1, $2 }' >mid
        awk 'NR > 1 { print (lat + $1) / 2, (lon + $2) / 2 } { lat = $1; lon = $2 }' pts >chord
        paste -d' ' mid chord | GeodSolve -i -p 9 |
            awk '$3 > 1000 { print "a piece is " $3 " m off the geodesic"; bad = 1 } END { exit bad }' ||
            fail "leg $leg strays"
    done <lines
    got=$(ogr legs.geojson | sed -n 's/.*distance (Real) = //p' | head -1)
    set -- $(geod_inverse 19.42793 93.55134 21.97473 96.08359)
    near "$got" "$(awk -v s="$3" 'BEGIN { printf "%.9f", s / 1000 }')" 1e-6 ||
        fail "leg 1 says $got km, GeodSolve $3 m"
    ;;
layer_geojson)
    src=$BORDERMAP_DATA/shapes
    "$bm" measure layer "$src/infrastructure/rail.shp" --format geojson >rail.geojson
    [ "$(count rail.geojson)" = 5 ] || fail "ogrinfo counts $(count rail.geojson) segments, not 5"
    first=$(ogr "$src/infrastructure/rail.shp" | sed -n 's/.*LINESTRING (\([^,]*\),.*/\1/p' | head -1)
    [ -n "$first" ] && ogr rail.geojson | grep -qF "LINESTRING ($first," || fail "the first segment does not start at $first"
    want=$("$bm" measure layer "$src/infrastructure/rail.shp" --format csv | sed -n 3p | cut -d, -f3)
    [ -n "$want" ] && ogr rail.geojson | grep -qF "length (Real) = $(echo "$want" | sed 's/0*$//')" ||
        fail "Dali–Baoshan's length is not $want"
    # Polygons: the Natural Earth countries, some of several parts.
    ne=$src/boundaries/countries_ne10.shp
    "$bm" measure layer "$ne" --units mi --format geojson >ne.geojson
    ogrinfo -ro -al -so ne.geojson | grep -q "^Geometry: Multi Polygon" ||
        fail "the countries are not one Multi Polygon layer"
    [ "$(count ne.geojson)" = "$(count "$ne")" ] || fail "the countries' count"
    ogr ne.geojson | grep -qF "units (String) = mi²" || fail "the units are not mi²"
    # The polygons GDAL reads back are the source's: as many points, the same area by
    # SpatiaLite's own measure, and valid.
    q="SELECT ST_NPoints(geometry) AS n, ST_Area(geometry, 1) AS a, ST_IsValid(geometry) AS v"
    ogrinfo -ro "$ne" -dialect SQLite -q -sql "$q FROM countries_ne10" | grep -E "^  (n|a|v) " >source.txt
    ogrinfo -ro ne.geojson -dialect SQLite -q -sql "$q FROM ne" | grep -E "^  (n|a|v) " >out.txt
    [ -s out.txt ] && cmp -s source.txt out.txt || fail "the polygons are not the source's"
    grep -q "v (Integer) = 0" out.txt && fail "an invalid polygon"
    want=$("$bm" measure layer "$ne" --units mi --format csv | grep ',Myanmar,' | cut -d, -f3)
    [ -n "$want" ] && ogr ne.geojson | grep -qF "area (Real) = $(echo "$want" | cut -c1-9)" ||
        fail "Myanmar's area is not $want mi²"
    ;;
geojson_refused)
    "$bm" measure --format geojson >out 2>err && fail "measure --format geojson exit 0"
    [ "$(cat err)" = "bordermap: --format geojson goes with 'measure distance' and 'measure layer'; for the border's lines use --export FILE.geojson; see 'bordermap help measure'" ] ||
        fail "message: $(cat err)"
    [ -s out ] && fail "stdout not empty"
    "$bm" layers --format geojson >out 2>err
    [ $? = 2 ] && grep -qF "unknown format 'geojson' (use table, csv or json)" err ||
        fail "layers --format geojson: $(cat err)"
    ;;
stdout_data_only)
    # Messages on stderr, data only on stdout: a rendered map says "wrote" on stderr.
    "$bm" render --around Muse --radius 10 --dpi 72 -o map.png >out 2>err || fail "render"
    [ -s out ] && fail "stdout is not empty: $(cat out)"
    [ "$(cat err)" = "bordermap: wrote map.png" ] || fail "stderr: $(cat err)"
    [ -s map.png ] || fail "no map.png"
    ;;
quiet)
    # -q silences warnings and notes (and only them): a mixed layer measures, quietly.
    cp "$BORDERMAP_DATA/tests/bad/mixed.geojson" .
    "$bm" measure layer mixed.geojson >loud 2>err || fail "measure layer mixed.geojson"
    grep -q "warning: 'mixed.geojson' mixes geometry types" err || fail "no warning without -q"
    "$bm" -q measure layer mixed.geojson >out 2>err || fail "-q measure layer"
    [ -s err ] && fail "-q left stderr: $(cat err)"
    cmp -s out loud || fail "-q changed stdout"
    "$bm" measure layer mixed.geojson --quiet >out 2>err
    [ -s err ] && fail "--quiet after the command left stderr: $(cat err)"
    "$bm" render -q --around Muse --radius 10 --dpi 72 -o map.png >out 2>err || fail "render -q"
    [ -s err ] && fail "render -q said: $(cat err)"
    [ -s map.png ] || fail "render -q wrote no map"
    "$bm" -q places Rulli >out 2>err
    [ $? = 1 ] && grep -q "no place named 'Rulli'" err || fail "-q silenced an error"
    ;;
verbose)
    # -v adds one line per stage with its times, and the total; stdout stays the same.
    "$bm" places Ruili >plain
    "$bm" -v places Ruili >out 2>err || fail "-v places"
    cmp -s out plain || fail "-v changed stdout"
    for stage in "load the gazetteer" "find the places" "print 1 rows" "total"; do
        grep -Eq "^bordermap: time: $stage: [0-9]+\.[0-9]{3} s \(cpu [0-9]+\.[0-9]{3} s\)$" err ||
            fail "no time for '$stage': $(cat err)"
    done
    "$bm" measure layer "$BORDERMAP_DATA/shapes/infrastructure/rail.shp" --verbose >/dev/null 2>err
    grep -q "^bordermap: time: measure 5 features: " err || fail "measure layer --verbose: $(cat err)"
    "$bm" render -v --around Muse --radius 10 --dpi 72 -o map.png 2>err >/dev/null
    grep -q "^bordermap: time: load the layers, draw and write map.png: " err ||
        fail "render -v: $(cat err)"
    ;;
write_errors)
    # A full disk and a closed pipe are failures: status 1 and one line.
    if [ -w /dev/full ]; then
        "$bm" places >/dev/full 2>err
        rc=$?
        [ $rc = 1 ] || fail "places > /dev/full exit status $rc"
        [ "$(cat err)" = "bordermap: cannot write to standard output: No space left on device; free some room on the disk, or send the output elsewhere" ] ||
            fail "/dev/full: $(cat err)"
        # A long text is written past stdio's buffer: the cause must still be named.
        "$bm" help recipe >/dev/full 2>err
        rc=$?
        [ $rc = 1 ] || fail "help recipe > /dev/full exit status $rc"
        grep -qx "bordermap: cannot write to standard output: No space left on device; .*" err ||
            fail "help recipe > /dev/full: $(cat err)"
    else
        echo "no /dev/full here"; status=1
    fi
    # The reader has gone before the first byte is written.
    { sleep 1; "$bm" places 2>err; echo $? >rc; } | { exec <&-; }
    [ "$(cat rc)" = 1 ] || fail "a closed pipe: exit status $(cat rc)"
    [ "$(cat err)" = "bordermap: cannot write to standard output: Broken pipe; the program reading the output stopped before the end" ] ||
        fail "a closed pipe: $(cat err)"
    ;;
*)
    echo "no check '$check'"; exit 2
    ;;
esac
exit $status
