// get_time and debug_write.
#include "src/hal/console.h"
#include "src/hal/time.h"
#include "src/proc/user_access.h"
#include "src/syscall/handlers.h"

namespace vos::syscall {

int64_t GetTime(UserThread&, Args) { return static_cast<int64_t>(hal::Now()); }

int64_t DebugWrite(UserThread& self, Args args) {
  const uint64_t size = args[1];
  if (size > abi::kMaxDebugWrite) return Error(Status::kInvalidArgument);
  char text[abi::kMaxDebugWrite];
  {
    ScopedUserAccess access(self);
    if (!access.CopyIn(text, args[0], size)) return Error(Status::kInvalidArgument);
  }
  hal::ConsoleWrite(text, size);
  return static_cast<int64_t>(size);
}

}  // namespace vos::syscall
