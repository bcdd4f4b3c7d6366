#!/usr/bin/env bash
# explore finds the planted race (workload racy_counter) within its default
# run budget (100 seeds, random policy), and under PCT (depth 3) within 400;
# it writes the failing seed's trace, and replay reproduces the failure
# exactly. (Here about 8% of random seeds hit the race; PCT's priorities,
# bounded by the skew window, find it less often on this workload.)
set -uo pipefail
sim="${TEST_SRCDIR}/${TEST_WORKSPACE}/sim/vos_sim"
scenario="$1"
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"

"$sim" run "$scenario" --quiet >"$out/run" 2>&1; status=$?
check "the scenario's own seed does not hit the race (exit $status)" test "$status" -eq 0

for policy in random pct; do
  runs=100  # The default budget.
  [[ $policy == pct ]] && runs=400
  "$sim" explore "$scenario" --policy "$policy" --runs "$runs" --trace "$out/$policy.vostrace" \
    >"$out/explore" 2>"$out/progress"
  status=$?
  cat "$out/progress" "$out/explore" | grep -v '^  #'
  check "$policy: explore exits 6 (a failing seed)" test "$status" -eq 6
  check "$policy: the failure is the planted race" grep -q "racy_counter lost 1 update" "$out/explore"
  check "$policy: progress was shown" grep -q "^explore: .*seeds 1\.\.$runs" "$out/progress"
  check "$policy: the trace was written" test -s "$out/$policy.vostrace"
  "$sim" replay "$out/$policy.vostrace" --quiet >"$out/replay" 2>&1; status=$?
  check "$policy: replay is identical" grep -q "^replay: identical to the recording" "$out/replay"
  check "$policy: replay reproduces the panic" grep -q "racy_counter lost 1 update" "$out/replay"
  check "$policy: replay reports the missed expectation" \
    grep -q "unmet: outcome: expected pass, got panic" "$out/replay"
  check "$policy: replay exits 0" test "$status" -eq 0
done

"$sim" explore "$scenario" --runs 3 --seed 1 >"$out/short" 2>&1; status=$?
check "a budget without the failing seed finds nothing (exit 0)" test "$status" -eq 0
check "and says so" grep -q "no failure in 3 runs" "$out/short"
exit $((failures > 0))
