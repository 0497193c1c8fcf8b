#!/usr/bin/env bash
# Mutation testing: make one deliberate bug at a time in a scratch copy of the
# tree, run the test suite on it, and report which bugs the suite lets through.
#
#   tests/mutate/run.sh [-l LIST] [ID...]
#
# LIST (default tests/mutate/mutants.txt) holds one mutant per block:
#   id: short-name
#   file: src/...c            (relative to the top of the tree)
#   from: exact text           (must occur exactly once in the file; \n is a newline,
#                               so a backslash-n of the source cannot be written)
#   to: its replacement
#   why: what the bug does (free text)
#   tests: a regex of the tests to run first (optional; else those that cover
#          the file's folder, see first_tests below)
# separated by blank lines; lines starting with # are comments. With IDs, only
# those mutants run. The tree is copied (tracked and untracked files, as they
# are now, without build folders) to $MUTATE_DIR (default /tmp/bm-mutate-$USER),
# built once, then each mutant is applied, rebuilt incrementally and tested
# with ctest (all labels but valgrind and pg: they need minutes and a server and
# only catch memory errors and the database path), stopping at the first
# failing test (a test that times out is run again alone with a longer limit):
# first the tests that cover the mutated file, then all the others, so that a
# survivor has still run the whole suite (but valgrind and pg) and a kill is
# found in seconds. A mutant is "killed" when a test fails (or times out),
# "survived" when all pass, and "invalid" when it does not compile (a mistake
# in the list, not counted). The copy and its build are kept for the next run.
#
# Output: one line per mutant (KILLED by TEST / SURVIVED / INVALID), then the
# kill rate. The report is also written to $MUTATE_DIR/report.txt.
# It is slow (each survivor runs the whole suite: ~3 CPU-minutes), so run it at
# nice 19 in the background on a shared machine.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
list=$top/tests/mutate/mutants.txt
while getopts "l:" o; do
    case $o in
    l) list=$(realpath "$OPTARG") ;;
    *) sed -n '2,/^set/p' "$0" | sed 's/^# \{0,1\}//;/^set/d' >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
work=${MUTATE_DIR:-/tmp/bm-mutate-${USER:-$(id -un)}}
src=$work/tree build=$work/build log=$work/logs
mkdir -p "$src" "$log"

# The tree as it is now (tracked and untracked, not ignored), over the last copy.
(cd "$top" && git ls-files -co --exclude-standard -z) |
    (cd "$top" && tar --null -T - -cf -) | tar -xf - -C "$src"

# What the tree holds now, to put back what a mutant's tests overwrite (a mutant
# that lets an output overwrite its recipe wrote a PNG over styles/situation.yaml).
tar -cf "$work/pristine.tar" -C "$src" . && touch "$work/stamp"

if ! { cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log/configure.txt" 2>&1 &&
    cmake --build "$build" -j2 >"$log/build.txt" 2>&1; }; then
    echo "mutate: the unmutated tree does not build; see $log/build.txt" >&2
    exit 2
fi

# Parse the list into parallel arrays.
ids=() files=() froms=() tos=() whys=() firsts=()
flush() {
    if [ -n "${id:-}" ]; then
        ids+=("$id") files+=("$file") froms+=("$from") tos+=("$to") whys+=("${why:-}")
        firsts+=("${tests:-}")
    fi
    id="" file="" from="" to="" why="" tests=""
}
id=""
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
    '#'*) ;;
    '') flush ;;
    id:*) id=${line#id:}; id=${id# } ;;
    file:*) file=${line#file:}; file=${file# } ;;
    from:*) from=${line#from:}; from=${from# } ;;
    to:*) to=${line#to:}; to=${to# } ;;
    why:*) why=${line#why:}; why=${why# } ;;
    tests:*) tests=${line#tests:}; tests=${tests# } ;;
    *) echo "mutate: $list: cannot read the line '$line'" >&2; exit 2 ;;
    esac
done <"$list"
flush

# Replace the one occurrence of $2 by $3 in file $1 (\n: newline). 0 if done.
apply() {
    FROM=$2 TO=$3 perl -0777 -i -pe '
        BEGIN { ($f, $t) = ($ENV{FROM}, $ENV{TO}); s/\\n/\n/g for ($f, $t); }
        $n = () = /\Q$f\E/g;
        if ($n != 1) { print STDERR "found $n times\n"; exit 3 }
        s/\Q$f\E/$t/;' "$1"
}

