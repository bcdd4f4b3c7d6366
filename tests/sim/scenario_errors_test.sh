#!/usr/bin/env bash
# Bad scenario input: each error class gets a one-line message naming the
# file, line and field, and its own exit status; never a crash.
set -uo pipefail
sim="${TEST_SRCDIR}/${TEST_WORKSPACE}/sim/vos_sim"
data="${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/testdata"
out="${TEST_TMPDIR:-$(mktemp -d)}"
source "${TEST_SRCDIR}/${TEST_WORKSPACE}/tests/sim/check.sh"
# expect NAME FILE STATUS MESSAGE-REGEX: run and explore both reject it.
expect() {
  local name="$1" file="$2" want="$3" message="$4"
  for command in run explore; do
    "$sim" "$command" "$file" --quiet >"$out/stdout" 2>"$out/stderr"; status=$?
    cat "$out/stderr"
    check "$name ($command): exit $want" test "$status" -eq "$want"
    check "$name ($command): one line on stderr" test "$(wc -l <"$out/stderr")" -eq 1
    check "$name ($command): names file, line and field" grep -Eq "$message" "$out/stderr"
    check "$name ($command): nothing ran" test ! -s "$out/stdout"
  done
}

expect "missing file" "$data/no_such.toml" 10 "no_such\.toml:0:0: \(file\): cannot read the scenario: No such file"
expect "malformed TOML" "$data/malformed.toml" 11 "malformed\.toml:2:[0-9]+: malformed TOML"
expect "unknown key" "$data/unknown_key.toml" 12 "unknown_key\.toml:4:1: machine\.cpu_count: unknown key"
expect "wrong type" "$data/wrong_type.toml" 12 "wrong_type\.toml:2:8: machine\.cpus: expected an integer, got a string"
expect "zero CPUs" "$data/zero_cpus.toml" 13 "zero_cpus\.toml:2:8: machine\.cpus: must be 1\.\.256, got 0"
expect "too many CPUs" "$data/too_many_cpus.toml" 13 "too_many_cpus\.toml:2:8: machine\.cpus: must be 1\.\.256, got 300"
expect "too little RAM" "$data/small_ram.toml" 13 "small_ram\.toml:3:11: machine\.ram_mib: must be 4\.\.65536, got 1"
expect "program cpu outside its affinity" "$data/program.toml" 12 "program\.toml:8:[0-9]+: program\[0\]\.cpu: must be one of the program's affinity CPUs"

"$sim" run "$data/zero_cpus.toml" --workload=racy >"$out/o" 2>"$out/e"; status=$?
check "a default-run flag with a scenario is a usage error" test "$status" -eq 2
check "and says which flag" grep -q -- "--workload applies only without a scenario file" "$out/e"
"$sim" replay >"$out/o" 2>"$out/e"; status=$?
check "replay without a trace: exit 2" test "$status" -eq 2
"$sim" export x --format svg >"$out/o" 2>"$out/e"; status=$?
check "export to an unknown format: exit 2" test "$status" -eq 2
exit $((failures > 0))
