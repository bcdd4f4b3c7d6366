// placement: threads that check, as they run, that they stay on the CPUs and
// at the priority the scenario gave their process ([[program]] affinity,
// priority), and a child process that must inherit both.
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"

namespace programs {
namespace {

using vos::user::Args;

// Exit codes.
constexpr int64_t kWrongCpu = 1;
constexpr int64_t kWrongPriority = 2;
constexpr int64_t kThreadFailed = 3;
constexpr int64_t kChildFailed = 4;
constexpr int64_t kBadArguments = 5;

constexpr uint64_t kMaxThreads = 16;
constexpr uint64_t kChecks = 20;
constexpr uint64_t kStepsBetweenChecks = 25;
// What a thread expects: the allowed CPU mask (CPUs 0..47) and, above it,
// the priority; a worker's argument is that << 8 | its ThreadInfo slot.
constexpr uint32_t kPriorityShift = 48;

// Where each thread's ThreadInfo goes.
uint64_t InfoSlot(uint64_t index) {
  return kScratch + 4096 + index * sizeof(vos::abi::ThreadInfo);
}

int64_t CheckPlacement(uint64_t expected, uint64_t slot) {
  const uint64_t mask = expected & ((uint64_t{1} << kPriorityShift) - 1);
  const uint64_t priority = expected >> kPriorityShift;
  for (uint64_t check = 0; check < kChecks; ++check) {
    vos::user::Compute(kStepsBetweenChecks);
    if (vos::user::ThreadInfo(0, InfoSlot(slot)) != 0) return kThreadFailed;
    vos::abi::ThreadInfo info;
    vos::user::Load(InfoSlot(slot), &info, sizeof(info));
    if (info.cpu >= kPriorityShift || (mask >> info.cpu & 1) == 0) return kWrongCpu;
    if (info.priority != priority) return kWrongPriority;
  }
  return 0;
}

int64_t Worker(uint64_t expected_and_slot) {
  return CheckPlacement(expected_and_slot >> 8, expected_and_slot & 0xff);
}

// placement mask priority threads depth: `threads` workers plus the main
// thread check their placement; with depth > 0 a child placement (depth-1)
// runs alongside and must pass too. Exits 0 or the first failure's code.
int64_t Placement(Args args) {
  const uint64_t mask = Arg(args, 0);
  const uint64_t priority = Arg(args, 1);
  const uint64_t threads = Arg(args, 2);
  const uint64_t depth = Arg(args, 3);
  if (mask == 0 || mask >> kPriorityShift != 0 || priority > 0xff || threads >= kMaxThreads) {
    return kBadArguments;
  }
  const uint64_t expected = mask | priority << kPriorityShift;
  int64_t child = -1;
  if (depth > 0) {
    const uint64_t child_args[4] = {mask, priority, threads, depth - 1};
    child = SpawnWith("placement", child_args, 4);
    if (child < 0) return kChildFailed;
  }
  uint64_t tids[kMaxThreads];
  for (uint64_t i = 0; i < threads; ++i) {
    const int64_t tid =
        vos::user::ThreadCreate(&vos::user::ThreadEntry<Worker>, expected << 8 | (i + 1));
    if (tid < 0) return kThreadFailed;
    tids[i] = static_cast<uint64_t>(tid);
  }
  int64_t result = CheckPlacement(expected, 0);
  for (uint64_t i = 0; i < threads; ++i) {
    if (vos::user::ThreadJoin(tids[i]) != 0 && result == 0) result = kThreadFailed;
  }
  if (child >= 0) {
    const vos::Result<vos::abi::ExitStatus> status =
        WaitChild(static_cast<uint64_t>(child), kScratch + 3072);
    if (!status.ok()) return kChildFailed;
    if (!ExitedWith(status.value(), 0) && result == 0) result = kChildFailed;
  }
  return result;
}

}  // namespace

const vos::user::Entry kPlacement = &vos::user::ProgramEntry<Placement>;

}  // namespace programs
