#!/usr/bin/env bash
# Every scenarios/*.toml is in the suite (scenarios/suite.bzl), so none goes
# untested.
set -uo pipefail
missing=0
for file in "$@"; do
  name=$(basename "$file" .toml)
  if [[ " $LISTED " != *" $name "* ]]; then
    echo "FAIL: scenarios/$name.toml is not listed in scenarios/suite.bzl"
    missing=1
  fi
done
[[ $missing -eq 0 ]] && echo "ok: $# scenario files, all in the suite"
exit $missing
