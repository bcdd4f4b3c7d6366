#!/usr/bin/env bash
# Runs a benchmark binary briefly (more flags after it, if given) and checks
# it printed its ratio line.
set -euo pipefail
out=$("$1" --benchmark_min_time=0.01 "${@:2}" 2>&1)
echo "$out"
grep -q "ratio" <<<"$out"
