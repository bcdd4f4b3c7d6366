#include "src/kernel/percpu.h"

#include "src/lib/assert.h"

namespace kernel {
namespace {
PerCpu per_cpu[hal::kMaxCpus];
}  // namespace

PerCpu& CpuData(hal::CpuId cpu) {
  VOS_ASSERT_MSG(cpu < hal::kMaxCpus, "cpu index %u", cpu);
  return per_cpu[cpu];
}

}  // namespace kernel
