#!/usr/bin/env bash
# `npm test`: every test. Installs what it needs (npm packages; Chromium, Node 24 and code-server via
# provision.sh, cached outside the repo), type-checks, builds, then runs the unit, browser and
# end-to-end tests in one node:test run.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
env_file=$(bash .ci/provision.sh)
# shellcheck disable=SC1090
source "$env_file"
export PATH="$(dirname "$PYFLOW_NODE24"):$PATH"
echo "node $(node --version), code-server $("$PYFLOW_CODE_SERVER" --version | head -1)"
npm run --silent typecheck
npm run --silent build
shopt -s globstar nullglob
status=0
node --import tsx --test --test-reporter=spec --test-concurrency=1 test/**/*.test.ts || status=$?
echo "npm test: $(( $(date +%s) - started )) s wall time"
exit $status
