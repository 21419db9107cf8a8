#!/usr/bin/env bash
# Set up orgraph on this machine and run it: the embedded graph database with the schema applied.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

orgraph db start
orgraph migrate
orgraph db status
