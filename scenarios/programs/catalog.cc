#include "scenarios/programs/catalog.h"

#include <array>

#include "scenarios/programs/entries.h"
#include "src/abi/user_runtime.h"

namespace programs {

std::span<const vos::Program> Catalog() {
  // Code addresses are handed out in this order at the first call.
  static const std::array<vos::Program, 16> catalog = {{
      {"hello", vos::user::CodeAddress(kHello)},
      {"exit_with", vos::user::CodeAddress(kExitWith)},
      {"spinner", vos::user::CodeAddress(kSpinner)},
      {"sleeper", vos::user::CodeAddress(kSleeper)},
      {"nop", vos::user::CodeAddress(kNop)},
      {"faulter", vos::user::CodeAddress(kFaulter)},
      {"tree", vos::user::CodeAddress(kTree)},
      {"orphaner", vos::user::CodeAddress(kOrphaner)},
      {"storm", vos::user::CodeAddress(kStorm)},
      {"forest", vos::user::CodeAddress(kForest)},
      {"abuse", vos::user::CodeAddress(kAbuse)},
      {"info", vos::user::CodeAddress(kInfo)},
      {"cap_abuse", vos::user::CodeAddress(kCapAbuse)},
      {"cap_foreign", vos::user::CodeAddress(kCapForeign)},
      {"cap_holder", vos::user::CodeAddress(kCapHolder)},
      {"kill_self", vos::user::CodeAddress(kKillSelf)},
  }};
  return catalog;
}

}  // namespace programs
