// hal::ProbeAccess: the access runs in probe.S under a FaultRecovery record.
#include "src/hal/probe.h"

#include "backends/x86_64/fault_recovery.h"
#include "src/hal/interrupts.h"

extern "C" bool x86_probe_access(x86::FaultRecovery* recovery, uint64_t address, uint64_t kind,
                                 uint64_t* value);

namespace hal {
namespace {

constexpr uint8_t kRetInstruction = 0xC3;

}  // namespace

ProbeResult ProbeAccess(VirtAddr address, ProbeKind kind, uint64_t value) {
  InterruptDisableGuard no_interrupts;
  x86::FaultRecovery recovery{};
  x86::ArmFaultRecovery(&recovery);
  const bool faulted =
      x86_probe_access(&recovery, address, static_cast<uint64_t>(kind), &value);
  x86::DisarmFaultRecovery();
  ProbeResult result{};
  result.faulted = faulted;
  if (!faulted) {
    if (kind == ProbeKind::kRead) result.value = value;
    return result;
  }
  result.vector = static_cast<uint32_t>(recovery.vector);
  result.code = recovery.error_code;
  result.page_fault = recovery.vector == x86::kPageFaultVector;
  if (result.page_fault) result.fault = x86::DecodePageFault(recovery.error_code, recovery.cr2);
  return result;
}

uint32_t ProbeReturnInstruction() { return kRetInstruction; }

}  // namespace hal
