// The trap handler of tests that run the memory code in a bare simulated
// machine, without the kernel's trap dispatch: every IPI serves the CPU's
// TLB shootdown requests, as src/kernel/trap.cc does in the kernel.
#ifndef VERIDIAN_TESTS_SUPPORT_SHOOTDOWN_IPIS_H_
#define VERIDIAN_TESTS_SUPPORT_SHOOTDOWN_IPIS_H_

#include "src/hal/trap.h"

namespace testing_support {

// For sim::MachineConfig::trap_handler.
void ServeShootdownIpis(hal::Trap& trap);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_SUPPORT_SHOOTDOWN_IPIS_H_
