#!/bin/sh
# What the map outputs carry, checked with the clients people open them with:
#   map_output_case.sh CHECK BORDERMAP WORKDIR
# PDF text with pdftotext; each CHECK prints what went wrong and exits 1, or exits 0.
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
*)
    echo "no check '$check'"; exit 2
    ;;
esac
exit $status
