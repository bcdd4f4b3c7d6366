#!/usr/bin/env bash
# Boots a kernel image through a backend's QEMU runner and checks both the
# exit status and marker lines of the serial console. Prints the serial log
# (Bazel shows it on failure).
#
#   boot_test.sh RUNNER KERNEL [options] [-- extra QEMU arguments]
#     --status=N        an accepted QEMU exit status (repeatable; required)
#     --expect=REGEX    a line of the serial log must match (extended regex,
#                       repeatable); --expect-i= matches ignoring case
#     --reject=REGEX    no line may match (repeatable)
#     --isa-debug-exit  decode odd statuses as x86 isa-debug-exit codes
set -euo pipefail

readonly runner="$1"
readonly kernel="$2"
shift 2

statuses=()
expects=()
expects_i=()
rejects=()
isa_debug_exit=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --status=*) statuses+=("${1#--status=}") ;;
    --expect=*) expects+=("${1#--expect=}") ;;
    --expect-i=*) expects_i+=("${1#--expect-i=}") ;;
    --reject=*) rejects+=("${1#--reject=}") ;;
    --isa-debug-exit) isa_debug_exit=1 ;;
    --) shift; break ;;
    *) echo "boot_test: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if ((${#statuses[@]} == 0)); then
  echo "boot_test: no --status given" >&2
  exit 2
fi

describe_status() {
  local status="$1"
  if ((status == 124)); then
    echo "timeout: the guest hung"
  elif ((isa_debug_exit && status == 1)); then
    echo "isa-debug-exit code 0, or a QEMU start-up error"
  elif ((isa_debug_exit && status % 2 == 1)); then
    echo "isa-debug-exit code $(((status - 1) / 2))"
  else
    echo "QEMU's own status"
  fi
}

log="${TEST_TMPDIR:-$(mktemp -d)}/serial.log"
status=0
"$runner" "$kernel" "$@" >"$log" 2>&1 || status=$?
# Serial consoles may end lines with CR.
sed -i 's/\r$//' "$log"

problems=()
accepted=0
for s in "${statuses[@]}"; do
  ((status == s)) && accepted=1
done
if ((accepted == 0)); then
  problems+=("exit status $status ($(describe_status "$status")); expected one of: ${statuses[*]}")
fi
for regex in "${expects[@]+"${expects[@]}"}"; do
  grep -Eq -- "$regex" "$log" || problems+=("no serial line matches: $regex")
done
for regex in "${expects_i[@]+"${expects_i[@]}"}"; do
  grep -Eiq -- "$regex" "$log" || problems+=("no serial line matches (ignoring case): $regex")
done
for regex in "${rejects[@]+"${rejects[@]}"}"; do
  if grep -Eq -- "$regex" "$log"; then problems+=("a serial line matches: $regex"); fi
done

echo "===== serial log ====="
cat "$log"
echo "===== end of serial log ====="
if ((${#problems[@]} > 0)); then
  for p in "${problems[@]}"; do echo "FAIL: $p"; done
  exit 1
fi
echo "PASS: exit status $status ($(describe_status "$status")), all markers found"
