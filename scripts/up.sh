#!/usr/bin/env bash
# Set up orgraph on this machine and run it: the embedded graph database with the schema
# applied and the demo county (宁海县) loaded when the database is empty.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

orgraph db start
orgraph migrate
orgraph demo --if-empty --scale "${ORGRAPH_DEMO_SCALE:-county}" --out demo-data
orgraph db status
