#!/usr/bin/env bash
# measure layer on PostGIS tables (fixture pg): each feature's length against
# PostGIS's own ST_Length(geom::geography) to 1 mm, and the border's total equal
# to the shapefile's (2,188.6 km).
#   measure.sh BORDERMAP SOURCE_DIR       (PGSERVICEFILE set by ctest; see cluster.sh)
set -u
bm=$1 src=$2
svc=PG:service=bordermap_test
status=0

# "fid metres" lines from bordermap's JSON.
ours() {
    "$bm" measure layer "$@" --format json |
        sed -n 's/.*"fid": \([0-9]*\),.*"metres": \([0-9.e+-]*\),.*/\1 \2/p'
}

for table in border_cn_mm ops.border pipelines rail; do
    a=$(ours "$svc" --layer "$table") || { echo "bordermap failed on $table"; status=1; continue; }
    b=$(PGOPTIONS='-c extra_float_digits=3' psql -X -At -F' ' "service=bordermap_test" -c \
        "SELECT ogc_fid, ST_Length(geom::geography) FROM $table ORDER BY ogc_fid") ||
        { echo "psql failed on $table"; status=1; continue; }
    [ -n "$a" ] || { echo "$table: bordermap measured nothing"; status=1; continue; }
    out=$(join <(echo "$a" | sort -k1,1) <(echo "$b" | sort -k1,1) | awk -v t="$table" '
        { n++; d = $2 - $3; if (d < 0) d = -d; if (d > worst) worst = d
          if (d > 0.001) { printf "%s feature %s: bordermap %.4f m, PostGIS %.4f m\n", t, $1, $2, $3; bad = 1 } }
        END { if (n == 0) { print t ": no features in common"; exit 1 }
              printf "%s: %d features, largest difference %.2g m\n", t, n, worst; exit bad }')
    rc=$?
    echo "$out"
    [ $rc = 0 ] || status=1
    [ "$(echo "$a" | wc -l)" = "$(echo "$b" | wc -l)" ] ||
        { echo "$table: $(echo "$a" | wc -l) features measured, $(echo "$b" | wc -l) in the table"; status=1; }
done

# The border in PostGIS is the shapefile's border, to the millimetre, and 2,188.6 km.
total() { "$bm" measure layer "$@" --format json | sed -n 's/.*"total": {"metres": \([0-9.e+-]*\),.*/\1/p'; }
pg=$(total "$svc" --layer border_cn_mm) shp=$(total "$src/shapes/boundaries/border_cn_mm.shp")
echo "border_cn_mm total: PostGIS $pg m, shapefile $shp m"
awk -v a="$pg" -v b="$shp" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 0.001) }' ||
    { echo "the totals differ"; status=1; }
"$bm" measure layer "$svc" --layer border_cn_mm | grep -q 'total  *2,188.6$' ||
    { echo "the table does not say 2,188.6 km"; status=1; }
exit $status
