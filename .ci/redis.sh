#!/usr/bin/env bash
# Installs Debian's redis-server, which the cluster tests and `npm run bench -- cluster` start on a free loopback
# port (test/cluster/redisServer.ts); nothing is started here, and the Debian service is left stopped/disabled as
# the package leaves it. Safe to run again: it does nothing when redis-server is on PATH. Prints its path on stdout.
# Needs root (or sudo) the first time, and apt sources that reach Debian.
set -euo pipefail
log() { printf '[redis] %s\n' "$*" >&2; }
if ! command -v redis-server >/dev/null 2>&1; then
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo -n)
  log "installing Debian's redis-server (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d 101: the package must not start its own service (the tests start theirs, on their own port).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${as_root[@]}" chmod +x /usr/sbin/policy-rc.d
    trap '"${as_root[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  "${as_root[@]}" apt-get install -y -q redis-server >&2 || { "${as_root[@]}" apt-get update -q >&2 && "${as_root[@]}" apt-get install -y -q redis-server >&2; }
fi
command -v redis-server
