#!/bin/sh
# What the map outputs carry, checked with the clients people open them with:
#   map_output_case.sh CHECK BORDERMAP WORKDIR [PNGDIFF]
# PDF text with pdftotext, its structure with qpdf and pdfinfo; each CHECK prints what went wrong and exits 1, or exits 0.
check=$1 bm=$2 work=$3 pngdiff=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$(dirname "$0")/lib.sh"

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
    # River names drawn glyph by glyph along the river (placement: curved) are words too.
    grep -qxF "Irrawaddy" situation.txt || fail "situation.pdf: no 'Irrawaddy' as a word"
    "$bm" -q render ruili-muse -o ruili-muse.pdf || fail "render ruili-muse.pdf"
    pdftotext -raw -enc UTF-8 ruili-muse.pdf ruili-muse.txt
    grep -qF "Shweli · 瑞丽江 · ရွှေလီမြစ်" ruili-muse.txt || fail "ruili-muse.pdf: no Shweli in three scripts"
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
svg_text)
    # An SVG's text is text: every label a <text> element (a label's lines in one), no
    # glyph outlines, well-formed XML; Ruili in three scripts and Naypyidaw in Burmese.
    "$bm" -q render situation -o map.svg || fail "render map.svg"
    python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' map.svg ||
        fail "map.svg is not well-formed XML"
    for t in Ruili 瑞丽 နေပြည်တော် "China–Myanmar border region" "Yunnan–Kachin · 928.3 km"; do
        grep -qF ">$t</tspan>" map.svg || fail "map.svg has no text '$t'"
    done
    grep -q 'href="#glyph' map.svg && fail "map.svg still draws glyph outlines"
    # A curved name (the Shweli's, along the river) is text too: a <text> per cluster,
    # turned to the line, each Burmese syllable whole (its vowel and asat with their
    # consonant: a mark alone would be drawn on a dotted circle).
    "$bm" -q render ruili-muse -o rm.svg || fail "render rm.svg"
    grep -q 'href="#glyph' rm.svg && fail "rm.svg draws glyph outlines"
    for t in S 瑞 လီ မြ စ်; do
        grep -F ">$t</tspan>" rm.svg | grep -q 'transform="matrix(' ||
            fail "rm.svg has no turned <text> of the Shweli's '$t'"
    done
    grep -qE '>(ီ|်|ွ|ှ)</tspan>' rm.svg && fail "rm.svg writes a Burmese mark apart from its syllable"
    tr '\n' ' ' <map.svg | sed 's#</text>#</text>\n#g' | grep -F '>Ruili</tspan>' >ruili.txt
    [ "$(wc -l <ruili.txt)" = 1 ] && grep -qF '>瑞丽</tspan>' ruili.txt && grep -qF '>ရွှေလီ</tspan>' ruili.txt ||
        fail "Ruili's label is not one <text> of its three lines"
    grep -q 'paint-order="stroke"' ruili.txt || fail "Ruili's label has no halo"
    # --svg-text outlines: cairo's glyph outlines, no <text>.
    "$bm" -q render situation -o outlines.svg --svg-text outlines || fail "render outlines.svg"
    grep -q '<text' outlines.svg && fail "outlines.svg has <text>"
    grep -q 'href="#glyph' outlines.svg || fail "outlines.svg has no glyph outlines"
    # rsvg-convert draws it like the PNG. Text drawn by two renderers is shaded apart at
    # its edges by a fraction of a pixel (librsvg hints glyphs, cairo's PNG hints its
    # layout to pixels), so the measure is pixels of either image with nothing within
    # 2 px and 32 levels in the other (pngdiff --near). Held to within 15 % of what
    # cairo's own SVG (glyph outlines, the same drawing) gets against the same PNG, and
    # under 1 % of the image: on this map 1,928 px of 375,000 against 1,839 for the
    # outlines; one label (Wanding, two lines) taken out makes 2,457.
    d=$BORDERMAP_DATA
    {
        echo "title: Ruili and Muse"
        echo "subtitle: SVG text against PNG"
        echo "page: {size: 150x100mm, dpi: 127}"
        echo "extent: {around: Ruili, radius_km: 30}"
        echo "layers:"
        echo "  - {name: countries, source: $d/shapes/boundaries/countries.shp, fill: \"#f1efe9\", stroke: {color: \"#9c9c9c\", width: 0.5}}"
        echo "  - name: border"
        echo "    source: $d/shapes/boundaries/border_cn_mm.shp"
        echo "    stroke: {color: \"#b2182b\", width: 2}"
        echo "    legend: China–Myanmar border"
        echo "    label: {text: \"China–Myanmar border\", size: 8, color: \"#b2182b\", halo: \"#ffffff\", halo_width: 1.5, placement: line}"
        echo "  - name: places"
        echo "    source: $d/shapes/places/places.shp"
        echo "    where: \"name IN ('Ruili', 'Muse', 'Namhkam', 'Wanding')\""
        echo "    marker: {shape: circle, size: 5, fill: \"#ff0000\", stroke: \"#ffffff\"}"
        echo "    legend: Town"
        echo "    label: {field: name, zh: name_zh, my: name_my, size: 9, halo: \"#ffffff\", halo_width: 1.2}"
        echo "furniture: {legend: bottom-left, scalebar: bottom-right}"
    } >t.yaml
    "$bm" -q render t.yaml -o t.png && "$bm" -q render t.yaml -o t.svg &&
        "$bm" -q render t.yaml -o o.svg --svg-text outlines || fail "render t.yaml"
    n=$(grep -o '<text' t.svg | wc -l)
    [ "$n" = 14 ] || fail "t.svg has $n <text>, not 14 (title 2, labels 5, legend 2, furniture 5)"
    rsvg-convert -w 750 -h 500 -b white t.svg -o t_svg.png &&
        rsvg-convert -w 750 -h 500 -b white o.svg -o o_svg.png || fail "rsvg-convert"
    text=$("$pngdiff" --near 2 32 t_svg.png t.png far_text.png)
    outl=$("$pngdiff" --near 2 32 o_svg.png t.png far_outlines.png)
    [ -n "$text" ] && [ -n "$outl" ] && [ "$text" -le $((outl * 115 / 100)) ] && [ "$text" -le 3750 ] ||
        fail "rsvg-convert's t.svg has $text px far from t.png; the outlines $outl (see far_text.png)"
    ;;
