#!/bin/sh
# The SQL attacks of the security review (issue 13), against the real test cluster
# (tests/pg/cluster.sh, started by the ctest fixture 'pg').
#   pg_attacks.sh BORDERMAP WORK CLUSTER_DIR CASE
# Each CASE makes sure a table 'canary' (with a geometry column) and a table
# 'secrets' exist, runs bordermap with a hostile recipe or filter, and checks that
# it is refused with its one line, that the canary table survives, and that neither
# the secret nor the role's password appears in anything bordermap printed.
bin=$1 work=$2 cluster=$3 case=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$cluster/cluster.env" || exit 1
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/lib.sh"
SECRET=pg-secret-Xq81
psql -X -q -v ON_ERROR_STOP=1 "$BM_PG_SUPER" >setup.log 2>&1 <<SQL || { cat setup.log; exit 1; }
CREATE TABLE IF NOT EXISTS canary (id serial PRIMARY KEY, geom geometry(Point, 4326));
ALTER TABLE canary OWNER TO $BM_PG_USER;
CREATE TABLE IF NOT EXISTS secrets (secret text);
ALTER TABLE secrets OWNER TO $BM_PG_USER;
DELETE FROM secrets;
INSERT INTO secrets VALUES ('$SECRET');
SQL

places="PG:service=$BM_PG_SERVICE tables=places" # the shipped places, in the database
hint="use field names, literals, comparisons, AND/OR/NOT, IN, LIKE, IS NULL"
want=1
case $case in
drop_geometry_table) recipe places "$places" "DropGeometryTable('canary') IS NOT NULL"
    err="bordermap: map.yaml:7:12: bad filter at column 1: functions are not allowed ('DropGeometryTable'); $hint"
    set -- render map.yaml -o map.png ;;
secret_in_error) recipe places "$places" "1 = CAST((SELECT secret FROM secrets LIMIT 1) AS int)"
    err="bordermap: map.yaml:7:12: bad filter at column 5: functions are not allowed ('CAST'); $hint"
    set -- render map.yaml -o map.png ;;
sleep) recipe places "$places" "pg_sleep(2) IS NOT NULL"
    err="bordermap: map.yaml:7:12: bad filter at column 1: functions are not allowed ('pg_sleep'); $hint"
    set -- render map.yaml -o map.png ;;
atlas_where) recipe places "$places" "name IS NOT NULL"
    err="bordermap: bad filter at column 1: functions are not allowed ('DropGeometryTable'); $hint"
    set -- atlas map.yaml --layer places --where "DropGeometryTable('canary') IS NOT NULL" -o maps ;;
# As the superuser (the user's own connection): still no function reaches the server.
read_file) err="bordermap: bad filter at column 1: functions are not allowed ('pg_read_file'); $hint"
    set -- measure layer "PG:$BM_PG_SUPER tables=border_cn_mm" --where "pg_read_file('/etc/passwd', 0, 60) IS NOT NULL" ;;
lo_export) err="bordermap: bad filter at column 1: functions are not allowed ('lo_export'); $hint"
    set -- measure layer "PG:$BM_PG_SUPER tables=border_cn_mm" --where "lo_export(1, '/tmp/bm-lo') > 0" ;;
# A VRT whose SQL drops the table: refused unless allowed ...
vrt_sql) printf '%s\n' "<OGRVRTDataSource><OGRVRTLayer name=\"x\"><SrcDataSource>PG:service=$BM_PG_SERVICE</SrcDataSource><SrcSQL>DROP TABLE canary; SELECT name, geom FROM places</SrcSQL></OGRVRTLayer></OGRVRTDataSource>" >rce.vrt
    recipe places rce.vrt "name IS NOT NULL"
    err="bordermap: map.yaml:6:13: refused to open 'rce.vrt': a GDAL virtual dataset (VRT) can run SQL on a database and open other sources; if you trust it, allow it with --allow vrt or BORDERMAP_ALLOW=vrt"
    set -- render map.yaml -o map.png ;;
# ... and allowed by the user, its session is read-only all the same (the second wall).
vrt_sql_allowed) printf '%s\n' "<OGRVRTDataSource><OGRVRTLayer name=\"x\"><SrcDataSource>PG:service=$BM_PG_SERVICE</SrcDataSource><SrcSQL>DELETE FROM canary RETURNING id, geom</SrcSQL><GeometryType>wkbPoint</GeometryType><LayerSRS>EPSG:4326</LayerSRS></OGRVRTLayer></OGRVRTDataSource>" >rce.vrt
    psql -X -q "$BM_PG_SUPER" -c "INSERT INTO canary (geom) VALUES (ST_SetSRID(ST_MakePoint(97.85, 24.01), 4326))" >/dev/null
    err=- want=-
    set -- layers --allow vrt rce.vrt ;;
*) echo "no case '$case'"; exit 1 ;;
esac

start=$(date +%s)
run_case "$@"
[ $(($(date +%s) - start)) -lt 10 ] || { echo "it took $(($(date +%s) - start)) s"; status=1; }
n=$(psql -X -At "$BM_PG_SUPER" -c "SELECT count(*) FROM pg_tables WHERE tablename = 'canary'")
[ "$n" = 1 ] || { echo "the table canary is gone"; status=1; }
if [ "$case" = vrt_sql_allowed ]; then
    rows=$(psql -X -At "$BM_PG_SUPER" -c "SELECT count(*) FROM canary")
    [ "$rows" -ge 1 ] || { echo "the VRT deleted the canary's rows"; status=1; }
fi
if grep -qF -e "$SECRET" -e "$BM_PG_PASSWORD" -e "root:" out err; then
    echo "a secret was printed"; status=1
fi
[ -e /tmp/bm-lo ] && { echo "lo_export wrote a file"; rm -f /tmp/bm-lo; status=1; }
finish "$@"
