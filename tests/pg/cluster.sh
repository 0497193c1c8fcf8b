#!/usr/bin/env bash
# A throw-away PostgreSQL/PostGIS cluster for the tests.
#
# Usage:
#   tests/pg/cluster.sh start DIR [ROOT]   start a cluster, load ROOT's shipped layers
#                                          (ROOT: the source tree; default: this script's ../..)
#   tests/pg/cluster.sh stop DIR           stop it and remove everything it made
#
# ctest runs 'start' once per run (test pg_start, FIXTURES_SETUP pg) and 'stop' at
# the end (pg_stop, FIXTURES_CLEANUP pg); a test that needs the database says
#   set_tests_properties(NAME PROPERTIES FIXTURES_REQUIRED pg ENVIRONMENT "${BM_PG_ENV}")
# (see tests/CMakeLists.txt), which sets PGSERVICEFILE for it.
#
# What a test finds after 'start':
#   DIR/pg_service.conf  libpq service file with two services:
#       [bordermap_test]       host=127.0.0.1 port=P dbname=bordermap user=bm, password
#                              from DIR/pgpass (passfile=): reach it as
#                              PGSERVICEFILE=DIR/pg_service.conf bordermap layers PG:service=bordermap_test
#       [bordermap_test_nopw]  the same without a password file (a login that must fail)
#   DIR/pgpass           the .pgpass line for role bm (mode 0600)
#   DIR/cluster.env      shell variables to source: BM_PG_HOST, BM_PG_PORT, BM_PG_DB,
#                        BM_PG_USER, BM_PG_PASSWORD (the role's password, for tests that
#                        put it in a connection string and check that it is never printed),
#                        BM_PG_SERVICE, PGSERVICEFILE, BM_PG_SUPER (a psql connection string
#                        for the superuser over the socket: psql "$BM_PG_SUPER" -c ...)
# In database 'bordermap' (PostGIS), owned by role bm, every geometry column 'geom':
#   public.admin1, border_cn_mm, countries, countries_ne10, world_110m,
#          pipelines, rail, places              the shipped shapefiles, as ogr2ogr loads them
#   public.events      shapes/events/article-2023-11-16.csv with event_date a real 'date'
#                      column, plus three rows of October/December 2023 (for date ranges)
#   ops.border         border_cn_mm again, in schema 'ops' (schema-qualified names)
#   public.border_nosrid  border_cn_mm with SRID 0 (a table without a CRS)
#   public.no_geometry    a table without geometry
#
# The server runs as an unprivileged user (as root: 'postgres' if it exists, else
# 'nobody'), with its data and socket in a temporary folder of its own (mode 0700) on
# a free port of 127.0.0.1; logins over TCP need the password (scram-sha-256).
# Where PostgreSQL cannot be started, 'start' says exactly why and exits 1: a test that
# needs it then fails; it never passes silently.
set -uo pipefail

SERVICE=bordermap_test
DB=bordermap
ROLE=bm
# A password no real deployment has: tests grep everything bordermap prints for it.
PASSWORD='bm-Sekret-7f3q'

die() {
    echo "tests/pg/cluster.sh: $*" >&2
    # A half-made cluster is not left running.
    [ -n "${STARTING:-}" ] && stop "$DIR"
    exit 1
}

usage() {
    echo "usage: tests/pg/cluster.sh start DIR [ROOT] | stop DIR" >&2
    exit 2
}

# The newest installed server's binaries (Debian keeps them out of PATH).
find_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null && command -v pg_ctl >/dev/null &&
        { dirname "$(command -v initdb)"; return 0; }
    return 1
}

# Run a command as the server's user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$OWNER" -- "$@"
    else
        "$@"
    fi
}

# A TCP port of 127.0.0.1 that nothing listens on.
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

stop() {
    local dir=$1 tmp
    [ -f "$dir/cluster.path" ] || return 0
    tmp=$(cat "$dir/cluster.path")
    if [ -n "$tmp" ] && [ -d "$tmp/data" ]; then
        local bindir owner
        bindir=$(find_bindir) || true
        owner=$(stat -c %U "$tmp/data")
        if [ -n "$bindir" ] && [ -f "$tmp/data/postmaster.pid" ]; then
            if [ "$(id -u)" = 0 ]; then
                runuser -u "$owner" -- "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
            else
                "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
            fi
        fi
    fi
    case "$tmp" in
    */bordermap-pg.*) rm -rf "$tmp" ;;
    esac
    rm -f "$dir/cluster.path" "$dir/pg_service.conf" "$dir/pgpass" "$dir/cluster.env"
}

