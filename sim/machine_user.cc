// User mode in the simulator. Each user thread's code runs on its own fiber;
// hal::RunUser switches from the thread's kernel fiber to it, and user code
// comes back only by trapping: a syscall or a page fault (sim/user_runtime.cc)
// or a pending interrupt seen at one of its steps. The CPU's kernel state
// (interrupts disabled) is left as RunUser found it: user mode is always
// interruptible, so UserStep checks for pending interrupts itself. The
// context's message and extra result registers need no saving: user code
// reads and writes them in place (sim/user_runtime.cc), as hardware would
// its registers.
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/str_format.h"
#include "sim/machine.h"
#include "sim/user_code.h"

namespace sim {

namespace {

// A user thread on its first run enters here.
constexpr size_t kUserStackSize = 128 * 1024;
// kException vector of a user entry function that returned.
constexpr uint32_t kUserEntryReturned = 0x100;

// The simulator's part of hal::UserContext::arch_state.
struct UserState {
  FiberHandle user;    // The suspended user fiber.
  FiberHandle kernel;  // The kernel side, while user code runs.
  FiberStack* stack;
  vos::user::Entry entry;
  uint64_t arg0;
  uint64_t arg1;
  hal::Trap trap;  // The trap that ended the last run.
};
static_assert(sizeof(UserState) <= sizeof(hal::UserContext::arch_state));

UserState& StateOf(hal::UserContext* context) {
  return *reinterpret_cast<UserState*>(context->arch_state);
}

void UserFiberMain(void* arg) {
  auto* context = static_cast<hal::UserContext*>(arg);
  const UserState& state = StateOf(context);
  state.entry(state.arg0, state.arg1);
  hal::Trap trap{};
  trap.kind = hal::TrapKind::kException;
  trap.vector = kUserEntryReturned;
  trap.from_user = true;
  trap.pc = context->pc;
  Machine::Current().UserTrap(trap);
  Machine::Current().HostFault("a user thread resumed after its entry function returned");
}

}  // namespace

struct Machine::UserMode {
  std::vector<hal::UserContext*> running;  // Per CPU.
  // Fiber stacks are pooled: mapping one costs more than a whole syscall.
  std::vector<std::unique_ptr<FiberStack>> stacks;
  std::vector<FiberStack*> free_stacks;
};

Machine::UserMode& Machine::user_mode() {
  if (user_mode_ == nullptr) [[unlikely]] {
    user_mode_ = std::make_shared<UserMode>();
    user_mode_->running.resize(config_.cpus, nullptr);
  }
  return *user_mode_;
}

void Machine::UserContextInit(hal::UserContext* context, hal::VirtAddr entry, uint64_t arg0,
                              uint64_t arg1) {
  std::memset(context, 0, sizeof(*context));
  context->pc = entry;
  UserState& state = StateOf(context);
  state.entry = UserCodeAt(entry);
  state.arg0 = arg0;
  state.arg1 = arg1;
}

void Machine::UserContextRelease(hal::UserContext* context) {
  UserState& state = StateOf(context);
  if (state.stack != nullptr) user_mode().free_stacks.push_back(state.stack);
  state = UserState{};
}

hal::UserContext* Machine::user_context() const {
  return user_mode_ == nullptr ? nullptr : user_mode_->running[current_];
}

hal::Trap Machine::RunUser(hal::UserContext* context) {
  UserMode& mode = user_mode();
  UserState& state = StateOf(context);
  if (state.stack == nullptr) {
    if (state.entry == nullptr) {
      // No code at the entry address: the first fetch faults.
      hal::Trap trap{};
      trap.kind = hal::TrapKind::kPageFault;
      trap.from_user = true;
      trap.pc = context->pc;
      trap.fault = hal::PageFaultInfo{context->pc, false, false, true, true};
      current().stats.time += config_.costs.trap_entry;
      Record(hal::TraceKind::kTrapEnter, static_cast<uint64_t>(trap.kind), 0);
      return trap;
    }
    if (mode.free_stacks.empty()) {
      mode.stacks.push_back(std::make_unique<FiberStack>(kUserStackSize));
      mode.free_stacks.push_back(mode.stacks.back().get());
    }
    state.stack = mode.free_stacks.back();
    mode.free_stacks.pop_back();
    state.user = PrepareFiber(state.stack->base(), state.stack->size(), UserFiberMain, context);
  }
  mode.running[current_] = context;
  SwitchFiber(&state.kernel, state.user);
  // User code cannot migrate: this is the CPU it trapped on.
  mode.running[current_] = nullptr;
  return state.trap;
}

void Machine::UserTrap(const hal::Trap& trap) {
  hal::UserContext* context = user_mode_->running[current_];
  if (context == nullptr) HostFault("a user trap outside user mode");
  UserState& state = StateOf(context);
  state.trap = trap;
  state.trap.from_user = true;
  current().stats.time += config_.costs.trap_entry;
  Record(hal::TraceKind::kTrapEnter, static_cast<uint64_t>(trap.kind), trap.vector);
  SwitchFiber(&state.user, state.kernel);
}

void Machine::UserStep() {
  Cpu& cpu = current();
  cpu.stats.time += config_.costs.user_step;
  ++cpu.stats.interleavings;
  if (++interleavings_ > interleaving_limit_) [[unlikely]] LimitReached();
  Reschedule();
  if (HasPendingInterrupt(current())) UserTrap(TakePendingInterrupt());
}

}  // namespace sim
