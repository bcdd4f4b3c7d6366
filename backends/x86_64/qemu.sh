#!/usr/bin/env bash
# Boots an x86_64 kernel ELF in QEMU (q35, TCG, 4 CPUs, 128 MiB) with the
# serial console on stdout.
#
#   qemu.sh KERNEL_ELF [extra QEMU arguments, e.g. -append "workload=smoke"]
#
# Exit status is QEMU's: isa-debug-exit turns the kernel's exit code C into
# (C << 1) | 1, so hal::PowerOff(0) gives 1, a panic 225, an unhandled
# exception 227, a boot failure 229 (backends/x86_64/power.h); QEMU's own
# start-up errors also give 1; a hang is cut off after $QEMU_TIMEOUT seconds
# (default 60) with 124.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 KERNEL_ELF [QEMU arguments...]" >&2
  exit 2
fi
kernel="$1"
shift

exec timeout "${QEMU_TIMEOUT:-60}" qemu-system-x86_64 \
  -M q35 -accel tcg -smp 4 -m 128M \
  -display none -serial stdio -monitor none -no-reboot \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -kernel "$kernel" "$@" </dev/null
