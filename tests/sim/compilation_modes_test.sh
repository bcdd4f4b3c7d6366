#!/usr/bin/env bash
# The same scenario and seed give the same trace hash from a -c opt and a
# -c dbg build of the simulator (both built in one Bazel build through a
# compilation-mode transition: tests/sim/compilation_mode.bzl), and a trace
# recorded by one build replays identically on the other. The hashes of both
# builds are printed side by side: the record the issue asks for.
set -uo pipefail
opt="$1"; dbg="$2"; shift 2
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"
hash_of() { grep -E '^trace hash: ' "$1" | cut -d' ' -f3; }

"$opt" run --quiet --trace "$out/probe.vostrace" >/dev/null 2>&1
"$dbg" replay --quiet "$out/probe.vostrace" >"$out/probe" 2>&1
check "the two binaries are different builds" grep -q "replayed by: .*-c dbg" "$out/probe"
grep -E "recorded by|replayed by" "$out/probe"

printf "%-28s %-18s %-18s\n" "scenario" "-c opt" "-c dbg"
for scenario in "$@"; do
  name=$(basename "$scenario" .toml)
  "$opt" run "$scenario" --quiet --trace "$out/$name.vostrace" >"$out/$name.opt" 2>&1
  "$dbg" run "$scenario" --quiet >"$out/$name.dbg" 2>&1
  printf "%-28s %-18s %-18s\n" "$name" "$(hash_of "$out/$name.opt")" "$(hash_of "$out/$name.dbg")"
  check "$name: a hash was printed" test -n "$(hash_of "$out/$name.opt")"
  check "$name: opt and dbg hashes are equal" test "$(hash_of "$out/$name.opt")" = "$(hash_of "$out/$name.dbg")"
  "$dbg" replay "$out/$name.vostrace" --quiet >"$out/$name.replay" 2>&1; status=$?
  check "$name: the opt trace replays identically on the dbg build" test "$status" -eq 0
done
exit $((failures > 0))
