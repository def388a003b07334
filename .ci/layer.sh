#!/usr/bin/env bash
# `npm run test:LAYER`: one layer of the tests in one node:test run.
#   node     plain Node: core, analysis, protocol, runner, CLI, drawing, build and npm package checks
#   browser  the built webview in Chromium (playwright-core)
#   e2e      the packaged .vsix in a real VS Code (code-server) driven by Chromium
# Needs what `npm test` prepares first: `npm run package` then `npm run build` (the build and e2e tests read
# dist/pyflow.vsix). browser and e2e take Node 24, code-server and Chromium from .ci/provision.sh.
# Extra arguments go to node --test (e.g. --test-name-pattern=REGEX).
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
layer=${1:-}
shift || true
files=()
case $layer in
  node)
    for f in test/**/*.test.ts; do
      case $f in test/browser/* | test/e2e/*) ;; *) files+=("$f") ;; esac
    done
    ;;
  browser) files=(test/browser/**/*.test.ts) ;;
  e2e) files=(test/e2e/**/*.test.ts) ;;
  *)
    echo "usage: .ci/layer.sh node|browser|e2e [node --test flags]" >&2
    exit 2
    ;;
esac
# The tools of .ci/provision.sh (the node layer uses them where they are there: the bench smoke test's Chromium).
if [ "$layer" != node ]; then
  env_file=$(bash .ci/provision.sh)
else
  env_file=${PYFLOW_CACHE:-$HOME/.cache/pyflow-dev}/env.sh
fi
if [ -f "$env_file" ]; then
  # shellcheck disable=SC1090
  source "$env_file"
  export PATH="$(dirname "$PYFLOW_NODE24"):$PATH"
fi
exec node --import tsx --test --test-reporter=spec --test-concurrency=1 "$@" "${files[@]}"
