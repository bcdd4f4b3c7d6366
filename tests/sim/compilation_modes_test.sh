#!/usr/bin/env bash
# The same scenario and seed give the same trace hash from a release build
# (-c opt with link-time optimisation, as --config=release) and a -c dbg
# build of the simulator (both built in one Bazel build through a
# transition: tests/sim/compilation_mode.bzl), and a trace
# recorded by one build replays identically on the other. The hashes of both
# builds are printed side by side: the record the issue asks for.
set -uo pipefail
release="$1"; dbg="$2"; shift 2
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"
hash_of() { grep -E '^trace hash: ' "$1" | cut -d' ' -f3; }

"$release" run --quiet --trace "$out/probe.vostrace" >/dev/null 2>&1
"$dbg" replay --quiet "$out/probe.vostrace" >"$out/probe" 2>&1
check "the two binaries are different builds" grep -q "replayed by: .*-c dbg" "$out/probe"
grep -E "recorded by|replayed by" "$out/probe"

printf "%-28s %-18s %-18s\n" "scenario" "release" "-c dbg"
for scenario in "$@"; do
  name=$(basename "$scenario" .toml)
  "$release" run "$scenario" --quiet --trace "$out/$name.vostrace" >"$out/$name.release" 2>&1
  "$dbg" run "$scenario" --quiet >"$out/$name.dbg" 2>&1
  printf "%-28s %-18s %-18s\n" "$name" "$(hash_of "$out/$name.release")" "$(hash_of "$out/$name.dbg")"
  check "$name: a hash was printed" test -n "$(hash_of "$out/$name.release")"
  check "$name: release and dbg hashes are equal" test "$(hash_of "$out/$name.release")" = "$(hash_of "$out/$name.dbg")"
  "$dbg" replay "$out/$name.vostrace" --quiet >"$out/$name.replay" 2>&1; status=$?
  check "$name: the release trace replays identically on the dbg build" test "$status" -eq 0
done
exit $((failures > 0))
