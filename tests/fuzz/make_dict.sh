#!/bin/sh
# Write the drawing fuzzer's dictionary (tests/fuzz/draw.dict) from the schema:
# the recipe's keys as "key:", the words its values may take (marker shapes,
# placements, corners, orientations, page sizes, colour names), and what the
# fixture layers hold (their paths, field names and values' kinds), and places.
#   tests/fuzz/make_dict.sh [BORDERMAP] > tests/fuzz/draw.dict
# With a bordermap that has 'help recipe', the keys come from it (every line
# that starts with a key: "  name: ..." or "name  ..."); else from the key
# tables in src/map/*.c ({"key", r_reader}, {"key", NULL}, {"key", KEYS...}).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bm=${1:-$top/build/bordermap}
echo "# libFuzzer dictionary for fuzz_draw, written by tests/fuzz/make_dict.sh"
{
    if [ -x "$bm" ] && "$bm" help recipe >/tmp/bm-help-recipe.$$ 2>/dev/null; then
        sed -n 's/^[[:space:]]*\([a-z_][a-z_0-9]*\):.*/\1/p; s/^[[:space:]]*\([a-z_][a-z_0-9]*\)  .*/\1/p' \
            /tmp/bm-help-recipe.$$
    fi
    rm -f /tmp/bm-help-recipe.$$
    grep -ho '{"[a-z_][a-z_0-9]*", *\(r_\|NULL}\|[A-Z_]*_KEYS\)' "$top"/src/map/*.c |
        sed 's/{"\([^"]*\)".*/\1/'
} | sort -u | sed 's/.*/"&:"/'
# The words of the choices (struct bm__choice tables: {"word", BM_VALUE, 0}, or
# arrays of strings), colour names and page sizes.
{
    grep -ho '{"[a-z][a-z-]*", \(BM_[A-Z_]*\|[0-9]\), [0-9]}' "$top"/src/map/*.c
    sed -n '/static const char \*const [a-z_]*\[\] = {/,/}/p' "$top"/src/map/*.c
} | grep -o '"[A-Za-z][A-Za-z_-]*"' | sort -u
grep -ho '{"[A-Za-z]*", 0x[0-9a-f]*}' "$top"/src/map/*.c | sed 's/{\("[^"]*"\).*/\1/' | sort -u
grep -ho '{"[A-Z][A-Za-z0-9]*", [0-9.]*, [0-9.]*}' "$top"/src/map/*.c | sed 's/{\("[^"]*"\).*/\1/' |
    sort -u
# The fixtures: paths, field names, and places of the gazetteer.
for f in "$top"/tests/fuzz/draw/*.geojson "$top"/tests/fuzz/draw/*.csv; do
    echo "\"tests/fuzz/draw/$(basename "$f")\""
done
{
    grep -ho '"[a-z_]*": ' "$top"/tests/fuzz/draw/*.geojson | sed 's/"\([^"]*\)".*/\1/' |
        grep -v -e '^type$' -e '^properties$' -e '^geometry$' -e '^coordinates$' -e '^features$' \
            -e '^crs$' -e '^name$'
    head -1 "$top"/tests/fuzz/draw/events.csv | tr ',' '\n'
} | sort -u | sed 's/.*/"&"/'
cat <<'WORDS'
"name"
"Ruili"
"Muse"
"Lashio"
"Naypyidaw"
"\xe7\x91\x9e\xe4\xb8\xbd"
"24.013,97.851"
"EPSG:4326"
"EPSG:32647"
"+proj=merc +datum=WGS84"
"+proj=lcc +lat_1=18 +lat_2=27 +lat_0=22 +lon_0=98 +datum=WGS84"
"auto"
"#b2182b"
"#fff"
"#00000080"
"{name}"
"{length}"
"{layer_length}"
"2023-11-01"
"2023-11-30"
"IN ("
" AND "
" OR "
"NOT "
" LIKE "
" IS NULL"
" <= "
"true"
"false"
"- "
"  - "
"{"
"}"
"["
"]"
": "
", "
"\x0a"
WORDS
