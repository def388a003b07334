#!/usr/bin/env bash
# `npm test`: every check. Installs what it needs (npm packages; Node 24, code-server and Chromium via provision.sh,
# cached outside the repo), type-checks, lints, checks the API docs, packages dist/pyflow.vsix (what the end-to-end tests install, as
# users do), builds, then runs each test layer (.ci/layer.sh: node, browser, e2e; then the desktop VS Code suite,
# which skips itself where VS Code cannot be downloaded). Every layer runs even if one before it failed; the end
# prints each layer's wall time and result.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/steps.sh
started=$(date +%s)
steps_begin "npm test" 11

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

step "lint and format check (Biome), API docs check (TypeDoc: every export documented)"
npm run --silent lint
npm run --silent docs:check

# Packaging runs the production build; the build after it puts the development bundles (with source maps) in dist/.
step "package the extension (dist/pyflow.vsix)"
npm run --silent package | tail -n 1

step "build"
npm run --silent build

summary=()
status=0
run_layer() {
  local name=$1 layer_start layer_status=0
  shift
  layer_start=$(date +%s)
  "$@" || layer_status=$?
  local seconds=$(($(date +%s) - layer_start))
  summary+=("$(printf '  %-8s %5d s  %s' "$name" "$seconds" "$([ $layer_status = 0 ] && echo ok || echo "FAILED (exit $layer_status)")")")
  [ $layer_status = 0 ] || status=1
}

step "tests: node (plain Node)"
run_layer node bash .ci/layer.sh node
step "tests: browser (Chromium)"
run_layer browser bash .ci/layer.sh browser
step "tests: e2e (code-server + Chromium)"
run_layer e2e bash .ci/layer.sh e2e
step "tests: desktop (VS Code from @vscode/test-electron)"
run_layer desktop npm run --silent test:desktop

printf '\nnpm test: wall time by layer\n%s\n' "$(printf '%s\n' "${summary[@]}")"
echo "npm test: $(($(date +%s) - started)) s wall time"
# The exit trap names the step that failed: here, the layers marked FAILED above.
STEP_NAME="the test layers marked FAILED above"
exit $status
