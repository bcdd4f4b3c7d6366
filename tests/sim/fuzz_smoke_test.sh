#!/usr/bin/env bash
# The IPC fuzzer's campaign in small (./vos fuzz explores the same scenario
# over 10,000 seeds): 200 seeds under each policy find nothing.
set -uo pipefail
sim="${TEST_SRCDIR}/${TEST_WORKSPACE}/sim/vos_sim"
scenario="$1"
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"

for policy in random pct; do
  "$sim" explore "$scenario" --policy "$policy" --runs 200 --seed 1 \
    --trace "$out/$policy.vostrace" >"$out/explore" 2>"$out/progress"
  status=$?
  cat "$out/explore"
  check "$policy: 200 seeds, no failure (exit $status)" test "$status" -eq 0
  check "$policy: says so" grep -q "no failure in 200 runs" "$out/explore"
done

exit $((failures > 0))
