#!/usr/bin/env bash
# `npm test`: every test. Installs what it needs (npm packages; Node 24, code-server and Chromium via provision.sh,
# cached outside the repo), type-checks, packages dist/pyflow.vsix (what the end-to-end tests install, as users
# do), builds, then runs the unit, build, browser and end-to-end tests in one node:test run.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/steps.sh
started=$(date +%s)
steps_begin "npm test" 7

step "npm packages (npm ci)"
npm_packages

step "Node 24, code-server and Chromium (.ci/provision.sh; the first time 5-20 minutes)"
env_file=$(bash .ci/provision.sh)
# shellcheck disable=SC1090
source "$env_file"
export PATH="$(dirname "$PYFLOW_NODE24"):$PATH"
echo "node $(node --version), code-server $("$PYFLOW_CODE_SERVER" --version | head -1)"

step "redis-server for the cluster tests (.ci/redis.sh; apt-get the first time)"
bash .ci/redis.sh >/dev/null

step "type-check"
npm run --silent typecheck

# Packaging runs the production build; the build after it puts the development bundles (with source maps) in dist/.
step "package the extension (dist/pyflow.vsix)"
npm run --silent package | tail -n 1

step "build"
npm run --silent build

step "run every test"
shopt -s globstar nullglob
status=0
node --import tsx --test --test-reporter=spec --test-concurrency=1 test/**/*.test.ts || status=$?
echo "npm test: $(( $(date +%s) - started )) s wall time"
exit $status
