#!/usr/bin/env bash
# near --source on a PostGIS table of areas (fixture pg): each division's distance
# from a place against PostGIS's ST_Distance on geography, to 1 cm; a place inside
# a division is at 0 km from it and said to be inside (Ruili in Yunnan).
#   near.sh BORDERMAP      (PGSERVICEFILE set by ctest; see cluster.sh)
set -u
bm=$1
status=0
# each place where the gazetteer puts it
for place in Ruili Muse Laukkai Lashio; do
    pos=$("$bm" places --format csv "$place" | awk -F, -v p="$place" '$1 == p { print $4, $5; exit }')
    read -r lat lon <<<"$pos"
    [ -n "$lon" ] || { echo "no position for $place"; status=1; continue; }
    ours=$("$bm" near "$place" --source PG:service=bordermap_test --layer admin1 --within 60 \
        --format csv | awk -F, 'NR > 1 { printf "%s %.0f %s\n", $1, $6 * 1e6, $10 }' | sort)
    theirs=$(psql -X -At -F' ' "service=bordermap_test" -c "
        SELECT name, round((ST_Distance(geom::geography, p) * 1000)::numeric),
               CASE WHEN ST_Intersects(geom, ST_SetSRID(ST_MakePoint($lon, $lat), 4326))
                    THEN 'yes' ELSE 'no' END
        FROM admin1, (SELECT ST_SetSRID(ST_MakePoint($lon, $lat), 4326)::geography AS p) q
        WHERE ST_DWithin(geom::geography, p, 60000)" | sort)
    [ -n "$ours" ] || { echo "$place: near found nothing"; status=1; continue; }
    # distances in millimetres; 10 mm apart at most
    out=$(join <(echo "$ours") <(echo "$theirs") | awk -v p="$place" '
        { n++; d = $2 - $4; if (d < 0) d = -d
          if (d > 10 || $3 != $5) { printf "%s to %s: bordermap %s mm (inside %s), PostGIS %s mm (inside %s)\n", p, $1, $2, $3, $4, $5; bad = 1 } }
        END { printf "%s: %d divisions within 60 km agree with PostGIS\n", p, n; exit bad || n == 0 }') || status=1
    echo "$out"
    [ "$(echo "$ours" | wc -l)" = "$(echo "$theirs" | wc -l)" ] ||
        { echo "$place: bordermap lists $(echo "$ours" | wc -l), PostGIS $(echo "$theirs" | wc -l)"; status=1; }
done
"$bm" near Ruili --source PG:service=bordermap_test --layer admin1 --within 1 |
    grep -q '^Yunnan .*inside polygon .*0\.0$' || { echo "Ruili is not shown inside Yunnan at 0.0 km"; status=1; }
exit $status
