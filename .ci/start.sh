#!/usr/bin/env bash
# `npm start`: installs what it needs, packages the extension, and starts a real VS Code (code-server on 127.0.0.1)
# with the .vsix installed and examples/ open. Prints the URL; Ctrl+C stops it. See CONTRIBUTING.md.
# The quick steps come first, so a broken build fails before the long code-server install.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/steps.sh
CACHE=${PYFLOW_CACHE:-$HOME/.cache/pyflow-dev}

if [ -x "$CACHE/cs/node_modules/.bin/code-server" ]; then
  echo "npm start: packages the extension and serves VS Code with it (about a minute), then prints the URL to open." >&2
else
  echo "npm start: the first run takes about 5 minutes on an idle 2-core machine, 20 or more on a busy one:" >&2
  echo "npm packages (1-2 min), Node 24 and code-server into $CACHE (code-server compiles native modules: 3 min" >&2
  echo "idle, 15 busy), package and build (1 min); then it prints the URL to open. Later runs take about a minute." >&2
fi
steps_begin "npm start" 5

step "npm packages (npm ci)"
npm_packages

step "Node 24 (for vsce and code-server)"
env_file=$(bash .ci/provision.sh node)
# shellcheck disable=SC1090
source "$env_file"
export PATH="$(dirname "$PYFLOW_NODE24"):$PATH"

step "package the extension (dist/pyflow.vsix) and build"
npm run --silent package | tail -n 1
npm run --silent build

step "code-server (VS Code for the browser)"
env_file=$(bash .ci/provision.sh code-server)
# shellcheck disable=SC1090
source "$env_file"

step "start VS Code with dist/pyflow.vsix installed"
node --import tsx .ci/serve.mts
