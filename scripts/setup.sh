#!/usr/bin/env bash
# Set up everything orgraph needs on a fresh machine, idempotently:
# a Python virtual environment in .venv with orgraph and its dev tools, the local Neo4j server's
# jars (downloaded from Maven Central once; needs Java 17 and Maven: the test suite and
# ORGRAPH_STORE_URI=neo4j-local run it), and the npm Cypher linter.
# ORGRAPH_SKIP_NEO4J=1 skips the Neo4j step (a machine that only ever runs the embedded FalkorDB).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=${PYTHON:-}
if [[ -z "$PY" ]]; then
    for cand in python3.11 python3.12 python3.13 python3; do
        if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            PY=$cand; break
        fi
    done
fi
[[ -n "$PY" ]] || { echo "setup: Python >= 3.11 is required" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
    echo "setup: creating .venv with $($PY --version)"
    "$PY" -m venv .venv
fi

# Installed at the versions CI tested: constraints.txt pins every distribution of the dev
# environment, pip's own too (how to refresh it is at its top). Reinstalled whenever
# pyproject.toml or constraints.txt changes.
stamp=.venv/.orgraph-install-stamp
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-64)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    echo "setup: installing orgraph and its dependencies into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
    .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
    .venv/bin/python -c 'import orgraph, falkordb, neo4j' # fail here, not later, if the install broke
    echo "$want" > "$stamp"
fi

# The local Neo4j: Java 17 (or 21) present, its jars in ~/.cache/orgraph/neo4j-<version>/
# (a stamp makes this a no-op once done). A missing java or mvn, or a failed download, stops
# setup here with the reason, rather than a test or `orgraph db start` later.
if [[ ${ORGRAPH_SKIP_NEO4J:-0} != 1 ]]; then
    .venv/bin/python -m orgraph.store.neo4j_server install >/dev/null \
        || { echo "setup: the local Neo4j is not ready (reason above). It needs Java 17 and Maven" \
                  "(Debian: apt-get install openjdk-17-jre-headless maven) and access to Maven Central;" \
                  "ORGRAPH_SKIP_NEO4J=1 skips this step." >&2; exit 1; }
fi

# Bytecode for orgraph's own sources: an editable install leaves them uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set (this project's CI machine) every process compiled its ~150
# modules again, 0.2-0.3 s of each `orgraph` command (docs/scale.md, "a new process").
.venv/bin/python -m compileall -q -j 0 src api dashboard >/dev/null

bash tools/cypher-lint/install.sh
echo "setup: ready (.venv/bin/orgraph)"
