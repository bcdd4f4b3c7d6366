// The user-mode HAL for the simulator (see sim/machine_user.cc).
#include "sim/machine.h"
#include "src/hal/user.h"

namespace hal {

void UserContextInit(UserContext* context, VirtAddr entry, VirtAddr /*stack_top*/, uint64_t arg0,
                     uint64_t arg1) {
  // User stacks are the host fibers' own: the stack pointer is unused.
  sim::Machine::Current().UserContextInit(context, entry, arg0, arg1);
}
void UserContextRelease(UserContext* context) {
  sim::Machine::Current().UserContextRelease(context);
}
Trap RunUser(UserContext* context) { return sim::Machine::Current().RunUser(context); }

}  // namespace hal
