#include "backends/x86_64/cpu_local.h"

#include "backends/x86_64/x86.h"

namespace x86 {
namespace {

CpuLocal cpu_locals[kMaxSupportedCpus];

}  // namespace

void InstallCpuLocal(hal::CpuId cpu) {
  CpuLocal& local = cpu_locals[cpu];
  local.self = &local;
  local.id = cpu;
  WriteMsr(kMsrGsBase, reinterpret_cast<uint64_t>(&local));
}

}  // namespace x86
