#!/bin/sh
# What the map outputs carry, checked with the clients people open them with:
#   map_output_case.sh CHECK BORDERMAP WORKDIR
# PDF text with pdftotext, its structure with qpdf and pdfinfo; each CHECK prints what went wrong and exits 1, or exits 0.
check=$1 bm=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
status=0
fail() { echo "FAIL: $*"; status=1; }

case $check in
pdf_line_labels)
    # A label along a line is one word for a PDF reader (each glyph sits on its own
    # baseline when the label is turned): pdftotext -raw finds it whole.
    "$bm" -q render situation -o situation.pdf || fail "render situation.pdf"
    "$bm" -q render corridor -o corridor.pdf || fail "render corridor.pdf"
    pdftotext -raw -enc UTF-8 situation.pdf situation.txt
    pdftotext -raw -enc UTF-8 corridor.pdf corridor.txt
    grep -qF "Yunnan–Kachin · 928.3 km" situation.txt || fail "situation.pdf: no 'Yunnan–Kachin · 928.3 km'"
    grep -qF "Baoshan–Ruili" corridor.txt || fail "corridor.pdf: no 'Baoshan–Ruili'"
    ;;
report_navigation)
    # The report: a valid PDF (qpdf finds nothing to warn about), a bookmark per page
    # that goes to that page, and a link on each line of the contents to its page.
    "$bm" -q report -o report.pdf || fail "report"
    qpdf --check report.pdf >check.txt 2>&1 || fail "qpdf --check: $(grep -i -m1 'warn\|error' check.txt)"
    pages=$(pdfinfo report.pdf | sed -n 's/^Pages: *//p')
    [ "$pages" = 6 ] || fail "$pages pages, not 6"
    qpdf --json --json-key=outlines report.pdf |
        sed -n 's/.*"destpageposfrom1": \([0-9]*\).*/\1/p' >outline.txt
    [ "$(tr '\n' ' ' <outline.txt)" = "1 2 3 4 5 6 " ] ||
        fail "bookmarks go to pages $(tr '\n' ' ' <outline.txt), not 1 to 6"
    qpdf --json --json-key=outlines report.pdf | grep -qF '"title": "Ruili and Muse, the main China–Myanmar crossing"' ||
        fail "no bookmark for the Ruili-Muse map"
    # Each link's destination name and rectangle (PDF points, y up) ...
    qpdf --json=1 --json-key=objects report.pdf | awk '
        /"\/Dest": / { gsub(/[",]/, "", $2); dest = $2 }
        /"\/Rect": \[/ { n = 0; inrect = 1; next }
        inrect && n < 4 { gsub(/,/, ""); r[n++] = $1; if (n == 4) { inrect = 0; rect = r[0] " " r[1] " " r[2] " " r[3] } }
        /"\/Subtype": "\/Link"/ { print dest, rect }' >links.txt
    # ... the page each destination names ...
    pdfinfo -dests report.pdf | awk 'NR > 1 { gsub(/"/, "", $NF); print $NF, $1 }' >dests.txt
    # ... and where the contents say "(page N)" on page 1 (y down from the top).
    height=$(pdfinfo -f 1 -l 1 report.pdf | sed -n 's/^Page *1 size: *[0-9.]* x \([0-9.]*\).*/\1/p')
    pdftotext -f 1 -l 1 -bbox report.pdf - | grep -A1 '>(page<' |
        sed -n 's/.*xMin="\([0-9.]*\)" yMin="\([0-9.]*\)" xMax="\([0-9.]*\)" yMax="\([0-9.]*\)">\([0-9]*\))<.*/\5 \1 \2 \3 \4/p' >contents.txt
    [ "$(wc -l <contents.txt)" = 5 ] || fail "the contents list $(wc -l <contents.txt) pages, not 5"
    while read -r page x0 y0 x1 y1; do
        hit=$(awk -v p="$page" -v h="$height" -v x0="$x0" -v y0="$y0" -v x1="$x1" -v y1="$y1" '
            FILENAME == ARGV[1] { page[$1] = $2; next }
            { x = (x0 + x1) / 2; y = h - (y0 + y1) / 2
              if (page[$1] == p && x >= $2 && x <= $4 && y >= $3 && y <= $5) found = 1 }
            END { print found + 0 }' dests.txt links.txt)
        [ "$hit" = 1 ] || fail "the contents line of page $page is not a link to it"
    done <contents.txt
    ;;
png_crs)
    # A PNG with --world-file: GDAL itself reads its CRS (from the .aux.xml; it reads no
    # .prj beside a PNG), named after what it is: the conic fitted to the extent by its
    # standard parallels and central meridian, as gdalsrsinfo's PROJ string gives them.
    "$bm" -q render situation -o map.png --dpi 72 --world-file || fail "render map.png"
    for f in map.png map.pgw map.prj map.png.aux.xml; do [ -s $f ] || fail "no $f"; done
    gdalsrsinfo -o proj4 map.png >proj4.txt 2>&1 || fail "gdalsrsinfo map.png: $(cat proj4.txt)"
    want=$(tr ' ' '\n' <proj4.txt | awk -F= '
        $1 == "+lat_1" { a = $2 } $1 == "+lat_2" { b = $2 } $1 == "+lon_0" { c = $2 }
        function s(v) { v = sprintf("%.2f", v); sub(/0+$/, "", v); sub(/\.$/, "", v); return v }
        END { printf "bordermap LCC %s/%s lon0=%s", s(a), s(b), s(c) }')
    gdalsrsinfo -o wkt1 map.png | grep -qF "PROJCS[\"$want\"" || fail "gdalsrsinfo does not name the CRS '$want'"
    gdalinfo map.png >info.txt 2>&1 || fail "gdalinfo map.png"
    grep -qF "PROJCRS[\"$want\"" info.txt || fail "gdalinfo gives no CRS '$want'"
    grep -q "^Origin = " info.txt || fail "gdalinfo gives no geotransform"
    # The .prj is WKT that GDAL reads, with the same parameters.
    gdalsrsinfo -o proj4 map.prj | grep -qF "$(tr -d '\n' <proj4.txt | sed 's/^ *//;s/ *$//')" ||
        fail "map.prj is not the CRS of map.png.aux.xml"
    # A projection that is an EPSG CRS is named by its code, whatever way it was given.
    sed 's/^projection:.*//' "$BORDERMAP_DATA/styles/ruili-muse.yaml" >utm.yaml
    printf 'projection: "+proj=utm +zone=47 +datum=WGS84"\n' >>utm.yaml
    sed -i "s#source: \.\./#source: $BORDERMAP_DATA/#" utm.yaml
    "$bm" -q render utm.yaml -o utm.png --dpi 72 --world-file || fail "render utm.png"
    gdalsrsinfo -e utm.png | grep -q "^EPSG:32647" || fail "utm.png is not EPSG:32647"
    ;;
*)
    echo "no check '$check'"; exit 2
    ;;
esac
exit $status
