# Sourced by start.sh and test.sh: numbered steps on stderr, and when the script ends with an error (or Ctrl+C)
# a last line naming the step that was running.
# Usage: steps_begin "npm start" 5; step "what it does"; ...
steps_begin() {
  STEPS_SCRIPT=$1 STEPS_TOTAL=$2 STEP=0 STEP_NAME=
  trap 'steps_on_exit $?' EXIT
}

step() {
  STEP=$((STEP + 1)) STEP_NAME=$1
  printf '\n[%s %d/%d] %s\n' "$STEPS_SCRIPT" "$STEP" "$STEPS_TOTAL" "$STEP_NAME" >&2
}

steps_on_exit() {
  local status=$1
  [ "$status" = 0 ] && return
  if [ "$status" = 130 ]; then
    printf '\n%s stopped by Ctrl+C at step %d/%d: %s\n' "$STEPS_SCRIPT" "$STEP" "$STEPS_TOTAL" "$STEP_NAME" >&2
  else
    printf '\n%s FAILED at step %d/%d: %s (exit status %d; its error is above)\n' "$STEPS_SCRIPT" "$STEP" "$STEPS_TOTAL" "$STEP_NAME" "$status" >&2
  fi
}

# Installs the npm packages unless node_modules already matches package-lock.json.
npm_packages() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    echo "node_modules is up to date" >&2
  fi
}