frame_only)
    # The frame alone, read by gdalinfo: a GeoTIFF with --frame-only (RGBA, smaller than
    # the page); by default and with --frame-only=no the page (RGB); a PNG with
    # --frame-only has alpha, and a pixel where nothing was drawn is transparent.
    d=$BORDERMAP_DATA
    printf 'title: Frame\nextent: {around: Ruili, radius_km: 30}\npage: {size: 150x100mm, dpi: 72}\nlayers:\n  - {name: border, source: %s/shapes/boundaries/border_cn_mm.shp, stroke: black}\n' "$d" >f.yaml
    "$bm" -q render f.yaml -o frame.tif --frame-only && "$bm" -q render f.yaml -o page.tif --frame-only=no &&
        "$bm" -q render f.yaml -o default.tif && cmp -s page.tif default.tif &&
        "$bm" -q render f.yaml -o frame.png --frame-only || fail "render f.yaml"
    gdalinfo frame.tif >frame.txt && gdalinfo page.tif >page.txt && gdalinfo frame.png >png.txt || fail "gdalinfo"
    grep -q "Band 4 .*ColorInterp=Alpha" frame.txt || fail "frame.tif has no alpha band"
    grep -q "Band 4" page.txt && fail "page.tif has a fourth band"
    grep -q "^Size is 426, 284" page.txt || fail "page.tif is not the page: $(grep Size page.txt)"
    set -- $(sed -n 's/^Size is \([0-9]*\), \([0-9]*\)/\1 \2/p' frame.txt)
    [ "${1:-0}" -lt 426 ] && [ "${2:-0}" -lt 284 ] && [ "$1" -gt 300 ] || fail "frame.tif is $1 x $2, not a frame of the page"
    grep -q "Band 4 .*ColorInterp=Alpha" png.txt || fail "frame.png has no alpha"
    grep -q "^Size is $1, $2" png.txt || fail "frame.png is not frame.tif's size"
    # Its top-left pixel: nothing is drawn there (alpha 0).
    gdallocationinfo -valonly frame.tif 0 0 >px.txt
    [ "$(sed -n 4p px.txt)" = 0 ] || fail "frame.tif's pixel 0,0 is not transparent: $(tr '\n' ' ' <px.txt)"
    ;;
*)
    echo "no check '$check'"; exit 2
    ;;
esac
exit $status
