#!/usr/bin/env bash
# Set up orgraph on this machine and run it: the embedded graph database with the schema
# applied, the demo county (宁海县) loaded when the database is empty, a county administrator
# for the demo, the HTTP API and the dashboard.
#   bash scripts/up.sh               run the API and the dashboard until Ctrl-C
#   bash scripts/up.sh --background  start them in the background and return (logs in .orgraph/)
#   bash scripts/up.sh --stop        stop what --background started
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:-}
DATA=${ORGRAPH_DATA_DIR:-.orgraph}
API_PORT=${ORGRAPH_API_PORT:-8000}
DASH_PORT=${ORGRAPH_DASHBOARD_PORT:-8501}
export ORGRAPH_API_URL=${ORGRAPH_API_URL:-http://127.0.0.1:$API_PORT}

stop_pid() {  # stop_pid FILE: stop the process a pid file names, if it is still running
    [[ -f $1 ]] && kill "$(cat "$1")" 2>/dev/null || true
    rm -f "$1"
}
if [[ $mode == --stop ]]; then
    stop_pid "$DATA/api.pid"; stop_pid "$DATA/dashboard.pid"
    .venv/bin/orgraph db stop
    exit 0
fi

bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

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
for _ in $(seq 1 120); do  # the API answers once its store is up
    if python -c "import httpx,sys; sys.exit(httpx.get('$ORGRAPH_API_URL/api/v1/health', timeout=2).status_code != 200)" 2>/dev/null; then
        break
    fi
    sleep 1
done
python -c "import httpx; httpx.get('$ORGRAPH_API_URL/api/v1/health', timeout=5).raise_for_status()" \
    || { echo "up: the API did not start; see $DATA/logs/api.log" >&2; tail -20 "$DATA/logs/api.log" >&2; exit 1; }

cat <<INFO

  orgraph is running.
  数据看板 (dashboard):  http://127.0.0.1:$DASH_PORT
  API 文档 (OpenAPI):    $ORGRAPH_API_URL/api/v1/docs
  登录 (log in):         admin / $(cat "$DATA/admin-password.txt" 2>/dev/null || echo '(set earlier)')
INFO

if [[ $mode == --background ]]; then
    orgraph dashboard --port "$DASH_PORT" > "$DATA/logs/dashboard.log" 2>&1 &
    echo $! > "$DATA/dashboard.pid"
    echo "  Stop with: bash scripts/up.sh --stop"
    exit 0
fi
trap 'stop_pid "$DATA/api.pid"' EXIT
echo "  Ctrl-C stops the API and the dashboard (the database keeps running: orgraph db stop)."
orgraph dashboard --port "$DASH_PORT"