# The tests that cover a folder of src/, run first on its mutants.
first_tests() {
    case $1 in
    src/data/*) echo '^(test_loader|test_measure|test_gazetteer|test_filter|bad_source_.*|oracle_.*)$' ;;
    src/geo/*) echo '^(test_measure|oracle_.*|cli_measure_.*|cli_near_.*)$' ;;
    src/map/*) echo '^(test_recipe|test_schema|test_scene|oracle_dates|bad_recipe_.*|cli_render_.*)$' ;;
    src/draw/*) echo '^(test_render|fonts_pinned)$' ;;
    src/out/*) echo '^(test_render|test_format|bad_output_.*|fault_.*|output_.*|flag_.*)$' ;;
    src/cli/*) echo '^(cli_.*|oracle_.*|output_.*|bad_arg_.*|flag_.*)$' ;;
    *) echo '^$' ;;
    esac
}

# Run the suite on the current build, stopping at the first failure; set failed
# to the names of the failing tests ("" when all pass): first the tests matching
# the regex $2, then the others. A test that times out on a loaded machine is
# run again alone with a longer limit: only a second timeout counts, as a hang.
suite() {
    local done_re='^$' round=0 out t only=$2
    failed=""
    while :; do
        round=$((round + 1))
        out=$log/$1.ctest$round.txt
        local pick=()
        [ -n "$only" ] && pick=(-R "$only")
        (cd "$build" && ctest -j2 -LE 'valgrind|pg' "${pick[@]}" -E "$done_re" --timeout 900 \
            --stop-on-failure >"$out" 2>&1)
        names() { grep -E "Test +#[0-9]+: [^ ]+ \.*.*$1" "$out" | sed -E 's/.*Test +#[0-9]+: ([^ ]+) .*/\1/'; }
        failed=$(names '(\*\*\*Failed|\*\*\*Exception|Not Run)' | paste -sd, -)
        [ -n "$failed" ] && return
        for t in $(names 'Passed'); do done_re="$done_re|^$t\$"; done
        for t in $(names '\*\*\*Timeout'); do
            if (cd "$build" && ctest -R "^$t\$" --timeout 3600 >"$out.$t.txt" 2>&1); then
                done_re="$done_re|^$t\$"
            else
                failed="$t (hangs)"
                return
            fi
        done
        # The first set done: on to the others. Done when nothing is left to run.
        if grep -q "No tests were found" "$out" || ! names '(Passed|\*\*\*Timeout)' | grep -q .; then
            [ -n "$only" ] || return
            only=""
        fi
    done
}

report=$work/report.txt
: >"$report"
killed=0 survived=0 invalid=0
for i in "${!ids[@]}"; do
    id=${ids[$i]}
    if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF -- "$id"; then
        continue
    fi
    f=$src/${files[$i]}
    # The file as copied at the start: the tree may change while this runs.
    cp "$f" "$work/original"
    if ! apply "$f" "${froms[$i]}" "${tos[$i]}" 2>"$log/$id.apply.txt"; then
        r="INVALID  $id: the text is not in ${files[$i]} exactly once ($(cat "$log/$id.apply.txt"))"
        invalid=$((invalid + 1))
    elif ! cmake --build "$build" -j2 >"$log/$id.build.txt" 2>&1; then
        r="INVALID  $id: does not compile (see $log/$id.build.txt)"
        invalid=$((invalid + 1))
    else
        first=${firsts[$i]}
        [ -n "$first" ] || first=$(first_tests "${files[$i]}")
        suite "$id" "$first"
        if [ -n "$failed" ]; then
            r="KILLED   $id by $failed"
            killed=$((killed + 1))
        else
            r="SURVIVED $id: ${whys[$i]}"
            survived=$((survived + 1))
        fi
    fi
    cp "$work/original" "$f" # restore
    touch "$f"
    # (Sources are left alone: the mutated ones are restored above, newer than their objects.)
    changed=$(cd "$src" && find . -type f -newer "$work/stamp" ! -path './src/*' ! -path './include/*')
    if [ -n "$changed" ]; then
        echo "mutate: $id changed $(echo "$changed" | paste -sd ' ' -) in the tree; put back" >&2
        (cd "$src" && echo "$changed" | tar -xf "$work/pristine.tar" -T - 2>/dev/null)
    fi
    echo "$r" | tee -a "$report"
done
total=$((killed + survived))
if [ $total -gt 0 ]; then
    echo "killed $killed of $total ($((100 * killed / total)) %), survived $survived, invalid $invalid" |
        tee -a "$report"
fi
# Leave the copy built as the tree is (the last file restored) for the next run.
cmake --build "$build" -j2 >/dev/null 2>&1
exit 0
