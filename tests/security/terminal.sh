#!/bin/sh
# Terminal escapes from data and recipes (issue 13): shown escaped, never sent raw.
#   terminal.sh BORDERMAP SOURCE_DIR WORK CASE
# Builds a data root in WORK whose gazetteer names places with terminal control
# sequences (OSC 0 sets the window title, ESC [2J clears the screen, OSC 52 writes
# the clipboard, CSI as the C1 byte), runs one CASE and checks what reaches stdout and
# stderr: escaped as \x1b in tables and messages, in CSV when on a terminal (run
# under script(1)), as \u001b in JSON; the raw ESC byte never appears where it must not.
bin=$1 src=$2 work=$3 case=$4
rm -rf "$work" && mkdir -p "$work/shapes/places" "$work/shapes/boundaries" && cd "$work" || exit 1
ln -s "$src/shapes/boundaries/"* shapes/boundaries/
ESC=$(printf '\033') BEL=$(printf '\007') CSI=$(printf '\302\233')
printf '%s\n' "name,name_zh,name_my,kind,country,admin1,rank,in_article,source,lon,lat" \
    "\"Ruili${ESC}]0;pwned${BEL}\",Ruili-zh,x,city,CHN,Yunnan,1,1,test,97.851,24.013" \
    "\"Muse${ESC}[2J${ESC}]52;c;cm0gLXJmIH4=${BEL}\",Muse-zh,x,town,MMR,Shan,2,1,test,97.901,23.997" \
    "\"Namhkam${CSI}31m\",Namhkam-zh,x,town,MMR,Shan,3,1,test,97.7,23.83" >places.csv
ogr2ogr -f "ESRI Shapefile" shapes/places/places.shp places.csv -oo X_POSSIBLE_NAMES=lon \
    -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326 \
    -sql "SELECT name, name_zh, name_my, kind, country, admin1, CAST(rank AS integer) AS rank, CAST(in_article AS integer) AS in_article, source FROM places" \
    2>ogr.log || { cat ogr.log; exit 1; }
export BORDERMAP_DATA="$work"
status=0
has() { grep -qF -- "$2" "$1" || { echo "$1 lacks: $2"; status=1; }; }
raw() { if grep -q "$ESC" "$1"; then echo "$1 holds a raw ESC"; status=1; fi; }
case $case in
table) "$bin" near Ruili --within 50 >out 2>err
    has out 'Ruili\x1b]0;pwned\x07'
    has out 'Muse\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07'
    has out 'Namhkam\u009b31m'
    raw out ;;
places) "$bin" places Muse >out 2>err
    has out 'Muse\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07'
    raw out ;;
json) "$bin" near Ruili --within 50 --format json >out 2>err
    has out 'Ruili\u001b]0;pwned\u0007'
    has out 'Namhkam\u009b31m'
    raw out ;;
csv_pipe) "$bin" places --format csv Ruili >out 2>err
    # Not a terminal: the data as it is, quoted (the bytes are the data).
    has out "\"Ruili${ESC}]0;pwned${BEL}\""
    ;;
csv_terminal) script -qec "\"$bin\" places --format csv Ruili" /dev/null >out 2>err
    has out 'Ruili\x1b]0;pwned\x07'
    raw out ;;
message) "$bin" places "Rul${ESC}]0;x${BEL}i" >out 2>err
    has err "no place named 'Rul\\x1b]0;x\\x07i'"
    raw err ;;
usage) # a usage error quotes the argument as given: escaped too
    "$bin" render map.yaml --format "x${ESC}]0;x${BEL}" >out 2>err
    has err "unknown format 'x\\x1b]0;x\\x07'"
    raw err
    "$bin" "nosuch${ESC}[31m" >out 2>err
    has err "no command 'nosuch\\x1b[31m'"
    raw err ;;
*) echo "no case '$case'"; exit 1 ;;
esac
if [ $status != 0 ]; then echo "--- stdout:"; cat -v out | head; echo "--- stderr:"; cat -v err | head; fi
exit $status
