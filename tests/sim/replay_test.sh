#!/usr/bin/env bash
# Replay against damage: a hand-corrupted trace and a truncated one are
# reported as such (exit 8); a trace replayed against a changed scenario
# reports the first differing event (exit 7).
set -uo pipefail
sim="${TEST_SRCDIR}/${TEST_WORKSPACE}/sim/vos_sim"
scenario="$1"
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"

"$sim" run "$scenario" --quiet --trace "$out/t.vostrace" >/dev/null 2>&1
size=$(stat -c %s "$out/t.vostrace")
echo "trace: $size bytes"

# Flip one byte in the middle of the event blocks.
cp "$out/t.vostrace" "$out/corrupt.vostrace"
offset=$((size / 2))
byte=$(od -An -tu1 -j "$offset" -N1 "$out/corrupt.vostrace" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
  dd of="$out/corrupt.vostrace" bs=1 seek="$offset" conv=notrunc status=none
"$sim" replay "$out/corrupt.vostrace" --quiet >"$out/r1" 2>&1; status=$?
grep "vos_sim:" "$out/r1"
check "corrupt trace: exit 8" test "$status" -eq 8
check "corrupt trace: reported as corrupt, with the block" grep -q "is corrupt: block .* checksum mismatch" "$out/r1"
"$sim" export "$out/corrupt.vostrace" >"$out/e1" 2>&1; status=$?
check "corrupt trace: export refuses it too (exit 8)" test "$status" -eq 8

head -c $((size - 100)) "$out/t.vostrace" >"$out/short.vostrace"
"$sim" replay "$out/short.vostrace" --quiet >"$out/r2" 2>&1; status=$?
grep "vos_sim:" "$out/r2"
check "truncated trace: exit 8" test "$status" -eq 8
check "truncated trace: reported as truncated" grep -q "is truncated" "$out/r2"

echo "not a trace" >"$out/text.vostrace"
"$sim" replay "$out/text.vostrace" >"$out/r3" 2>&1; status=$?
check "not a trace: exit 8" test "$status" -eq 8
check "not a trace: says so" grep -q "is not a trace file" "$out/r3"
"$sim" replay "$out/missing.vostrace" >"$out/r4" 2>&1; status=$?
check "missing trace: exit 8" test "$status" -eq 8

# The same scenario with a changed workload parameter.
sed 's/^selftest = "smoke"$/selftest = "smoke"\niterations = 150/' "$scenario" >"$out/changed.toml"
grep -q "iterations = 150" "$out/changed.toml" || echo "FAIL: could not change the scenario"
"$sim" replay "$out/t.vostrace" --scenario "$out/changed.toml" --quiet >"$out/r5" 2>&1; status=$?
grep -A4 "DIVERGED\|differs" "$out/r5"
check "changed scenario: exit 7" test "$status" -eq 7
check "changed scenario: the difference is announced" grep -q "the scenario differs from the recorded one" "$out/r5"
check "changed scenario: first differing event with both sides" \
  grep -q "^replay DIVERGED at event [0-9]* (cpu [0-9]*, simulated time [0-9]* ns):" "$out/r5"
check "changed scenario: recorded event shown" grep -q "^  recorded: #[0-9]* cpu" "$out/r5"
check "changed scenario: replayed event shown" grep -q "^  replayed: #[0-9]* cpu" "$out/r5"

"$sim" replay "$out/t.vostrace" --scenario "$scenario" --quiet >"$out/r6" 2>&1; status=$?
check "the unchanged scenario file replays identically" test "$status" -eq 0
exit $((failures > 0))
