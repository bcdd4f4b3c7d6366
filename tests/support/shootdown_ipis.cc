#include "tests/support/shootdown_ipis.h"

#include "src/mm/tlb_shootdown.h"

namespace testing_support {

void ServeShootdownIpis(hal::Trap& trap) {
  if (trap.kind == hal::TrapKind::kIpi) vos::ServeTlbShootdowns();
}

}  // namespace testing_support
