# Sourced by the simulator's shell tests (listed in their data):
# `check NAME CONDITION...` runs the condition, prints "ok: NAME" or
# "FAIL: NAME" and counts failures in $failures; a test ends with
# `exit $((failures > 0))`.
failures=0
check() {
  local name="$1"; shift
  if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; failures=$((failures + 1)); fi
}
