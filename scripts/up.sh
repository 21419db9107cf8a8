#!/usr/bin/env bash
# Set up orgraph on this machine and run it: the graph database (the embedded FalkorDB, or a
# local Neo4j with --engine neo4j) with the schema applied, the demo county (宁海县) loaded when
# the database is empty, a county administrator for the demo, the HTTP API and the dashboard.
#   bash scripts/up.sh                  run the API and the dashboard until Ctrl-C
#   bash scripts/up.sh --background     start them in the background and return (logs in .orgraph/)
#   bash scripts/up.sh --engine neo4j   the same on a local Neo4j 5.26 (Java 17 and Maven needed;
#                                       data in .orgraph/neo4j/), with or without --background
#   bash scripts/up.sh --stop           stop what --background started, and the database of
#                                       whichever engine the last run used
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
usage() { echo "usage: bash scripts/up.sh [--engine falkordb|neo4j] [--background | --stop]" >&2; exit 2; }
mode="" engine=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --background|--stop) mode=$1 ;;
        --engine) [[ $# -ge 2 ]] || usage; engine=$2; shift ;;
        --engine=*) engine=${1#--engine=} ;;
        *) usage ;;
    esac
    shift
done
DATA=${ORGRAPH_DATA_DIR:-.orgraph}
API_PORT=${ORGRAPH_API_PORT:-8000}
DASH_PORT=${ORGRAPH_DASHBOARD_PORT:-8501}
export ORGRAPH_API_URL=${ORGRAPH_API_URL:-http://127.0.0.1:$API_PORT}
# The key of the ID numbers' keyed hash: orgraph refuses its public development default (issue
# #18). Unless one is set (in the environment or .env), a random key is made once and kept in
# the data folder (0600), like the admin password below; keep it: a new key gives new members'
# keys.
if [[ -z ${ORGRAPH_ID_HASH_KEY:-} ]] && ! grep -qs '^ORGRAPH_ID_HASH_KEY=' .env; then
    mkdir -p -m 700 "$DATA"
    if [[ ! -s $DATA/id-hash.key ]]; then
        (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$DATA/id-hash.key")
    fi
    ORGRAPH_ID_HASH_KEY=$(cat "$DATA/id-hash.key")
    export ORGRAPH_ID_HASH_KEY
fi

uri_of() {  # uri_of ENGINE: the ORGRAPH_STORE_URI of a local engine
    case $1 in
        neo4j) echo neo4j-local ;;
        falkordb|embedded) echo embedded ;;
        *) echo "up: unknown engine '$1' (falkordb or neo4j)" >&2; return 2 ;;
    esac
}
wait_for() {  # wait_for URL SECONDS WHAT LOG: until URL answers 200, else say so and exit 1
    for _ in $(seq 1 "$2"); do
        if python -c "import httpx,sys; sys.exit(httpx.get('$1', timeout=2).status_code != 200)" 2>/dev/null; then
            return 0
        fi
        sleep 1
    done
    echo "up: $3 did not start; see $4" >&2; tail -20 "$4" >&2; exit 1
}
stop_pid() {  # stop_pid FILE: stop the process a pid file names, if it is still running
    [[ -f $1 ]] && kill "$(cat "$1")" 2>/dev/null || true
    rm -f "$1"
}
[[ -z $engine ]] || uri_of "$engine" >/dev/null || exit 2
# The engine the last run started is recorded in $DATA/engine, so --stop and a switch of
# engine stop the right database.
last=$(cat "$DATA/engine" 2>/dev/null || true)
if [[ $mode == --stop ]]; then
    stop_pid "$DATA/api.pid"; stop_pid "$DATA/dashboard.pid"
    if [[ -n ${engine:-$last} ]]; then
        ORGRAPH_STORE_URI=$(uri_of "${engine:-$last}") .venv/bin/orgraph db stop
    else
        .venv/bin/orgraph db stop
    fi
    exit 0
fi
if [[ -n $engine ]]; then
    ORGRAPH_STORE_URI=$(uri_of "$engine")
    export ORGRAPH_STORE_URI
fi
case ${ORGRAPH_STORE_URI:-embedded} in
    neo4j-local) engine=neo4j ;;
    embedded) engine=falkordb ;;
    *) engine="" ;;  # an external store: nothing of ours to stop later
esac

bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

mkdir -p "$DATA"
if [[ -n $last && -n $engine && $last != "$engine" ]]; then
    echo "up: switching from $last to $engine: stopping the $last database"
    stop_pid "$DATA/api.pid"; stop_pid "$DATA/dashboard.pid"
    ORGRAPH_STORE_URI=$(uri_of "$last") orgraph db stop || true
fi
if [[ -n $engine ]]; then echo "$engine" > "$DATA/engine"; else rm -f "$DATA/engine"; fi

orgraph db start
orgraph migrate
orgraph demo --if-empty --scale "${ORGRAPH_DEMO_SCALE:-county}" --out demo-data
orgraph db status

# A county administrator for the demo, created once; its password is kept in the data folder.
if ! orgraph user list --json | python -c 'import json,sys; sys.exit(0 if any(u["username"] == "admin" for u in json.load(sys.stdin)) else 1)'; then
    umask 077
    python -c 'import secrets, string; a = string.ascii_letters + string.digits; print("Og-" + "".join(secrets.choice(a) for _ in range(12)) + "7x")' > "$DATA/admin-password.txt"
    county=$(orgraph coverage --level county --format json | python -c 'import json,sys; print(json.load(sys.stdin)["scope"])')
    orgraph user add admin --role county_admin --scope "$county" --display-name 县委组织部管理员 --password-stdin < "$DATA/admin-password.txt"
fi

mkdir -p "$DATA/logs"
stop_pid "$DATA/api.pid"; stop_pid "$DATA/dashboard.pid"
orgraph serve --port "$API_PORT" > "$DATA/logs/api.log" 2>&1 &
echo $! > "$DATA/api.pid"
wait_for "$ORGRAPH_API_URL/api/v1/health" 120 "the API" "$DATA/logs/api.log"  # once its store is up

cat <<INFO

  orgraph is running.
  数据看板 (dashboard):  http://127.0.0.1:$DASH_PORT
  API 文档 (OpenAPI):    $ORGRAPH_API_URL/api/v1/docs
  登录 (log in):         admin / $(cat "$DATA/admin-password.txt" 2>/dev/null || echo '(set earlier)')
  存储 (store):          ORGRAPH_STORE_URI=${ORGRAPH_STORE_URI:-embedded}  (export it before other orgraph commands)
INFO

if [[ $mode == --background ]]; then
    orgraph dashboard --port "$DASH_PORT" > "$DATA/logs/dashboard.log" 2>&1 &
    echo $! > "$DATA/dashboard.pid"
    # return once the dashboard answers too: a page opened at once got "connection refused"
    wait_for "http://127.0.0.1:$DASH_PORT/_stcore/health" 60 "the dashboard" "$DATA/logs/dashboard.log"
    echo "  Stop with: bash scripts/up.sh --stop"
    exit 0
fi
trap 'stop_pid "$DATA/api.pid"' EXIT
echo "  Ctrl-C stops the API and the dashboard (the database keeps running: bash scripts/up.sh --stop)."
orgraph dashboard --port "$DASH_PORT"
