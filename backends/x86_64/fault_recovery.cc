#include "backends/x86_64/fault_recovery.h"

#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/x86.h"

namespace x86 {
namespace {

constexpr uint64_t kGeneralProtectionVector = 13;

}  // namespace

void ArmFaultRecovery(FaultRecovery* recovery) { ThisCpu().fault_recovery = recovery; }

void DisarmFaultRecovery() { ThisCpu().fault_recovery = nullptr; }

bool RecoverFromFault(TrapFrame& frame) {
  if (frame.vector != kPageFaultVector && frame.vector != kGeneralProtectionVector) return false;
  CpuLocal& cpu = ThisCpu();
  FaultRecovery* recovery = cpu.fault_recovery;
  if (recovery == nullptr || (frame.cs & 3) != 0) return false;
  cpu.fault_recovery = nullptr;  // A fault at the continuation is a real one.
  recovery->vector = frame.vector;
  recovery->error_code = frame.error_code;
  recovery->cr2 = frame.vector == kPageFaultVector ? ReadCr2() : 0;
  frame.rip = recovery->resume_rip;
  frame.rsp = recovery->resume_rsp;
  return true;
}

}  // namespace x86
