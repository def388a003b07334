#!/usr/bin/env bash
# `npm start`: installs what it needs, builds and packages the extension, and starts a real VS Code
# (code-server on 127.0.0.1) with the .vsix installed and examples/ open. Prints the URL; Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
env_file=$(bash .ci/provision.sh)
# shellcheck disable=SC1090
source "$env_file"
export PATH="$(dirname "$PYFLOW_NODE24"):$PATH"
npm run --silent build
npm run --silent package >/dev/null
exec node --import tsx .ci/serve.mts
