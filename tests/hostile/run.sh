#!/usr/bin/env bash
# One case of the hostile-recipe corpus (issue 13): a recipe from a stranger may be
# refused, but it may not take more than 60 s of CPU, crash, or leave a file behind.
#   run.sh BORDERMAP CASES WORK CASE
# CASES/CASE.yaml is the recipe. Its first lines say what to expect:
#   # expect: 0                       it draws (it says it wrote the map)
#   # expect: 1 TEXT                  it is refused with one line on stderr holding TEXT
#   # setup: SHELL CODE               run in WORK first (e.g. make a compressed bomb)
#   # env: VAR=VALUE                  set for bordermap
# The case runs in a fresh WORK (a copy of CASES) under 'ulimit -t 60': past 60 s of
# CPU the kernel stops it and the case fails. The CPU time it took is printed.
set -u
bin=$1 cases=$2 work=$3 name=$4
recipe=$cases/$name.yaml
[ -f "$recipe" ] || { echo "no case $recipe"; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cp -R "$cases"/. "$work"/ && cd "$work" || exit 1
expect=$(sed -n 's/^# expect: //p' "$recipe" | head -1)
setup=$(sed -n 's/^# setup: //p' "$recipe")
envs=$(sed -n 's/^# env: //p' "$recipe")
want=${expect%% *}
text=""
[ "$expect" != "$want" ] && text=${expect#* }
if [ -n "$setup" ]; then
    bash -c "$setup" || { echo "set-up failed: $setup"; exit 1; }
fi
before=$(find . -type f | sort)
TIMEFORMAT='%3U %3S'
# SIGXCPU at 60 s (the soft limit), SIGKILL at 65 s should that be ignored.
export BIN=$bin NAME=$name
{ time env $envs bash -c 'ulimit -t 65 && ulimit -S -t 60 && exec "$BIN" render "$NAME.yaml" -o "$NAME.png" >out 2>err'; } 2>cpu
got=$?
read -r user sys < <(tail -1 cpu)
cpu=$(echo "$user $sys" | awk '{printf "%.1f", $1 + $2}')
echo "$name: exit $got, $cpu s of CPU"
status=0
if [ "$got" -gt 128 ]; then
    echo "killed by signal $((got - 128)) (24 SIGXCPU, 9 SIGKILL: over 60 s of CPU)"; status=1
elif [ "$got" != "$want" ]; then
    echo "exit status $got, expected $want"; status=1
fi
if [ "$want" = 0 ]; then
    grep -q 'wrote ' out err || { echo "bordermap does not say it wrote the map"; status=1; }
else
    [ "$(wc -l <err)" = 1 ] || { echo "stderr is $(wc -l <err) lines, not one"; status=1; }
    grep -qF -- "$text" err || { echo "stderr lacks: $text"; status=1; }
    after=$(find . -type f ! -name out ! -name err ! -name cpu | sort)
    [ "$before" = "$after" ] || { echo "files changed:"; diff <(echo "$before") <(echo "$after"); status=1; }
fi
if [ $status != 0 ]; then
    echo "--- stdout:"; head -5 out; echo "--- stderr:"; head -5 err
fi
exit $status
