#!/bin/sh
# Network sources (issue 13): bordermap must make no request unless the user allows it.
#   network.sh BORDERMAP WORK CASE
# Starts tests/security/http_server.py on a free port of 127.0.0.1 serving WORK/www,
# runs one CASE against it and checks the exit status, the one line on stderr and
# the server's log of requests (empty, unless the case allows the network).
# Nothing listens beyond 127.0.0.1 and nothing leaves the machine.
bin=$1 work=$2 case=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work/www" && cd "$work" || exit 1
. "$here/lib.sh"

# What the server offers: a GeoJSON, the same zipped, and a VRT around the GeoJSON.
cat >www/x.geojson <<'JSON'
{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Ruili"},
 "geometry": {"type": "Point", "coordinates": [97.851, 24.013]}}]}
JSON
(cd www && python3 -c 'import zipfile; zipfile.ZipFile("x.zip", "w").write("x.geojson")')
cat >www/rce.vrt <<'VRT'
<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>x.geojson</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>
VRT

start_server test "$here/http_server.py" www
url="http://127.0.0.1:$port"

hint="bordermap reads local files and databases only, unless you allow the network with --allow network or BORDERMAP_ALLOW=network"
requests=none
case $case in
http) want=1 err="bordermap: refused to open '$url/x.geojson': it is a network source (http://); $hint"
    set -- layers "$url/x.geojson" ;;
vsicurl) want=1 err="bordermap: refused to open '/vsicurl/$url/x.geojson': it is a network source (/vsicurl/); $hint"
    set -- layers "/vsicurl/$url/x.geojson" ;;
wfs) want=1 err="bordermap: refused to open 'WFS:$url/wfs': it is a network source (WFS:); $hint"
    set -- layers "WFS:$url/wfs" ;;
zip_curl) want=1 err="bordermap: refused to open '/vsizip//vsicurl/$url/x.zip/x.geojson': it is a network source (/vsicurl/); $hint"
    set -- measure layer "/vsizip//vsicurl/$url/x.zip/x.geojson" ;;
recipe_vrt) recipe x "/vsicurl/$url/rce.vrt"
    want=1 err="bordermap: map.yaml:6:13: refused to open '/vsicurl/$url/rce.vrt': it is a network source (/vsicurl/); $hint"
    set -- render map.yaml -o map.png ;;
recipe_http) recipe x "$url/x.geojson"
    want=1 err="bordermap: map.yaml:6:13: refused to open '$url/x.geojson': it is a network source (http://); $hint"
    set -- render map.yaml -o map.png ;;
# A local GeoJSON whose CRS is named by a URL: GDAL would fetch it to read it.
crs_url) printf '%s\n' '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "'"$url"'/crs"}}, "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [97.851, 24.013]}}]}' >crs.geojson
    want=- err=-
    set -- layers crs.geojson ;;
# Allowed by the user: the flag and the variable do reach the server (the check above can fail).
allowed_flag) want=0 err=- requests="GET /x.geojson"
    set -- layers --allow network "$url/x.geojson" ;;
allowed_env) want=0 err=- requests="GET /x.geojson"
    export BORDERMAP_ALLOW=network
    set -- layers "$url/x.geojson" ;;
*) echo "no case '$case'"; exit 1 ;;
esac

run_case "$@"
if [ "$requests" = none ]; then
    if [ -s log ]; then echo "the server was asked:"; cat log; status=1; fi
elif ! grep -qxF "$requests" log; then
    echo "the server was not asked '$requests' (log: $(cat log))"; status=1
fi
finish "$@"
