#!/usr/bin/env bash
# Checks that a relocatable object built by freestanding_objects is for ARCH
# and references nothing outside the machine interface and the freestanding
# runtime of backends/common: no exception, RTTI or unwinder support, no
# libstdc++/libgcc/libatomic helpers, no libc.
#
#   check_objects.sh ARCH OBJECT
set -euo pipefail

readonly arch="$1"
readonly object="$2"
readonly readelf=/usr/bin/llvm-readelf-14
readonly nm=/usr/bin/llvm-nm-14
readonly cxxfilt=/usr/bin/llvm-cxxfilt-14

case "$arch" in
  x86_64) machine="Advanced Micro Devices X86-64" ;;
  aarch64) machine="AArch64" ;;
  riscv64) machine="RISC-V" ;;
  *) echo "unknown architecture $arch" >&2; exit 2 ;;
esac

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

header=$("$readelf" --file-header "$object")
grep -q "Class: *ELF64" <<<"$header" || fail "$object is not ELF64"
grep -q "Type: *REL " <<<"$header" || fail "$object is not a relocatable object"
grep -q "Machine: *$machine\$" <<<"$header" ||
  fail "$object is not for $arch: $(grep Machine: <<<"$header")"

if "$readelf" --section-headers "$object" | grep -q '\.gcc_except_table'; then
  fail "exception tables present: something was compiled with exceptions"
fi

# What the objects may leave to the rest of the kernel image: the functions
# of the machine interface, and the runtime of backends/common/runtime.cc.
readonly allowed_runtime=(
  memset memcpy memmove memcmp
  __cxa_atexit __dso_handle __cxa_pure_virtual
  _ZdlPv _ZdlPvm _ZdlPvSt11align_val_t _ZdlPvmSt11align_val_t
)
# Host runtime, by what it betrays (checked first, for a clearer message).
readonly forbidden=(
  '__cxa_throw|__cxa_allocate_exception|__cxa_begin_catch|__cxa_end_catch|__cxa_rethrow|__gxx_personality|_Unwind_ => exception support'
  '^_ZTI|^_ZTS|^_ZTVN10__cxxabiv1|__dynamic_cast => RTTI (typeinfo)'
  '__cxa_guard_ => thread-safe statics'
  '__stack_chk => the stack protector'
  '^__aarch64_|^__atomic_|^__sync_ => libgcc/libatomic atomics'
  '^_ZSt|^_ZNSt|^_ZNKSt => libstdc++ library code (std::__throw_* and the like)'
  '^_Zn[wa] => the global operator new (no heap runtime)'
  '^(printf|puts|putchar|malloc|calloc|realloc|free|abort|exit|strlen|strcmp|strcpy|__assert_fail|__errno_location)$ => libc'
  '^__(u?div|u?mod|mul|ash|lsh|clz|ctz|popcount)[a-z]*[0-9]$ => compiler-rt/libgcc arithmetic helpers'
)

undefined=$("$nm" --undefined-only --format=just-symbols "$object" | sort -u)
while IFS= read -r symbol; do
  [[ -z "$symbol" ]] && continue
  demangled=$("$cxxfilt" "$symbol")
  category=""
  for entry in "${forbidden[@]}"; do
    if [[ "$symbol" =~ ${entry%% => *} ]]; then
      category="${entry#* => }"
      break
    fi
  done
  if [[ -n "$category" ]]; then
    fail "undefined reference to $demangled ($symbol): $category"
    continue
  fi
  if [[ "$symbol" =~ ^_ZN(K)?3hal ]]; then
    continue
  fi
  allowed=0
  for runtime in "${allowed_runtime[@]}"; do
    [[ "$symbol" == "$runtime" ]] && allowed=1
  done
  if ((allowed == 0)); then
    fail "undefined reference to $demangled ($symbol): neither a hal:: function nor" \
      "part of the freestanding runtime (backends/common/runtime.cc); src/ must define it" \
      "or the runtime must provide it"
  fi
done <<<"$undefined"

echo "$arch: $(wc -l <<<"$undefined") undefined symbols:"
"$cxxfilt" <<<"$undefined" | sed 's/^/  /'
if ((failures > 0)); then
  echo "$failures problem(s) in $object"
  exit 1
fi
echo "PASS: $object is freestanding $arch code"
