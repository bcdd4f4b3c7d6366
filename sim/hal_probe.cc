// The HAL's MMU-checking hooks in the simulator: probes go through the
// calling CPU's TLB model and page-table walker (Machine::Translate) and move
// bytes in simulated RAM; a fetch is translated, not executed. Kernel code
// runs on the host, so no kernel mapping needs to be in any root.
#include <cstring>

#include "sim/machine.h"
#include "src/hal/mmu.h"
#include "src/hal/probe.h"

namespace hal {
namespace {

constexpr uint32_t kX86GeneralProtectionVector = 13;

sim::AccessKind AccessKindFor(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kRead:
      return sim::AccessKind::kRead;
    case ProbeKind::kWrite:
      return sim::AccessKind::kWrite;
    case ProbeKind::kExecute:
      return sim::AccessKind::kFetch;
  }
  return sim::AccessKind::kRead;
}

}  // namespace

ProbeResult ProbeAccess(VirtAddr address, ProbeKind kind, uint64_t value) {
  sim::Machine& machine = sim::Machine::Current();
  const sim::WalkResult walk =
      machine.Translate(address, {AccessKindFor(kind), sim::Privilege::kSupervisor});
  ProbeResult result{};
  if (walk.outcome != sim::WalkResult::Outcome::kTranslated) {
    result.faulted = true;
    result.vector = walk.fault.vector;
    result.code = walk.fault.code;
    // Only x86_64 raises something other than a page fault (#GP).
    result.page_fault = machine.mmu_registers().format != PageTableFormat::kX86_64 ||
                        walk.fault.vector != kX86GeneralProtectionVector;
    result.fault = walk.fault.info;
    return result;
  }
  if (kind == ProbeKind::kExecute) return result;
  const PhysAddr physical = walk.translation.Physical(address);
  void* host = machine.ram().HostAddress(physical);
  if (host == nullptr) machine.HostFault("a probe translated to a physical address outside RAM");
  if (kind == ProbeKind::kRead) {
    std::memcpy(&result.value, host, sizeof(result.value));
  } else {
    std::memcpy(host, &value, sizeof(value));
  }
  return result;
}

// Any value works: nothing executes it.
uint32_t ProbeReturnInstruction() { return 0xC3; }

std::span<const KernelMapping> KernelMappings() { return {}; }

}  // namespace hal
