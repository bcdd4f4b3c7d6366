#!/usr/bin/env bash
# The registry capability reaches only a [[program]] with registry_admin =
# true: scenarios/registry_admin.toml passes (the program exits 0), and the
# same scenario without the key fails, the program exiting 10 (its last
# argument is no registry capability with the admin right).
set -uo pipefail
sim="${TEST_SRCDIR}/${TEST_WORKSPACE}/sim/vos_sim"
scenario="$1"
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"

"$sim" run "$scenario" >"$out/with" 2>&1; status=$?
check "with registry_admin: the scenario passes (exit $status)" test "$status" -eq 0
check "with registry_admin: the program exits 0" \
  grep -q "^program\[0\] registry_admin: exited, code 0$" "$out/with"

grep -v "^registry_admin = true$" "$scenario" >"$out/without.toml"
check "the copy drops the key" test "$(grep -c registry_admin "$out/without.toml")" -lt \
  "$(grep -c registry_admin "$scenario")"
"$sim" run "$out/without.toml" >"$out/without" 2>&1; status=$?
grep -E "^program\[|unmet" "$out/without"
check "without registry_admin: the scenario fails (exit $status)" test "$status" -ne 0
check "without registry_admin: the program exits 10" \
  grep -q "^program\[0\] registry_admin: exited, code 10$" "$out/without"
check "without registry_admin: init reaped all" grep -q "^programs: all reaped$" "$out/without"
check "with or without: no kernel memory leaked" \
  test -z "$(grep -l "kernel memory leaked" "$out/with" "$out/without")"
exit $((failures > 0))
