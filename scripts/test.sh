#!/usr/bin/env bash
# Run the whole test suite from a fresh clone: setup, lint, type check, tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

echo "== ruff"
.venv/bin/ruff check src api dashboard tests bench
.venv/bin/ruff format --check src api dashboard tests bench
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
set +e
.venv/bin/pytest -q --durations=40 "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit $rc
