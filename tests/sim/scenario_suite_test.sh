#!/usr/bin/env bash
# One scenario of the suite: it meets its expectations; the same scenario and
# seed give the same trace hash over 3 runs; the recorded trace replays
# identically and exports to Chrome JSON with one track per simulated CPU
# showing what ran on it.
set -uo pipefail
sim="${TEST_SRCDIR}/${TEST_WORKSPACE}/sim/vos_sim"
scenario="$1"
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"
hash_of() { grep -E '^trace hash: ' "$1" | cut -d' ' -f3; }

for i in 1 2 3; do
  "$sim" run "$scenario" --quiet >"$out/run$i" 2>&1; status=$?
  check "run $i meets the expectations (exit $status)" test "$status" -eq 0
done
cat "$out/run1"
check "3 runs give one hash" test "$(hash_of "$out/run1")" = "$(hash_of "$out/run2")" -a \
  "$(hash_of "$out/run1")" = "$(hash_of "$out/run3")"
check "the hash is printed" grep -Eq '^trace hash: [0-9a-f]{16}$' "$out/run1"

"$sim" run "$scenario" --quiet --trace "$out/t.vostrace" >"$out/rec" 2>&1; status=$?
check "a recorded run meets the expectations too" test "$status" -eq 0
check "recording does not change the hash" test "$(hash_of "$out/rec")" = "$(hash_of "$out/run1")"
"$sim" replay "$out/t.vostrace" --quiet >"$out/replay" 2>&1; status=$?
tail -3 "$out/replay"
check "replay exits 0" test "$status" -eq 0
check "replay is identical" grep -q "^replay: identical to the recording" "$out/replay"
check "replay meets the expectations" grep -q "^replay: the run meets" "$out/replay"

"$sim" export "$out/t.vostrace" --format chrome --output "$out/t.json" >/dev/null 2>&1; status=$?
check "export exits 0" test "$status" -eq 0
cpus=$(grep -Eo '^== simulator summary: [0-9]+ cpus' "$out/run1" | grep -Eo '[0-9]+')
python3 - "$out/t.json" "$cpus" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
tracks = {e["tid"] for e in data["traceEvents"] if e.get("name") == "thread_name"}
# What ran on each CPU: kernel threads (named by id), idle threads, boot code.
runs = [e for e in data["traceEvents"] if e["ph"] == "X" and
        (e["name"] in ("boot", "idle") or e["name"].startswith("thread "))]
assert len(tracks) == int(sys.argv[2]), (tracks, sys.argv[2])
assert runs and all(e["dur"] >= 0 for e in runs)
print(f"ok: chrome json: {len(data['traceEvents'])} events, {len(tracks)} cpu tracks")
PY
check "export is valid JSON with one track per simulated CPU" test $? -eq 0

exit $((failures > 0))
