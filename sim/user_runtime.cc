// The user runtime of simulated user programs (src/abi/user_runtime.h): runs
// on a user thread's fiber and reaches the kernel only by trapping.
#include "src/abi/user_runtime.h"

#include <algorithm>
#include <cstring>

#include "sim/machine.h"
#include "sim/user_code.h"

namespace vos::user {
namespace {

// Copies [address, address + size) a page at a time; copy(host, offset, n).
template <typename Copy>
void Access(uint64_t address, size_t size, sim::AccessKind kind, Copy copy) {
  size_t offset = 0;
  while (offset < size) {
    sim::Machine& machine = sim::Machine::Current();
    machine.UserStep();
    const uint64_t at = address + offset;
    const size_t chunk = std::min<size_t>(size - offset, hal::kPageSize - at % hal::kPageSize);
    const sim::WalkResult result = machine.Translate(at, {kind, sim::Privilege::kUser});
    if (result.outcome != sim::WalkResult::Outcome::kTranslated) {
      hal::Trap trap{};
      trap.kind = hal::TrapKind::kPageFault;
      trap.vector = result.fault.vector;
      trap.fault = result.fault.info;
      machine.UserTrap(trap);  // Resumed only if the kernel fixed the mapping: retry.
      continue;
    }
    void* host = machine.ram().HostAddress(result.translation.Physical(at));
    if (host == nullptr) machine.HostFault("a user page maps physical memory outside RAM");
    copy(static_cast<char*>(host), offset, chunk);
    offset += chunk;
  }
}

}  // namespace

int64_t Syscall(abi::Syscall number, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                uint64_t a4, uint64_t a5) {
  hal::Trap trap{};
  trap.kind = hal::TrapKind::kSyscall;
  trap.syscall = hal::SyscallArgs{static_cast<uint64_t>(number), {a0, a1, a2, a3, a4, a5}};
  sim::Machine& machine = sim::Machine::Current();
  machine.UserStep();
  machine.UserTrap(trap);
  return static_cast<int64_t>(sim::Machine::Current().user_context()->return_value);
}

void Load(uint64_t address, void* destination, size_t size) {
  char* to = static_cast<char*>(destination);
  Access(address, size, sim::AccessKind::kRead, [to](const char* user, size_t offset, size_t n) {
    sim::CopyHostBytes(to + offset, user, n);
  });
}

void Store(uint64_t address, const void* source, size_t size) {
  const char* from = static_cast<const char*>(source);
  Access(address, size, sim::AccessKind::kWrite, [from](char* user, size_t offset, size_t n) {
    sim::CopyHostBytes(user, from + offset, n);
  });
}

void WriteMessageRegisters(const void* source, size_t size) {
  hal::UserContext* context = sim::Machine::Current().user_context();
  std::memcpy(context->message, source, std::min(size, sizeof(context->message)));
}

void ReadMessageRegisters(void* destination, size_t size) {
  const hal::UserContext* context = sim::Machine::Current().user_context();
  std::memcpy(destination, context->message, std::min(size, sizeof(context->message)));
}

ExtraResults LastExtraResults() {
  const hal::UserContext* context = sim::Machine::Current().user_context();
  return {context->extra_results[0], context->extra_results[1]};
}

void Compute(uint64_t steps) {
  for (uint64_t step = 0; step < steps; ++step) sim::Machine::Current().UserStep();
}

uint64_t CodeAddress(Entry entry) { return sim::UserCodeAddress(entry); }

}  // namespace vos::user
