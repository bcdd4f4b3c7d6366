// The exit codes shared by the programs that check IPC between processes
// (ipc_programs, channel_programs, shm_programs, registry_programs,
// registry_admin); 0 means every check held. Programs with other checks
// number their own (placement, sync_storms, caps, revoke, and registry_admin
// from 10).
#ifndef VERIDIAN_SCENARIOS_PROGRAMS_EXIT_CODES_H_
#define VERIDIAN_SCENARIOS_PROGRAMS_EXIT_CODES_H_

#include <cstdint>

#include "src/abi/syscall.h"

namespace programs {

inline constexpr int64_t kBroken = 1;       // A message, answer or check was wrong.
inline constexpr int64_t kNoObject = 2;     // Its endpoint, channel or memory could not be made.
inline constexpr int64_t kNoChild = 3;      // A child (or thread, or its grant) failed to start.
inline constexpr int64_t kCallFailed = 4;   // A call on the object failed.
inline constexpr int64_t kChildFailed = 5;  // A child did not exit 0.
inline constexpr int64_t kBadArguments = 6;

// A child's verdict as its parent's: 0 if it exited 0, its own code if it
// exited with another, kChildFailed if it did not exit.
inline int64_t ChildVerdict(const vos::abi::ExitStatus& status) {
  return status.reason == vos::abi::ExitReason::kExited ? status.code : kChildFailed;
}

}  // namespace programs

#endif  // VERIDIAN_SCENARIOS_PROGRAMS_EXIT_CODES_H_
