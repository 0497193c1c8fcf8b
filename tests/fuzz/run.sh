#!/bin/sh
# Fuzz one harness: tests/fuzz/run.sh NAME SECONDS [libFuzzer flags...]
#              or:   tests/fuzz/run.sh NAME check  (replay its corpus, whole stacks)
#   NAME: recipe, events, geojson, query, latlon or draw. Builds build-fuzz with clang.
# The corpus grows in build-fuzz/corpus-NAME, starting from tests/fuzz/seeds/NAME
# (from the shipped files) and tests/fuzz/corpus/NAME (what earlier runs found,
# merged). A crash, leak or hang (10 s) is written to build-fuzz/crash-NAME/ and
# stops the run: keep it in tests/fuzz/regressions/ (test_loader and test_recipe
# replay it).
set -eu
cd "$(dirname "$0")/../.."
name=$1 seconds=$2
shift 2
CC=clang cmake -S . -B build-fuzz -DBM_FUZZ=ON -DBM_SANITIZE=ON -DBM_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --target fuzz_"$name" -j"$(nproc)" >/dev/null
mkdir -p build-fuzz/corpus-"$name" build-fuzz/crash-"$name"
dict=
[ -f tests/fuzz/"$name".dict ] && dict=-dict=tests/fuzz/"$name".dict
if [ "$seconds" = check ]; then
    # Replay the corpus once with whole stacks and only the precise suppressions:
    # a leak set aside while fuzzing (see lsan.supp) shows here.
    grep -v -e '^leak:libfyaml.so' -e '^leak:libfontconfig.so' -e '^leak:libcairo.so' tests/fuzz/lsan.supp \
        >build-fuzz/lsan-check.supp
    BORDERMAP_DATA=$PWD LSAN_OPTIONS=suppressions=$PWD/build-fuzz/lsan-check.supp \
        ASAN_OPTIONS=fast_unwind_on_malloc=0 \
        exec build-fuzz/tests/fuzz/fuzz_"$name" -runs=0 "$@" build-fuzz/corpus-"$name" \
        tests/fuzz/corpus/"$name"
fi
BORDERMAP_DATA=$PWD LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp \
    exec build-fuzz/tests/fuzz/fuzz_"$name" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/crash-"$name"/ $dict "$@" \
    build-fuzz/corpus-"$name" tests/fuzz/seeds/"$name" tests/fuzz/corpus/"$name"
