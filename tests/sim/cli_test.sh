#!/usr/bin/env bash
# The vos_sim command line: output, exit statuses, determinism, bad input.
set -uo pipefail
sim="${TEST_SRCDIR}/${TEST_WORKSPACE}/sim/vos_sim"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"
out=$(mktemp -d)

"$sim" run >"$out/a" 2>&1; status=$?
check "default run exits 0" test "$status" -eq 0
check "default run prints the verdict" grep -q "VERDICT: PASS" "$out/a"
check "default run prints a trace hash" grep -Eq "^trace hash: [0-9a-f]{16}$" "$out/a"
"$sim" run --quiet >"$out/b" 2>&1
check "two runs print the same hash" test "$(grep 'trace hash' "$out/a")" = "$(grep 'trace hash' "$out/b")"
"$sim" run --quiet --seed 99 >"$out/c" 2>&1
check "another seed prints another hash" test "$(grep 'trace hash' "$out/a")" != "$(grep 'trace hash' "$out/c")"

"$sim" run --quiet --workload=panic >"$out/p" 2>&1; status=$?
check "panic exits 3" test "$status" -eq 3
check "panic names the function" grep -q "TriggerRequestedPanic" "$out/p"
check "panic gives the reason" grep -q "KERNEL PANIC on cpu 3 at" "$out/p"

"$sim" run --cpus 0 >"$out/e" 2>&1; status=$?
check "impossible machine exits 2" test "$status" -eq 2
check "impossible machine says why" grep -q "cpus must be 1..256, got 0" "$out/e"
"$sim" frobnicate >"$out/e" 2>&1; status=$?
check "unknown command exits 2" test "$status" -eq 2
"$sim" run --policy=fifo >"$out/e" 2>&1; status=$?
check "bad policy exits 2" test "$status" -eq 2
"$sim" run --quiet --workload=nosuch >"$out/e" 2>&1; status=$?
check "unknown workload fails with 1" test "$status" -eq 1
"$sim" --help >"$out/h" 2>&1
check "--help describes the exit statuses" grep -q "3 kernel panic" "$out/h"
check "--help lists the commands" grep -q "vos_sim explore SCENARIO" "$out/h"
check "--help lists the flags" grep -q -- "--trace (run: record the trace" "$out/h"

rm -rf "$out"
exit $((failures > 0))
