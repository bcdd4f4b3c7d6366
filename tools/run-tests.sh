#!/usr/bin/env bash
# Runs every Bazel test, then counts test cases from the JUnit XML files Bazel
# leaves in bazel-testlogs (a gtest binary reports each TEST; a shell test
# counts as one case) and prints "N passed, N failed" as its last line.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bazel test //... "$@"
bazel_status=$?
# Only the reports of tests that exist now: bazel-testlogs keeps old ones.
targets=$(bazel query 'tests(//...)' --output=label 2>/dev/null)

python3 - "$bazel_status" "$targets" <<'PY'
import os, sys, xml.etree.ElementTree as ET
bazel_status = int(sys.argv[1])
passed = failed = 0
for label in sys.argv[2].split():
    package, _, name = label.lstrip("/").partition(":")
    path = os.path.join("bazel-testlogs", package, name, "test.xml")
    if not os.path.exists(path):
        print(f"no test report for {label}")
        failed += 1
        continue
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        print(f"unreadable test report: {path}")
        failed += 1
        continue
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
if bazel_status != 0 and failed == 0:
    # Bazel failed (a build error, a timeout) without a failing case on record.
    print(f"bazel test exited with {bazel_status}")
    failed = 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
