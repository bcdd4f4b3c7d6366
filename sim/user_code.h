// User code addresses in the simulator. User programs are host functions,
// but the kernel and the ABI see only user virtual addresses: each entry
// point gets a stable fake address in a code window, and the user-mode
// runner accepts only those (any other pc is an instruction fetch fault).
#ifndef VERIDIAN_SIM_USER_CODE_H_
#define VERIDIAN_SIM_USER_CODE_H_

#include <cstdint>

#include "src/abi/user_runtime.h"

namespace sim {

inline constexpr uint64_t kUserCodeBase = 0x4000'0000;
inline constexpr uint64_t kUserCodeStride = 16;

// The address of `entry`, registering it at first use. Addresses are handed
// out in registration order, so a deterministic run gets the same ones.
uint64_t UserCodeAddress(vos::user::Entry entry);
// The entry at `address`, or null when no entry point lives there.
vos::user::Entry UserCodeAt(uint64_t address);

}  // namespace sim

#endif  // VERIDIAN_SIM_USER_CODE_H_
