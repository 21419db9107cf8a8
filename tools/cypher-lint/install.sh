#!/usr/bin/env bash
# Install the Cypher linter's npm dependencies (Neo4j's analyser) reproducibly from
# package-lock.json. Idempotent: does nothing when node_modules already matches the lock file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v npm >/dev/null 2>&1; then
    echo "cypher-lint: npm not found; install Node.js >= 18 (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi

stamp=node_modules/.orgraph-install-stamp
want="$(node --version) $(sha256sum package.json package-lock.json 2>/dev/null | sha256sum | cut -c1-64)"
if [[ -f package-lock.json && -f $stamp && "$(cat "$stamp")" == "$want" \
      && -f node_modules/@neo4j-cypher/language-support/package.json ]]; then
    exit 0  # already installed from this lock file
fi

if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund --loglevel=error
else
    npm install --no-audit --no-fund --loglevel=error
fi
want="$(node --version) $(sha256sum package.json package-lock.json | sha256sum | cut -c1-64)"
echo "$want" > "$stamp"
echo "cypher-lint: installed @neo4j-cypher/language-support" \
    "$(node -p "require('./node_modules/@neo4j-cypher/language-support/package.json').version")"
