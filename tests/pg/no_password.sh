#!/usr/bin/env bash
# Credentials are never printed: runs bordermap's commands on connection strings
# that hold the test database's password (in every form: key=value, URI, quoted,
# $PGPASSWORD; right and wrong), in every output format, and fails if the password
# appears anywhere in what they print (stdout, stderr) or in the files they write.
# Each command must also have done its work (its exit status is checked), so that a
# command failing early cannot pass by printing nothing.
#   no_password.sh BORDERMAP WORKDIR     (PGSERVICEFILE set by ctest; see cluster.sh)
set -u
bm=$1 work=$2
dir=$(dirname "${PGSERVICEFILE:?PGSERVICEFILE is not set: run through ctest (fixture pg)}")
# shellcheck disable=SC1091
. "$dir/cluster.env" || exit 1
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
pw=$BM_PG_PASSWORD
wrong='Wr0ng-Pa55-x9'
kv="PG:host=$BM_PG_HOST port=$BM_PG_PORT dbname=$BM_PG_DB user=$BM_PG_USER password=$pw"
quoted="PG:host=$BM_PG_HOST port=$BM_PG_PORT dbname=$BM_PG_DB user=$BM_PG_USER password='$pw'"
uri="PG:postgresql://$BM_PG_USER:$pw@$BM_PG_HOST:$BM_PG_PORT/$BM_PG_DB"
bad="PG:host=$BM_PG_HOST port=$BM_PG_PORT dbname=$BM_PG_DB user=$BM_PG_USER password=$wrong"
nopw="PG:host=$BM_PG_HOST port=$BM_PG_PORT dbname=$BM_PG_DB user=$BM_PG_USER"
status=0 n=0

# run EXIT [ENV=VALUE...] -- ARGS...: one command, all it prints kept in out.N
run() {
    local want=$1
    shift
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    n=$((n + 1))
    env "${envs[@]}" "$bm" "$@" >"out.$n" 2>&1
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "exit status $got, expected $want: bordermap $*" | sed "s/$pw/<password>/g"
        sed "s/$pw/<password>/g" "out.$n" | head -5
        status=1
    fi
}

for fmt in table csv json; do
    run 0 -- layers --format "$fmt" "$kv"
    run 0 -- layers --format "$fmt" "$uri"
done
run 0 -- layers "$quoted"
run 0 PGPASSWORD="$pw" -- layers "$nopw"
run 1 -- layers "$bad"
run 1 PGPASSWORD="$wrong" -- layers "$nopw"
run 1 -- layers "PG:postgresql://$BM_PG_USER:$wrong@$BM_PG_HOST:$BM_PG_PORT/$BM_PG_DB"
# Usage errors quote the arguments.
run 2 -- layers --format xml "$kv"
run 2 -- measure border --source "$kv" --layer countries --tolerance x
# Every command that reads a source, in every format.
for fmt in table csv json geojson; do
    run 0 -- measure layer "$kv" --layer border_cn_mm --format "$fmt"
done
run 1 -- measure layer "$kv"
run 1 -- measure layer "$kv" --layer nosuch
run 0 -- measure layer "$uri" --layer ops.border
run 1 -- measure layer "$bad" --layer border_cn_mm
for fmt in table csv json; do
    run 0 -- measure border --source "$kv" --layer countries --format "$fmt"
    run 0 -- near Ruili --source "$kv" --layer admin1 --within 30 --format "$fmt"
done
run 1 -- near Ruili --source "$bad" --layer admin1
# Maps and the report, whose sources page names each layer's source. A recipe may
# not hold a connection with a host or password: it takes them from the
# environment (source: ${env:NAME}), which is the user's.
cat >map.yaml <<'YAML'
title: Border from the database
page: {size: 120x90mm, dpi: 72}
extent: {around: Ruili, radius_km: 150}
layers:
  - name: countries
    source: ${env:BM_KV}
    layer: countries
    fill: "#eeeeee"
  - name: border
    source: ${env:BM_URI}
    layer: border_cn_mm
    stroke: {color: "#b2182b", width: 2}
    legend: "Border ({layer_length})"
furniture: {legend: bottom-left, inset: none}
YAML
envs=(BM_KV="$kv" BM_URI="$uri")
for ext in png svg pdf; do
    run 0 "${envs[@]}" -- render map.yaml -o "map.$ext"
done
run 1 BM_KV="$bad" BM_URI="$uri" -- render map.yaml -o bad.png
run 0 "${envs[@]}" -- report map.yaml -o report.pdf
run 0 "${envs[@]}" -- atlas map.yaml --layer border -o atlas --format svg
if [ -f report.pdf ]; then
    pdftotext report.pdf report.txt || { echo "pdftotext failed"; status=1; }
    grep -q 'password=\*\*\*' report.txt || { echo "the report does not name the source, hidden"; status=1; }
fi
for f in map.pdf; do [ -f "$f" ] && pdftotext "$f" "$f.txt"; done

# Everything printed and every file written, searched for both passwords.
if grep -rlF -e "$pw" -e "$wrong" . >found 2>/dev/null; then
    echo "the password was printed or written, in:"
    while read -r f; do
        echo "  $f:"; grep -F -e "$pw" -e "$wrong" "$f" | sed "s/$pw/<PASSWORD>/g; s/$wrong/<WRONG>/g" | head -3
    done <found
    status=1
fi
# And the redaction is there to be seen: the connection strings are shown, hidden.
if ! grep -qF 'password=***' out.1; then
    echo "layers did not show the connection string with password=***"; status=1
fi
[ $status = 0 ] && echo "$n commands, no password printed"
exit $status