psql_super() {
    psql -X -q -v ON_ERROR_STOP=1 "host=$TMP port=$PORT dbname=$1 user=$SUPER" "${@:2}"
}

load_layers() {
    local conn="PG:service=$SERVICE" shp name
    export PGSERVICEFILE="$DIR/pg_service.conf"
    for shp in "$ROOT"/shapes/boundaries/*.shp "$ROOT"/shapes/infrastructure/*.shp \
        "$ROOT"/shapes/places/places.shp; do
        name=$(basename "$shp" .shp)
        ogr2ogr -f PostgreSQL "$conn" "$shp" -nln "$name" -lco GEOMETRY_NAME=geom \
            -lco SPATIAL_INDEX=GIST -nlt PROMOTE_TO_MULTI 2>>"$TMP/ogr2ogr.log" ||
            die "ogr2ogr could not load $shp: $(tail -3 "$TMP/ogr2ogr.log")"
    done
    ogr2ogr -f PostgreSQL "$conn" "$ROOT/shapes/boundaries/border_cn_mm.shp" -nln ops.border \
        -lco SCHEMA=ops -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI 2>>"$TMP/ogr2ogr.log" ||
        die "ogr2ogr could not load ops.border: $(tail -3 "$TMP/ogr2ogr.log")"
    ogr2ogr -f PostgreSQL "$conn" "$ROOT/shapes/events/article-2023-11-16.csv" -nln events \
        -oo X_POSSIBLE_NAMES=longitude -oo Y_POSSIBLE_NAMES=latitude -oo KEEP_GEOM_COLUMNS=NO \
        -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom \
        2>>"$TMP/ogr2ogr.log" ||
        die "ogr2ogr could not load the events: $(tail -3 "$TMP/ogr2ogr.log")"
    psql -X -q -v ON_ERROR_STOP=1 "service=$SERVICE" >>"$TMP/ogr2ogr.log" 2>&1 <<'SQL' ||
DO $$ BEGIN
  IF (SELECT data_type FROM information_schema.columns
      WHERE table_name = 'events' AND column_name = 'event_date') <> 'date' THEN
    RAISE EXCEPTION 'events.event_date did not load as a date column';
  END IF;
END $$;
INSERT INTO events (event_date, event_type, location, fatalities, geom) VALUES
  ('2023-10-27', 'Battles', 'Laukkai', 5, ST_SetSRID(ST_MakePoint(98.762, 23.696), 4326)),
  ('2023-12-05', 'Battles', 'Lashio', 1, ST_SetSRID(ST_MakePoint(97.75, 22.93), 4326)),
  ('2023-12-20', 'Battles', 'Muse', 2, ST_SetSRID(ST_MakePoint(97.901, 23.997), 4326));
CREATE TABLE border_nosrid (id serial PRIMARY KEY, name text, geom geometry(MultiLineString, 0));
INSERT INTO border_nosrid (name, geom) SELECT name, ST_SetSRID(geom, 0) FROM border_cn_mm;
CREATE TABLE no_geometry (id serial PRIMARY KEY, note text);
INSERT INTO no_geometry (note) VALUES ('a table without geometry');
-- The table the SQL-attack tests (tests/security/pg_attacks.sh) must find unharmed,
-- made here so that every test sees the same list of tables, in any order.
CREATE TABLE canary (id serial PRIMARY KEY, geom geometry(Point, 4326));
SQL
        die "could not finish the test tables: $(tail -3 "$TMP/ogr2ogr.log")"
}

start() {
    command -v psql >/dev/null ||
        die "cannot start PostgreSQL: psql is not installed (Debian: apt-get install postgresql-client)"
    command -v ogr2ogr >/dev/null ||
        die "cannot load the test data: ogr2ogr is not installed (Debian: apt-get install gdal-bin)"
    BINDIR=$(find_bindir) ||
        die "cannot start PostgreSQL: no initdb/pg_ctl under /usr/lib/postgresql/*/bin nor on PATH (Debian: apt-get install postgresql postgresql-15-postgis-3, or run 'make test' as root)"
    local version
    version=$(basename "$(dirname "$BINDIR")")
    if [ -d "/usr/share/postgresql/$version/extension" ] &&
        [ ! -f "/usr/share/postgresql/$version/extension/postgis.control" ]; then
        die "cannot create the PostGIS database: PostgreSQL $version has no PostGIS extension (Debian: apt-get install postgresql-$version-postgis-3)"
    fi
    if [ "$(id -u)" = 0 ]; then
        if id postgres >/dev/null 2>&1; then OWNER=postgres; else OWNER=nobody; fi
        command -v runuser >/dev/null || die "cannot start PostgreSQL as root: runuser is missing (util-linux)"
    else
        OWNER=$(id -un)
    fi
    SUPER=$OWNER
    stop "$DIR" # a cluster left by an interrupted run
    STARTING=1
    mkdir -p "$DIR" || die "cannot create $DIR"
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/bordermap-pg.XXXXXX") || die "cannot make a temporary folder"
    echo "$TMP" >"$DIR/cluster.path"
    chmod 700 "$TMP"
    [ "$(id -u)" = 0 ] && chown "$OWNER" "$TMP"
    as_owner "$BINDIR/initdb" -D "$TMP/data" -U "$SUPER" -A trust -E UTF8 --locale=C.UTF-8 \
        >"$TMP/initdb.log" 2>&1 ||
        die "initdb failed as user $OWNER in $TMP: $(tail -3 "$TMP/initdb.log" | tr '\n' ' ')"
    cat >"$TMP/hba" <<EOF
local all all trust
host all $SUPER 127.0.0.1/32 reject
host all all 127.0.0.1/32 scram-sha-256
EOF
    as_owner cp "$TMP/hba" "$TMP/data/pg_hba.conf" 2>/dev/null || cp "$TMP/hba" "$TMP/data/pg_hba.conf"
    local tries
    for tries in 1 2 3 4 5; do
        PORT=$(free_port) || die "cannot find a free TCP port on 127.0.0.1"
        if as_owner "$BINDIR/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 60 \
            -o "-p $PORT -k $TMP -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            start >/dev/null 2>&1; then
            break
        fi
        grep -q 'could not bind\|already in use' "$TMP/server.log" 2>/dev/null && continue
        die "the PostgreSQL server did not start (user $OWNER, port $PORT): $(tail -3 "$TMP/server.log" 2>/dev/null | tr '\n' ' ')"
    done
    [ -f "$TMP/data/postmaster.pid" ] || die "the PostgreSQL server did not start: no free port after 5 tries"
    psql_super postgres >"$TMP/setup.log" 2>&1 <<EOF ||
CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD';
CREATE DATABASE $DB OWNER $ROLE;
EOF
        die "cannot create the test role and database: $(tail -3 "$TMP/setup.log" | tr '\n' ' ')"
    psql_super "$DB" >>"$TMP/setup.log" 2>&1 <<EOF ||
CREATE EXTENSION postgis;
CREATE SCHEMA ops AUTHORIZATION $ROLE;
EOF
        die "cannot create the PostGIS extension: $(tail -3 "$TMP/setup.log" | tr '\n' ' ')"
    (umask 077 && echo "127.0.0.1:$PORT:$DB:$ROLE:$PASSWORD" >"$DIR/pgpass")
    cat >"$DIR/pg_service.conf" <<EOF
[$SERVICE]
host=127.0.0.1
port=$PORT
dbname=$DB
user=$ROLE
passfile=$DIR/pgpass

[${SERVICE}_nopw]
host=127.0.0.1
port=$PORT
dbname=$DB
user=$ROLE
passfile=/nonexistent
EOF
    cat >"$DIR/cluster.env" <<EOF
BM_PG_HOST=127.0.0.1
BM_PG_PORT=$PORT
BM_PG_DB=$DB
BM_PG_USER=$ROLE
BM_PG_PASSWORD='$PASSWORD'
BM_PG_SERVICE=$SERVICE
PGSERVICEFILE='$DIR/pg_service.conf'
BM_PG_SUPER='host=$TMP port=$PORT dbname=$DB user=$SUPER'
export BM_PG_HOST BM_PG_PORT BM_PG_DB BM_PG_USER BM_PG_PASSWORD BM_PG_SERVICE PGSERVICEFILE BM_PG_SUPER
EOF
    load_layers
    STARTING=
    echo "PostgreSQL $version with PostGIS on 127.0.0.1:$PORT (user $OWNER, $TMP); service $SERVICE in $DIR/pg_service.conf"
}

[ $# -ge 2 ] || usage
DIR=$(realpath -m "$2")
case "$1" in
start)
    ROOT=$(realpath "${3:-$(dirname "$0")/../..}")
    start
    ;;
stop)
    stop "$DIR"
    ;;
*) usage ;;
esac
