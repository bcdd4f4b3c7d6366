#!/usr/bin/env bash
# Installs the Debian packages VeridianOS needs, only those that are missing.
# Idempotent: a second run does nothing but check.
set -euo pipefail

readonly PACKAGES=(
  bazel-bootstrap bazel-platforms bazel-rules-java
  clang-14 lld-14
  libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libboost-context-dev libunwind-dev libunicorn-dev
  libtomlplusplus-dev libxxhash-dev
  qemu-system-x86 qemu-system-arm qemu-system-misc
  libstdc++-12-dev-arm64-cross libstdc++-12-dev-riscv64-cross
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing missing Debian packages: ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
