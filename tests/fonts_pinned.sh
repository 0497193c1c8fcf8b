#!/bin/sh
# The tests draw with the fonts of tests/fonts.conf only (ctest sets FONTCONFIG_FILE):
# every font fontconfig then offers is a Noto font of fonts-noto-core or fonts-noto-cjk,
# and the families the maps name resolve to themselves.
: "${FONTCONFIG_FILE:?FONTCONFIG_FILE must name tests/fonts.conf}"
status=0
other=$(fc-list : file | grep -v -e '^/usr/share/fonts/truetype/noto/' -e '^/usr/share/fonts/opentype/noto/')
if [ -n "$other" ]; then
    echo "fonts outside the Noto folders:"; echo "$other" | head; status=1
fi
for family in "Noto Sans" "Noto Sans CJK SC" "Noto Sans Myanmar" sans-serif Arial; do
    got=$(fc-match -f '%{family[0]}' "$family")
    case $family in sans-serif | Arial) want="Noto Sans" ;; *) want=$family ;; esac
    if [ "$got" != "$want" ]; then
        echo "'$family' is drawn with '$got', not '$want'"; status=1
    fi
done
exit $status
