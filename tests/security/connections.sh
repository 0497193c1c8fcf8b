#!/bin/sh
# Connections belong to the user (issue 13): a recipe may not send the user's password
# to a server of its choosing.
#   connections.sh BORDERMAP WORK CASE
# Starts tests/security/fake_pg.py on a free port of 127.0.0.1, a PostgreSQL server
# that asks every client for a cleartext password and logs what it gets. The user
# has a password in PGPASSWORD and a wildcard line in ~/.pgpass (HOME is WORK). Each
# CASE runs bordermap and checks its exit status, its stderr and the server's log.
bin=$1 work=$2 case=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
. "$here/lib.sh"
start_server fake "$here/fake_pg.py"
export HOME="$work" PGPASSWORD=env-Sekret-41 PGCONNECT_TIMEOUT=5
unset PGSERVICEFILE PGSERVICE PGHOST PGHOSTADDR PGPORT PGOPTIONS
printf '*:*:*:*:pgpass-Sekret-42\n' >.pgpass && chmod 600 .pgpass

advice="a connection belongs to you, not to the recipe: name a service from your pg_service.conf (PG:service=NAME), a database on the local socket (PG:dbname=NAME), or put the whole connection in an environment variable and write source: \${env:NAME}"
conn="host=127.0.0.1 port=$port dbname=gis user=analyst"
want=1 log_has=none # none: the server saw no connection at all
case $case in
recipe_host) recipe x "PG:$conn"
    err="bordermap: map.yaml:6:13: source 'PG:...': a recipe's PostgreSQL connection may not set 'host'; $advice" ;;
recipe_hostaddr) recipe x "PG:hostaddr=127.0.0.1 port=$port dbname=gis"
    err="bordermap: map.yaml:6:13: source 'PG:...': a recipe's PostgreSQL connection may not set 'hostaddr'; $advice" ;;
recipe_password) recipe x "PG:dbname=gis password=recipe-Sekret-43"
    err="bordermap: map.yaml:6:13: source 'PG:...': a recipe's PostgreSQL connection may not set 'password'; $advice" ;;
recipe_dbname_conninfo) recipe x "PG:dbname='$conn'"
    err="bordermap: map.yaml:6:13: source 'PG:...': a recipe's dbname= must name a database, not hold a connection string; $advice" ;;
recipe_uri) recipe x "postgresql://analyst@127.0.0.1:$port/gis"
    err="bordermap: map.yaml:6:13: source 'postgresql://...': a recipe names a PostgreSQL database as PG:service=NAME or PG:dbname=NAME, not as an address; $advice" ;;
recipe_options) recipe x "PG:dbname=gis options='-c default_transaction_read_only=off'"
    err="bordermap: map.yaml:6:13: source 'PG:...': a recipe's PostgreSQL connection may not set 'options'; $advice" ;;
# The user's own connection, named by the recipe by reference: it is used as the user
# wrote it (so the server is asked, and gets the password), read-only.
recipe_env) recipe x "\${env:MY_PG}"
    export MY_PG="PG:$conn"
    err=- log_has="startup user=analyst database=gis" ;;
recipe_env_unset) recipe x "\${env:NO_SUCH_VAR}"
    err="bordermap: map.yaml:6:13: source '\${env:NO_SUCH_VAR}': the environment variable NO_SUCH_VAR is not set; set it to your connection, e.g. NO_SUCH_VAR='PG:service=gis'" ;;
recipe_env_not_pg) recipe x "\${env:HOME}"
    err="bordermap: map.yaml:6:13: source '\${env:HOME}': the environment variable HOME does not hold a PostgreSQL connection (PG:...); a recipe may name only a connection this way" ;;
# On the command line the connection is the user's: it is used, read-only and time-limited.
cli_host) err=- log_has="options -c default_transaction_read_only=on -c statement_timeout=60000"
    set -- layers "PG:$conn" ;;
cli_host_options) err=- log_has="options -c search_path=gis -c default_transaction_read_only=on -c statement_timeout=60000"
    set -- layers "PG:$conn options='-c search_path=gis'" ;;
*) echo "no case '$case'"; exit 1 ;;
esac
[ $# = 0 ] && set -- render map.yaml -o map.png

run_case "$@"
if [ "$log_has" = none ]; then
    if [ -s log ]; then echo "the server was reached:"; cat log; status=1; fi
elif ! grep -qxF "$log_has" log; then
    echo "the server's log lacks '$log_has':"; cat log; status=1
fi
# No secret of the user's is printed, whatever happened.
if grep -q 'Sekret' out err; then echo "a password was printed"; status=1; fi
[ -e map.png ] && { echo "a map was written"; status=1; }
finish "$@"
